/**
 * Logical plan nodes: what a query computes, independent of how. Immutable data produced by the binder,
 * rewritten by the optimizer's rules, translated to a physical plan. Every node knows its output schema.
 */
import { withNullable, withoutTimeAttribute, type Field } from '../common/types.js';
import type { Span } from '../common/errors.js';
import type { WindowSpec } from '../common/window.js';
import type { KsqlWindowSpec } from '../common/ksql-window.js';
import type { BoundExpr } from '../expr/bound-expr.js';
import type { AggregateImpl } from '../functions/function-types.js';
import type { TableDef } from './catalog.js';
import { windowJoinTimeColumns } from './logical-windows.js';

export type LogicalPlan =
  | LogicalScan
  | LogicalValues
  | LogicalProject
  | LogicalFilter
  | LogicalWindowTableFunction
  | LogicalAggregate
  | LogicalUnion
  | LogicalJoin
  | LogicalLimit
  | LogicalSort
  | LogicalRank
  | LogicalOverAggregate
  | LogicalKsqlWindowAggregate;

/** The event-time definition of a scanned table: which output column is the rowtime, and its watermark. */
export interface ScanWatermark {
  /** Output column (of the scan) holding the rowtime attribute. */
  readonly rowtimeIndex: number;
  /** The WATERMARK expression, bound against the scan's full output row. */
  readonly expr: BoundExpr;
}

/**
 * The metadata a scan reads: the connector appends the values of `keys` (ConnectorContext.metadataKeys), in
 * this order, after the physical columns of each row it reads; `values` has one expression per METADATA
 * column of the table (in declared order) over that row: its key's value cast to the column's type (a NULL
 * literal for a column the query does not need, whose key is not read).
 */
export interface ScanMetadata {
  readonly keys: readonly string[];
  readonly values: readonly BoundExpr[];
}

/**
 * Reads a table. The connector produces the physical columns; the scan computes the computed columns and
 * assigns watermarks. `projection` lists which of the table's columns are output (all, unless pruned).
 */
export interface LogicalScan {
  readonly kind: 'LogicalScan';
  readonly table: TableDef;
  /** Indices into `table.columns` of the output columns, in output order. */
  readonly projection: readonly number[];
  /**
   * Computed columns' expressions, indexed like `table.columns` (undefined for the others), bound against
   * the table's source row (physical columns, then METADATA columns: catalog.ts `sourceColumns`).
   */
  readonly computed: readonly (BoundExpr | undefined)[];
  /** What the table's METADATA columns read (absent: it has none); see {@link ScanMetadata}. */
  readonly metadata?: ScanMetadata;
  /** The watermark, in terms of the table's full row (all columns). */
  readonly watermark?: ScanWatermark;
  /** What the source emits (declared by its connector and format): inserts only, or updates. */
  readonly changelog: 'insert-only' | 'upsert' | 'retract';
  readonly schema: readonly Field[];
}

/** Constant rows (`VALUES (1, 'a'), (2, 'b')`): a bounded, insert-only input. */
export interface LogicalValues {
  readonly kind: 'LogicalValues';
  readonly rows: readonly (readonly BoundExpr[])[];
  readonly schema: readonly Field[];
}

/** Computes one expression per output column. */
export interface LogicalProject {
  readonly kind: 'LogicalProject';
  readonly input: LogicalPlan;
  readonly exprs: readonly BoundExpr[];
  readonly schema: readonly Field[];
}

/** Keeps rows whose condition is TRUE. */
export interface LogicalFilter {
  readonly kind: 'LogicalFilter';
  readonly input: LogicalPlan;
  readonly condition: BoundExpr;
  readonly schema: readonly Field[];
}

