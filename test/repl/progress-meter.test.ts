/** Rates, sparklines and durations for the status line. */
import { describe, expect, it } from 'vitest';
import { formatCount, formatDuration, ProgressMeter, sparkline } from '../../repl/progress-meter.js';
import type { Progress } from '../../src/index.js';

const progress = (rowsIn: number, rowsOut: number, watermark = Number.NEGATIVE_INFINITY): Progress => ({
  summary: { rowsIn, rowsOut, lateRowsDropped: 0, badRowsSkipped: 0, badRowsDeadLettered: 0, badRowsByKind: {} },
  watermark,
  checkpoints: 0,
  stateEntries: 0,
});

describe('ProgressMeter', () => {
  it('measures rates over at least the rate window and keeps a history of input rates', () => {
    const m = new ProgressMeter(0);
    expect(m.sample(progress(0, 0), 0).inRate).toBe(0);
    // 300 ms later: counters refresh, the rate waits for a full window.
    const early = m.sample(progress(500, 5), 300);
    expect(early.progress.summary.rowsIn).toBe(500);
    expect(early.inRate).toBe(0);
    const s1 = m.sample(progress(2000, 20), 1000);
    expect(s1.inRate).toBe(2000);
    expect(s1.outRate).toBe(20);
    const s2 = m.sample(progress(3000, 20, 1500), 2000);
    expect(s2.inRate).toBe(1000);
    expect(s2.outRate).toBe(0);
    expect(s2.inHistory).toEqual([2000, 1000]);
    expect(s2.lagMs).toBe(500);
    expect(s2.elapsedMs).toBe(2000);
    expect(s1.lagMs).toBeUndefined(); // no watermark yet
  });
});

describe('status formatting', () => {
  it('draws sparklines scaled to the largest value', () => {
    expect(sparkline([0, 1, 2, 4, 8])).toBe('▁▂▃▅█');
    expect(sparkline([0, 0])).toBe('▁▁');
    expect(sparkline([])).toBe('');
  });

  it('formats durations and counts for people', () => {
    expect(formatDuration(850)).toBe('850 ms');
    expect(formatDuration(12_400)).toBe('12 s');
    expect(formatDuration(185_000)).toBe('3 min 5 s');
    expect(formatDuration(2 * 3_600_000 + 600_000)).toBe('2 h 10 min');
    expect(formatDuration(3 * 86_400_000 + 4 * 3_600_000)).toBe('3 d 4 h');
    expect(formatDuration(-2000)).toBe('-2 s');
    expect(formatCount(1234.4)).toBe('1,234');
    expect(formatCount(2.5)).toBe('2.5');
    expect(formatCount(3)).toBe('3');
  });
});
