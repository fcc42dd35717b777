/**
 * CREATE TABLE validation (columns, computed columns, watermark, primary key, connector options) and the
 * scan of a table (its computed columns and watermark bound for the runtime).
 */
import type * as ast from '../../parser/ast.js';
import { asTimeAttribute, isTimestamp, typeToString, withNullable, type DataType, type Field } from '../../common/types.js';
import { EddyError, ErrorCode, didYouMean, type Diagnostic, type Span } from '../../common/errors.js';
import type { BoundExpr } from '../../expr/bound-expr.js';
import { physicalColumns, type TableColumn, type TableDef } from '../catalog.js';
import type { LogicalScan } from '../logical-plan.js';
import type { BinderContext } from './binder-context.js';
import { ExprBinder } from './bind-expr.js';
import { Scope } from './scope.js';

/** Scope of a table's physical columns (what computed columns may refer to). */
function physicalScope(columns: readonly { name: string; type: DataType; computed?: unknown }[]): Scope {
  const physical = columns.filter((c) => c.computed === undefined);
  return new Scope(physical.map((c, index) => ({ name: c.name, type: c.type, index })));
}

/** Binds a computed column's expression against the physical columns. */
function bindComputed(ctx: BinderContext, columns: readonly TableColumn[], expr: ast.Expr): BoundExpr {
  return new ExprBinder(ctx, physicalScope(columns), { clause: 'a computed column' }).bind(expr);
}

/** Validates a CREATE TABLE and turns it into a catalog entry. Reports every option problem at once. */
export function bindCreateTable(stmt: ast.CreateTable, ctx: BinderContext): TableDef {
  const columns: TableColumn[] = [];
  const seen = new Set<string>();
  for (const col of stmt.columns) {
    if (seen.has(col.name.name.toLowerCase())) {
      throw new EddyError({ code: ErrorCode.DUPLICATE_NAME, message: `Column '${col.name.name}' is declared twice`, span: col.name.span });
    }
    seen.add(col.name.name.toLowerCase());
    if (col.kind === 'PhysicalColumn') columns.push({ name: col.name.name, type: col.type });
    else columns.push({ name: col.name.name, type: T_PLACEHOLDER, computed: col.expr });
  }
  // Computed columns refer to physical columns only (as in Flink), so their types can be derived now.
  for (let i = 0; i < columns.length; i++) {
    const c = columns[i]!;
    if (c.computed) columns[i] = { ...c, type: bindComputed(ctx, columns, c.computed).type };
  }

  let watermark: TableDef['watermark'];
  if (stmt.watermark) {
    const wm = stmt.watermark;
    const idx = columns.findIndex((c) => c.name === wm.column.name) >= 0 ? columns.findIndex((c) => c.name === wm.column.name) : columns.findIndex((c) => c.name.toLowerCase() === wm.column.name.toLowerCase());
    if (idx < 0) {
      throw new EddyError({
        code: ErrorCode.UNKNOWN_COLUMN,
        message: `WATERMARK FOR '${wm.column.name}': no such column`,
        span: wm.column.span,
        hint: didYouMean(wm.column.name, columns.map((c) => c.name)),
      });
    }
    const col = columns[idx]!;
    if (!isTimestamp(col.type) || (col.type.precision ?? 3) > 3) {
      throw new EddyError({
        code: ErrorCode.NOT_A_TIME_ATTRIBUTE,
        message: `The rowtime column '${col.name}' must be TIMESTAMP(3) or TIMESTAMP_LTZ(3), but is ${typeToString(col.type)}`,
        span: wm.column.span,
        hint: `convert it in a computed column, e.g. ts AS TO_TIMESTAMP_LTZ(${col.name}, 3)`,
      });
    }
    columns[idx] = { ...col, type: asTimeAttribute(col.type, 'rowtime') };
    const fullScope = new Scope(columns.map((c, index) => ({ name: c.name, type: c.type, index })));
    const bound = new ExprBinder(ctx, fullScope, { clause: 'a WATERMARK expression' }).bind(wm.expr);
    if (!isTimestamp(bound.type)) {
      throw new EddyError({ code: ErrorCode.TYPE_MISMATCH, message: `The WATERMARK expression must return a timestamp, but returns ${typeToString(bound.type)}`, span: wm.expr.span });
    }
    watermark = { column: col.name, expr: wm.expr };
  }

  const primaryKey = stmt.primaryKey?.map((id) => {
    const exact = columns.findIndex((c) => c.name === id.name);
    const idx = exact >= 0 ? exact : columns.findIndex((c) => c.name.toLowerCase() === id.name.toLowerCase());
    if (idx < 0) throw new EddyError({ code: ErrorCode.UNKNOWN_COLUMN, message: `PRIMARY KEY column '${id.name}' does not exist`, span: id.span, hint: didYouMean(id.name, columns.map((c) => c.name)) });
    columns[idx] = { ...columns[idx]!, type: withNullable(columns[idx]!.type, false) };
    return columns[idx]!.name;
  });

  const options: Record<string, string> = {};
  for (const o of stmt.options) options[o.key] = o.value;
  const table: TableDef = {
    kind: 'table',
    name: qualified(stmt.name),
    columns,
    watermark,
    primaryKey,
    options,
    temporary: stmt.temporary,
    statement: stmt,
  };
  const problems: Diagnostic[] = [];
  if (options['connector'] === undefined) {
    problems.push({ code: ErrorCode.MISSING_OPTION, message: `Table '${qualified(stmt.name)}' has no 'connector' option`, span: stmt.name.span, hint: "add WITH ('connector' = 'filesystem', ...) — see docs/connectors.md" });
  } else {
    const physical = physicalColumns(table).map((c) => ({ name: c.name, type: c.type }));
    problems.push(...optionDiagnostics(ctx, options, stmt.options, stmt.name.span, physical));
  }
  if (problems.length > 0) throw new EddyError(problems);
  return table;
}