/** A window TVF not followed by a window aggregate: appends window_start, window_end, window_time. */
export interface LogicalWindowTableFunction {
  readonly kind: 'LogicalWindowTableFunction';
  readonly input: LogicalPlan;
  readonly window: WindowSpec;
  readonly timeIndex: number;
  /** A SESSION window's PARTITION BY columns (input columns). */
  readonly partitionKeys?: readonly number[];
  readonly schema: readonly Field[];
  /** The TVF call, for messages. */
  readonly span?: Span;
}

/** One aggregate call of an aggregation: its argument and FILTER are input columns. */
export interface LogicalAggCall {
  /** `COUNT(*)`, `SUM($1)`, `COUNT(DISTINCT $0) FILTER $3` — for EXPLAIN. */
  readonly display: string;
  readonly impl: AggregateImpl;
  readonly argIndex: number;
  readonly filterIndex: number;
}

/** The window of a windowed aggregation, normalized from a TVF or a legacy group window. */
export interface AggregateWindow {
  readonly spec: WindowSpec;
  /** The input column holding the rowtime the windows are assigned on. */
  readonly timeIndex: number;
}

/**
 * GROUP BY. Output: `[...group keys, ...aggregates]`, plus `window_start, window_end, window_time` when
 * windowed. Non-windowed aggregation produces an updating result keyed by the group keys.
 */
export interface LogicalAggregate {
  readonly kind: 'LogicalAggregate';
  readonly input: LogicalPlan;
  readonly groupKeys: readonly number[];
  readonly aggs: readonly LogicalAggCall[];
  readonly window?: AggregateWindow;
  readonly schema: readonly Field[];
  /** The GROUP BY clause, for messages about this aggregation. */
  readonly span?: Span;
  /** ksqlDB's EMIT CHANGES: one update per input record, not one per changed group and batch. */
  readonly perRecord?: boolean;
}

/** UNION ALL of inputs with the same column types. */
export interface LogicalUnion {
  readonly kind: 'LogicalUnion';
  readonly inputs: readonly LogicalPlan[];
  readonly schema: readonly Field[];
}

/**
 * The kind of a regular join: which sides are preserved (their rows appear, null-padded, even without a
 * match). CROSS JOIN and comma joins are inner joins on TRUE. `semi` and `anti` come from subqueries
 * (`IN` / `EXISTS` and `NOT IN` / `NOT EXISTS`, see binder/bind-subquery.ts): their output is the left
 * rows only — those with a match (semi), or without one (anti).
 */
export type JoinType = 'inner' | 'left' | 'right' | 'full' | 'semi' | 'anti';

/**
 * True when `side` (0 = left, 1 = right) of a `type` join keeps unmatched rows (null-padded). An anti
 * join keeps only its unmatched left rows (as they are): its left side counts as preserved, so that no
 * rule moves a condition on it out of the join.
 */
export function isPreserved(type: JoinType, side: 0 | 1): boolean {
  return type === 'full' || type === (side === 0 ? 'left' : 'right') || (type === 'anti' && side === 0);
}

/** True for the joins whose output is the left rows only (semi and anti joins). */
export function isSemiOrAnti(type: JoinType): type is 'semi' | 'anti' {
  return type === 'semi' || type === 'anti';
}

/**
 * A regular join (Flink's non-windowed join): every pair of rows of `left` and `right` for which
 * `condition` is TRUE, plus the unmatched rows of the preserved side(s), null-padded. Output:
 * `[...left columns, ...right columns]`; the columns of a side that may be null-padded are nullable, and
 * no column is a time attribute (a joined row can be updated at any time, so its times are not ordered
 * by a watermark). Field names are made unique (`user_id`, `user_id0`) so the plan reads unambiguously.
 */
