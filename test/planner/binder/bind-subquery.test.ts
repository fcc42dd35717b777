/** Binding subqueries in expressions into semi, anti and LEFT joins (bind-subquery.ts), and their refusals. */
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../src/common/errors.js';
import { explainLogical, exprToString } from '../../../src/planner/explain.js';
import { uniqueNames, type LogicalPlan } from '../../../src/planner/logical-plan.js';
import { TestPlanner, expectError, findLogical, findPhysical, shape, spanText, ty } from '../helpers.js';

const tp = new TestPlanner().ddl(`CREATE VIEW counts AS SELECT user_id, COUNT(*) AS c FROM orders GROUP BY user_id`);

/** The condition of the first LogicalJoin, over `[...left, ...right]` named. */
function joinOf(plan: LogicalPlan) {
  const j = findLogical(plan, 'LogicalJoin');
  const names = uniqueNames([...j.left.schema, ...j.right.schema].map((f) => f.name));
  return { join: j, condition: exprToString(j.condition, names) };
}

describe('IN / EXISTS become semi joins, NOT IN / NOT EXISTS anti joins', () => {
  it('x IN (SELECT y ...): a semi join on x = y; the output is the outer columns, without time attributes', () => {
    const { plan } = tp.bind('SELECT * FROM clicks WHERE user_id IN (SELECT user_id FROM orders)');
    const { join, condition } = joinOf(plan);
    expect(join.joinType).toBe('semi');
    expect(condition).toBe('(user_id = user_id0)');
    expect(join.schema.map((f) => `${f.name} ${ty(f.type)}`)).toEqual(['user_id INT', 'url STRING', 'ts TIMESTAMP(3)']);
    expect(plan.schema.map((f) => f.name)).toEqual(['user_id', 'url', 'ts']);
  });

  it('x NOT IN (..) with nullable sides: a null-aware anti join; with NOT NULL sides: a plain one on x = y', () => {
    const nullable = joinOf(tp.bind('SELECT * FROM clicks WHERE user_id NOT IN (SELECT user_id FROM orders)').plan);
    expect(nullable.join.joinType).toBe('anti');
    expect(nullable.join.nullAware).toBe(true);
    expect(nullable.condition).toBe('((user_id = user_id0) OR user_id IS NULL OR user_id0 IS NULL)');
    const plain = joinOf(tp.bind('SELECT * FROM clicks WHERE 1 NOT IN (SELECT COUNT(*) FROM orders)').plan);
    expect(plain.join.nullAware).toBeUndefined();
    expect(plain.condition).toBe('(CAST(1 AS BIGINT NOT NULL) = EXPR$0)');
    // NOT (x IN ..) is x NOT IN ..
    expect(joinOf(tp.bind('SELECT * FROM clicks WHERE NOT (user_id IN (SELECT user_id FROM orders))').plan).join.nullAware).toBe(true);
  });

  it('correlated EXISTS: the conditions on outer columns move into the join (keys and residual); the rest filter the subquery', () => {
    const { plan } = tp.bind('SELECT url FROM clicks c WHERE NOT EXISTS (SELECT * FROM orders o WHERE o.user_id = c.user_id AND o.ts > c.ts AND o.qty > 1)');
    const { join, condition } = joinOf(plan);
    expect(join.joinType).toBe('anti');
    expect(condition).toBe('((user_id0 = user_id) AND (ts0 > ts))');
    expect(shape(join.right)).toEqual(['LogicalFilter', 'LogicalScan']);
    const physical = findPhysical(tp.plan('SELECT url FROM clicks c WHERE NOT EXISTS (SELECT * FROM orders o WHERE o.user_id = c.user_id AND o.ts > c.ts AND o.qty > 1)').pipeline.root, 'Join');
    expect(physical.leftKeys.map((k) => exprToString(k))).toEqual(['user_id']);
    expect(physical.residual && exprToString(physical.residual, uniqueNames([...physical.left.schema, ...physical.right.schema].map((f) => f.name)))).toBe('(ts0 > ts)');
  });

  it('several subqueries, ANDed with other conditions, one join each; nested subqueries plan inside theirs', () => {
    const { plan } = tp.bind(
      'SELECT url FROM clicks WHERE url <> \'x\' AND user_id IN (SELECT user_id FROM orders WHERE id IN (SELECT id FROM orders WHERE qty > 2)) AND EXISTS (SELECT * FROM counts WHERE counts.c > 3)',
    );
    const text = explainLogical(plan);
    expect(text.match(/joinType=\[semi\]/g)).toHaveLength(3);
    expect(text).toContain("LogicalFilter(condition=[(url <> 'x')])");
  });

  it('changelog: a semi join of insert-only inputs is insert-only; an anti join is updating, keyed as the outer rows', () => {
    expect(tp.plan('SELECT * FROM clicks WHERE user_id IN (SELECT user_id FROM orders)').pipeline.root.changelog.kind).toBe('insert-only');
    expect(tp.plan('SELECT * FROM clicks WHERE user_id NOT IN (SELECT user_id FROM orders)').pipeline.root.changelog.kind).toBe('updating');
    const keyed = tp.plan('SELECT * FROM counts WHERE user_id NOT IN (SELECT user_id FROM orders)').pipeline.root;
    expect(keyed.changelog).toEqual({ kind: 'updating', upsertKey: [0] });
    // An updating subquery makes a semi join updating too.
    expect(tp.plan('SELECT * FROM clicks WHERE user_id IN (SELECT user_id FROM counts WHERE c > 1)').pipeline.root.changelog.kind).toBe('updating');
  });
});

