/**
 * The physical plan of a temporal join (a {@link LogicalJoin} with `temporal` set, see
 * bind-temporal-join.ts), with the checks Flink makes:
 *
 * - Event time: the left input must be insert-only (its rows are joined once, when the watermark passes
 *   them); the right input must have a primary key (a table's declared PRIMARY KEY, the key of a changelog
 *   source, the partition keys of a versioned view made by deduplication) and the equi-join keys must cover
 *   it, so that a left row's key names one row of the right at any time. Runs as a TemporalJoin.
 * - Lookup: the equi-join keys must compare left expressions with the table's physical columns (what the
 *   connector looks up by). Runs as a LookupJoin reading the table itself (no scan of it).
 */
import { EddyError, ErrorCode, type Span } from '../common/errors.js';
import type { BoundExpr } from '../expr/bound-expr.js';
import { conjunction, conjuncts, isTrue } from './expr-utils.js';
import { splitJoinCondition } from './join-keys.js';
import type { LogicalJoin, LogicalPlan, TemporalJoinSpec } from './logical-plan.js';
import { INSERT_ONLY, type CalcNode, type LookupJoinNode, type PhysicalPlan, type TemporalJoinNode } from './physical-plan.js';
import { exchangeBy, physicalNode } from './stream-properties.js';

function unsupported(message: string, span: Span | undefined, hint?: string): never {
  throw new EddyError({ code: ErrorCode.UNSUPPORTED, message, span, hint });
}

/**
 * The primary key of a versioned input: the columns that identify its rows (its unique key), or the
 * PRIMARY KEY declared on the table it reads, passed on unchanged by projections.
 */
function versionKey(p: PhysicalPlan): readonly number[] | undefined {
  if (p.props.uniqueKey) return p.props.uniqueKey;
  switch (p.kind) {
    case 'TableSourceScan': {
      const key = p.table.primaryKey?.map((name) => p.projection.findIndex((c) => p.table.columns[c]!.name === name));
      return key && key.every((k) => k >= 0) ? key : undefined;
    }
    case 'Exchange':
      return versionKey(p.input);
    case 'Calc': {
      const below = versionKey(p.input);
      if (!below) return undefined;
      const mapped = below.map((k) => p.projection.findIndex((e) => e.kind === 'InputRef' && e.index === k));
      return mapped.every((k) => k >= 0) ? mapped : undefined;
    }
    default:
      return undefined;
  }
}

/**
 * The input of a versioned view made by deduplication, when the right side is one: a projection (without
 * the rank column) over `ROW_NUMBER() OVER (PARTITION BY k ORDER BY rowtime DESC) = 1` of an insert-only
 * input. Each row of that input is a version of its key at its time, and the temporal join keeps versions
 * by time itself — so it reads the rows directly instead of the deduplication's updates, which compact the
 * changes of one batch (a version overtaken within a batch would be lost) and drop rows that arrive after a
 * later one of their key (which the temporal join still places in time). Undefined when the right side is
 * no such view.
 */
function deduplicatedInput(p: PhysicalPlan): PhysicalPlan | undefined {
  // Without the rank column (outputRankNumber=false) there may be no projection above the rank.
  const calc = p.kind === 'Calc' ? p : undefined;
  const rank = calc ? calc.input : p;
  if (rank.kind !== 'Rank') return undefined;
  const width = rank.input.schema.length;
  const [order, ...more] = rank.orderKeys;
  const keepLast = rank.rankType === 'ROW_NUMBER' && rank.rankEnd === 1 && order !== undefined && more.length === 0 && order.descending;
  if (!keepLast || rank.input.changelog.kind !== 'insert-only' || rank.input.schema[order.index]!.type.timeAttribute !== 'rowtime') return undefined;
  // The rank's hash exchange goes too: the join puts its own on the join keys.
  const source = rank.input.kind === 'Exchange' ? rank.input.input : rank.input;
  if (!calc) {
    if (rank.outputRank === false) return source;
    // The rank column selected: it is 1 in every version.
    const projection = rank.schema.map((f, i): BoundExpr => (i < width ? { kind: 'InputRef', index: i, name: f.name, type: f.type } : { kind: 'LiteralValue', value: 1, type: f.type }));
    return physicalNode<CalcNode>({ kind: 'Calc', input: source, projection, schema: rank.schema, changelog: INSERT_ONLY });
  }
  // The rank column may be tested (`= 1`, which holds for every row the rank keeps) and selected (it is 1).
  const condition = calc.condition;
  const onlyRank = condition === undefined || (condition.kind === 'Call' && condition.fn === '=' && condition.args.some((a) => a.kind === 'InputRef' && a.index === width) && condition.args.some((a) => a.kind === 'LiteralValue' && Number(a.value) === 1));
  if (!onlyRank || !calc.projection.every((e) => isColumn(e) && e.index <= width)) return undefined;
  const projection = calc.projection.map((e): BoundExpr => (isColumn(e) && e.index === width ? { kind: 'LiteralValue', value: 1, type: rank.schema[width]!.type } : e));
  return physicalNode<CalcNode>({ kind: 'Calc', input: source, projection, schema: calc.schema, changelog: INSERT_ONLY });
}

/**
 * The upsert records of a ksqlDB table (`TableDef.ksql`) when the right side reads one through its
 * ChangelogNormalize: each record is a version at its ROWTIME, and a tombstone (-D: the key, and the
 * tombstone's own ROWTIME) ends the key's row at the tombstone's time — a time ChangelogNormalize's -D (the
 * deleted row, with the time it was written) would lose. The temporal join keeps versions by key itself.
 */