export interface LogicalJoin {
  readonly kind: 'LogicalJoin';
  readonly joinType: JoinType;
  readonly left: LogicalPlan;
  readonly right: LogicalPlan;
  /** Over the concatenated row `[...left, ...right]`; the literal TRUE for a cross join. */
  readonly condition: BoundExpr;
  readonly schema: readonly Field[];
  /**
   * An interval join (the condition bounds one input's rowtime by the other's, see interval-bounds.ts):
   * the output keeps the inputs' time attributes, since rows leave with the watermark.
   */
  readonly interval?: boolean;
  /**
   * ksqlDB's GRACE PERIOD (ms) of a stream-stream join (`WITHIN ... [GRACE PERIOD g]`, see bind-ksql-join.ts),
   * on an interval join: rows stay until the watermark passes their window plus the grace (interval-join.ts).
   */
  readonly grace?: number;
  /**
   * A window join (both inputs windowed by the same window TVF, the condition equates their window_start
   * and window_end; see logical-windows.ts): the output keeps the windows' `window_time` as a time attribute.
   */
  readonly window?: boolean;
  /**
   * A `NOT IN` anti join (SQL's null-aware semantics, as in Flink): its condition holds, besides the
   * correlation, `x = y OR x IS NULL OR y IS NULL`, so a NULL on either side blocks the left row. For EXPLAIN.
   */
  readonly nullAware?: boolean;
  /**
   * A temporal join (`JOIN t FOR SYSTEM_TIME AS OF l.time`, see bind-temporal-join.ts): the output keeps the
   * left input's time attributes only. The optimizer leaves its inputs' columns alone and moves no filter
   * into its right side (a filter on the versions would change which version is valid at a time).
   */
  readonly temporal?: TemporalJoinSpec;
  /** The JOIN clause, for messages about this join. */
  readonly span?: Span;
}

/**
 * What kind of temporal join a {@link LogicalJoin} is, with its time columns (of the left input, and of the
 * right input): `event-time` joins each left row with the version of the right (versioned) input valid at
 * the left row's event time; `lookup` looks the right table up by key as each left row is processed
 * (processing time).
 */
export type TemporalJoinSpec =
  | {
      readonly kind: 'event-time';
      readonly leftTime: number;
      readonly rightTime: number;
      /** ksqlDB's stream-table join: which watermark drives it (TemporalJoinConfig.streamTime). */
      readonly streamTime?: 'stream' | 'both';
    }
  | { readonly kind: 'lookup'; readonly leftTime: number };

/** `names` made unique, ignoring case, by numbering repeats as Calcite does: `[k, k, k]` gives `[k, k0, k1]`. */
export function uniqueNames(names: readonly string[]): string[] {
  const seen = new Set<string>();
  return names.map((name) => {
    let n = name;
    for (let i = 0; seen.has(n.toLowerCase()); i++) n = `${name}${i}`;
    seen.add(n.toLowerCase());
    return n;
  });
}

/**
 * The output fields of a `type` join of inputs with these fields (see {@link LogicalJoin}). `timeAttributes`:
 * which columns stay time attributes (true: all, as an interval join's; 'left': the left input's, as a
 * temporal join's; a set: those columns, as a window join's window_time).
 */
export function joinFields(type: JoinType, left: readonly Field[], right: readonly Field[], timeAttributes: boolean | 'left' | ReadonlySet<number> = false): Field[] {
  // A semi or anti join emits left rows as they are, but at any time (when the right side changes).
  if (isSemiOrAnti(type)) return left.map((f) => ({ name: f.name, type: withoutTimeAttribute(f.type) }));
  const names = uniqueNames([...left, ...right].map((f) => f.name));
  const nullable = (i: number) => isPreserved(type, i < left.length ? 1 : 0);
  const keep = (i: number) => (typeof timeAttributes === 'boolean' ? timeAttributes : timeAttributes === 'left' ? i < left.length : timeAttributes.has(i));
  return [...left, ...right].map((f, i) => {
    const t = keep(i) ? f.type : withoutTimeAttribute(f.type);
    return { name: names[i]!, type: nullable(i) ? withNullable(t, true) : t };
  });
}

