/**
 * When checkpoints are taken (Flink's rules): `execution.checkpointing.interval` from the start of one
 * checkpoint to the start of the next, and `execution.checkpointing.min-pause` from the end of one to the
 * start of the next.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EddyError } from '../../src/common/errors.js';
import { Eddy } from '../../src/engine/eddy.js';
import { checkpointDue } from '../../src/runtime/job.js';
import { executeAll, tempDir } from './helpers.js';

describe('checkpoint schedule', () => {
  it('is due an interval after the last start, and no sooner than the pause after the last end', () => {
    const cfg = { intervalMs: 1000 };
    // A checkpoint started at 0 and took 400 ms: the next starts at 1000, not at 1400.
    expect(checkpointDue(999, 0, 400, cfg)).toBe(false);
    expect(checkpointDue(1000, 0, 400, cfg)).toBe(true);
    // One that took longer than the interval is followed at once.
    expect(checkpointDue(1500, 0, 1500, cfg)).toBe(true);
    // With a pause of 500 ms, it waits until 500 ms after the end.
    expect(checkpointDue(1000, 0, 400, { intervalMs: 1000, minPauseMs: 500 })).toBe(true);
    expect(checkpointDue(1500, 0, 1200, { intervalMs: 1000, minPauseMs: 500 })).toBe(false);
    expect(checkpointDue(1700, 0, 1200, { intervalMs: 1000, minPauseMs: 500 })).toBe(true);
  });

  async function checkpointsOf(minPause: string | undefined): Promise<number> {
    const eddy = new Eddy({ stateDir: join(tempDir(), 'state') });
    try {
      // About 0.8 s of paced input, checkpoints every 50 ms.
      await executeAll(
        eddy,
        `CREATE TABLE src (n BIGINT) WITH ('connector' = 'datagen', 'rows-per-second' = '500', 'number-of-rows' = '400', 'fields.n.kind' = 'sequence', 'fields.n.start' = '1', 'fields.n.end' = '400');
         CREATE TABLE sink (n BIGINT, c BIGINT) WITH ('connector' = 'blackhole');
         SET 'execution.checkpointing.interval' = '50 ms';` + (minPause ? `SET 'execution.checkpointing.min-pause' = '${minPause}';` : ''),
      );
      const r = await eddy.execute('INSERT INTO sink SELECT n % 10, COUNT(*) FROM src GROUP BY n % 10');
      if (r.kind !== 'job') throw new Error('expected a job');
      await r.job.done;
      return r.job.progress().checkpoints;
    } finally {
      await eddy.close();
    }
  }

  it('a job checkpoints along the interval; a long pause leaves only its last checkpoint', async () => {
    expect(await checkpointsOf(undefined)).toBeGreaterThanOrEqual(4);
    expect(await checkpointsOf('1 h')).toBe(1);
  });

  it.each([
    ['execution.checkpointing.min-pause', 'soon'],
    ['execution.checkpointing.interval', '0 ms'],
    ['table.exec.state.ttl', 'forever'],
  ])("refuses '%s' = '%s', which is not a duration it takes", async (key, value) => {
    const eddy = new Eddy({ stateDir: join(tempDir(), 'state') });
    try {
      await executeAll(
        eddy,
        `CREATE TABLE src (n BIGINT) WITH ('connector' = 'datagen', 'number-of-rows' = '1');
         CREATE TABLE sink (n BIGINT) WITH ('connector' = 'blackhole');
         SET '${key}' = '${value}';`,
      );
      const err = await eddy.execute('INSERT INTO sink SELECT n FROM src').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(EddyError);
      expect((err as EddyError).message).toBe(`Invalid '${key}': '${value}'`);
    } finally {
      await eddy.close();
    }
  });
});
