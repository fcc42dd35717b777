/**
 * Issue 18: a ksqlDB-style script (a stream, persistent queries writing a stream and two tables, one windowed,
 * pull queries) runs unchanged with `eddy run` on the embedded log. test/kafka/ksql-example.test.ts runs the
 * same script against a real broker.
 */
import { describe, expect, it } from 'vitest';
import { EXPECTED_ANSWERS, runPageviewsExample } from './ksql-example-run.js';

describe('examples/ksql/pageviews.sql on the embedded log', () => {
  it('answers its pull queries with the hand-computed rows', async () => {
    const run = await runPageviewsExample([]);
    expect(run.tables, run.err).toEqual(EXPECTED_ANSWERS);
    expect(run.err).toContain("Stream 'pageviews' created.");
    expect(run.err).not.toMatch(/error\[/);
  }, 180_000);
});
