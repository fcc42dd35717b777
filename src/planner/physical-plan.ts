/**
 * Physical plan nodes: the streaming operators a job will run, with their configuration and the stream
 * properties derived for them (see stream-properties.ts). Immutable data; src/runtime builds operators from
 * it. Node kinds are the names of the operators that run them. A job's plan is a graph: several sinks may
 * read the same nodes, and nodes are identified by ids derived from their structure (node-id.ts).
 */
import type { Field } from '../common/types.js';
import type { TumbleWindow, HopWindow, CumulateWindow, WindowSpec } from '../common/window.js';
import type { BoundExpr } from '../expr/bound-expr.js';
import type { KsqlWindowSpec } from '../common/ksql-window.js';
import { assertNever } from '../common/assert-never.js';
import type { Span } from '../common/errors.js';
import type { TableDef } from './catalog.js';
import type { IntervalBounds } from './interval-bounds.js';
import type { WindowJoinType } from './logical-windows.js';
import type { JoinType, LogicalAggCall, OverFrame, RankType, ScanMetadata, ScanWatermark, SortKey } from './logical-plan.js';

/**
 * What kinds of change a node emits. `insert-only`: only +I (append). `updating`: +I, -U, +U, -D; `upsertKey`
 * (when known) lists the output columns that identify a row across its updates.
 */
export interface ChangelogMode {
  readonly kind: 'insert-only' | 'updating';
  readonly upsertKey?: readonly number[];
}

/**
 * A predicate on one physical column that a source may apply while reading (Flink's filter push-down): the
 * rows it returns must include every row that satisfies it; it may return more (the plan filters again).
 */
export interface ScanFilter {
  readonly column: string;
  readonly op: '=' | '<' | '<=' | '>' | '>=';
  /** An Eddy value of the column's type (never NULL). */
  readonly value: unknown;
}

export const INSERT_ONLY: ChangelogMode = { kind: 'insert-only' };

/**
 * How a node's rows are spread over partitions: all in one (`single`), by a hash of key expressions over
 * the node's row (`hash`: rows with equal keys meet in one partition), or in a way no columns of the row
 * describe (`any`).
 */
export type Distribution = { readonly kind: 'single' } | { readonly kind: 'hash'; readonly keys: readonly BoundExpr[] } | { readonly kind: 'any' };

export const SINGLE: Distribution = { kind: 'single' };

/**
 * Output columns that are the window columns of one window: `window_start`, `window_end` and `window_time`
 * (-1 when a projection dropped it) of windows of `spec`, assigned on the event time of the input rows.
 */
export interface WindowProperty {
  readonly spec: WindowSpec;
  readonly start: number;
  readonly end: number;
  readonly time: number;
  /** A SESSION window's PARTITION BY columns (output columns; -1 where a projection dropped one). */
  readonly partitionKeys?: readonly number[];
  /** Set when the windows align to a zone's wall clock (a TIMESTAMP_LTZ rowtime). */
  readonly timeZone?: string;
}

/**
 * What kind of stream flows out of a node, derived once when the node is built (stream-properties.ts) and
 * read by everything downstream: rules, EXPLAIN, the job builder, the query router, materialized views.
 */
export interface StreamProperties {
  /** Output columns that identify a row across the result's updates (a materialized view's key); `[]`: at most one row. */
  readonly uniqueKey?: readonly number[];
  /** Output columns that are event-time (rowtime) attributes. */
  readonly rowtimes: readonly number[];
  /** Output columns whose values the node's watermark bounds: no later row has a smaller-or-equal value. */
  readonly watermarkColumns: readonly number[];
  /** Window columns in the output, per window. */
  readonly windows: readonly WindowProperty[];
  readonly distribution: Distribution;
}

interface PhysicalBase {
  readonly schema: readonly Field[];
  readonly changelog: ChangelogMode;
  readonly props: StreamProperties;
}

