/**
 * Translates an optimized logical plan into physical operators, inferring each node's changelog mode and
 * rejecting plans the runtime cannot run (with the reason and what to do instead).
 */
import { projectScanMetadata } from './scan-metadata.js';
import { EddyError, ErrorCode, type Span } from '../common/errors.js';
import { describeWindow } from '../common/window.js';
import type { BoundExpr } from '../expr/bound-expr.js';
import { isPreserved, isSemiOrAnti, joinFields, type JoinType, type LogicalAggCall, type LogicalPlan } from './logical-plan.js';
import { splitJoinCondition, type JoinKeys } from './join-keys.js';
import { conjunction, conjuncts, exprKey, inputRefs, shiftInputRefs } from './expr-utils.js';
import { intervalBounds } from './interval-bounds.js';
import {
  INSERT_ONLY,
  physicalInputs,
  type CalcNode,
  type ChangelogMode,
  type GroupAggregateNode,
  type JoinNode,
  type IntervalJoinNode,
  type LimitNode,
  type OverAggregateNode,
  type PhysicalPlan,
  type RankNode,
  type DeduplicateNode,
  type ChangelogNormalizeNode,
  type SessionWindowAggregateNode,
  type KsqlWindowAggregateNode,
  type TableSourceScanNode,
  type TemporalSortNode,
  type UnionNode,
  type ValuesNode,
  type WindowAggregateNode,
  type WindowTableFunctionNode,
} from './physical-plan.js';
import { exchangeBy, exchangeOn, physicalNode } from './stream-properties.js';
import { windowAggregateRule } from './window-aggregate-rule.js';
import { windowJoinRule } from './window-join-rule.js';
import { sortLimitRank, windowRankRule } from './window-rank-rule.js';
import { temporalJoinPlan } from './temporal-join-plan.js';

function unsupported(message: string, hint?: string, span?: Span): never {
  throw new EddyError({ code: ErrorCode.UNSUPPORTED, message, hint, span });
}

/** Maps an upsert key through a projection: each key column must be passed through unchanged. */
function projectUpsertKey(mode: ChangelogMode, exprs: readonly BoundExpr[]): ChangelogMode {
  if (mode.kind === 'insert-only' || !mode.upsertKey) return mode;
  const mapped: number[] = [];
  for (const k of mode.upsertKey) {
    const pos = exprs.findIndex((e) => e.kind === 'InputRef' && e.index === k);
    if (pos < 0) return { kind: 'updating' };
    mapped.push(pos);
  }
  return { kind: 'updating', upsertKey: mapped };
}

/** Aggregate calls with their cheaper append-only implementations, for inputs that never retract. */
function appendOnlyAggs(aggs: readonly LogicalAggCall[]): LogicalAggCall[] {
  return aggs.map((a) => (a.impl.appendOnly ? { ...a, impl: a.impl.appendOnly } : a));
}

/**
 * Output columns that identify a join's rows, from its inputs' unique keys (Flink derives them the same
 * way): when the equi-join keys of one side cover that side's unique key, each row of the other side
 * matches at most one row, so the other side's unique key identifies the output — if that side is never
 * null-padded. Otherwise an inner join's rows are identified by both unique keys together.
 */
function joinUniqueKey(type: JoinType, left: PhysicalPlan, right: PhysicalPlan, keys: JoinKeys): number[] | undefined {
  const lk = left.props.uniqueKey;
  const rk = right.props.uniqueKey;
  if (!lk || !rk) return undefined;
  const width = left.schema.length;
  const covered = (key: readonly number[], exprs: readonly BoundExpr[]) => key.every((k) => exprs.some((e) => e.kind === 'InputRef' && e.index === k));
  if (covered(rk, keys.rightKeys) && !isPreserved(type, 1)) return [...lk];
  if (covered(lk, keys.leftKeys) && !isPreserved(type, 0)) return rk.map((k) => k + width);
  return type === 'inner' ? [...lk, ...rk.map((k) => k + width)] : undefined;
}

/**
 * The changelog of a join (Flink's regular join): an inner join of insert-only inputs only inserts. An
 * outer join retracts a null-padded row once its first match arrives (and brings it back when the last one
 * goes), and any join passes its inputs' retractions on: both are updating.
 */
function joinChangelog(type: JoinType, left: PhysicalPlan, right: PhysicalPlan, keys: JoinKeys): ChangelogMode {
  if (isSemiOrAnti(type)) return semiAntiChangelog(type, left, right);
  if (type === 'inner' && left.changelog.kind === 'insert-only' && right.changelog.kind === 'insert-only') return INSERT_ONLY;
  const upsertKey = joinUniqueKey(type, left, right, keys);
  return upsertKey ? { kind: 'updating', upsertKey } : { kind: 'updating' };
}

