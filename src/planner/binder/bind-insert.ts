/** Binds `INSERT INTO t ...` (DuckDB's bind_insert): target checks and column matching. */
import type * as ast from '../../parser/ast.js';
import { typeToString, withNullable, withoutTimeAttribute, type DataType, type Field } from '../../common/types.js';
import { EddyError, ErrorCode, didYouMean } from '../../common/errors.js';
import type { BoundExpr } from '../../expr/bound-expr.js';
import { implicitCastAllowed } from '../../functions/cast.js';
import { persistedColumns } from '../catalog.js';
import type { TableDef } from '../catalog.js';
import type { LogicalPlan } from '../logical-plan.js';
import type { BinderContext } from './binder-context.js';
import { ExprBinder } from './bind-expr.js';
import { applyOptionsHint } from './bind-options-hint.js';
import { QueryBinder } from './bind-query.js';
import { qualified } from './bind-table.js';
import { Scope } from './scope.js';

function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

/** A bound INSERT: the query projected onto the target's columns, and the target. */
export interface BoundInsert {
  readonly logical: LogicalPlan;
  readonly target: TableDef;
  /** Whether the target's connector accepts updates (else only inserts). */
  readonly acceptsUpdates: boolean;
}

/**
 * Binds `INSERT INTO t ...`: checks the target is a writable table, and matches the query's columns to the
 * table's (casting where allowed, NULL for columns not named).
 */
export function bindInsert(insert: ast.InsertStatement, ctx: BinderContext): BoundInsert {
  const name = qualified(insert.target);
  const catalogEntry = ctx.catalog.get(name, insert.target.span);
  const entry = catalogEntry.kind === 'table' && catalogEntry.statement.kind === 'CreateTable' ? applyOptionsHint(catalogEntry, insert.hint, ctx) : catalogEntry;
  if (entry.kind !== 'table') {
    throw new EddyError({ code: ErrorCode.INVALID_STATEMENT, message: `Cannot INSERT INTO view '${name}'`, span: insert.target.span });
  }
  if (entry.statement.kind === 'CreateView') {
    throw new EddyError({
      code: ErrorCode.INVALID_STATEMENT,
      message: `Cannot INSERT INTO materialized view '${name}': only its query writes it`,
      span: insert.target.span,
      hint: 'change the view with DROP MATERIALIZED VIEW and CREATE MATERIALIZED VIEW, or write into a table',
    });
  }
  const connector = entry.options['connector'] ?? '';
  const caps = ctx.connectors.capabilities(connector, entry.options);
  if (!caps?.sink) {
    throw new EddyError({ code: ErrorCode.INVALID_STATEMENT, message: `Table '${name}' (connector '${connector}') cannot be written to`, span: insert.target.span, hint: 'write into a table whose connector is a sink: filesystem, sqlite, print, blackhole' });
  }
  // Physical and persisted METADATA columns, in declared order (VIRTUAL ones are not written, as in Flink).
  const targets = persistedColumns(entry);
  const writtenKeys = writableMetadata(entry, ctx, insert);
  const order = insert.columns
    ? insert.columns.map((c) => {
        const i = targets.findIndex((t) => t.name === c.name || t.name.toLowerCase() === c.name.toLowerCase());
        if (i < 0) throw new EddyError({ code: ErrorCode.UNKNOWN_COLUMN, message: `Table '${name}' has no column '${c.name}'`, span: c.span, hint: didYouMean(c.name, targets.map((t) => t.name)) });
        return i;
      })
    : targets.map((_, i) => i);
  // An untyped parameter that is a whole column of the query (`VALUES ($1, $2)`) takes its target's type.
  const bound = new QueryBinder(ctx).bindQuery(insert.query, order.map((ti) => withoutTimeAttribute(targets[ti]!.type)));
  // The query's hidden columns (a ksqlDB aggregation's ROWTIME) are not matched to the target's columns.
  const visible = bound.plan.schema.flatMap((f, i) => (f.hidden ? [] : [i]));
  const source = visible.map((i) => bound.plan.schema[i]!);
  if (source.length !== order.length) {
    throw new EddyError({
      code: ErrorCode.TYPE_MISMATCH,
      message: `Column count mismatch: the query produces ${plural(source.length, 'column')}, but '${name}' expects ${order.length}`,
      span: insert.query.span,
      hint: `${name} (${targets.map((t) => `${t.name} ${typeToString(t.type)}`).join(', ')})`,
    });
  }
  // One expression per target column: the matching query column, cast where allowed, or NULL.
  const binder = new ExprBinder(ctx, new Scope([]), { clause: 'INSERT' });
  const exprs: BoundExpr[] = targets.map((t, ti) => {
    const qi = order.indexOf(ti);
    if (qi < 0) {
      if (!t.type.nullable) throw new EddyError({ code: ErrorCode.INVALID_STATEMENT, message: `Column '${t.name}' of '${name}' is NOT NULL but gets no value`, span: insert.span });
      return { kind: 'LiteralValue', value: null, type: t.type };
    }
    const f = source[qi]!;
    const ref: BoundExpr = { kind: 'InputRef', index: visible[qi]!, type: f.type, name: f.name };
    const from = withoutTimeAttribute(f.type);
    const to = withoutTimeAttribute(t.type);
    if (typeToString({ ...from, nullable: true }) === typeToString({ ...to, nullable: true })) return ref;
    if (!implicitCastAllowed(from, to)) {
      throw new EddyError({
        code: ErrorCode.TYPE_MISMATCH,
        message: `Column types of the query and the sink do not match: '${f.name}' is ${typeToString(f.type)}, but ${name}.${t.name} is ${typeToString(t.type)}`,
        span: insert.query.span,
        hint: `CAST(${f.name} AS ${typeToString(withoutTimeAttribute({ ...t.type, nullable: true }))})`,
      });
    }
    return binder.coerce(ref, to, insert.query.span);
  });
  // The sink's row: the physical columns, then the persisted METADATA columns as their keys' values.
  const physical = targets.flatMap((t, i) => (t.metadata ? [] : [i]));
  const metadata = targets.flatMap((t, i) => (t.metadata ? [i] : []));
  const sinkExprs = [
    ...physical.map((i) => exprs[i]!),
    ...metadata.map((i) => {
      const type = withNullable(writtenKeys.get(targets[i]!.metadata!.key)!, true);
      const e = exprs[i]!;
      return e.kind === 'LiteralValue' && e.value === null ? { ...e, type } : binder.coerce(e, type, insert.query.span);
    }),
  ];
  const schema: Field[] = [...physical, ...metadata].map((i, j) => ({ name: targets[i]!.name, type: sinkExprs[j]!.type }));
  const logical: LogicalPlan = { kind: 'LogicalProject', input: bound.plan, exprs: sinkExprs, schema };
  return { logical, target: entry, acceptsUpdates: caps.sinkAcceptsUpdates };
}