export type PhysicalPlan =
  | TableSourceScanNode
  | ValuesNode
  | CalcNode
  | WindowTableFunctionNode
  | WindowAggregateNode
  | SessionWindowAggregateNode
  | GroupAggregateNode
  | UnionNode
  | JoinNode
  | IntervalJoinNode
  | WindowJoinNode
  | TemporalJoinNode
  | LookupJoinNode
  | LimitNode
  | RankNode
  | DeduplicateNode
  | ChangelogNormalizeNode
  | WindowRankNode
  | WindowDeduplicateNode
  | TemporalSortNode
  | ExchangeNode
  | OverAggregateNode
  | KsqlWindowAggregateNode;

/** The kinds of physical nodes. */
export type PhysicalKind = PhysicalPlan['kind'];

/** The physical node of kind `K`. */
export type PhysicalNodeOf<K extends PhysicalKind> = Extract<PhysicalPlan, { kind: K }>;

/** A node's fields before its properties are derived (what node constructors take). */
export type Unpropertied<T extends PhysicalPlan> = T extends PhysicalPlan ? Omit<T, 'props'> : never;

/** Reads a table through its connector; computes computed columns; assigns watermarks per split. */
export interface TableSourceScanNode extends PhysicalBase {
  readonly kind: 'TableSourceScan';
  readonly table: TableDef;
  readonly projection: readonly number[];
  readonly computed: readonly (BoundExpr | undefined)[];
  readonly watermark?: ScanWatermark;
  /** The METADATA keys read and the METADATA columns' values (absent: the table has none). */
  readonly metadata?: ScanMetadata;
  /** Predicates pushed into the connector (it may read only matching rows); the plan still filters. */
  readonly filters?: readonly ScanFilter[];
}

/** Emits constant rows, then ends. */
export interface ValuesNode extends PhysicalBase {
  readonly kind: 'Values';
  readonly rows: readonly (readonly BoundExpr[])[];
}

/** Filter and projection in one pass. */
export interface CalcNode extends PhysicalBase {
  readonly kind: 'Calc';
  readonly input: PhysicalPlan;
  readonly projection: readonly BoundExpr[];
  readonly condition?: BoundExpr;
}

/** Appends window_start, window_end, window_time (one row per window a row belongs to). */
export interface WindowTableFunctionNode extends PhysicalBase {
  readonly kind: 'WindowTableFunction';
  readonly input: PhysicalPlan;
  /**
   * A SESSION window TVF only exists while planning: it must end up merged into a session window
   * aggregation above it (check-plan.ts refuses one that is left).
   */
  readonly window: WindowSpec;
  readonly timeIndex: number;
  /** A SESSION window's PARTITION BY columns (input columns). */
  readonly partitionKeys?: readonly number[];
  /** Set when the rowtime is a TIMESTAMP_LTZ: windows align to this zone's wall clock (Flink). */
  readonly timeZone?: string;
  /** The TVF call, for messages. */
  readonly span?: Span;
}

/** Tumbling, hopping or cumulative window aggregation, emitting final rows when windows close. */
export interface WindowAggregateNode extends PhysicalBase {
  readonly kind: 'WindowAggregate';
  readonly input: PhysicalPlan;
  readonly window: TumbleWindow | HopWindow | CumulateWindow;
  readonly timeIndex: number;
  /** Set when the rowtime is a TIMESTAMP_LTZ: windows align to this zone's wall clock (Flink). */
  readonly timeZone?: string;
  readonly groupKeys: readonly number[];
  readonly aggs: readonly LogicalAggCall[];
  /**
   * Set when the input is already windowed by `window` (a window aggregate or window join, whose window
   * columns the GROUP BY names): the input column holding each row's window_end (also `timeIndex`).
   */
  readonly windowEnd?: number;
}

/** Session window aggregation per key, emitting a row when a session closes. */
export interface SessionWindowAggregateNode extends PhysicalBase {
  readonly kind: 'SessionWindowAggregate';
  readonly input: PhysicalPlan;
  readonly gap: number;
  readonly timeIndex: number;
  /** Set when the rowtime is a TIMESTAMP_LTZ: windows align to this zone's wall clock (Flink). */
  readonly timeZone?: string;
  readonly groupKeys: readonly number[];
  readonly aggs: readonly LogicalAggCall[];
}

