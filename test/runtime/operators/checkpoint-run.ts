/**
 * Checkpoint/restore runs for operator tests: the same steps run straight through, and run with checkpoints
 * into a real SQLite state store, each followed by a "crash" and a restore into a fresh operator instance.
 * Both runs' outputs must match.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StreamOperator } from '../../../src/runtime/operator.js';
import { SqliteStateStore } from '../../../src/runtime/state/sqlite-state-store.js';
import { StateBackend } from '../../../src/runtime/state/state-backend.js';
import type { Row } from '../../../src/runtime/changelog.js';
import { type Change, OperatorHarness } from '../operator-harness.js';

/** One thing done to an operator (a batch, a watermark, the end of input). */
export type Step<Op extends StreamOperator> = (h: OperatorHarness<Op>) => void;

/** What a run produced. */
export interface RunOutput {
  readonly changes: Change[];
  readonly watermarks: number[];
  readonly ended: boolean;
  /** Counter values summed over the run's segments (work lost to a crash not counted). */
  readonly counters: Record<string, number>;
}

/** A fresh temporary directory, removed by the returned function. */
export function tempDir(): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'eddy-state-test-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

function outputOf(h: OperatorHarness<any>): RunOutput {
  const counters: Record<string, number> = {};
  for (const [name, c] of h.counters) counters[name] = c.value;
  return { changes: h.changes, watermarks: h.watermarks, ended: h.ended, counters };
}

function concat(parts: RunOutput[]): RunOutput {
  const counters: Record<string, number> = {};
  for (const p of parts) for (const [k, v] of Object.entries(p.counters)) counters[k] = (counters[k] ?? 0) + v;
  return {
    changes: parts.flatMap((p) => p.changes),
    watermarks: parts.flatMap((p) => p.watermarks),
    ended: parts.some((p) => p.ended),
    counters,
  };
}

/** Runs every step on one in-memory operator. */
export function runStraight<Op extends StreamOperator>(make: () => Op, steps: readonly Step<Op>[]): RunOutput {
  const h = new OperatorHarness(make());
  for (const step of steps) step(h);
  return outputOf(h);
}

/**
 * Runs the steps on an operator whose state lives in a SQLite store. Before each step index in `cuts` it
 * commits a checkpoint, does up to `lost` more steps (work a crash then loses: neither their output nor
 * their state survives), closes the store, and goes on from the checkpoint with a fresh operator on a
 * fresh store restored from the same file. Returns the output before each checkpoint plus the output after
 * the last restore.
 */
export function runRestored<Op extends StreamOperator>(
  make: () => Op,
  steps: readonly Step<Op>[],
  cuts: readonly number[],
  lost = 0,
): RunOutput {
  const { dir, remove } = tempDir();
  const path = join(dir, 'state.sqlite');
  let store = new SqliteStateStore(path);
  let backend = new StateBackend(store);
  let h = new OperatorHarness(make(), backend);
  const parts: RunOutput[] = [];
  try {
    let id = 0;
    for (let i = 0; i <= steps.length; i++) {
      if (cuts.includes(i)) {
        const b = backend;
        store.commit({ id: ++id, time: id, sources: {}, sinks: {} }, () => b.writeChanges());
        parts.push(outputOf(h));
        for (let j = i; j < Math.min(steps.length, i + lost); j++) steps[j]!(h);
        store.close();
        store = new SqliteStateStore(path);
        backend = new StateBackend(store, true);
        h = new OperatorHarness(make(), backend);
      }
      if (i < steps.length) steps[i]!(h);
    }
    parts.push(outputOf(h));
  } finally {
    store.close();
    remove();
  }
  return concat(parts);
}

/**
 * The steps {@link feedWithWatermarks} performs: insert batches of random size (1..maxBatch), each followed
 * by the watermark `max(ts so far) - lag` (time in column 2), then the end of input.
 */
export function streamSteps<Op extends StreamOperator>(rows: Row[], rng: () => number, lag: number, maxBatch: number): Step<Op>[] {
  const steps: Step<Op>[] = [];
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < rows.length; ) {
    const size = 1 + Math.floor(rng() * maxBatch);
    const batch = rows.slice(i, i + size);
    i += size;
    for (const r of batch) if ((r[2] as number) > max) max = r[2] as number;
    const wm = max - lag;
    steps.push((h) => h.insert(...batch), (h) => h.watermark(wm));
  }
  steps.push((h) => h.finish());
  return steps;
}

/** Up to `n` distinct random cut positions in `0..steps`, ascending. */
export function randomCuts(rng: () => number, steps: number, n: number): number[] {
  const cuts = new Set<number>();
  for (let i = 0; i < n; i++) cuts.add(Math.floor(rng() * (steps + 1)));
  return [...cuts].sort((a, b) => a - b);
}
