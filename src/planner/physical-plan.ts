/**
 * Physical plan nodes: the streaming operators a job will run, with their configuration, output schema and
 * changelog mode. Immutable data; src/runtime builds operators from it. Node kinds are the names of the
 * operators that run them.
 */
import type { Field } from '../common/types.js';
import type { TumbleWindow, HopWindow, CumulateWindow } from '../common/window.js';
import type { BoundExpr } from '../expr/bound-expr.js';
import type { TableDef } from './catalog.js';
import type { JoinType, LogicalAggCall, ScanWatermark, SortKey } from './logical-plan.js';

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

interface PhysicalBase {
  readonly schema: readonly Field[];
  readonly changelog: ChangelogMode;
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
  | LimitNode
  | TemporalSortNode;

/** Reads a table through its connector; computes computed columns; assigns watermarks per split. */
export interface TableSourceScanNode extends PhysicalBase {
  readonly kind: 'TableSourceScan';
  readonly table: TableDef;
  readonly projection: readonly number[];
  readonly computed: readonly (BoundExpr | undefined)[];
  readonly watermark?: ScanWatermark;
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
  readonly window: TumbleWindow | HopWindow | CumulateWindow;
  readonly timeIndex: number;
  /** Set when the rowtime is a TIMESTAMP_LTZ: windows align to this zone's wall clock (Flink). */
  readonly timeZone?: string;
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
}

/** Passes the first `limit` rows after skipping `offset`, then ends. */
export interface LimitNode extends PhysicalBase {
  readonly kind: 'Limit';
  readonly input: PhysicalPlan;
  readonly limit: number;
  readonly offset: number;
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

/** The inputs of a physical node. */
export function physicalInputs(p: PhysicalPlan): readonly PhysicalPlan[] {
  switch (p.kind) {
    case 'TableSourceScan':
    case 'Values':
      return [];
    case 'Calc':
    case 'WindowTableFunction':
    case 'WindowAggregate':
    case 'SessionWindowAggregate':
    case 'GroupAggregate':
    case 'Limit':
    case 'TemporalSort':
      return [p.input];
    case 'Union':
      return p.inputs;
    case 'Join':
      return [p.left, p.right];
  }
}

/** Where a job's result goes: a table's connector (INSERT INTO) or back to the caller (a SELECT). */
export type SinkTarget = { readonly kind: 'table'; readonly table: TableDef } | { readonly kind: 'collect' };

/** A complete pipeline: the plan and where its output goes. */
export interface PhysicalPipeline {
  readonly root: PhysicalPlan;
  readonly sink: SinkTarget;
  /** The output column names and types (as the query names them). */
  readonly schema: readonly Field[];
}