/** Non-windowed aggregation: an updating result keyed by the group keys. */
export interface GroupAggregateNode extends PhysicalBase {
  readonly kind: 'GroupAggregate';
  readonly input: PhysicalPlan;
  readonly groupKeys: readonly number[];
  readonly aggs: readonly LogicalAggCall[];
  /** ksqlDB's EMIT CHANGES: one update per input record, not one per changed group and batch. */
  readonly perRecord?: boolean;
}

/** Merges inputs (UNION ALL); the watermark is the minimum of the inputs'. */
export interface UnionNode extends PhysicalBase {
  readonly kind: 'Union';
  readonly inputs: readonly PhysicalPlan[];
}

/**
 * A regular join: keeps every row of both inputs in state (by join key, with a count per identical row and,
 * on a preserved side, its number of matches), and emits the joined rows — and the null-padded rows of
 * unmatched preserved rows — as rows of either side arrive or are retracted. The watermark is the minimum of
 * the inputs'.
 */
export interface JoinNode extends PhysicalBase {
  readonly kind: 'Join';
  readonly joinType: JoinType;
  readonly left: PhysicalPlan;
  readonly right: PhysicalPlan;
  /** Equi-join key expressions over the left row (empty: every row has the same key). */
  readonly leftKeys: readonly BoundExpr[];
  /** The matching key expressions over the right row. */
  readonly rightKeys: readonly BoundExpr[];
  /** The rest of the condition, over the joined row `[...left, ...right]`. */
  readonly residual?: BoundExpr;
  /**
   * A null-aware anti join (`x NOT IN (SELECT y ...)`, no residual): `x` over the left row and `y` over the
   * right one. A left row is out when a right row of its key has `y = x`, or a NULL `y`, or (for a NULL `x`)
   * any `y` at all. Run by NullAwareAntiJoin, which finds them by value instead of comparing every pair.
   */
  readonly nullAware?: { readonly left: BoundExpr; readonly right: BoundExpr };
}

/**
 * An interval join of two insert-only inputs (see src/planner/interval-bounds.ts): rows of each side are kept
 * by join key until the watermark proves no row of the other side can still match them — a left row at
 * `tl` until the watermark reaches `tl - lower`, a right row at `tr` until it reaches `tr + upper` — and
 * then dropped (a preserved one without a match emitted null-padded). The output keeps the inputs' time
 * attributes; its watermark is held back by the larger of the bounds' widths.
 */
export interface IntervalJoinNode extends PhysicalBase {
  readonly kind: 'IntervalJoin';
  readonly joinType: JoinType;
  readonly left: PhysicalPlan;
  readonly right: PhysicalPlan;
  readonly leftKeys: readonly BoundExpr[];
  readonly rightKeys: readonly BoundExpr[];
  /** The rest of the condition (time bounds included), over the joined row `[...left, ...right]`. */
  readonly residual?: BoundExpr;
  readonly bounds: IntervalBounds;
  /** ksqlDB's GRACE PERIOD (ms) of a stream-stream join (see LogicalJoin.grace). */
  readonly grace?: number;
}

/**
 * A window join of two insert-only inputs windowed by the same window TVF (see window-join-rule.ts): each
 * side's rows are kept by window and join key until the watermark reaches the window's `window_time`; then
 * the window's pairs (and, for outer joins, its unmatched preserved rows null-padded; for SEMI / ANTI, the
 * left rows with / without a match) are emitted at once and the window's state dropped. Insert-only; the
 * output keeps the window columns.
 */
