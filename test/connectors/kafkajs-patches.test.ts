// The linear replacement of kafkajs's per-partition grouping of a send (src/connectors/kafka/kafkajs-patches.ts):
// the same groups, in the same order, the partitioner asked once per record in order; and kafkajs's producer uses it.

import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import '../../src/connectors/kafka/kafkajs-client.js';
import { groupMessagesPerPartition, linearGroupingInstalled } from '../../src/connectors/kafka/kafkajs-patches.js';

const require = createRequire(import.meta.url);
const partitionMetadata = [0, 1, 2].map((partitionId) => ({ partitionId, leader: 1 }));

describe('kafkajs per-partition grouping', () => {
  it('groups records by the partitioner, keeping their order, one call per record in order', () => {
    const messages = Array.from({ length: 10 }, (_, i) => ({ value: `m${i}`, partition: i % 4 === 0 ? 2 : undefined }));
    const calls: string[] = [];
    let counter = 0;
    // Records with a partition keep it; others go round-robin (as kafkajs's default partitioner without keys).
    const partitioner = ({ message }: { message: unknown }) => {
      const m = message as { value: string; partition?: number };
      calls.push(m.value);
      return m.partition ?? counter++ % 3;
    };
    const groups = groupMessagesPerPartition({ topic: 't', partitionMetadata, messages, partitioner });
    // By hand: m0 -> 2 (given), m1 -> 0, m2 -> 1, m3 -> 2, m4 -> 2 (given), m5 -> 0, m6 -> 1, m7 -> 2, m8 -> 2 (given), m9 -> 0.
    expect(Object.fromEntries(Object.entries(groups).map(([p, list]) => [p, list.map((m) => (m as { value: string }).value)]))).toEqual({
      0: ['m1', 'm5', 'm9'],
      1: ['m2', 'm6'],
      2: ['m0', 'm3', 'm4', 'm7', 'm8'],
    });
    expect(calls).toEqual(messages.map((m) => m.value));
  });

  it('returns no groups for a topic without partition metadata', () => {
    expect(groupMessagesPerPartition({ topic: 't', partitionMetadata: [], messages: [{}], partitioner: () => 0 })).toEqual({});
  });

  it("is the module kafkajs's producer loads", () => {
    expect(linearGroupingInstalled).toBe(true);
    expect(require('kafkajs/src/producer/groupMessagesPerPartition.js')).toBe(groupMessagesPerPartition);
  });
});