/**
 * The connector's problems with `options`, each at the option written in `written` it is about (an
 * unknown key at the key, a bad value at the value), else at `fallback`.
 */
export function optionDiagnostics(ctx: BinderContext, options: Readonly<Record<string, string>>, written: readonly ast.TableOption[], fallback: Span, schema?: readonly Field[]): Diagnostic[] {
  return ctx.connectors.validate(options, schema).map((p) => {
    const opt = written.find((o) => o.key === p.key);
    const code = {
      'unknown-connector': ErrorCode.UNKNOWN_CONNECTOR,
      'unknown-option': ErrorCode.UNKNOWN_OPTION,
      'missing-option': ErrorCode.MISSING_OPTION,
      'invalid-value': ErrorCode.INVALID_OPTION,
      'unknown-format': ErrorCode.UNKNOWN_FORMAT,
    }[p.kind];
    const span = opt ? (p.kind === 'unknown-option' ? opt.keySpan : p.kind === 'missing-option' ? fallback : opt.valueSpan) : fallback;
    return { code, message: p.message, span, hint: p.hint };
  });
}

// Computed columns' types are filled in right after the first pass; this marks them until then.
const T_PLACEHOLDER: DataType = { name: 'NULL', nullable: true };

/** `a.b.c` as text. */
export function qualified(name: ast.QualifiedName): string {
  return name.parts.map((p) => p.name).join('.');
}

/** The scan of a table with all its columns: computed columns and watermark bound for the runtime. */
export function scanTable(table: TableDef, ctx: BinderContext): LogicalScan {
  const computed = table.columns.map((c) => (c.computed ? bindComputed(ctx, table.columns, c.computed) : undefined));
  let watermark: LogicalScan['watermark'];
  if (table.watermark) {
    const fullScope = new Scope(table.columns.map((c, index) => ({ name: c.name, type: c.type, index })));
    const expr = new ExprBinder(ctx, fullScope, { clause: 'a WATERMARK expression' }).bind(table.watermark.expr);
    watermark = { rowtimeIndex: table.columns.findIndex((c) => c.name === table.watermark!.column), expr };
  }
  const schema: Field[] = table.columns.map((c) => ({ name: c.name, type: c.type }));
  return { kind: 'LogicalScan', table, projection: table.columns.map((_, i) => i), computed, watermark, changelog: ctx.connectors.sourceChangelog(table.options), schema };
}
