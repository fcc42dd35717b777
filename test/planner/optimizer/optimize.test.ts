import { describe, expect, it } from 'vitest';
import { RULES, optimize } from '../../../src/planner/optimizer/optimize.js';
import { explainLogical } from '../../../src/planner/explain.js';
import { findPhysical, logicalNodes, physicalNodes } from '../helpers.js';
import { bag, evaluate } from '../evaluate.js';
import { bound, randomTables, tp } from './rule-harness.js';

/** Queries the reference evaluator can run (no windows). */
const QUERIES = [
  'SELECT * FROM orders',
  'SELECT id, qty * 2 AS q FROM orders WHERE 1 = 1 AND qty > 0',
  "SELECT a, b FROM v WHERE b > 2 AND c <> 'pear'",
  'SELECT * FROM counts WHERE user_id > 0 AND n > 1',
  'SELECT k, c FROM (SELECT user_id + 1 AS k, COUNT(*) AS c FROM orders GROUP BY user_id + 1) WHERE k = 2',
  'SELECT * FROM (SELECT id FROM orders WHERE qty > 0 UNION ALL SELECT user_id FROM orders) WHERE id > 5',
  'SELECT DISTINCT product FROM orders WHERE price > 0',
  'SELECT q + q AS d FROM (SELECT qty * 2 AS q FROM orders) WHERE q > 0',
  "SELECT user_id, SUM(amount), MAX(price), COUNT(DISTINCT product) FILTER (WHERE qty > 1) FROM orders WHERE product LIKE 'p%' GROUP BY user_id HAVING user_id IS NOT NULL",
  'SELECT * FROM (SELECT id, qty FROM orders WHERE id > 3 LIMIT 5) WHERE qty > 0',
  'SELECT x FROM (SELECT x FROM (SELECT x FROM (SELECT id AS x FROM orders WHERE id > 1) WHERE x > 2) WHERE x > 3) WHERE x < 15',
  "SELECT CASE WHEN qty > 1 + 1 THEN 'big' ELSE 'small' END AS size, COUNT(*) FROM orders GROUP BY CASE WHEN qty > 1 + 1 THEN 'big' ELSE 'small' END",
  // Joins: filters move into the inputs or the condition as far as the join type allows; inputs narrow.
  'SELECT a.id, b.id FROM orders a, orders b WHERE a.user_id = b.user_id AND a.qty > 1 AND b.price > 0',
  'SELECT a.id, b.qty FROM orders a LEFT JOIN orders b ON a.user_id = b.user_id AND b.qty > 0 AND a.id > 3 WHERE a.product <> \'pear\' AND b.price IS NULL',
  'SELECT a.id, b.id FROM orders a RIGHT JOIN orders b ON a.user_id = b.user_id AND a.qty > 0 WHERE b.qty > 0 OR a.qty IS NULL',
  'SELECT * FROM orders a FULL JOIN counts c USING (user_id) WHERE c.n > 1 OR a.id < 5',
  'SELECT c.user_id, COUNT(*) FROM orders a JOIN counts c ON a.user_id = c.user_id AND a.qty < c.s WHERE 1 = 1 GROUP BY c.user_id',
  'SELECT a.id FROM orders a CROSS JOIN orders b WHERE a.id + b.id = 10 AND b.product LIKE \'p%\'',
  // Subqueries (semi and anti joins): filters on the outer rows move below them; a condition of an anti
  // join on the outer row alone stays in it (the row passes when it is FALSE).
  'SELECT a.id FROM orders a WHERE a.qty > 1 AND NOT EXISTS (SELECT * FROM orders b WHERE b.user_id = a.user_id AND b.qty > a.qty AND b.price > 0)',
  'SELECT id FROM orders a WHERE NOT EXISTS (SELECT * FROM counts c WHERE c.user_id = a.user_id AND a.qty > 2)',
  'SELECT id FROM orders a WHERE EXISTS (SELECT * FROM counts c WHERE c.user_id = a.user_id AND a.qty > 2)',
  'SELECT id, product FROM orders WHERE qty NOT IN (SELECT qty FROM orders WHERE price > 0) AND id > 2',
  'SELECT id FROM orders a WHERE user_id IN (SELECT user_id FROM counts WHERE n > 1) AND a.price IS NOT NULL',
  'SELECT id, (SELECT COUNT(*) FROM orders b WHERE b.user_id = a.user_id AND b.qty > 1) AS c, (SELECT MAX(price) FROM orders) AS m FROM orders a WHERE a.qty > (SELECT MIN(qty) FROM orders)',
];

