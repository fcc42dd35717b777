// KafkaSourceReader.caughtUp (what Eddy.settle asks a Kafka source): true once every record up to each partition's
// end offset has been handed out by next(), false again when new records arrive.

import { describe, expect, it } from 'vitest';
import { T } from '../../src/common/types.js';
import { KafkaSourceReader } from '../../src/connectors/kafka/kafka-source.js';
import { testContext } from '../connectors/context.js';
import { MemoryClient } from './memory-kafka.js';

describe('KafkaSourceReader.caughtUp', () => {
  it('follows what has been handed out against the end offsets', async () => {
    const memory = new MemoryClient();
    const client = memory.client();
    const admin = await client.admin();
    await admin.createTopic({ topic: 't', partitions: 2 });
    const producer = await client.producer();
    const send = (partition: number, v: number) => producer.send([{ topic: 't', partition, key: null, value: JSON.stringify({ v }) }]);
    await send(0, 1);
    await send(1, 2);
    await send(0, 3);
    const options = { connector: 'kafka', topic: 't', 'properties.bootstrap.servers': 'memory:9092', 'scan.startup.mode': 'earliest-offset', format: 'json' };
    const reader = new KafkaSourceReader(testContext([{ name: 'v', type: T.int() }], options), () => client);
    await reader.open();
    try {
      expect(await reader.caughtUp()).toBe(false);
      const rows: unknown[] = [];
      while (!(await reader.caughtUp())) {
        const chunk = await reader.next();
        rows.push(...chunk!.rows.map((r) => r[0]));
        expect(rows.length).toBeLessThanOrEqual(3);
      }
      expect(rows.sort()).toEqual([1, 2, 3]);
      await send(1, 4);
      expect(await reader.caughtUp()).toBe(false);
      while (!(await reader.caughtUp())) rows.push(...(await reader.next())!.rows.map((r) => r[0]));
      expect(rows).toContain(4);
    } finally {
      await reader.close();
    }
    expect(await reader.caughtUp()).toBe(true);
  });
});
