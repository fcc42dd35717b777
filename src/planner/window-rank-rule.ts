/**
 * window-rank-rule: the physical forms of a Top-N other than the plain Rank.
 *
 * - A rank partitioned by the `window_start` and `window_end` of one window of its input (as the input's
 *   window properties say: a window TVF's rows, or a window aggregation's results, through projections and
 *   filters that pass the window columns on) over an insert-only input is a **window Top-N** (Flink's
 *   WindowRank): final, insert-only, emitted once per window when the watermark passes its end, its state
 *   dropped with the window. With ROW_NUMBER, `rn = 1` (N = 1) and the only order key an event-time
 *   attribute, it is a **window deduplication** (WindowDeduplicate: keep the first row for ASC, the last for
 *   DESC).
 * - `ORDER BY x LIMIT n [OFFSET m]` on a stream is a Top-N without partition keys (Flink's Rank with an empty
 *   `partitionBy`), updating, without a rank column: ranks m+1..m+n. An ORDER BY that starts with an
 *   ascending rowtime stays a TemporalSort followed by a Limit (final, insert-only).
 */
import { EddyError, ErrorCode } from '../common/errors.js';
import type { LogicalLimit, LogicalPlan, LogicalRank } from './logical-plan.js';
import type { PhysicalPlan, RankNode, WindowDeduplicateNode, WindowRankNode } from './physical-plan.js';
import { INSERT_ONLY } from './physical-plan.js';
import { exchangeOn, physicalNode } from './stream-properties.js';

/** The window Top-N or window deduplication `plan` is over `input` (already translated), or undefined when it is a plain rank. */
export function windowRankRule(plan: LogicalRank, rankEnd: number, input: PhysicalPlan): PhysicalPlan | undefined {
  if (input.changelog.kind !== 'insert-only') return undefined;
  const window = input.props.windows.find((w) => plan.partitionKeys.includes(w.start) && plan.partitionKeys.includes(w.end));
  if (!window) return undefined;
  if (window.time < 0 && window.timeZone) {
    throw new EddyError({
      code: ErrorCode.UNSUPPORTED,
      message: 'A window Top-N over windows of a TIMESTAMP_LTZ time needs the window_time column: its window_end is a wall-clock time',
      span: plan.span,
      hint: 'select window_time along with window_start and window_end in the query below the rank',
    });
  }
  const outputRank = plan.outputRank !== false;
  const common = { input: exchangeOn(input, plan.partitionKeys), partitionKeys: plan.partitionKeys, outputRank, window, schema: plan.schema, changelog: INSERT_ONLY };
  const first = plan.orderKeys[0]!;
  if (plan.rankType === 'ROW_NUMBER' && rankEnd === 1 && plan.orderKeys.length === 1 && input.schema[first.index]!.type.timeAttribute === 'rowtime') {
    return physicalNode<WindowDeduplicateNode>({ kind: 'WindowDeduplicate', timeIndex: first.index, keepLast: first.descending, ...common });
  }
  return physicalNode<WindowRankNode>({ kind: 'WindowRank', rankType: plan.rankType, orderKeys: plan.orderKeys, rankEnd, ...common });
}

/**
 * `ORDER BY x LIMIT n [OFFSET m]` as a Top-N without partition keys (see the file comment), or undefined
 * when `plan` is not a LIMIT over an ORDER BY, or its ORDER BY starts with an ascending rowtime.
 */
export function sortLimitRank(plan: LogicalLimit, toPhysical: (p: LogicalPlan) => PhysicalPlan): PhysicalPlan | undefined {
  const sort = plan.input;
  if (sort.kind !== 'LogicalSort' || plan.limit === Number.MAX_SAFE_INTEGER) return undefined;
  const first = sort.keys[0]!;
  if (sort.schema[first.index]!.type.timeAttribute === 'rowtime' && !first.descending) return undefined;
  const input = toPhysical(sort.input);
  return physicalNode<RankNode>({
    kind: 'Rank',
    rankType: 'ROW_NUMBER',
    input: exchangeOn(input, []),
    partitionKeys: [],
    orderKeys: sort.keys,
    rankEnd: plan.offset + plan.limit,
    ...(plan.offset > 0 ? { rankStart: plan.offset + 1 } : {}),
    outputRank: false,
    schema: plan.schema,
    changelog: { kind: 'updating' },
  });
}
