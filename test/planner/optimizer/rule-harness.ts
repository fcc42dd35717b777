/** Shared checks for optimizer rule tests: bind SQL, apply one rule, compare results on random data. */
import { expect } from 'vitest';
import type { LogicalPlan } from '../../../src/planner/logical-plan.js';
import type { OptimizerRule } from '../../../src/planner/optimizer/optimizer-rule.js';
import { bag, evaluate, prng, randomOrders, type TableRows } from '../evaluate.js';
import { TestPlanner } from '../helpers.js';

export const tp = new TestPlanner()
  .ddl(`CREATE VIEW v (a, b, c) AS SELECT user_id, qty * 2, product FROM orders WHERE qty <> 0`)
  .ddl(`CREATE VIEW counts AS SELECT user_id, COUNT(*) AS n, SUM(qty) AS s FROM orders GROUP BY user_id`);

/** Random inputs for every table the standard catalog scans in these tests. */
export function randomTables(seed: number, n = 60): TableRows {
  const rand = prng(seed);
  return { orders: randomOrders(rand, n) };
}

/** Binds `sql` (no optimization). */
export const bound = (sql: string): LogicalPlan => tp.bind(sql).plan;

/**
 * Applies `rule` to the bound plan of `sql` and checks, on several random inputs (empty included), that the
 * rewritten plan gives the same rows as the original. Returns both plans.
 */
export function applyPreserving(rule: OptimizerRule, sql: string, seeds = [1, 2, 3, 4, 5]): { before: LogicalPlan; after: LogicalPlan } {
  const before = bound(sql);
  const after = rule.rewrite(before);
  expect(after.schema.map((f) => f.type.name)).toEqual(before.schema.map((f) => f.type.name));
  expect(bag(evaluate(after, { orders: [] }))).toEqual(bag(evaluate(before, { orders: [] })));
  for (const seed of seeds) {
    const tables = randomTables(seed);
    expect(bag(evaluate(after, tables)), `seed ${seed}`).toEqual(bag(evaluate(before, tables)));
  }
  return { before, after };
}
