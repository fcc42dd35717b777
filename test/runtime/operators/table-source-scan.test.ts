import { afterEach, describe, expect, it, vi } from 'vitest';
import { join } from 'node:path';
import { DELETE, MAX_WATERMARK, UPDATE_AFTER, UPDATE_BEFORE, type Row } from '../../../src/runtime/changelog.js';
import type { SourceChunk } from '../../../src/runtime/connector.js';
import { TableSourceScan, type TableSourceScanConfig } from '../../../src/runtime/operators/table-source-scan.js';
import { SqliteStateStore } from '../../../src/runtime/state/sqlite-state-store.js';
import { StateBackend } from '../../../src/runtime/state/state-backend.js';
import { Collector } from '../operator-harness.js';
import { tempDir } from './checkpoint-run.js';

/** Rows `[id, ts]`; watermark `ts - 5`; outputs `[ts, id]` (a projection, so rows are rebuilt). */
const config: TableSourceScanConfig = {
  tableName: 't',
  physicalIndex: [0, 1],
  computed: [undefined, undefined],
  projection: [1, 0],
  watermark: { rowtimeIndex: 1, expr: (row) => (row[1] as number) - 5 },
};

function open(state: StateBackend): { scan: TableSourceScan; out: Collector } {
  const scan = new TableSourceScan(config);
  const out = new Collector();
  scan.open(out.contextFor('TableSourceScan#1', state));
  return { scan, out };
}

const chunk = (split: string, times: number[], splitEnded = false): SourceChunk => ({
  split,
  rows: times.map((ts, i): Row => [`${split}${i}`, ts]),
  splitEnded,
});

/** Two splits: the source's watermark is the minimum over the active ones; an ended split stops counting. */
const chunks: SourceChunk[] = [
  chunk('a', [10, 20]),
  chunk('b', [12]),
  chunk('a', [30]),
  chunk('b', [11, 25]),
  chunk('b', [26], true),
  chunk('a', [31, 18, 40]),
];

