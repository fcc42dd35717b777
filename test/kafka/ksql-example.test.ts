/**
 * Issue 18: the ksqlDB script of examples/ksql runs unchanged against a real broker (kafka.sql sets
 * 'bootstrap.servers' first), with the same answers as on the embedded log (test/e2e/ksql-example.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { resolve } from 'node:path';
import { kafkaBootstrap } from './broker.js';
import { createKafkajsClient } from '../../src/connectors/kafka/kafkajs-client.js';
import { EXPECTED_ANSWERS, runPageviewsExample } from '../e2e/ksql-example-run.js';

describe('examples/ksql/pageviews.sql on Kafka', () => {
  it('answers its pull queries with the hand-computed rows, its topics on the broker', async () => {
    // The example's topics start empty (another run on this broker may have written them).
    const admin = await createKafkajsClient({ bootstrapServers: [kafkaBootstrap()] }).admin();
    try {
      const mine = ['demo_pageviews', 'PAGEVIEWS_KNOWN', 'VIEWS_PER_REGION', 'USER_PAGES'];
      const existing = (await admin.listTopics()).filter((t) => mine.includes(t));
      if (existing.length > 0) await admin.deleteTopics(existing);
    } finally {
      await admin.close();
    }
    const init = resolve(import.meta.dirname, '../../examples/ksql/kafka.sql');
    const run = await runPageviewsExample(['-i', init, '--define', `bootstrap=${kafkaBootstrap()}`]);
    expect(run.tables, run.err).toEqual(EXPECTED_ANSWERS);
    expect(run.err).toContain(`Set 'bootstrap.servers'`);
    expect(run.err).not.toMatch(/error\[/);
  }, 180_000);
});
