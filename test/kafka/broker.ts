// Test-side helpers of the Kafka suite: the address of the broker test/kafka/global-setup.ts started, and topic names.

import { inject } from 'vitest';
import type { KafkaClient, KafkaOutgoingRecord } from '../../src/connectors/kafka/client.js';

/** The address of the suite's broker, e.g. `127.0.0.1:39092`. */
export function kafkaBootstrap(): string {
  return inject('kafkaBootstrap');
}

/** Writes `records` with an idempotent producer of `client` (in sends of at most 500), then closes it. */
export async function produceRecords(client: KafkaClient, records: readonly KafkaOutgoingRecord[]): Promise<void> {
  const producer = await client.producer({ idempotent: true });
  try {
    for (let i = 0; i < records.length; i += 500) await producer.send(records.slice(i, i + 500));
  } finally {
    await producer.close();
  }
}

let topicCounter = 0;
/** A topic name no other test (or earlier run against the same broker) uses. */
export function uniqueTopic(prefix: string): string {
  return `${prefix}-${process.pid}-${Date.now().toString(36)}-${++topicCounter}`;
}

/**
 * Java's `Utils.murmur2` and the default partitioner's `toPositive(murmur2(key)) % partitions`, written out here so
 * the partitions the client picks are checked against Kafka's own rule, not against the client.
 */
export function javaDefaultPartition(key: Buffer, partitions: number): number {
  const m = 0x5bd1e995;
  let h = (0x9747b28c ^ key.length) | 0;
  const whole = key.length & ~3;
  for (let i = 0; i < whole; i += 4) {
    let k = (key[i]! & 0xff) | ((key[i + 1]! & 0xff) << 8) | ((key[i + 2]! & 0xff) << 16) | ((key[i + 3]! & 0xff) << 24);
    k = Math.imul(k, m);
    k ^= k >>> 24;
    k = Math.imul(k, m);
    h = Math.imul(h, m);
    h ^= k;
  }
  const rest = key.length % 4;
  if (rest === 3) h ^= (key[whole + 2]! & 0xff) << 16;
  if (rest >= 2) h ^= (key[whole + 1]! & 0xff) << 8;
  if (rest >= 1) {
    h ^= key[whole]! & 0xff;
    h = Math.imul(h, m);
  }
  h ^= h >>> 13;
  h = Math.imul(h, m);
  h ^= h >>> 15;
  return (h & 0x7fffffff) % partitions;
}
