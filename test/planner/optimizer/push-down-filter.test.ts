import { describe, expect, it } from 'vitest';
import { pushDownFilter } from '../../../src/planner/optimizer/push-down-filter.js';
import type { LogicalPlan } from '../../../src/planner/logical-plan.js';
import { explainLogical } from '../../../src/planner/explain.js';
import { findLogical, logicalNodes, shape } from '../helpers.js';
import { applyPreserving, bound } from './rule-harness.js';

/** The node kind directly below each filter. */
const belowFilters = (p: LogicalPlan) => logicalNodes(p).filter((n) => n.kind === 'LogicalFilter').map((f) => (f as { input: LogicalPlan }).input.kind);

describe('push-down-filter', () => {
  it('is named after its file', () => {
    expect(pushDownFilter.name).toBe('push-down-filter');
  });

  it('pushes a filter below a projection, substituting the projected expression', () => {
    const { before, after } = applyPreserving(pushDownFilter, 'SELECT * FROM (SELECT id, qty * 2 AS q2 FROM orders) WHERE q2 > 2');
    expect(belowFilters(before)).toEqual(['LogicalProject']);
    expect(belowFilters(after)).toEqual(['LogicalScan']);
    expect(explainLogical(findLogical(after, 'LogicalFilter')).split('\n')[0]).toBe('LogicalFilter(condition=[((qty * 2) > 2)])');
  });

  it('merges adjacent filters into one AND (the lower condition first)', () => {
    const { after } = applyPreserving(pushDownFilter, 'SELECT * FROM (SELECT * FROM orders WHERE qty > 0) WHERE id < 10');
    const filters = logicalNodes(after).filter((n) => n.kind === 'LogicalFilter');
    expect(filters).toHaveLength(1);
    expect(explainLogical(filters[0]!).split('\n')[0]).toBe('LogicalFilter(condition=[((qty > 0) AND (id < 10))])');
  });

  it('pushes through a chain of views down to the scan', () => {
    const { after } = applyPreserving(pushDownFilter, 'SELECT a FROM v WHERE b > 2 AND c = \'pear\'');
    expect(belowFilters(after)).toEqual(['LogicalScan']);
    expect(logicalNodes(after).filter((n) => n.kind === 'LogicalFilter')).toHaveLength(1);
  });

  it('pushes a filter into every input of a UNION ALL', () => {
    const { after } = applyPreserving(pushDownFilter, 'SELECT * FROM (SELECT id FROM orders UNION ALL SELECT user_id FROM orders) WHERE id > 5');
    expect(after.kind).not.toBe('LogicalFilter');
    const union = findLogical(after, 'LogicalUnion');
    for (const input of union.inputs) expect(shape(input)).toContain('LogicalFilter');
    expect(belowFilters(after)).toEqual(['LogicalScan', 'LogicalScan']);
  });

  it('pushes a filter on a group key below the aggregation', () => {
    const { before, after } = applyPreserving(pushDownFilter, 'SELECT * FROM counts WHERE user_id > 0');
    expect(belowFilters(before)).toEqual(['LogicalProject']);
    const agg = findLogical(after, 'LogicalAggregate');
    expect(shape(agg.input)).toContain('LogicalFilter');
    expect(belowFilters(after)).toEqual(['LogicalScan']);
  });

  it('pushes a filter on a computed group key, substituting the key expression', () => {
    const { after } = applyPreserving(pushDownFilter, 'SELECT k, c FROM (SELECT user_id + 1 AS k, COUNT(*) AS c FROM orders GROUP BY user_id + 1) WHERE k = 2');
    expect(explainLogical(findLogical(after, 'LogicalFilter')).split('\n')[0]).toBe('LogicalFilter(condition=[((user_id + 1) = 2)])');
  });

  it('does not push a filter on an aggregate value below the aggregation', () => {
    const { after } = applyPreserving(pushDownFilter, 'SELECT * FROM counts WHERE n > 1');
    expect(belowFilters(after)).toEqual(['LogicalAggregate']);
  });

  it('HAVING mixing a key and an aggregate stays above the aggregation', () => {
    const { after } = applyPreserving(pushDownFilter, 'SELECT user_id, COUNT(*) FROM orders GROUP BY user_id HAVING user_id > 0 OR COUNT(*) > 2');
    expect(belowFilters(after)).toEqual(['LogicalAggregate']);
  });

  it('does not push a filter below LIMIT (it would change which rows are kept)', () => {
    const { after } = applyPreserving(pushDownFilter, 'SELECT * FROM (SELECT id, qty FROM orders LIMIT 10) WHERE qty > 1');
    expect(belowFilters(after)).toEqual(['LogicalLimit']);
  });

  it('does not push below a projection whose referenced expression is non-deterministic', () => {
    const plan = bound('SELECT * FROM (SELECT id, RAND() AS r FROM orders) WHERE r < 0.5');
    const after = pushDownFilter.rewrite(plan);
    expect(belowFilters(after)).toEqual(['LogicalProject']);
  });

  it('may push past a non-deterministic column the filter does not read', () => {
    const { after } = applyPreserving(pushDownFilter, 'SELECT id FROM (SELECT id, qty, UUID() AS u FROM orders) WHERE qty > 0');
    expect(belowFilters(after)).toEqual(['LogicalScan']);
  });

  it('pushes a filter below a window TVF when it reads no window column', () => {
    const plan = bound("SELECT * FROM (SELECT * FROM TABLE(TUMBLE(TABLE orders, DESCRIPTOR(ts), INTERVAL '1' MINUTE))) WHERE qty > 1");
    const after = pushDownFilter.rewrite(plan);
    const wtf = findLogical(after, 'LogicalWindowTableFunction');
    expect(wtf.input.kind).toBe('LogicalFilter');
    const onWindow = pushDownFilter.rewrite(bound("SELECT * FROM (SELECT * FROM TABLE(TUMBLE(TABLE orders, DESCRIPTOR(ts), INTERVAL '1' MINUTE))) WHERE window_start > ts"));
    expect(belowFilters(onWindow)).toEqual(['LogicalWindowTableFunction']);
  });

  it('a filter already on the scan stays put', () => {
    const plan = bound('SELECT id FROM orders WHERE qty > 1');
    expect(explainLogical(pushDownFilter.rewrite(plan))).toBe(explainLogical(plan));
  });
});

