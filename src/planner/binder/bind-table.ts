/**
 * CREATE TABLE validation (columns, computed columns, watermark, primary key, connector options) and the
 * scan of a table (its computed columns and watermark bound for the runtime).
 */
import type * as ast from '../../parser/ast.js';
import { asTimeAttribute, isTimestamp, typeToString, withNullable, withoutTimeAttribute, type DataType, type Field } from '../../common/types.js';
import { resolveCast } from '../../functions/cast.js';
import { isResolutionError } from '../../functions/function-types.js';
import { EddyError, ErrorCode, didYouMean, type Diagnostic, type Span } from '../../common/errors.js';
import type { BoundExpr } from '../../expr/bound-expr.js';
import { physicalColumns, sourceColumns, type TableColumn, type TableDef } from '../catalog.js';
import type { LogicalScan, ScanMetadata } from '../logical-plan.js';
import type { BinderContext } from './binder-context.js';
import { ExprBinder } from './bind-expr.js';
import { Scope } from './scope.js';

/** Scope of a table's source row: its physical, then METADATA columns (what computed columns may refer to). */
function sourceScope(columns: readonly TableColumn[]): Scope {
  return new Scope(sourceColumns(columns).map((c, index) => ({ name: c.name, type: c.type, index })));
}

/** Binds a computed column's expression against the source row (physical and METADATA columns). */
function bindComputed(ctx: BinderContext, columns: readonly TableColumn[], expr: ast.Expr): BoundExpr {
  return new ExprBinder(ctx, sourceScope(columns), { clause: 'a computed column' }).bind(expr);
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
    else if (col.kind === 'MetadataColumn') columns.push({ name: col.name.name, type: col.type, metadata: { key: col.key, virtual: col.virtual } });
    else columns.push({ name: col.name.name, type: T_PLACEHOLDER, computed: col.expr });
  }
  // Computed columns refer to physical and metadata columns only (as in Flink), so their types can be derived now.
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
    if (columns[idx]!.metadata) throw new EddyError({ code: ErrorCode.INVALID_STATEMENT, message: `PRIMARY KEY column '${id.name}' is a METADATA column: a key is made of physical columns`, span: id.span });
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
    problems.push(...optionDiagnostics(ctx, options, stmt.options, stmt.name.span, tableShape(columns, primaryKey)));
  }
  if (problems.length === 0) problems.push(...metadataDiagnostics(ctx, stmt, options['connector']!));
  if (problems.length > 0) throw new EddyError(problems);
  return table;
}

/**
 * The connector's problems with `options`, each at the option written in `written` it is about (an
 * unknown key at the key, a bad value at the value), else at `fallback`.
 */
export function optionDiagnostics(
  ctx: BinderContext,
  options: Readonly<Record<string, string>>,
  written: readonly ast.TableOption[],
  fallback: Span,
  table?: TableShape,
): Diagnostic[] {
  return ctx.connectors.validate(options, table).map((p) => {
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

/**
 * The problems of a table's METADATA columns: each key must be one its connector offers, and the column's
 * type one the key's type casts to (as in Flink). Whether a persisted column's key can be written is checked
 * when the table is written (see bind-insert.ts): a table only read may declare `offset` without VIRTUAL.
 */
function metadataDiagnostics(ctx: BinderContext, stmt: ast.CreateTable, connector: string): Diagnostic[] {
  const offered = ctx.connectors.capabilities(connector)?.metadata ?? [];
  const problems: Diagnostic[] = [];
  for (const col of stmt.columns) {
    if (col.kind !== 'MetadataColumn') continue;
    const spec = offered.find((m) => m.key === col.key);
    if (!spec) {
      const keys = offered.map((m) => m.key);
      problems.push({
        code: ErrorCode.UNKNOWN_METADATA_KEY,
        message:
          keys.length === 0
            ? `Connector '${connector}' offers no metadata, so '${col.name.name}' cannot be a METADATA column`
            : `Connector '${connector}' has no metadata key '${col.key}' (column '${col.name.name}'); its keys: ${keys.join(', ')}`,
        span: col.keySpan,
        hint: keys.length === 0 ? undefined : (didYouMean(col.key, keys) ?? (col.keySpan === col.name.span ? `name the key with METADATA FROM '${keys[0]}'` : undefined)),
      });
      continue;
    }
    if (isResolutionError(resolveCast(spec.type, withoutTimeAttribute(col.type), false, ctx.env.timeZone))) {
      problems.push({
        code: ErrorCode.TYPE_MISMATCH,
        message: `METADATA column '${col.name.name}' is ${typeToString(col.type)}, but metadata '${col.key}' is ${typeToString(spec.type)}, which does not cast to it`,
        span: col.span,
        hint: `declare it ${typeToString(withNullable(spec.type, true))}`,
      });
    }
  }
  return problems;
}

type TableShape = Parameters<BinderContext['connectors']['validate']>[1];

/** What connector option checks see of a table: its physical (not computed, not METADATA) columns and its PRIMARY KEY. */
export function tableShape(columns: readonly TableColumn[], primaryKey: readonly string[] | undefined): TableShape {
  const physical = columns.filter((c) => !c.computed && !c.metadata);
  return { columns: physical.map((c) => c.name), schema: physical.map((c) => ({ name: c.name, type: c.type })), ...(primaryKey ? { primaryKey } : {}) };
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
  // Pseudo columns (ksqlDB's ROWTIME, ...) stay hidden: resolvable by name, not in SELECT *.
  const schema: Field[] = table.columns.map((c) => ({ name: c.name, type: c.type, ...(c.hidden ? { hidden: true } : {}) }));
  const metadata = scanMetadata(table, ctx);
  return {
    kind: 'LogicalScan',
    table,
    projection: table.columns.map((_, i) => i),
    computed,
    ...(metadata ? { metadata } : {}),
    watermark,
    changelog: ctx.connectors.sourceChangelog(table.options),
    schema,
  };
}

/**
 * The metadata a scan of `table` reads: every distinct key of its METADATA columns, and each column's value
 * cast from its key's type to the column's (see {@link ScanMetadata}). Undefined: the table has none.
 */
function scanMetadata(table: TableDef, ctx: BinderContext): ScanMetadata | undefined {
  const columns = table.columns.filter((c) => c.metadata !== undefined);
  if (columns.length === 0) return undefined;
  const offered = ctx.connectors.capabilities(table.options['connector'] ?? '')?.metadata ?? [];
  const keys = [...new Set(columns.map((c) => c.metadata!.key))];
  const width = physicalColumns(table).length;
  const binder = new ExprBinder(ctx, new Scope([]), { clause: 'a METADATA column' });
  const written = table.statement.kind === 'CreateTable' ? table.statement.columns : [];
  const values = columns.map((c): BoundExpr => {
    const key = c.metadata!.key;
    const spec = offered.find((m) => m.key === key);
    if (!spec) throw new EddyError({ code: ErrorCode.UNKNOWN_METADATA_KEY, message: `Table '${table.name}': connector '${table.options['connector']}' has no metadata key '${key}'` });
    const ref: BoundExpr = { kind: 'InputRef', index: width + keys.indexOf(key), type: spec.type, name: c.name };
    const span = written.find((w) => w.name.name === c.name)?.span ?? table.statement.span;
    return binder.coerce(ref, withoutTimeAttribute(c.type), span);
  });
  return { keys, values };
}