/** LIMIT n [OFFSET m] without ORDER BY: the first rows to arrive. */
export interface LogicalLimit {
  readonly kind: 'LogicalLimit';
  readonly input: LogicalPlan;
  readonly limit: number;
  readonly offset: number;
  readonly schema: readonly Field[];
  readonly span?: Span;
}

/** One ORDER BY key: an input column and its direction. */
export interface SortKey {
  readonly index: number;
  readonly descending: boolean;
  readonly nullsFirst: boolean;
}

/** ORDER BY over output columns. On a stream, only an ascending event-time first key can be executed. */
export interface LogicalSort {
  readonly kind: 'LogicalSort';
  readonly input: LogicalPlan;
  readonly keys: readonly SortKey[];
  readonly schema: readonly Field[];
  readonly span?: Span;
}

/** The rank functions: ROW_NUMBER numbers rows 1, 2, 3..; RANK gives ties one rank and skips (1, 1, 3); DENSE_RANK does not skip (1, 1, 2). */
export type RankType = 'ROW_NUMBER' | 'RANK' | 'DENSE_RANK';

/**
 * `ROW_NUMBER() OVER (PARTITION BY .. ORDER BY ..)` (or RANK, DENSE_RANK) appended to each row of `input` as a BIGINT column
 * (Flink's Rank). `rankEnd` is the bound an outer filter on the rank column puts on it (`rn <= N`); a rank
 * without one cannot run on a stream (to-physical refuses it at `span`).
 */
export interface LogicalRank {
  readonly kind: 'LogicalRank';
  readonly input: LogicalPlan;
  readonly rankType: RankType;
  readonly partitionKeys: readonly number[];
  readonly orderKeys: readonly SortKey[];
  readonly rankEnd?: number;
  /**
   * False when nothing above reads the rank column (Flink's `outputRankNumber=false`): the schema then ends
   * with the input's columns, and a row moving between ranks changes nothing in the output.
   */
  readonly outputRank?: boolean;
  readonly schema: readonly Field[];
  /** The OVER call, for messages. */
  readonly span?: Span;
}

/**
 * The frame of an OVER aggregation, always ending at the current row: `ROWS BETWEEN n PRECEDING` (the n rows
 * before the current one), `RANGE BETWEEN INTERVAL .. PRECEDING` (the rows at most `preceding` ms older, and
 * the current row's peers: rows of the same time), or UNBOUNDED PRECEDING (`preceding` undefined).
 */
export interface OverFrame {
  readonly units: 'ROWS' | 'RANGE';
  /** Rows (ROWS) or milliseconds (RANGE) before the current row; undefined for UNBOUNDED PRECEDING. */
  readonly preceding?: number;
}

/**
 * `agg(..) OVER (PARTITION BY .. ORDER BY rowtime frame)` (Flink's OverAggregate): each input row with the
 * aggregates of its frame appended. Output: `[...input columns, ...aggregates]`; the input's time
 * attributes are kept (the result is insert-only, emitted in time order).
 */
export interface LogicalOverAggregate {
  readonly kind: 'LogicalOverAggregate';
  readonly input: LogicalPlan;
  readonly partitionKeys: readonly number[];
  /** The input's time attribute the frame is ordered by (ascending). */
  readonly timeIndex: number;
  /** Ordered by a processing-time attribute (rows are aggregated as they arrive) rather than event time. */
  readonly proctime: boolean;
  readonly frame: OverFrame;
  readonly aggs: readonly LogicalAggCall[];
  readonly schema: readonly Field[];
  /** The (first) OVER clause, for messages. */
  readonly span?: Span;
}

/**
 * ksqlDB's windowed GROUP BY (`WINDOW TUMBLING|HOPPING|SESSION (...)`), on stream time with ksqlDB's grace
 * and emit rules (runtime/operators/ksql-window-aggregate.ts), not Flink's window aggregation. Output:
 * `[...group keys, ...aggregates, WINDOWSTART, WINDOWEND, ROWTIME]`, the last three BIGINT epoch ms.
 */
