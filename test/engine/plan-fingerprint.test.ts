/**
 * The fingerprint that guards restores hashes node ids and declared state, not EXPLAIN's text: rewording
 * EXPLAIN leaves it unchanged, while a change to what the state holds (another aggregate, another key
 * type, another window) changes it.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { TestPlanner } from '../planner/helpers.js';

const QUERY = `INSERT INTO out_file SELECT user_id, COUNT(*) FROM TABLE(TUMBLE(TABLE orders, DESCRIPTOR(ts), INTERVAL '10' MINUTES)) GROUP BY user_id, window_start, window_end`;

async function fingerprintOf(sql: string): Promise<string> {
  const { planFingerprint } = await import('../../src/engine/durable-state.js');
  return planFingerprint(new TestPlanner().insert(sql));
}

afterEach(() => {
  vi.doUnmock('../../src/planner/explain.js');
  vi.resetModules();
});

describe('the plan fingerprint', () => {
  it('does not change when EXPLAIN is reworded', async () => {
    const before = await fingerprintOf(QUERY);
    vi.resetModules();
    vi.doMock('../../src/planner/explain.js', async (importOriginal) => {
      const original = await importOriginal<typeof import('../../src/planner/explain.js')>();
      const reword = (text: string) => text.replace(/[a-z]/g, (c) => c.toUpperCase()).replace(/\[/g, '<');
      return {
        ...original,
        explainPhysical: (...args: Parameters<typeof original.explainPhysical>) => reword(original.explainPhysical(...args)),
        explainSink: (...args: Parameters<typeof original.explainSink>) => reword(original.explainSink(...args)),
        explainSinks: (...args: Parameters<typeof original.explainSinks>) => reword(original.explainSinks(...args)),
        exprToString: (...args: Parameters<typeof original.exprToString>) => reword(original.exprToString(...args)),
      };
    });
    const { explainPhysical } = await import('../../src/planner/explain.js');
    const reworded = explainPhysical(new TestPlanner().insert(QUERY).pipeline.root);
    expect(reworded).toContain('WINDOWAGGREGATE'); // the mock is in effect
    expect(await fingerprintOf(QUERY)).toBe(before);
  });

  it('changes when what the state holds changes', async () => {
    const base = await fingerprintOf(QUERY);
    const variants = [
      QUERY.replace('COUNT(*)', 'SUM(qty)'),
      QUERY.replace("INTERVAL '10' MINUTES", "INTERVAL '5' MINUTES"),
      QUERY.replace('SELECT user_id, COUNT(*)', 'SELECT CAST(user_id AS SMALLINT), COUNT(*)').replace('GROUP BY user_id', 'GROUP BY CAST(user_id AS SMALLINT)'),
      QUERY.replace('TUMBLE(TABLE orders, DESCRIPTOR(ts), INTERVAL', "HOP(TABLE orders, DESCRIPTOR(ts), INTERVAL '5' MINUTES, INTERVAL"),
    ];
    const prints = await Promise.all(variants.map(fingerprintOf));
    for (const p of prints) expect(p).not.toBe(base);
    expect(new Set(prints).size).toBe(prints.length);
    // The same plan from another session has the same fingerprint.
    expect(await fingerprintOf(QUERY)).toBe(base);
  });

  it("does not change with a source's options other than its connector (a replay speed, a moved file)", async () => {
    const { planFingerprint } = await import('../../src/engine/durable-state.js');
    const withOptions = (extra: string) =>
      new TestPlanner([
        `CREATE TABLE orders (user_id INT, qty INT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL '5' SECOND)
         WITH ('connector' = 'filesystem', 'format' = 'json'${extra})`,
        `CREATE TABLE out_file (k INT, c BIGINT) WITH ('connector' = 'filesystem', 'path' = '/tmp/out', 'format' = 'json')`,
      ]).insert(QUERY);
    const base = planFingerprint(withOptions(", 'path' = '/tmp/orders'"));
    expect(planFingerprint(withOptions(", 'path' = '/data/orders', 'replay.speedup' = '50'"))).toBe(base);
  });
});