function ksqlUpsertInput(p: PhysicalPlan): PhysicalPlan | undefined {
  if (p.kind !== 'ChangelogNormalize') return undefined;
  const source = p.input.kind === 'Exchange' ? p.input.input : p.input;
  return source.kind === 'TableSourceScan' && source.table.ksql !== undefined ? source : undefined;
}

/**
 * A lookup join: each equality of a left value with a physical column of the table is a lookup key; the
 * other conjuncts (equalities with computed columns or expressions too) are checked on the rows found.
 */
function lookupJoinPlan(plan: LogicalJoin, left: PhysicalPlan): LookupJoinNode {
  const scan = plan.right;
  if (scan.kind !== 'LogicalScan') throw new Error('the right side of a lookup join is not a table scan');
  const width = plan.left.schema.length;
  const leftKeys: BoundExpr[] = [];
  const lookupKeys: string[] = [];
  const residual: BoundExpr[] = [];
  for (const part of conjuncts(plan.condition)) {
    const key = splitJoinCondition(part, width);
    const right = key.rightKeys[0];
    const column = key.leftKeys.length === 1 && right && isColumn(right) ? scan.table.columns[scan.projection[right.index]!] : undefined;
    if (column && column.computed === undefined && column.metadata === undefined) {
      leftKeys.push(key.leftKeys[0]!);
      lookupKeys.push(column.name);
    } else if (!isTrue(part)) residual.push(part);
  }
  if (leftKeys.length === 0) {
    unsupported(
      `A lookup join looks '${scan.table.name}' up by its physical columns: its ON condition needs an equality between one of them and a value of the left side`,
      plan.span,
      `e.g. ON o.product_id = p.id`,
    );
  }
  if (scan.metadata) unsupported(`A lookup join cannot read the METADATA columns of '${scan.table.name}'`, plan.span);
  return physicalNode<LookupJoinNode>({
    kind: 'LookupJoin',
    joinType: plan.joinType as 'inner' | 'left',
    input: left,
    table: scan.table,
    projection: scan.projection,
    computed: scan.computed,
    leftKeys,
    lookupKeys,
    ...(residual.length > 0 ? { residual: conjunction(residual) } : {}),
    schema: plan.schema,
    changelog: left.changelog,
  });
}

const isColumn = (e: BoundExpr): e is Extract<BoundExpr, { kind: 'InputRef' }> => e.kind === 'InputRef';

/** Translates a temporal join; `translate` translates its inputs. */
export function temporalJoinPlan(plan: LogicalJoin, spec: TemporalJoinSpec, translate: (p: LogicalPlan) => PhysicalPlan): PhysicalPlan {
  const joinType = plan.joinType;
  if (joinType !== 'inner' && joinType !== 'left') throw new Error(`a temporal join of type ${joinType} reached the planner (the binder refuses it)`);
  const width = plan.left.schema.length;
  const keys = splitJoinCondition(plan.condition, width);
  const rightNames = plan.right.schema.map((f) => f.name);
  if (keys.leftKeys.length === 0) {
    unsupported(
      'A temporal join needs an equality condition between the left side and the right table (Flink: "Temporal table join requires an equality condition on fields of table")',
      plan.span,
      `join on the right table's key, e.g. ON o.k = r.${rightNames[0] ?? 'k'}`,
    );
  }
  const left = translate(plan.left);
  if (spec.kind === 'lookup') return lookupJoinPlan(plan, left);
  if (left.changelog.kind !== 'insert-only') {
    unsupported(
      'The left side of an event-time temporal join must be insert-only, but it is updating (it produces -U/+U changes)',
      plan.span,
      'each left row is joined once, when the watermark passes its time; join an append-only stream (as in Flink), and aggregate after the join',
    );
  }
  const versioned = translate(plan.right);
  const key = versionKey(versioned);
  if (!key || key.length === 0) {
    unsupported(
      'The versioned table of an event-time temporal join needs a primary key, and none is known for the right side',
      plan.span,
      "declare PRIMARY KEY (k) NOT ENFORCED on the table, or make a versioned view: SELECT * FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY k ORDER BY ts DESC) AS rn FROM t) WHERE rn = 1",
    );
  }
  const covered = key.every((k) => keys.rightKeys.some((e) => isColumn(e) && e.index === k));
  if (!covered) {
    unsupported(
      `The primary key [${key.map((k) => rightNames[k]).join(', ')}] of the versioned table must be compared by equality with the left side in the temporal join's condition`,
      plan.span,
      `add ${key.map((k) => `... = r.${rightNames[k]}`).join(' AND ')} to the ON condition`,
    );
  }
  const right = deduplicatedInput(versioned) ?? ksqlUpsertInput(versioned) ?? versioned;
  return physicalNode<TemporalJoinNode>({
    kind: 'TemporalJoin',
    joinType,
    left: exchangeBy(left, keys.leftKeys),
    right: exchangeBy(right, keys.rightKeys),
    leftKeys: keys.leftKeys,
    rightKeys: keys.rightKeys,
    ...(keys.residual ? { residual: keys.residual } : {}),
    leftTime: spec.leftTime,
    rightTime: spec.rightTime,
    ...(spec.streamTime ? { streamTime: spec.streamTime } : {}),
    schema: plan.schema,
    changelog: INSERT_ONLY,
  });
}
