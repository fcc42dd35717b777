/**
 * WindowRank: window Top-N (Flink's "Window Top-N") — `ROW_NUMBER()` (or RANK, DENSE_RANK) `OVER (PARTITION
 * BY window_start, window_end, k.. ORDER BY o..)` bounded by `rn <= rankEnd`, over an insert-only input whose
 * rows carry their window (a window aggregate's results, or a window TVF's rows): final results, emitted
 * once per window when the watermark passes the window's end.
 *
 * - Per window and partition key, the rows ranked up to `rankEnd`, sorted by the ORDER BY keys (rows that
 *   compare equal keep their arrival order); a row that cannot enter them is dropped at once (the input only
 *   inserts, so a row pushed out never comes back).
 * - A window fires when the watermark reaches its `window_time` (`window_end - 1`): every partition of the
 *   window emits its top rows as `+I`, with the rank appended unless the rank column is not selected;
 *   partitions in the order of their encoded keys, rows by rank (the same order in a restored run). Then the
 *   window's state is dropped and the watermark forwarded. The output keeps the window columns (window_time
 *   stays a time attribute) and is insert-only.
 * - Late rows and rows without a window time are dropped and counted (see {@link WindowBuffer}).
 * - State: the table `windows` (namespace: the window's `window_time`; key: the partition key → its top
 *   rows), and the timer service's `timers` (one per window) and `watermark`. Nothing outlives its window.
 */
import type { RankType, SortKey } from '../../planner/logical-plan.js';
import type { Row } from '../changelog.js';
import { describeColumns } from './aggregate-call.js';
import { rankedTop, upperBound } from './rank.js';
import { sortKeyComparator } from './sort-keys.js';
import { WindowBuffer, type WindowColumns } from './window-buffer.js';

/** Configuration of a {@link WindowRank}. */
export interface WindowRankConfig {
  readonly rankType: RankType;
  /** The PARTITION BY columns (window_start and window_end among them). */
  readonly partitionKeys: readonly number[];
  readonly orderKeys: readonly SortKey[];
  /** The largest rank emitted (`rn <= rankEnd`). */
  readonly rankEnd: number;
  /** False when the rank column is not output. */
  readonly outputRank: boolean;
  readonly window: WindowColumns;
}

/** Window Top-N (see the file comment). */
export class WindowRank extends WindowBuffer<Row[]> {
  readonly kind = 'WindowRank';
  private readonly compare: (a: Row, b: Row) => number;

  constructor(readonly config: WindowRankConfig) {
    super(config.partitionKeys, config.window, 'windows');
    this.compare = sortKeyComparator(config.orderKeys);
  }

  protected accept(row: Row): void {
    const { rankType, rankEnd } = this.config;
    const at = this.place(row);
    if (!at) return;
    // The held list is changed in place and put again (that marks it for the next checkpoint).
    const held = this.table.get(at.key, at.time);
    const rows = held ?? [];
    const pos = upperBound(rows, row, this.compare);
    if (rankType === 'ROW_NUMBER') {
      if (pos >= rankEnd) return;
      rows.splice(pos, 0, row);
      if (rows.length > rankEnd) rows.length = rankEnd;
    } else {
      rows.splice(pos, 0, row);
      // Rows ranked below rankEnd can never rise again: keep the top only.
      rows.length = rankedTop(rows, this.compare, rankType, rankEnd).length;
      if (rows.length === 0) return;
    }
    if (!held) this.timers.register(at.time);
    this.table.put(at.key, rows, at.time);
  }

  protected emit(rows: Row[], out: Row[]): void {
    const { rankType, rankEnd, outputRank } = this.config;
    for (const [row, rank] of rankedTop(rows, this.compare, rankType, rankEnd)) out.push(outputRank ? [...row, rank] : row);
  }

  protected rowsIn(rows: Row[]): number {
    return rows.length;
  }

  explain(): string {
    const { partitionKeys, orderKeys, rankEnd, rankType, outputRank } = this.config;
    const order = orderKeys.map((k) => `$${k.index} ${k.descending ? 'DESC' : 'ASC'}`).join(', ');
    return `WindowRank(rankType=[${rankType}], rankRange=[rankStart=1, rankEnd=${rankEnd}], partitionBy=[${describeColumns(partitionKeys)}], orderBy=[${order}]${outputRank ? '' : ', outputRankNumber=[false]'})`;
  }
}