describe('TableSourceScan', () => {
  it('tracks per-split watermarks, emits the minimum, and +∞ when finished', () => {
    const { scan, out } = open(new StateBackend());
    for (const c of chunks) scan.processChunk(c);
    scan.finish();
    // b's first watermark (7) is behind the 15 that a, alone until then, already emitted: never decreases.
    expect(out.watermarks).toEqual([15, 20, 21, 26, 35, MAX_WATERMARK]);
    expect(out.changes.map((c) => c.row)).toContainEqual([18, 'a1']);
    expect(out.ended).toBe(true);
  });

  it("passes a chunk's row kinds on (a source of updates); a chunk without kinds is inserts", () => {
    const { scan, out } = open(new StateBackend());
    scan.processChunk(chunk('a', [10]));
    scan.processChunk({ split: 'a', rows: [['x', 11], ['x', 12], ['y', 13]], kinds: [UPDATE_BEFORE, UPDATE_AFTER, DELETE] });
    expect(out.changes.map((c) => [c.kind, c.row])).toEqual([
      ['+I', [10, 'a0']],
      ['-U', [11, 'x']],
      ['+U', [12, 'x']],
      ['-D', [13, 'y']],
    ]);
  });

  describe('checkpoint and restore', () => {
    it('restores per-split, pending and emitted watermarks, and goes on as an uninterrupted run', () => {
      const straight = open(new StateBackend());
      for (const c of chunks) straight.scan.processChunk(c);
      straight.scan.finish();

      for (let cut = 0; cut <= chunks.length; cut++) {
        const { dir, remove } = tempDir();
        const path = join(dir, 'state.sqlite');
        try {
          const store = new SqliteStateStore(path);
          const backend = new StateBackend(store);
          const first = open(backend);
          for (const c of chunks.slice(0, cut)) first.scan.processChunk(c);
          store.commit({ id: 1, time: 0, sources: {}, sinks: {} }, () => backend.writeChanges());
          const committed = first.out.events.length;
          const watermark = first.scan.watermark;
          first.scan.processChunk(chunk('a', [1000])); // lost in the crash
          store.close();

          const store2 = new SqliteStateStore(path);
          const second = open(new StateBackend(store2, true));
          expect(second.scan.watermark).toBe(watermark);
          for (const c of chunks.slice(cut)) second.scan.processChunk(c);
          second.scan.finish();
          store2.close();
          const firstEvents = first.out.events.slice(0, committed);
          expect([...firstEvents, ...second.out.events]).toEqual(straight.out.events);
        } finally {
          remove();
        }
      }
    });
  });

  describe('scan.watermark.idle-timeout', () => {
    afterEach(() => vi.useRealTimers());
    const idle = (): { scan: TableSourceScan; out: Collector } => {
      const scan = new TableSourceScan({ ...config, idleTimeoutMs: 1000 });
      const out = new Collector();
      scan.open(out.contextFor('TableSourceScan#1', new StateBackend()));
      return { scan, out };
    };

    it('without idleness the watermarks are those of the run without the option', () => {
      vi.useFakeTimers({ now: 0, toFake: ['Date'] });
      const { scan, out } = idle();
      for (const c of chunks) {
        scan.processChunk(c);
        vi.setSystemTime(Date.now() + 300); // at most 900 ms between two chunks of a split: never a full time-out
        expect(scan.advanceIdle(Date.now())).toBe(false);
      }
      scan.finish();
      expect(out.watermarks).toEqual([15, 20, 21, 26, 35, MAX_WATERMARK]);
    });

    it('a split announced by an empty chunk holds the watermark back until its rows come, or until it is idle', () => {
      vi.useFakeTimers({ now: 0, toFake: ['Date'] });
      const { scan, out } = idle();
      scan.processChunk({ split: 'b', rows: [] }); // b is known, no rows yet
      scan.processChunk(chunk('a', [100, 110]));
      expect(out.watermarks).toEqual([]); // held back by b: b's first rows (at 20) are not late
      scan.processChunk(chunk('b', [20]));
      expect(out.changes.map((c) => c.row)).toContainEqual([20, 'b0']);
      expect(out.watermarks).toEqual([15]);
      // Another announced split that never brings rows stops holding back once it is idle.
      scan.processChunk({ split: 'c', rows: [] });
      vi.setSystemTime(600);
      scan.processChunk(chunk('a', [130]));
      scan.processChunk(chunk('b', [120]));
      expect(out.watermarks).toEqual([15]);
      vi.setSystemTime(999);
      expect(scan.advanceIdle(Date.now())).toBe(false);
      vi.setSystemTime(1000); // c, announced at 0, brought nothing for 1 s; a and b brought rows 0.4 s ago
      expect(scan.advanceIdle(Date.now())).toBe(true);
      expect(out.watermarks).toEqual([15, 115]);
    });

    it('an idle split stops holding the watermark back, counts again with new rows, and it never goes back', () => {
      vi.useFakeTimers({ now: 0, toFake: ['Date'] });
      const { scan, out } = idle();
      scan.processChunk(chunk('a', [10]));
      vi.setSystemTime(500);
      scan.processChunk(chunk('b', [100]));
      expect(out.watermarks).toEqual([5]); // b (95) is held back by a (5)
      vi.setSystemTime(999);
      expect(scan.advanceIdle(Date.now())).toBe(false);
      vi.setSystemTime(1000); // a brought nothing for 1 s: idle (b brought rows 0.5 s ago)
      expect(scan.advanceIdle(Date.now())).toBe(true);
      expect(out.watermarks).toEqual([5, 95]);
      scan.processChunk(chunk('b', [200])); // only b counts while a is idle
      expect(out.watermarks).toEqual([5, 95, 195]);
      scan.processChunk(chunk('a', [50])); // a is active again: its watermark (45) is behind, nothing goes back
      expect(scan.watermark).toBe(195);
      scan.processChunk(chunk('b', [300])); // now held back by a again
      expect(out.watermarks).toEqual([5, 95, 195]);
      scan.processChunk(chunk('a', [400]));
      expect(out.watermarks).toEqual([5, 95, 195, 295]);
      // Every split idle: the watermark stays where it is.
      vi.setSystemTime(10_000);
      expect(scan.advanceIdle(Date.now())).toBe(false);
      expect(scan.watermark).toBe(295);
    });
  });
});
