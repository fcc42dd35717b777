// Test-side helpers of the Kafka suite: the address of the broker test/kafka/global-setup.ts started, and topic names.

import { inject } from 'vitest';

/** The address of the suite's broker, e.g. `127.0.0.1:39092`. */
export function kafkaBootstrap(): string {
  return inject('kafkaBootstrap');
}

let topicCounter = 0;
/** A topic name no other test (or earlier run against the same broker) uses. */
export function uniqueTopic(prefix: string): string {
  return `${prefix}-${process.pid}-${Date.now().toString(36)}-${++topicCounter}`;
}