/**
 * The changelog of a semi or anti join: its rows are left rows, so the left side's upsert key still
 * identifies them. A semi join of insert-only inputs only inserts (a left row appears with its first match
 * and, nothing being retracted, stays); an anti join retracts a left row when its first match arrives.
 */
function semiAntiChangelog(type: 'semi' | 'anti', left: PhysicalPlan, right: PhysicalPlan): ChangelogMode {
  if (type === 'semi' && left.changelog.kind === 'insert-only' && right.changelog.kind === 'insert-only') return INSERT_ONLY;
  const key = left.props.uniqueKey;
  return key ? { kind: 'updating', upsertKey: [...key] } : { kind: 'updating' };
}

/**
 * The parts of a null-aware anti join's condition (bind-subquery.ts builds it as
 * `(x = y OR x IS NULL OR y IS NULL) AND <correlation>`): `x` and `y`, and the correlation's keys. Undefined
 * when the correlation leaves a residual condition (or the condition has another shape): the pairs are
 * then compared one by one, as in any semi or anti join.
 */
function nullAwareKeys(condition: BoundExpr, leftWidth: number): { values: { left: BoundExpr; right: BoundExpr }; keys: JoinKeys } | undefined {
  const parts = conjuncts(condition);
  const i = parts.findIndex((c) => c.kind === 'OrExpr' && c.args[0]?.kind === 'Call' && c.args[0].fn === '=');
  if (i < 0) return undefined;
  const or = parts[i] as Extract<BoundExpr, { kind: 'OrExpr' }>;
  const [x, y] = (or.args[0] as Extract<BoundExpr, { kind: 'Call' }>).args as [BoundExpr, BoundExpr];
  const refs = (e: BoundExpr) => [...inputRefs(e)];
  if (refs(x).length === 0 || !refs(x).every((r) => r < leftWidth) || refs(y).length === 0 || !refs(y).every((r) => r >= leftWidth)) return undefined;
  const isNullOf = (e: BoundExpr) => e.kind === 'IsNullExpr' && !e.negated && (exprKey(e.operand) === exprKey(x) || exprKey(e.operand) === exprKey(y));
  if (!or.args.slice(1).every(isNullOf)) return undefined;
  const keys = splitJoinCondition(conjunction(parts.filter((_, j) => j !== i)), leftWidth);
  if (keys.residual) return undefined;
  return { values: { left: x, right: shiftInputRefs(y, -leftWidth) }, keys };
}

/** Translates a logical plan (after optimization) into a physical plan. */
export function toPhysical(plan: LogicalPlan, timeZone = 'UTC'): PhysicalPlan {
  const root = translate(plan, timeZone);
  checkNoSessionTvf(root);
  return root;
}

/** The zone windows on a time column align to: the session zone for TIMESTAMP_LTZ, none (UTC) otherwise. */
function windowZone(timeType: { name: string }, timeZone: string): string | undefined {
  return timeType.name === 'TIMESTAMP_LTZ' && timeZone !== 'UTC' ? timeZone : undefined;
}

