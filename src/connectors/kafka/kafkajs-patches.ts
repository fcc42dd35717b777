// A fix to kafkajs (2.2.x) that must be in place before kafkajs is loaded: ./kafkajs-client.ts imports this module
// before it imports kafkajs.
//
// kafkajs's producer groups the records of a send by partition with `groupMessagesPerPartition`, which copies the
// partition's array for every record (`[...current, message]`): quadratic in the records per partition of one send
// (a send of 6,000 records to 3 partitions copies 6 million array slots, and the garbage dominated the sink's
// profile). Here the same grouping in linear time — the partitioner is called once per record, in order, so every
// record goes to the partition it went to before — is put in Node's require cache under that module's path, where
// kafkajs's `sendMessages` finds it when it is loaded. Should kafkajs have been loaded before (by code outside Eddy),
// its own version stays in use: slower, with the same result.

import Module, { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

interface PartitionMetadata {
  readonly partitionId: number;
  readonly leader: number;
}

type Partitioner = (args: { topic: string; partitionMetadata: readonly PartitionMetadata[]; message: unknown }) => number;

/** kafkajs's `groupMessagesPerPartition`, linear: the records of each partition, in the order given. */
export function groupMessagesPerPartition({
  topic,
  partitionMetadata,
  messages,
  partitioner,
}: {
  topic: string;
  partitionMetadata: readonly PartitionMetadata[];
  messages: readonly unknown[];
  partitioner: Partitioner;
}): Record<number, unknown[]> {
  const result: Record<number, unknown[]> = {};
  if (partitionMetadata.length === 0) return result;
  for (const message of messages) {
    const partition = partitioner({ topic, partitionMetadata, message });
    (result[partition] ??= []).push(message);
  }
  return result;
}

function install(): boolean {
  let path: string;
  try {
    path = require.resolve('kafkajs/src/producer/groupMessagesPerPartition.js');
  } catch {
    return false; // another layout of kafkajs: leave it as it is
  }
  const cached = require.cache[path];
  if (cached) return cached.exports === groupMessagesPerPartition;
  const module = new Module(path);
  module.filename = path;
  module.loaded = true;
  module.exports = groupMessagesPerPartition;
  require.cache[path] = module;
  return true;
}

/** Whether kafkajs uses the linear grouping (false when kafkajs was loaded before this module). */
export const linearGroupingInstalled = install();
