/**
 * Binds ksqlDB's aggregations: a GROUP BY with `WINDOW TUMBLING|HOPPING|SESSION (...)` becomes a
 * LogicalKsqlWindowAggregate (ksqlDB's stream-time semantics, not Flink's window aggregation), and a
 * non-windowed GROUP BY of ksqlDB's (EMIT CHANGES, or over a ksqlDB source) emits per record with the
 * latest contributing ROWTIME. bind-aggregate.ts calls in here; the rest of the aggregation (group keys,
 * aggregate calls, the select list) is bound as for any GROUP BY.
 */
import type * as ast from '../../parser/ast.js';
import { T, type Field } from '../../common/types.js';
import { EddyError, ErrorCode, type Span } from '../../common/errors.js';
import { KSQL_DEFAULT_GRACE_MS, type KsqlWindowSpec } from '../../common/ksql-window.js';
import type { BoundExpr } from '../../expr/bound-expr.js';
import { inputsOf, type LogicalAggCall, type LogicalPlan } from '../logical-plan.js';

/** ksqlDB's name of a window's start column. */
export const WINDOWSTART = 'WINDOWSTART';
/** ksqlDB's name of a window's end column. */
export const WINDOWEND = 'WINDOWEND';
/** ksqlDB's record-time pseudo column. */
export const ROWTIME = 'ROWTIME';

/** How a query's ksqlDB aggregation is run; undefined for a Flink aggregation. */
export interface KsqlAggregation {
  /** The window clause, when windowed. */
  readonly window?: ast.KsqlWindow;
  readonly emit: 'CHANGES' | 'FINAL';
  /** The input column holding the record time: ROWTIME, else the single event-time attribute (windowed only). */
  readonly timeIndex: number;
}

/**
 * Whether an aggregating SELECT is ksqlDB's, and how it runs: windowed (`WINDOW ...` after FROM), or
 * non-windowed with ksqlDB's `EMIT CHANGES` or over a ksqlDB stream or table. Checks the clause's
 * requirements: a GROUP BY, a record time, no Flink window in the same GROUP BY.
 */
export function ksqlAggregation(select: ast.Select, input: LogicalPlan, emit: 'CHANGES' | 'FINAL' | undefined, flinkWindowed: boolean): KsqlAggregation | undefined {
  const w = select.ksqlWindow;
  if (w) {
    if (select.groupBy.length === 0) ksqlWindowWithoutGroupBy(w);
    if (flinkWindowed) {
      throw new EddyError({ code: ErrorCode.INVALID_WINDOW, message: "A ksqlDB WINDOW clause cannot be combined with a window TVF or a group window in GROUP BY", span: w.span });
    }
    return { window: w, emit: emit ?? 'CHANGES', timeIndex: recordTime(input, w.span) };
  }
  if (emit === 'FINAL') return undefined; // refused by the caller, which knows where EMIT stands
  if (flinkWindowed || select.groupBy.length === 0) return undefined;
  if (emit === 'CHANGES' || readsKsqlSource(input)) return { emit: 'CHANGES', timeIndex: rowtimeColumn(input, select.span) ?? -1 };
  return undefined;
}

/** The window of a LogicalKsqlWindowAggregate: the clause's, with ksqlDB's default grace filled in. */
export function ksqlWindowSpec(w: ast.KsqlWindow): KsqlWindowSpec {
  return {
    type: w.type,
    sizeMs: w.sizeMs,
    ...(w.advanceMs === undefined ? {} : { advanceMs: w.advanceMs }),
    graceMs: w.graceMs ?? KSQL_DEFAULT_GRACE_MS,
    ...(w.retentionMs === undefined ? {} : { retentionMs: w.retentionMs }),
  };
}

/**
 * The fields a ksqlDB window aggregation appends after its keys and aggregates: `WINDOWSTART`, `WINDOWEND`
 * (BIGINT epoch ms) and the hidden `ROWTIME` (the latest event time in the window).
 */
export function ksqlWindowFields(): Field[] {
  return [
    { name: WINDOWSTART, type: { ...T.bigint(), nullable: false } },
    { name: WINDOWEND, type: { ...T.bigint(), nullable: false } },
    { name: ROWTIME, type: { ...T.bigint(), nullable: false }, hidden: true },
  ];
}

/** The logical node of a windowed ksqlDB aggregation over the pre-projection `input`. */
export function ksqlWindowAggregate(
  ksql: KsqlAggregation & { window: ast.KsqlWindow },
  input: LogicalPlan,
  groupKeys: readonly number[],
  aggs: readonly LogicalAggCall[],
  fields: readonly Field[],
  timeIndex: number,
): LogicalPlan {
  return {
    kind: 'LogicalKsqlWindowAggregate',
    input,
    groupKeys,
    aggs,
    window: ksqlWindowSpec(ksql.window),
    emit: ksql.emit,
    timeIndex,
    schema: [...fields, ...ksqlWindowFields()],
    span: ksql.window.span,
  };
}