function translate(plan: LogicalPlan, timeZone: string): PhysicalPlan {
  const toPhysical = (p: LogicalPlan) => translate(p, timeZone);
  switch (plan.kind) {
    case 'LogicalScan': {
      const scan = physicalNode<TableSourceScanNode>({
        kind: 'TableSourceScan',
        table: plan.table,
        projection: plan.projection,
        computed: plan.computed,
        ...(plan.metadata ? { metadata: projectScanMetadata(plan) } : {}),
        watermark: plan.watermark,
        schema: plan.schema,
        changelog: scanChangelog(plan),
      });
      if (plan.changelog !== 'upsert') return scan;
      // Upserts and deletes by key become retractions (Flink's ChangelogNormalize), keyed by the primary key.
      const keys = scan.changelog.upsertKey!;
      return physicalNode<ChangelogNormalizeNode>({ kind: 'ChangelogNormalize', input: exchangeOn(scan, keys), keys, schema: plan.schema, changelog: { kind: 'updating', upsertKey: keys } });
    }
    case 'LogicalValues':
      return physicalNode<ValuesNode>({ kind: 'Values', rows: plan.rows, schema: plan.schema, changelog: INSERT_ONLY });
    case 'LogicalProject': {
      // A projection over a filter runs as one Calc.
      const filter = plan.input.kind === 'LogicalFilter' ? plan.input : undefined;
      const input = toPhysical(filter ? filter.input : plan.input);
      const condition = filter ? { condition: filter.condition } : {};
      return physicalNode<CalcNode>({ kind: 'Calc', input, projection: plan.exprs, ...condition, schema: plan.schema, changelog: projectUpsertKey(input.changelog, plan.exprs) });
    }
    case 'LogicalFilter': {
      const input = toPhysical(plan.input);
      const projection: BoundExpr[] = plan.schema.map((f, i) => ({ kind: 'InputRef', index: i, type: f.type, name: f.name }));
      return physicalNode<CalcNode>({ kind: 'Calc', input, projection, condition: plan.condition, schema: plan.schema, changelog: input.changelog });
    }
    case 'LogicalWindowTableFunction': {
      const input = toPhysical(plan.input);
      requireInsertOnly(input, `${describeWindow(plan.window)} window TVF`, plan.span);
      const zone = windowZone(input.schema[plan.timeIndex]!.type, timeZone);
      return physicalNode<WindowTableFunctionNode>({
        kind: 'WindowTableFunction',
        input,
        window: plan.window,
        timeIndex: plan.timeIndex,
        ...(plan.partitionKeys ? { partitionKeys: plan.partitionKeys } : {}),
        timeZone: zone,
        schema: plan.schema,
        changelog: INSERT_ONLY,
        span: plan.span,
      });
    }
    case 'LogicalAggregate': {
      const input = toPhysical(plan.input);
      if (plan.window) {
        requireInsertOnly(input, `the ${describeWindow(plan.window.spec)} window aggregation`, plan.span);
        const zone = windowZone(input.schema[plan.window.timeIndex]!.type, timeZone);
        const shuffled = exchangeOn(input, plan.groupKeys);
        const common = { input: shuffled, timeIndex: plan.window.timeIndex, timeZone: zone, groupKeys: plan.groupKeys, aggs: appendOnlyAggs(plan.aggs), schema: plan.schema, changelog: INSERT_ONLY };
        if (plan.window.spec.kind === 'session') return physicalNode<SessionWindowAggregateNode>({ kind: 'SessionWindowAggregate', gap: plan.window.spec.gap, ...common });
        return physicalNode<WindowAggregateNode>({ kind: 'WindowAggregate', window: plan.window.spec, ...common });
      }
      const windowed = windowAggregateRule(plan, input);
      if (windowed) return windowed;
      if (input.changelog.kind === 'updating') {
        for (const a of plan.aggs) {
          if (!a.impl.supportsRetract) unsupported(`${a.display} cannot consume an updating input (it cannot retract values)`, undefined, plan.span);
        }
      }
      return physicalNode<GroupAggregateNode>({
        kind: 'GroupAggregate',
        input: exchangeOn(input, plan.groupKeys),
        groupKeys: plan.groupKeys,
        aggs: input.changelog.kind === 'insert-only' ? appendOnlyAggs(plan.aggs) : plan.aggs,
        ...(plan.perRecord ? { perRecord: true } : {}),
        schema: plan.schema,
        changelog: { kind: 'updating', upsertKey: plan.groupKeys.map((_, i) => i) },
      });
    }
    case 'LogicalUnion': {
      const inputs = plan.inputs.map(toPhysical);
      const updating = inputs.some((i) => i.changelog.kind === 'updating');
      return physicalNode<UnionNode>({ kind: 'Union', inputs, schema: plan.schema, changelog: updating ? { kind: 'updating' } : INSERT_ONLY });
    }
    case 'LogicalJoin': {
      if (plan.temporal) return temporalJoinPlan(plan, plan.temporal, toPhysical);
      const left = toPhysical(plan.left);
      const right = toPhysical(plan.right);
      const keys = splitJoinCondition(plan.condition, plan.left.schema.length);
      if (plan.interval) {
        const bounds = intervalBounds(plan.condition, [...plan.left.schema, ...plan.right.schema], plan.left.schema.length);
        if (!bounds) throw new Error('an interval join lost its time bounds');
        requireInsertOnly(left, 'An interval join', plan.span);
        requireInsertOnly(right, 'An interval join', plan.span);
        return physicalNode<IntervalJoinNode>({
          kind: 'IntervalJoin',
          joinType: plan.joinType,
          left: exchangeBy(left, keys.leftKeys),
          right: exchangeBy(right, keys.rightKeys),
          ...keys,
          bounds,
          ...(plan.grace === undefined ? {} : { grace: plan.grace }),
          schema: plan.schema,
          changelog: INSERT_ONLY,
        });
      }
      const windowed = windowJoinRule(plan.joinType, left, right, plan.condition, plan.schema, plan.nullAware ?? false);
      if (windowed) return windowed;
      const nullAware = plan.nullAware ? nullAwareKeys(plan.condition, plan.left.schema.length) : undefined;
      const partitioning = nullAware ? nullAware.keys : keys;
      return physicalNode<JoinNode>({
        kind: 'Join',
        joinType: plan.joinType,
        left: exchangeBy(left, partitioning.leftKeys),
        right: exchangeBy(right, partitioning.rightKeys),
        ...partitioning,
        ...(nullAware ? { nullAware: nullAware.values } : {}),
        // The binder took it for a window join, but the inputs' windows do not pair up (see window-join-rule.ts).
        schema: plan.window ? joinFields(plan.joinType, plan.left.schema, plan.right.schema) : plan.schema,
        changelog: joinChangelog(plan.joinType, left, right, partitioning),
      });
    }
    case 'LogicalSort': {
      const input = toPhysical(plan.input);
      const first = plan.keys[0]!;
      const firstType = plan.schema[first.index]!.type;
      if (firstType.timeAttribute !== 'rowtime' || first.descending) {
        unsupported(
          'ORDER BY on a stream must start with an event-time (rowtime) column in ascending order',
          'a stream has no last row to sort against; order by the rowtime ascending (rows are released as the watermark passes them), add LIMIT n (a Top-N, updated as rows arrive), or aggregate into windows',
          plan.span,
        );
      }
      requireInsertOnly(input, 'ORDER BY', plan.span);
      return physicalNode<TemporalSortNode>({ kind: 'TemporalSort', input: exchangeOn(input, []), timeIndex: first.index, keys: plan.keys, schema: plan.schema, changelog: INSERT_ONLY });
    }
    case 'LogicalRank': {
      if (plan.rankEnd === undefined) {
        unsupported(
          `${plan.rankType}() OVER is supported only for Top-N: in a subquery whose outer WHERE bounds the rank`,
          "select it in a subquery and filter on it outside: SELECT * FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY k ORDER BY v DESC) AS rn FROM t) WHERE rn <= 3",
          plan.span,
        );
      }
      const input = toPhysical(plan.input);
      const windowed = windowRankRule(plan, plan.rankEnd, input);
      if (windowed) return windowed;
      const outputRank = plan.outputRank !== false;
      // Keep-first deduplication: the first row per key by event time, final once the watermark passes it.
      const first = plan.orderKeys[0]!;
      if (plan.rankType === 'ROW_NUMBER' && plan.rankEnd === 1 && plan.orderKeys.length === 1 && !first.descending && input.changelog.kind === 'insert-only' && input.schema[first.index]!.type.timeAttribute === 'rowtime') {
        return physicalNode<DeduplicateNode>({
          kind: 'Deduplicate',
          input: exchangeOn(input, plan.partitionKeys),
          partitionKeys: plan.partitionKeys,
          timeIndex: first.index,
          ...(outputRank ? {} : { outputRank }),
          schema: plan.schema,
          changelog: INSERT_ONLY,
        });
      }
      return physicalNode<RankNode>({
        kind: 'Rank',
        rankType: plan.rankType,
        input: exchangeOn(input, plan.partitionKeys),
        partitionKeys: plan.partitionKeys,
        orderKeys: plan.orderKeys,
        rankEnd: plan.rankEnd,
        ...(outputRank ? {} : { outputRank }),
        schema: plan.schema,
        changelog: plan.rankType === 'ROW_NUMBER' && outputRank ? { kind: 'updating', upsertKey: [...plan.partitionKeys, plan.input.schema.length] } : { kind: 'updating' },
      });
    }
    case 'LogicalOverAggregate': {
      const input = toPhysical(plan.input);
      requireInsertOnly(input, 'An OVER aggregation', plan.span);
      return physicalNode<OverAggregateNode>({
        kind: 'OverAggregate',
        input: exchangeOn(input, plan.partitionKeys),
        partitionKeys: plan.partitionKeys,
        timeIndex: plan.timeIndex,
        proctime: plan.proctime,
        frame: plan.frame,
        // A bounded frame retracts the rows that leave it; an unbounded one only adds.
        aggs: plan.frame.preceding === undefined ? appendOnlyAggs(plan.aggs) : plan.aggs,
        schema: plan.schema,
        changelog: INSERT_ONLY,
      });
    }
    case 'LogicalKsqlWindowAggregate': {
      const input = toPhysical(plan.input);
      requireInsertOnly(input, `ksqlDB's ${plan.window.type} window aggregation`, plan.span);
      const keys = plan.groupKeys.map((_, i) => i);
      const start = keys.length + plan.aggs.length;
      return physicalNode<KsqlWindowAggregateNode>({
        kind: 'KsqlWindowAggregate',
        input: exchangeOn(input, plan.groupKeys),
        window: plan.window,
        emit: plan.emit,
        timeIndex: plan.timeIndex,
        groupKeys: plan.groupKeys,
        aggs: appendOnlyAggs(plan.aggs),
        schema: plan.schema,
        changelog: plan.emit === 'FINAL' ? INSERT_ONLY : { kind: 'updating', upsertKey: plan.window.type === 'SESSION' ? [...keys, start, start + 1] : [...keys, start] },
      });
    }
    case 'LogicalLimit': {
      const topN = sortLimitRank(plan, toPhysical);
      if (topN) return topN;
      const input = toPhysical(plan.input);
      requireInsertOnly(input, plan.limit === Number.MAX_SAFE_INTEGER ? 'OFFSET' : 'LIMIT', plan.span);
      return physicalNode<LimitNode>({ kind: 'Limit', input: exchangeOn(input, []), limit: plan.limit, offset: plan.offset, schema: plan.schema, changelog: INSERT_ONLY });
    }
  }
}