describe('scalar subqueries become LEFT joins with an aggregate', () => {
  it('uncorrelated: one global aggregate; COUNT over no rows gives 0, not NULL', () => {
    const { plan } = tp.bind('SELECT url, (SELECT COUNT(*) FROM orders) AS n FROM clicks');
    const { join } = joinOf(plan);
    expect(join.joinType).toBe('left');
    expect(exprToString(join.condition)).toBe('true');
    const top = plan as Extract<LogicalPlan, { kind: 'LogicalProject' }>;
    expect(exprToString(top.exprs[1]!, join.schema.map((f) => f.name))).toBe('CASE WHEN EXPR$marker IS NULL THEN 0 ELSE EXPR$0 END');
    expect(ty(plan.schema[1]!.type)).toBe('BIGINT NOT NULL');
  });

  it('correlated: the subquery grouped by its correlation keys, joined on them; MAX over no rows is NULL', () => {
    const { plan } = tp.bind('SELECT url, (SELECT MAX(qty) FROM orders o WHERE o.user_id = c.user_id AND o.price > 1) AS m FROM clicks c');
    const { join, condition } = joinOf(plan);
    expect(condition).toBe('(user_id = user_id0)');
    const agg = findLogical(join.right, 'LogicalAggregate');
    expect(agg.groupKeys).toHaveLength(1);
    expect(ty(plan.schema[1]!.type)).toBe('INT');
  });

  it('one that does not aggregate gets SINGLE_VALUE (more than one row fails at run time)', () => {
    const { plan } = tp.bind('SELECT url, (SELECT qty FROM orders WHERE id = 7) AS q FROM clicks');
    expect(explainLogical(plan)).toContain('aggs=[SINGLE_VALUE(qty)]');
  });
});

describe('refusals are positioned', () => {
  const cases: [string, string, string, RegExp][] = [
    ['IN under OR', "SELECT * FROM clicks WHERE url = 'a' OR user_id IN (SELECT user_id FROM orders)", 'user_id IN (SELECT user_id FROM orders)', /only as a condition of WHERE/],
    ['EXISTS in the select list', 'SELECT EXISTS (SELECT * FROM orders) FROM clicks', 'EXISTS (SELECT * FROM orders)', /only as a condition of WHERE.*not in the select list/],
    ['scalar subquery in GROUP BY', 'SELECT COUNT(*) FROM clicks GROUP BY (SELECT MAX(id) FROM orders)', '(SELECT MAX(id) FROM orders)', /scalar subquery is supported only/],
    ['correlated IN that aggregates', 'SELECT * FROM clicks c WHERE user_id IN (SELECT MAX(user_id) FROM orders o WHERE o.product = c.url)', 'SELECT MAX(user_id) FROM orders o WHERE o.product = c.url', /correlated IN subquery with GROUP BY/],
    ['correlated scalar subquery without an aggregate', 'SELECT (SELECT qty FROM orders o WHERE o.user_id = c.user_id) FROM clicks c', 'SELECT qty FROM orders o WHERE o.user_id = c.user_id', /must aggregate/],
    ['correlated scalar subquery on a non-equality', 'SELECT (SELECT MAX(qty) FROM orders o WHERE o.ts > c.ts) FROM clicks c', 'o.ts > c.ts', /only equalities/],
  ];
  it.each(cases)('%s', (_, sql, at, message) => {
    const d = expectError(() => tp.bind(sql), ErrorCode.UNSUPPORTED);
    expect(d.message).toMatch(message);
    expect(spanText(sql, d)).toBe(at);
    expect(d.hint).toBeTruthy();
  });

  it('IN with a subquery of another type, or of two columns', () => {
    const sql = "SELECT * FROM clicks WHERE user_id IN (SELECT url FROM clicks)";
    const d = expectError(() => tp.bind(sql), ErrorCode.TYPE_MISMATCH);
    expect(d.message).toBe('IN compares INT with a subquery of STRING values');
    expect(spanText(sql, d)).toBe('user_id IN (SELECT url FROM clicks)');
    expect(expectError(() => tp.bind('SELECT * FROM clicks WHERE user_id IN (SELECT id, qty FROM orders)'), ErrorCode.TYPE_MISMATCH).message).toBe('The subquery of IN must return one column, not 2');
  });
});
