// Topics in tests: producing records, reading a whole topic back (every partition from offset 0 to its end), and
// compacting it by key as Kafka's log compaction would: the last record of each key, a tombstone (null value)
// meaning the key is absent.

import type { KafkaClient, KafkaOutgoingRecord, KafkaRecord } from '../../src/connectors/kafka/client.js';

/** Sends `records` with an idempotent producer. */
export async function produce(client: KafkaClient, records: KafkaOutgoingRecord[]): Promise<void> {
  const producer = await client.producer({ idempotent: true });
  try {
    await producer.send(records);
  } finally {
    await producer.close();
  }
}

type Isolation = 'read_committed' | 'read_uncommitted';

/**
 * Every record of `topic` a consumer with `isolation` (default read_committed) sees, from the start to the last
 * stable offset. The markers of a committed transaction reach the partitions shortly after the commit returns, so a
 * reader expecting `atLeast` records reads again until it has them (or 20 s passed; the caller's assertion then fails).
 */
export async function readTopic(client: KafkaClient, topic: string, atLeast = 0, isolation: Isolation = 'read_committed'): Promise<KafkaRecord[]> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const records = await readOnce(client, topic, isolation);
    if (records.length >= atLeast || Date.now() > deadline) return records;
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function readOnce(client: KafkaClient, topic: string, isolation: Isolation): Promise<KafkaRecord[]> {
  const admin = await client.admin();
  const [meta] = await admin.describeTopics([topic]).finally(() => admin.close());
  const consumer = await client.consumer({ isolationLevel: isolation });
  try {
    await consumer.assign(meta!.partitions.map((p) => ({ topic, partition: p.partition, offset: 0n })));
    const records: KafkaRecord[] = [];
    const caughtUp = new Map(meta!.partitions.map((p) => [p.partition, false]));
    const deadline = Date.now() + 60_000;
    while ([...caughtUp.values()].includes(false)) {
      if (Date.now() > deadline) throw new Error(`topic ${topic}: not caught up after 60 s`);
      for (const batch of await consumer.fetch({ maxWaitMs: 200 })) {
        records.push(...batch.records);
        caughtUp.set(batch.partition, batch.nextOffset >= batch.endOffset);
      }
    }
    return records;
  } finally {
    await consumer.close();
  }
}

/** The topic compacted: key text -> value text of the key's last record, keys whose last record is a tombstone left out. */
export function compact(records: readonly KafkaRecord[]): Map<string, string> {
  const last = new Map<string, string | null>();
  // Records of one key are in one partition, in offset order: the order within a partition is the order written.
  for (const r of [...records].sort((a, b) => a.partition - b.partition || Number(a.offset - b.offset))) {
    last.set(r.key!.toString('utf8'), r.value === null ? null : r.value.toString('utf8'));
  }
  return new Map([...last].filter((e): e is [string, string] => e[1] !== null));
}
