// Exactly-once on the embedded log through crashes, inside `npm test` (no broker): a windowed job reading a
// 3-partition topic of the state directory's log and writing an exactly-once kafka sink into it runs as a real
// `eddy run` process, SIGKILLed at random moments (seeded; EDDY_KILL_SEED=<seed> replays them) and restarted on its
// state directory until it finishes — the approach of test/kafka/e2e-exactly-once.test.ts. Between kills a
// read_committed reader (this process, on the same file) never sees a duplicate or a row outside the final result;
// at the end it sees exactly the batch computation, each key's windows in time order.

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createEmbeddedLogClient } from '../../src/connectors/kafka/embedded-log.js';
import { prng, tempDir } from './helpers.js';
import { batchWindows, createEventTopic, eventRecords, generateEvents, windowedJobScript } from '../kafka/events.js';
import { jsonValues, killRepeatedly, killRuns, multiset, perKeyOrder, produceAll, readCommitted, readCommittedOnce } from '../kafka/run-helpers.js';

afterEach(killRuns);

/** The seed of the kill delays: EDDY_KILL_SEED reproduces a run; otherwise a new one each time, logged. */
const SEED = Number(process.env['EDDY_KILL_SEED'] ?? Math.floor(Math.random() * 2 ** 31));
const KILLS = 6;

describe(`exactly-once on the embedded log through SIGKILLs (seed ${SEED})`, () => {
  it('a windowed job into an exactly-once kafka sink, killed and restarted, writes exactly the batch computation', async () => {
    process.stderr.write(`embedded-log-exactly-once: kill delays seeded with ${SEED} (EDDY_KILL_SEED=${SEED} reproduces them)\n`);
    const dir = tempDir('eddy-elog-eos-');
    const state = join(dir, 'state');
    // The topics live in the state directory's log, which the `eddy run` processes open too.
    const client = createEmbeddedLogClient(join(state, 'topics.db'));
    const admin = await client.admin();
    try {
      await createEventTopic(admin, 'eos-in', 3);
      await admin.createTopic({ topic: 'eos-out', partitions: 3 });
      const keys = Array.from({ length: 20 }, (_, i) => `key-${i}`);
      const events = generateEvents(17, 150_000, keys, 80);
      // Records of about 500 bytes, so each fetch (1 MiB per partition) brings a couple of thousand; checkpoints every
      // 100 ms. A window's row needs all three partitions read past its end, so a run commits output only some time
      // after it starts reading: most kills come up to 500 ms after a run committed more output (the output topic's
      // end moved), so that they land while the job writes its output, whatever the machine's speed.
      await produceAll(client, eventRecords('eos-in', events, 3, { padding: 400 }));
      const script = join(dir, 'job.sql');
      const connection = "'client.library' = 'embedded'";
      writeFileSync(script, windowedJobScript({ connection, input: 'eos-in', output: 'eos-out', txPrefix: 'eos-job', checkpointInterval: '100 ms' }));
      const expected = batchWindows(events, 60_000, 60_000);
      const want = new Set(multiset(expected));
      const committed: number[] = [];
      const last = await killRepeatedly(['run', script, '--state-dir', state], join(state, 'insert-1-per_minute.db'), prng(SEED), KILLS, async () => {
        // What a read_committed reader sees between runs: never a duplicate, always a part of the final result.
        const seen = multiset(jsonValues(await readCommittedOnce(client, admin, 'eos-out')));
        expect(new Set(seen).size).toBe(seen.length);
        expect(seen.filter((v) => !want.has(v))).toEqual([]);
        committed.push(seen.length);
      }, async () => (await admin.listOffsets('eos-out', 'latest')).map((p) => p.offset).join(','));
      expect(await last.exited, last.stderr()).toBe(0);
      process.stderr.write(`embedded-log-exactly-once: rows committed after each kill: ${committed.join(', ')} of ${expected.length}\n`);
      // The kills landed while the job was writing its output.
      expect(committed.filter((n) => n > 0 && n < expected.length).length).toBeGreaterThanOrEqual(2);

      const records = await readCommitted(client, admin, 'eos-out', expected.length);
      // Exactly the batch computation: no duplicates, no gaps; each key's windows in time order.
      expect(multiset(jsonValues(records))).toEqual(multiset(expected));
      for (const [k, list] of perKeyOrder(records)) {
        const starts = list.map((v) => (JSON.parse(v) as { window_start: string }).window_start);
        expect(starts, k).toEqual([...starts].sort());
      }
    } finally {
      await admin.close();
    }
  }, 300_000);
});
