/** Two-input join test streams: both sides' rows delivered in arrival order, with each side's watermarks. */
import { INSERT, type Row } from '../../../src/runtime/changelog.js';
import type { StreamOperator } from '../../../src/runtime/operator.js';
import type { Step } from './checkpoint-run.js';

/**
 * Steps that deliver both sides' rows in arrival order (each row arrives up to `delay` ms after its time,
 * column `timeIndex`), in small batches, after each a watermark trailing the batch's latest arrival by
 * `delay` on a random side (so no row is late), then a final watermark past everything on both sides
 * (not the end of input).
 */
export function arrivalSteps<Op extends StreamOperator>(rng: () => number, left: Row[], right: Row[], timeIndex: number, delay: number): Step<Op>[] {
  const arrivals = [...left.map((r) => ({ side: 0, r })), ...right.map((r) => ({ side: 1, r }))].map((a) => ({ ...a, at: (a.r[timeIndex] as number) + Math.floor(rng() * delay) }));
  arrivals.sort((a, b) => a.at - b.at);
  const steps: Step<Op>[] = [];
  for (let i = 0; i < arrivals.length; ) {
    const size = 1 + Math.floor(rng() * 4);
    const chunk = arrivals.slice(i, i + size);
    i += size;
    for (const side of [0, 1]) {
      const rows = chunk.filter((a) => a.side === side).map((a) => a.r);
      if (rows.length > 0) steps.push((h) => h.op.processBatch({ rows, kinds: rows.map(() => INSERT) }, side));
    }
    const mark = chunk[chunk.length - 1]!.at - delay;
    const side = Math.floor(rng() * 2);
    steps.push((h) => h.op.processWatermark(mark, side));
  }
  const last = arrivals[arrivals.length - 1]!.at + 100_000;
  steps.push((h) => h.op.processWatermark(last, 0));
  steps.push((h) => h.op.processWatermark(last, 1));
  return steps;
}