describe('optimize', () => {
  it('applies the rules in the documented order', () => {
    expect(RULES.map((r) => r.name)).toEqual(['constant-folding', 'push-down-filter', 'bound-rank', 'prune-join-inputs', 'merge-projections', 'prune-scan-columns']);
  });

  it.each(QUERIES)('reaches a fixed point and preserves results: %s', (sql) => {
    const plan = bound(sql);
    const optimized = optimize(plan);
    const text = explainLogical(optimized);
    // A fixed point: no single rule changes the result any more, nor does optimizing again.
    for (const rule of RULES) expect(explainLogical(rule.rewrite(optimized)), rule.name).toBe(text);
    expect(explainLogical(optimize(optimized))).toBe(text);
    // ... and says so by returning the same object, which is how the optimizer's loop sees it (not by EXPLAIN text).
    for (const rule of RULES) expect(rule.rewrite(optimized), rule.name).toBe(optimized);
    expect(optimize(optimized)).toBe(optimized);
    for (const seed of [11, 12, 13]) {
      const tables = randomTables(seed, 80);
      expect(bag(evaluate(optimized, tables)), `seed ${seed}`).toEqual(bag(evaluate(plan, tables)));
    }
  });

  it('a deep stack of filters and projections ends as one filter over a scan of the one column read', () => {
    const optimized = optimize(bound(QUERIES[10]!));
    expect(logicalNodes(optimized).map((n) => n.kind)).toEqual(['LogicalFilter', 'LogicalScan']);
    expect(explainLogical(optimized).split('\n')[0]).toBe('LogicalFilter(condition=[((id > 1) AND (id > 2) AND (id > 3) AND (id < 15))])');
  });

  it('a filter on a group key is pushed below the GroupAggregate', () => {
    const planned = tp.plan('SELECT * FROM counts WHERE user_id > 0');
    const agg = findPhysical(planned.pipeline.root, 'GroupAggregate');
    const below = findPhysical(agg.input, 'Calc');
    expect(explainLogical(planned.optimized)).toMatch(/LogicalAggregate[^\n]*\n\s*\+- LogicalFilter\(condition=\[\(user_id > 0\)\]\)/);
    expect(below.condition).toBeDefined();
    // Nothing filters above the aggregation.
    const above = physicalNodes(planned.pipeline.root).slice(0, physicalNodes(planned.pipeline.root).indexOf(agg));
    expect(above.every((n) => n.kind !== 'Calc' || n.condition === undefined)).toBe(true);
  });

  it('a filter on an aggregate value stays above the GroupAggregate', () => {
    const planned = tp.plan('SELECT * FROM counts WHERE n > 1');
    const root = planned.pipeline.root;
    expect(root.kind).toBe('Calc');
    expect(root.kind === 'Calc' && root.condition).toBeTruthy();
    const agg = findPhysical(root, 'GroupAggregate');
    expect(physicalNodes(agg.input).every((n) => n.kind !== 'Calc' || n.condition === undefined)).toBe(true);
  });

  it('optimizing the same plan twice gives identical text (no hidden state)', () => {
    for (const sql of QUERIES) expect(explainLogical(optimize(bound(sql)))).toBe(explainLogical(optimize(bound(sql))));
  });

  it('an empty rule list leaves the plan alone', () => {
    const plan = bound(QUERIES[1]!);
    expect(optimize(plan, [])).toBe(plan);
  });
});