export interface WindowJoinNode extends PhysicalBase {
  readonly kind: 'WindowJoin';
  readonly joinType: WindowJoinType;
  readonly left: PhysicalPlan;
  readonly right: PhysicalPlan;
  /** Equi-join key expressions over the left row, besides the window columns. */
  readonly leftKeys: readonly BoundExpr[];
  readonly rightKeys: readonly BoundExpr[];
  /** The rest of the condition (the window equalities excluded), over the joined row `[...left, ...right]`. */
  readonly residual?: BoundExpr;
  /** The window columns of the left input's rows and of the right input's rows. */
  readonly leftWindow: WindowProperty;
  readonly rightWindow: WindowProperty;
  /** ANTI only: the keys compare as `NOT IN` does (a NULL on either side makes a left row's result unknown). */
  readonly nullAware?: boolean;
}

/**
 * An event-time temporal join (`JOIN versioned FOR SYSTEM_TIME AS OF l.time`, INNER or LEFT) of an
 * insert-only left input with a versioned right input (its versions by key: inserts and updates start a
 * version at their time, deletes end one): each left row waits until the watermark passes its time, then
 * joins the version of its key valid at that time (the latest one at or before it). Versions older than the
 * newest one at or before the watermark leave state. The output is insert-only and keeps the left input's
 * time attributes.
 */
export interface TemporalJoinNode extends PhysicalBase {
  readonly kind: 'TemporalJoin';
  readonly joinType: 'inner' | 'left';
  readonly left: PhysicalPlan;
  readonly right: PhysicalPlan;
  readonly leftKeys: readonly BoundExpr[];
  /** Over the right row; they cover the right input's primary key. */
  readonly rightKeys: readonly BoundExpr[];
  /** The rest of the condition, over the joined row, checked against the version found. */
  readonly residual?: BoundExpr;
  /** The left input's event-time column (the AS OF time) and the right input's version time column. */
  readonly leftTime: number;
  readonly rightTime: number;
  /** ksqlDB's stream-table join: which watermark drives it (see TemporalJoinConfig.streamTime). */
  readonly streamTime?: 'stream' | 'both';
}

/**
 * A lookup join (`JOIN dim FOR SYSTEM_TIME AS OF l.proc_time`, INNER or LEFT): each row of the input looks
 * the table up by its key columns through the table's connector as it is processed, optionally through a
 * cache (`lookup.cache`). The table's row is its physical columns, then its computed columns; `projection`
 * picks the output columns among them (as a scan's). No state.
 */
export interface LookupJoinNode extends PhysicalBase {
  readonly kind: 'LookupJoin';
  readonly joinType: 'inner' | 'left';
  readonly input: PhysicalPlan;
  readonly table: TableDef;
  readonly projection: readonly number[];
  readonly computed: readonly (BoundExpr | undefined)[];
  /** Key expressions over the input row, each looked up in the table column `lookupKeys[i]` (a physical column's name). */
  readonly leftKeys: readonly BoundExpr[];
  readonly lookupKeys: readonly string[];
  /** The rest of the condition, over the joined row `[...input, ...table columns in projection]`. */
  readonly residual?: BoundExpr;
}

/** Passes the first `limit` rows after skipping `offset`, then ends. */
export interface LimitNode extends PhysicalBase {
  readonly kind: 'Limit';
  readonly input: PhysicalPlan;
  readonly limit: number;
  readonly offset: number;
}

/**
 * Top-N per partition (`ROW_NUMBER() OVER (PARTITION BY .. ORDER BY ..)` bounded by `rn <= rankEnd`):
 * keeps each partition's rows sorted and emits the rows ranked 1..rankEnd with their rank appended, as an
 * updating result keyed by the partition keys and the rank (for ROW_NUMBER; RANK and DENSE_RANK give ties
 * one rank, so their result has no key).
 */
export interface RankNode extends PhysicalBase {
  readonly kind: 'Rank';
  readonly input: PhysicalPlan;
  readonly rankType: RankType;
  readonly partitionKeys: readonly number[];
  readonly orderKeys: readonly SortKey[];
  readonly rankEnd: number;
  /** The smallest rank output (default 1; `ORDER BY .. LIMIT n OFFSET m` starts at m + 1). */
  readonly rankStart?: number;
  /** False when the rank column is not output (the schema is the input's). */
  readonly outputRank?: boolean;
}