/**
 * The changelog of a scan, as its source declares it. A retracting source's rows are identified by the
 * table's primary key (when it declares one and the scan reads it). An upsert source must have a primary
 * key: its updates are turned into retractions by the ChangelogNormalize the translation puts above it.
 */
function scanChangelog(scan: Extract<LogicalPlan, { kind: 'LogicalScan' }>): ChangelogMode {
  if (scan.changelog === 'insert-only') return INSERT_ONLY;
  const key = scan.table.primaryKey?.map((name) => scan.projection.findIndex((c) => scan.table.columns[c]!.name === name));
  if (scan.changelog === 'upsert') {
    if (!scan.table.primaryKey?.length) {
      unsupported(
        `Table '${scan.table.name}' is read as an upsert stream (its rows are updates by key), but it has no PRIMARY KEY`,
        "declare the key of its records: PRIMARY KEY (<columns>) NOT ENFORCED, as Flink's upsert sources require",
      );
    }
    // prune-scan-columns keeps the key of an upsert scan, so the key is always read.
    if (!key!.every((k) => k >= 0)) throw new Error(`the scan of upsert table ${scan.table.name} does not read its primary key`);
    // The upsert stream itself: +U/+I and -D by key, no -U; ChangelogNormalize (above it) makes it retractions.
    return { kind: 'updating', upsertKey: key! };
  }
  return key && key.every((k) => k >= 0) ? { kind: 'updating', upsertKey: key } : { kind: 'updating' };
}

