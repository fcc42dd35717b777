/**
 * A checkpoint never records a source whose chunk pacing (`replay.speedup`) holds half-released: those rows
 * already reached the sinks while the source's position is still before the chunk, so a restore would repeat
 * them. The race: a periodic checkpoint found no source holding, then waited for the previous checkpoint to
 * complete (a slow sink commit), and meanwhile the source began its next paced chunk.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Eddy } from '../../src/engine/eddy.js';
import type { ConnectorFactory, SinkWriter, SourceReader } from '../../src/runtime/connector.js';

const CHUNK = 10;
const CHUNKS = 30;

/** Chunks of CHUNK rows, 5 ms of event time apart; its position is the number of rows handed out. */
const pacedSource: ConnectorFactory = {
  identifier: 'paced-chunks',
  description: 'test source',
  options: [{ key: 'replay.speedup', description: 'pacing' }],
  createSource: (ctx): SourceReader => {
    let next = (ctx.restored as number | undefined) ?? 0;
    return {
      bounded: true,
      open: async () => {},
      close: async () => {},
      position: () => next,
      next: async () => {
        // Slow to read: the job's checkpoint timer, not the source's own loop, starts most checkpoints.
        await new Promise((resolve) => setTimeout(resolve, 15));
        if (next >= CHUNK * CHUNKS) return null;
        const rows = Array.from({ length: CHUNK }, (_, i) => [next + i, Date.UTC(2024, 0, 1) + (next + i) * 5]);
        next += CHUNK;
        return { split: 's', rows };
      },
    };
  },
};

/**
 * At every pre-commit, how many rows the sink had received. Pre-commits take longer than the checkpoint
 * interval and commits are slow, so the job's checkpoint timer asks for a checkpoint while the source's own
 * one is being taken, and waits.
 */
const preCommitCounts: number[] = [];
const slowCommitSink: ConnectorFactory = {
  identifier: 'slow-commit',
  description: 'test sink',
  options: [],
  createSink: (): SinkWriter => {
    let count = 0;
    return {
      open: async () => {},
      close: async () => {},
      flush: async () => {},
      write: (batch) => {
        count += batch.rows.length;
      },
      preCommit: async () => {
        preCommitCounts.push(count);
        await new Promise((resolve) => setTimeout(resolve, 30));
        return count;
      },
      commit: () => new Promise((resolve) => setTimeout(resolve, 40)),
    };
  },
};

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('checkpoints and paced sources', () => {
  it('every checkpoint sees whole chunks only: the sink has exactly the rows before the recorded position', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'eddy-pacing-'));
    dirs.push(dir);
    preCommitCounts.length = 0;
    const eddy = new Eddy({ connectors: [pacedSource, slowCommitSink], stateDir: join(dir, 'state') });
    try {
      await eddy.execute("SET 'table.dml-sync' = 'true'");
      await eddy.execute("SET 'execution.checkpointing.interval' = '10 ms'");
      await eddy.execute(`CREATE TABLE src (id INT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts) WITH ('connector' = 'paced-chunks', 'replay.speedup' = '1')`);
      await eddy.execute(`CREATE TABLE out (id INT) WITH ('connector' = 'slow-commit')`);
      await eddy.execute('INSERT INTO out SELECT id FROM src');
    } finally {
      await eddy.close();
    }
    // Several checkpoints were taken while the job ran (the last one at its end has every row).
    expect(preCommitCounts.length).toBeGreaterThan(3);
    expect(preCommitCounts.at(-1)).toBe(CHUNK * CHUNKS);
    // A count that is not a whole number of chunks is a checkpoint taken with a chunk half-released.
    expect(preCommitCounts.filter((c) => c % CHUNK !== 0)).toEqual([]);
  }, 60_000);
});