/**
 * Window Top-N: a rank partitioned by (at least) the window_start and window_end of `window`, over an
 * insert-only input: each window's top rows, emitted once when the watermark passes the window's end
 * (insert-only), the window's state then dropped. The output is the input's row (window columns and time
 * attributes kept) with the rank appended unless `outputRank` is false.
 */
export interface WindowRankNode extends PhysicalBase {
  readonly kind: 'WindowRank';
  readonly input: PhysicalPlan;
  readonly rankType: RankType;
  readonly partitionKeys: readonly number[];
  readonly orderKeys: readonly SortKey[];
  readonly rankEnd: number;
  readonly outputRank: boolean;
  /** The input's window the partition keys name. */
  readonly window: WindowProperty;
}

/**
 * Window deduplication (`ROW_NUMBER() .. ORDER BY rowtime ASC|DESC` with `rn = 1`, partitioned by a window):
 * per window and key the first (ASC) or last (DESC) row by event time, emitted when the window closes.
 */
export interface WindowDeduplicateNode extends PhysicalBase {
  readonly kind: 'WindowDeduplicate';
  readonly input: PhysicalPlan;
  readonly partitionKeys: readonly number[];
  readonly timeIndex: number;
  readonly keepLast: boolean;
  readonly outputRank: boolean;
  readonly window: WindowProperty;
}

/**
 * Keep-first deduplication on event time (`ROW_NUMBER() OVER (PARTITION BY .. ORDER BY rowtime ASC)` with
 * `rn = 1` over an insert-only input): per partition, the row with the smallest time, emitted once the
 * watermark passes it, with the rank (1) appended. Insert-only.
 */
export interface DeduplicateNode extends PhysicalBase {
  readonly kind: 'Deduplicate';
  readonly input: PhysicalPlan;
  readonly partitionKeys: readonly number[];
  readonly timeIndex: number;
  /** False when the rank column (always 1) is not output. */
  readonly outputRank?: boolean;
}

/**
 * Flink's ChangelogNormalize, right after the scan of an upsert source (an upsert-kafka topic): keeps the last
 * row of each primary key and turns the upserts and deletes by key into a changelog of retractions (+I, -U/+U
 * pairs, -D of the whole old row). Updating, with the primary key as its upsert key.
 */
export interface ChangelogNormalizeNode extends PhysicalBase {
  readonly kind: 'ChangelogNormalize';
  readonly input: PhysicalPlan;
  /** The primary key columns (of the input, which has the same columns as the output). */
  readonly keys: readonly number[];
}

/**
 * ORDER BY an event-time attribute ascending (then other keys): rows are held until the watermark passes
 * their time, then released in order.
 */
export interface TemporalSortNode extends PhysicalBase {
  readonly kind: 'TemporalSort';
  readonly input: PhysicalPlan;
  readonly timeIndex: number;
  readonly keys: readonly SortKey[];
}

/**
 * Repartitions rows by `distribution` for the keyed operator above it (Flink's Exchange). In one thread it
 * passes rows on unchanged; it is where a job is cut between worker threads (and, later, processes).
 */
export interface ExchangeNode extends PhysicalBase {
  readonly kind: 'Exchange';
  readonly input: PhysicalPlan;
  readonly distribution: Distribution;
}

/**
 * `agg(..) OVER (PARTITION BY .. ORDER BY rowtime frame)` over an insert-only input (Flink's rowtime
 * OverAggregate): rows wait for the watermark, then each is emitted, in time order, with the aggregates of
 * its frame appended. Insert-only; the time attributes are kept.
 */
export interface OverAggregateNode extends PhysicalBase {
  readonly kind: 'OverAggregate';
  readonly input: PhysicalPlan;
  readonly partitionKeys: readonly number[];
  readonly timeIndex: number;
  /** Ordered by processing time: rows are aggregated as they arrive, nothing waits for the watermark. */
  readonly proctime: boolean;
  readonly frame: OverFrame;
  readonly aggs: readonly LogicalAggCall[];
}