/** A SESSION window TVF must have been merged into a session window aggregation. */
function checkNoSessionTvf(p: PhysicalPlan): void {
  if (p.kind === 'WindowTableFunction' && p.window.kind === 'session') {
    unsupported('A SESSION window TVF must be followed by GROUP BY window_start, window_end, <partition keys>', 'Flink also only supports SESSION windows in aggregations', p.span);
  }
  for (const i of physicalInputs(p)) checkNoSessionTvf(i);
}

/**
 * The operator that makes a plan updating (for messages), found top-down: a non-windowed aggregation, or a
 * join that is updating while its inputs are not (an outer join).
 */
export function updatingSource(p: PhysicalPlan): PhysicalPlan | undefined {
  if (p.kind === 'GroupAggregate' || (p.kind === 'KsqlWindowAggregate' && p.emit === 'CHANGES')) return p;
  for (const i of physicalInputs(p)) {
    const found = updatingSource(i);
    if (found) return found;
  }
  return p.kind === 'Join' && p.changelog.kind === 'updating' ? p : undefined;
}

function requireInsertOnly(input: PhysicalPlan, consumer: string, span?: Span): void {
  if (input.changelog.kind === 'insert-only') return;
  const source = updatingSource(input);
  unsupported(
    `${consumer} needs an insert-only input, but its input is updating (it produces -U/+U changes${source ? `, from a ${source.kind}` : ''})`,
    source?.kind === 'Join' && isSemiOrAnti(source.joinType)
      ? 'a NOT IN / NOT EXISTS (anti join) retracts a row when its first match arrives, and an IN / EXISTS (semi join) over an updating input passes its retractions on; apply the window before the subquery condition'
      : source?.kind === 'Join'
      ? 'an outer join retracts its null-padded rows when matches arrive; use an INNER join of insert-only inputs, or apply the window before the join'
      : source === undefined
        ? 'the input reads a source of updates (a changelog); read an append-only source'
        : 'apply the window before the non-windowed aggregation, or aggregate with windows only',
    span,
  );
}
