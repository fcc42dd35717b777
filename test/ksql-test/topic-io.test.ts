// KafkaTopicIO over the client adapter interface, against a small in-memory client: topics are created once,
// records are written in the order given, and a topic is read to its end by a read_committed consumer, a few
// records per fetch, ordered by partition and offset.

import { describe, expect, it } from 'vitest';
import { KafkaTopicIO } from '../../src/ksql-test/topic-io.js';
import { MemoryClient } from './memory-kafka.js';

describe('KafkaTopicIO', () => {
  it('creates topics once, writes in order, reads every record back by partition and offset', async () => {
    const memory = new MemoryClient();
    const io = new KafkaTopicIO(memory.client());
    await io.createTopic('t', 2);
    await io.createTopic('t', 2);
    expect(memory.creates).toBe(1);
    await io.produce([1, 2, 3, 4, 5].map((n) => ({ topic: 't', key: Buffer.from(`k${n}`), value: n === 3 ? null : Buffer.from(`{"n":${n}}`), timestamp: n * 10 })));
    // A record on partition 1, written by someone else: read after partition 0's.
    await (await memory.client().producer()).send([{ topic: 't', partition: 1, key: null, value: 'p1', timestamp: 1 }]);
    const read = await io.readAll('t');
    expect(read.map((r) => [r.partition, Number(r.offset), r.key?.toString() ?? null, r.value?.toString() ?? null, r.timestamp])).toEqual([
      [0, 0, 'k1', '{"n":1}', 10],
      [0, 1, 'k2', '{"n":2}', 20],
      [0, 2, 'k3', null, 30],
      [0, 3, 'k4', '{"n":4}', 40],
      [0, 4, 'k5', '{"n":5}', 50],
      [1, 0, null, 'p1', 1],
    ]);
    expect(memory.isolation).toEqual(['read_committed']);
  });

  it('reads a topic that does not exist as empty', async () => {
    expect(await new KafkaTopicIO(new MemoryClient().client()).readAll('nope')).toEqual([]);
  });
});