/** The window column a select-list name means in a windowed ksqlDB aggregation (`WINDOWSTART`, `WINDOWEND`), if any. */
export function ksqlWindowColumn(e: ast.Expr): 'start' | 'end' | undefined {
  if (e.kind !== 'ColumnRef' || e.name.parts.length !== 1) return undefined;
  const name = e.name.parts[0]!.name.toUpperCase();
  return name === WINDOWSTART ? 'start' : name === WINDOWEND ? 'end' : undefined;
}

/**
 * The select list of a ksqlDB aggregation completed as ksqlDB outputs it: `WINDOWSTART` and `WINDOWEND`
 * appended when windowed and not selected, and the hidden `ROWTIME` (the record timestamp a sink writes)
 * when the aggregation has one and it is not selected. `columns` are the select list's (expression,
 * name) pairs over the aggregation's output `agg`, whose last columns are WINDOWSTART, WINDOWEND, ROWTIME
 * (windowed) or ROWTIME (non-windowed, when `rowtime`).
 */
export function ksqlOutputColumns(agg: readonly Field[], windowed: boolean, rowtime: boolean, exprs: BoundExpr[], fields: Field[]): void {
  const ref = (i: number): BoundExpr => ({ kind: 'InputRef', index: i, type: agg[i]!.type, name: agg[i]!.name });
  const selected = (i: number) => exprs.some((e) => e.kind === 'InputRef' && e.index === i);
  const named = (name: string) => fields.some((f) => f.name.toUpperCase() === name);
  const n = agg.length;
  if (windowed) {
    for (const i of [n - 3, n - 2]) {
      if (selected(i) || named(agg[i]!.name)) continue;
      exprs.push(ref(i));
      fields.push({ name: agg[i]!.name, type: agg[i]!.type });
    }
  }
  if ((windowed || rowtime) && !named(ROWTIME)) {
    exprs.push(ref(n - 1));
    fields.push({ name: ROWTIME, type: agg[n - 1]!.type, hidden: true });
  }
}

/** A WINDOW clause in a SELECT without GROUP BY: refused (it windows an aggregation). */
export function ksqlWindowWithoutGroupBy(w: ast.KsqlWindow): never {
  throw new EddyError({ code: ErrorCode.INVALID_WINDOW, message: 'A WINDOW clause needs a GROUP BY: it windows an aggregation', span: w.span, hint: 'add GROUP BY <key columns>' });
}

/** EMIT FINAL on a query that is not a windowed aggregation: refused, as ksqlDB does. */
export function emitFinalUnsupported(span: Span): never {
  throw new EddyError({ code: ErrorCode.UNSUPPORTED, message: 'EMIT FINAL is only supported for windowed aggregations', span, hint: 'add WINDOW TUMBLING|HOPPING|SESSION (...) and GROUP BY, or use EMIT CHANGES' });
}

/** The input's ROWTIME column (a BIGINT named ROWTIME), if it has exactly one. */
function rowtimeColumn(input: LogicalPlan, span: Span): number | undefined {
  const found = input.schema.flatMap((f, i) => (f.name.toUpperCase() === ROWTIME && f.type.name === 'BIGINT' ? [i] : []));
  if (found.length > 1) throw new EddyError({ code: ErrorCode.AMBIGUOUS_COLUMN, message: "The input has several ROWTIME columns: which one is the record's time is ambiguous", span });
  return found[0];
}

/** The record time of a windowed ksqlDB aggregation's input: ROWTIME, or else its single event-time attribute. */
function recordTime(input: LogicalPlan, span: Span): number {
  const rowtime = rowtimeColumn(input, span);
  if (rowtime !== undefined) return rowtime;
  const times = input.schema.flatMap((f, i) => (f.type.timeAttribute === 'rowtime' ? [i] : []));
  if (times.length === 1) return times[0]!;
  throw new EddyError({
    code: ErrorCode.INVALID_WINDOW,
    message: times.length === 0 ? 'A ksqlDB WINDOW needs a record time: the input has no ROWTIME column and no event-time attribute' : `A ksqlDB WINDOW needs one record time: the input has no ROWTIME column and ${times.length} event-time attributes`,
    span,
    hint: times.length === 0 ? 'read a ksqlDB stream, or a table with a WATERMARK' : undefined,
  });
}

/** Whether a plan reads a ksqlDB stream or table (their aggregations are ksqlDB's even without EMIT CHANGES). */
function readsKsqlSource(plan: LogicalPlan): boolean {
  if (plan.kind === 'LogicalScan') return plan.table.ksql !== undefined;
  return inputsOf(plan).some(readsKsqlSource);
}