export interface LogicalKsqlWindowAggregate {
  readonly kind: 'LogicalKsqlWindowAggregate';
  readonly input: LogicalPlan;
  readonly groupKeys: readonly number[];
  readonly aggs: readonly LogicalAggCall[];
  readonly window: KsqlWindowSpec;
  /** EMIT CHANGES: an updated row per record; EMIT FINAL: one row per window when it closes. */
  readonly emit: 'CHANGES' | 'FINAL';
  /** The input column holding the record's time (ROWTIME, or an event-time attribute), epoch ms. */
  readonly timeIndex: number;
  readonly schema: readonly Field[];
  /** The WINDOW clause, for messages. */
  readonly span?: Span;
}

/** The inputs of a node. */
export function inputsOf(plan: LogicalPlan): readonly LogicalPlan[] {
  switch (plan.kind) {
    case 'LogicalScan':
    case 'LogicalValues':
      return [];
    case 'LogicalProject':
    case 'LogicalFilter':
    case 'LogicalWindowTableFunction':
    case 'LogicalAggregate':
    case 'LogicalLimit':
    case 'LogicalSort':
    case 'LogicalRank':
    case 'LogicalOverAggregate':
    case 'LogicalKsqlWindowAggregate':
      return [plan.input];
    case 'LogicalUnion':
      return plan.inputs;
    case 'LogicalJoin':
      return [plan.left, plan.right];
  }
}

/** The same node with new inputs (in the order {@link inputsOf} returns them). */
export function withInputs(plan: LogicalPlan, inputs: readonly LogicalPlan[]): LogicalPlan {
  switch (plan.kind) {
    case 'LogicalScan':
    case 'LogicalValues':
      return plan;
    case 'LogicalProject':
    case 'LogicalFilter':
    case 'LogicalWindowTableFunction':
    case 'LogicalAggregate':
    case 'LogicalLimit':
    case 'LogicalSort':
    case 'LogicalRank':
    case 'LogicalOverAggregate':
    case 'LogicalKsqlWindowAggregate':
      return inputs[0] === plan.input ? plan : { ...plan, input: inputs[0]! };
    case 'LogicalUnion':
      return inputs.every((p, i) => p === plan.inputs[i]) ? plan : { ...plan, inputs };
    case 'LogicalJoin': {
      const [left, right] = inputs as [LogicalPlan, LogicalPlan];
      if (left === plan.left && right === plan.right) return plan;
      const times = plan.window ? windowJoinTimeColumns(left, right) : plan.temporal ? 'left' : plan.interval;
      return { ...plan, left, right, schema: joinFields(plan.joinType, left.schema, right.schema, times) };
    }
  }
}

/**
 * The plan with every node's span replaced by `span`: a view's plan carries spans into the view's own text,
 * which mean nothing in the statement that uses the view — its messages point at the view's name instead.
 */
export function withSpan(plan: LogicalPlan, span: Span): LogicalPlan {
  return transformUp(plan, (p) => ('span' in p && p.span !== undefined ? { ...p, span } : p));
}

/** Rewrites a plan bottom-up with `fn` (applied to each node after its inputs). */
export function transformUp(plan: LogicalPlan, fn: (p: LogicalPlan) => LogicalPlan): LogicalPlan {
  const inputs = inputsOf(plan);
  const newInputs = inputs.map((i) => transformUp(i, fn));
  return fn(withInputs(plan, newInputs));
}

/** Rewrites a plan top-down with `fn` (applied to a node before its inputs). */
export function transformDown(plan: LogicalPlan, fn: (p: LogicalPlan) => LogicalPlan): LogicalPlan {
  const p = fn(plan);
  const inputs = inputsOf(p);
  const newInputs = inputs.map((i) => transformDown(i, fn));
  return withInputs(p, newInputs);
}