describe('regressions', () => {
  it('does not push a non-deterministic HAVING below the aggregation', () => {
    const after = pushDownFilter.rewrite(bound('SELECT user_id, COUNT(*) FROM orders GROUP BY user_id HAVING RAND() < 0.5'));
    expect(belowFilters(after)).toEqual(['LogicalAggregate']);
  });
});

describe('push-down-filter over joins', () => {
  /** The join of a plan, with its inputs' filters and its condition as text. */
  const joinOf = (p: LogicalPlan) => {
    const join = findLogical(p, 'LogicalJoin');
    const filterText = (input: LogicalPlan) => (input.kind === 'LogicalFilter' ? explainLogical(input).split('\n')[0] : undefined);
    return { join, left: filterText(join.left), right: filterText(join.right), condition: explainLogical(join).split('\n')[0] };
  };
  /** The filters above the join (their first lines). */
  const above = (p: LogicalPlan) => logicalNodes(p).filter((n) => n.kind === 'LogicalFilter' && n.input.kind === 'LogicalJoin').map((f) => explainLogical(f).split('\n')[0]);

  it('INNER: one-sided WHERE parts go into their input, two-sided ones into the join condition', () => {
    const { after } = applyPreserving(pushDownFilter, 'SELECT a.id, b.id FROM orders a, orders b WHERE a.user_id = b.user_id AND a.qty > 1 AND b.price > 0');
    const j = joinOf(after);
    expect(j.left).toBe('LogicalFilter(condition=[(qty > 1)])');
    expect(j.right).toBe('LogicalFilter(condition=[(price > 0)])');
    expect(j.condition).toBe('LogicalJoin(joinType=[inner], condition=[(user_id = user_id0)])');
    expect(above(after)).toEqual([]);
  });

  it('LEFT: a WHERE part on the left side moves into the left input; one on the right side stays above the join', () => {
    const sql = 'SELECT a.id, b.qty FROM orders a LEFT JOIN orders b ON a.user_id = b.user_id WHERE a.qty > 0 AND b.qty > 0';
    const { after } = applyPreserving(pushDownFilter, sql, [1, 2, 3, 4, 5, 6, 7, 8]);
    const j = joinOf(after);
    expect(j.left).toBe('LogicalFilter(condition=[(qty > 0)])');
    expect(j.right).toBeUndefined();
    expect(above(after)).toEqual(['LogicalFilter(condition=[(qty0 > 0)])']);
  });

  it('LEFT: IS NULL on the right side (an anti-join) must stay above the join', () => {
    const { after } = applyPreserving(pushDownFilter, 'SELECT a.id FROM orders a LEFT JOIN orders b ON a.user_id = b.user_id WHERE b.id IS NULL');
    expect(joinOf(after).right).toBeUndefined();
    expect(above(after)).toEqual(['LogicalFilter(condition=[id0 IS NULL])']);
  });

  it('LEFT: an ON part on the right side moves into the right input; one on the left side stays in the condition', () => {
    const { after } = applyPreserving(pushDownFilter, 'SELECT a.id, b.id FROM orders a LEFT JOIN orders b ON a.user_id = b.user_id AND b.qty > 0 AND a.qty > 1');
    const j = joinOf(after);
    expect(j.right).toBe('LogicalFilter(condition=[(qty > 0)])');
    expect(j.left).toBeUndefined();
    expect(j.condition).toBe('LogicalJoin(joinType=[left], condition=[((user_id = user_id0) AND (qty > 1))])');
  });

  it('RIGHT mirrors LEFT; FULL moves nothing, neither from WHERE nor from ON', () => {
    const right = applyPreserving(pushDownFilter, 'SELECT a.id, b.id FROM orders a RIGHT JOIN orders b ON a.user_id = b.user_id AND a.qty > 0 WHERE b.price > 0 AND a.price > 0').after;
    expect(joinOf(right).left).toBe('LogicalFilter(condition=[(qty > 0)])');
    expect(joinOf(right).right).toBe('LogicalFilter(condition=[(price > 0)])');
    expect(above(right)).toEqual(['LogicalFilter(condition=[(price > 0)])']);
    const full = applyPreserving(pushDownFilter, 'SELECT a.id, b.id FROM orders a FULL JOIN orders b ON a.user_id = b.user_id AND a.qty > 0 AND b.qty > 0 WHERE b.price > 0 AND a.price > 0').after;
    expect(joinOf(full).left).toBeUndefined();
    expect(joinOf(full).right).toBeUndefined();
    expect(above(full)).toHaveLength(1);
  });

  it('an outer join keeps a WHERE part that reads both sides above it, and non-deterministic parts never move', () => {
    const { after } = applyPreserving(pushDownFilter, 'SELECT a.id FROM orders a LEFT JOIN orders b ON a.user_id = b.user_id WHERE a.qty < b.qty');
    expect(joinOf(after).condition).toBe('LogicalJoin(joinType=[left], condition=[(user_id = user_id0)])');
    expect(above(after)).toEqual(['LogicalFilter(condition=[(qty < qty0)])']);
    const rand = pushDownFilter.rewrite(bound('SELECT a.id FROM orders a JOIN orders b ON a.user_id = b.user_id AND RAND() < 0.5 WHERE RAND() < 0.5'));
    expect(joinOf(rand).condition).toContain('AND (RAND() < 0.5)');
    expect(above(rand)).toHaveLength(1);
  });
});