/**
 * ksqlDB's windowed aggregation on stream time (see LogicalKsqlWindowAggregate): EMIT CHANGES is updating
 * (upsert key: the group keys and WINDOWSTART, plus WINDOWEND for sessions), EMIT FINAL insert-only.
 */
export interface KsqlWindowAggregateNode extends PhysicalBase {
  readonly kind: 'KsqlWindowAggregate';
  readonly input: PhysicalPlan;
  readonly window: KsqlWindowSpec;
  readonly emit: 'CHANGES' | 'FINAL';
  readonly timeIndex: number;
  readonly groupKeys: readonly number[];
  readonly aggs: readonly LogicalAggCall[];
}

/** The inputs of each node kind. */
const INPUTS: { readonly [K in PhysicalKind]: (p: PhysicalNodeOf<K>) => readonly PhysicalPlan[] } = {
  TableSourceScan: () => [],
  Values: () => [],
  Calc: (p) => [p.input],
  WindowTableFunction: (p) => [p.input],
  WindowAggregate: (p) => [p.input],
  SessionWindowAggregate: (p) => [p.input],
  GroupAggregate: (p) => [p.input],
  Union: (p) => p.inputs,
  Join: (p) => [p.left, p.right],
  IntervalJoin: (p) => [p.left, p.right],
  WindowJoin: (p) => [p.left, p.right],
  TemporalJoin: (p) => [p.left, p.right],
  LookupJoin: (p) => [p.input],
  Limit: (p) => [p.input],
  Rank: (p) => [p.input],
  Deduplicate: (p) => [p.input],
  ChangelogNormalize: (p) => [p.input],
  WindowRank: (p) => [p.input],
  WindowDeduplicate: (p) => [p.input],
  TemporalSort: (p) => [p.input],
  Exchange: (p) => [p.input],
  OverAggregate: (p) => [p.input],
  KsqlWindowAggregate: (p) => [p.input],
};

/** The inputs of a physical node. */
export function physicalInputs(p: PhysicalPlan): readonly PhysicalPlan[] {
  return (INPUTS[p.kind] as (p: PhysicalPlan) => readonly PhysicalPlan[])(p);
}

/** The same node's fields with new inputs (in the order {@link physicalInputs} returns them); properties not re-derived. */
export function replaceInputs<T extends PhysicalPlan>(p: T, inputs: readonly PhysicalPlan[]): Unpropertied<T> {
  const { props: _props, ...fields } = p;
  switch (p.kind) {
    case 'TableSourceScan':
    case 'Values':
      return fields as Unpropertied<T>;
    case 'Union':
      return { ...fields, inputs } as Unpropertied<T>;
    case 'Join':
    case 'IntervalJoin':
    case 'WindowJoin':
    case 'TemporalJoin':
      return { ...fields, left: inputs[0]!, right: inputs[1]! } as Unpropertied<T>;
    case 'Calc':
    case 'WindowTableFunction':
    case 'WindowAggregate':
    case 'SessionWindowAggregate':
    case 'GroupAggregate':
    case 'Limit':
    case 'LookupJoin':
    case 'Rank':
    case 'Deduplicate':
    case 'ChangelogNormalize':
    case 'WindowRank':
    case 'WindowDeduplicate':
    case 'TemporalSort':
    case 'Exchange':
    case 'OverAggregate':
    case 'KsqlWindowAggregate':
      return { ...fields, input: inputs[0]! } as Unpropertied<T>;
    default:
      return assertNever(p);
  }
}

/** Where a pipeline's result goes: a table's connector (INSERT INTO) or back to the caller (a SELECT). */
export type SinkTarget = { readonly kind: 'table'; readonly table: TableDef } | { readonly kind: 'collect' };

/**
 * One sink of a job and the plan that feeds it. A job has one or more (a statement set has one per target
 * table); the plans of a job's sinks may share nodes.
 */
export interface PhysicalPipeline {
  readonly root: PhysicalPlan;
  readonly sink: SinkTarget;
  /** The output column names and types (as the query names them). */
  readonly schema: readonly Field[];
}