/**
 * The types of the metadata keys an INSERT into `table` writes (its persisted METADATA columns'). A key the
 * connector cannot write is an error here, when the table is written (as in Flink), not when it is created:
 * a table only read may declare read-only metadata without VIRTUAL.
 */
function writableMetadata(table: TableDef, ctx: BinderContext, insert: ast.InsertStatement): Map<string, DataType> {
  const offered = ctx.connectors.capabilities(table.options['connector'] ?? '')?.metadata ?? [];
  const keys = new Map<string, DataType>();
  for (const c of persistedColumns(table)) {
    if (!c.metadata) continue;
    const { key } = c.metadata;
    const spec = offered.find((m) => m.key === key);
    if (!spec?.writable) {
      const writable = offered.filter((m) => m.writable).map((m) => `'${m.key}'`);
      throw new EddyError({
        code: ErrorCode.INVALID_STATEMENT,
        message: `Cannot INSERT INTO '${table.name}': its METADATA column '${c.name}' (key '${key}') is read-only for connector '${table.options['connector']}'`,
        span: insert.target.span,
        hint: `declare it \`${c.name} ... METADATA${key === c.name ? '' : ` FROM '${key}'`} VIRTUAL\` (VIRTUAL columns are only read)${writable.length > 0 ? `; writable keys: ${writable.join(', ')}` : ''}`,
      });
    }
    if (keys.has(key)) {
      throw new EddyError({ code: ErrorCode.INVALID_STATEMENT, message: `Cannot INSERT INTO '${table.name}': two persisted METADATA columns write key '${key}'`, span: insert.target.span, hint: 'declare all but one of them VIRTUAL' });
    }
    keys.set(key, spec.type);
  }
  return keys;
}
