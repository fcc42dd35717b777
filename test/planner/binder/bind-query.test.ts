import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../src/common/errors.js';
import type { LogicalPlan } from '../../../src/planner/logical-plan.js';
import { compileExpr } from '../../../src/expr/compile.js';
import { TestPlanner, expectError, findLogical, shape, spanText, ty } from '../helpers.js';

const tp = new TestPlanner()
  .ddl(`CREATE VIEW v (a, b) AS SELECT user_id, amount * 2 FROM orders WHERE qty > 0`)
  .ddl(`CREATE VIEW counts AS SELECT user_id, COUNT(*) AS c FROM orders GROUP BY user_id`);

const names = (p: LogicalPlan) => p.schema.map((f) => f.name);
const types = (p: LogicalPlan) => p.schema.map((f) => ty(f.type));

describe('select list', () => {
  it('SELECT * expands to every column of the table, in order, with their types', () => {
    const { plan } = tp.bind('SELECT * FROM clicks');
    expect(names(plan)).toEqual(['user_id', 'url', 'ts']);
    expect(types(plan)).toEqual(['INT', 'STRING', 'TIMESTAMP(3) *ROWTIME*']);
    expect(shape(plan)).toEqual(['LogicalProject', 'LogicalScan']);
  });

  it('qualified star t.* expands only that alias; an unknown alias is EDDY-B001', () => {
    expect(names(tp.bind('SELECT c.* FROM clicks AS c').plan)).toEqual(['user_id', 'url', 'ts']);
    expectError(() => tp.bind('SELECT z.* FROM clicks AS c'), ErrorCode.UNKNOWN_TABLE);
  });

  it('columns keep their names, aliases rename, other expressions are EXPR$<position>', () => {
    const { plan } = tp.bind('SELECT user_id, user_id + 1, UPPER(url), url AS u, c.ts FROM clicks c');
    expect(names(plan)).toEqual(['user_id', 'EXPR$1', 'EXPR$2', 'u', 'ts']);
    expect(types(plan)).toEqual(['INT', 'INT', 'STRING', 'STRING', 'TIMESTAMP(3) *ROWTIME*']);
  });

  it('a SELECT without FROM reads one empty row', () => {
    const { plan } = tp.bind("SELECT 1, 'a'");
    expect(shape(plan)).toEqual(['LogicalProject', 'LogicalValues']);
    const values = findLogical(plan, 'LogicalValues');
    expect(values.rows).toEqual([[]]);
    expect(types(plan)).toEqual(['INT NOT NULL', 'STRING NOT NULL']);
  });
});

describe('FROM items', () => {
  it('a view is bound again where used, with its column list renaming the columns', () => {
    const { plan } = tp.bind('SELECT a, b FROM v WHERE b > 1');
    expect(names(plan)).toEqual(['a', 'b']);
    expect(types(plan)).toEqual(['INT', 'DECIMAL(20, 2)']);
    // The view's own WHERE is in the plan (bound again, not a stored plan).
    const filters = shape(plan).filter((k) => k === 'LogicalFilter');
    expect(filters).toHaveLength(2);
    expect(findLogical(plan, 'LogicalScan').table.name).toBe('orders');
  });

  it("a view's original column names are not visible once renamed", () => {
    const d = expectError(() => tp.bind('SELECT user_id FROM v'), ErrorCode.UNKNOWN_COLUMN);
    expect(d.hint).toContain('a, b');
  });

  it('an aggregating view can be queried', () => {
    const { plan } = tp.bind('SELECT c FROM counts WHERE user_id = 1');
    expect(names(plan)).toEqual(['c']);
    expect(types(plan)).toEqual(['BIGINT NOT NULL']);
    expect(findLogical(plan, 'LogicalAggregate').groupKeys).toEqual([0]);
  });

  it('CTEs are visible in the main query, with column lists, and shadow catalog tables', () => {
    const q1 = tp.bind("WITH t AS (SELECT user_id AS k, url FROM clicks) SELECT k FROM t WHERE url = 'x'").plan;
    expect(names(q1)).toEqual(['k']);
    const q2 = tp.bind('WITH t (x, y) AS (SELECT user_id, url FROM clicks) SELECT y FROM t').plan;
    expect(names(q2)).toEqual(['y']);
    expect(types(q2)).toEqual(['STRING']);
    const q3 = tp.bind('WITH orders AS (SELECT url FROM clicks) SELECT * FROM orders').plan;
    expect(names(q3)).toEqual(['url']);
    expect(findLogical(q3, 'LogicalScan').table.name).toBe('clicks');
  });

  it('a later CTE can read an earlier one', () => {
    const { plan } = tp.bind('WITH a AS (SELECT user_id FROM clicks), b AS (SELECT user_id * 2 AS d FROM a) SELECT d FROM b');
    expect(names(plan)).toEqual(['d']);
  });

  it('a CTE column list of the wrong length is EDDY-B013', () => {
    expectError(() => tp.bind('WITH t (x) AS (SELECT user_id, url FROM clicks) SELECT x FROM t'), ErrorCode.INVALID_STATEMENT);
  });

  it('subqueries are qualified by their alias, and can rename their columns', () => {
    expect(names(tp.bind('SELECT s.k FROM (SELECT user_id AS k FROM clicks) AS s').plan)).toEqual(['k']);
    expect(names(tp.bind('SELECT k2 FROM (SELECT user_id AS k FROM clicks) AS s (k2)').plan)).toEqual(['k2']);
    expectError(() => tp.bind('SELECT clicks.user_id FROM (SELECT user_id FROM clicks) AS s'), ErrorCode.UNKNOWN_TABLE);
  });

  it('an unknown table is EDDY-B001 with did-you-mean, spanning the name', () => {
    const sql = 'SELECT * FROM ordrs';
    const d = expectError(() => tp.bind(sql), ErrorCode.UNKNOWN_TABLE);
    expect(d.hint).toBe('did you mean `orders`?');
    expect(spanText(sql, d)).toBe('ordrs');
  });

  it('table names match case-insensitively when unambiguous', () => {
    expect(findLogical(tp.bind('SELECT * FROM CLICKS').plan, 'LogicalScan').table.name).toBe('clicks');
  });
});

describe('set operations and VALUES', () => {
  it('UNION ALL aligns column types to their common type with casts, names from the left', () => {
    const { plan } = tp.bind('SELECT user_id, url FROM clicks UNION ALL SELECT id, product FROM orders');
    expect(plan.kind).toBe('LogicalUnion');
    expect(names(plan)).toEqual(['user_id', 'url']);
    expect(types(plan)).toEqual(['BIGINT', 'STRING']);
    const union = plan as Extract<LogicalPlan, { kind: 'LogicalUnion' }>;
    for (const input of union.inputs) expect(input.schema.map((f) => f.type.name)).toEqual(['BIGINT', 'STRING']);
    const left = union.inputs[0]!;
    expect(left.kind).toBe('LogicalProject');
    expect((left as Extract<LogicalPlan, { kind: 'LogicalProject' }>).exprs[0]).toMatchObject({ kind: 'Call', castTo: { name: 'BIGINT' } });
  });

  it('UNION ALL with different column counts is EDDY-B005 naming both counts', () => {
    const d = expectError(() => tp.bind('SELECT user_id FROM clicks UNION ALL SELECT id, product FROM orders'), ErrorCode.TYPE_MISMATCH);
    expect(d.message).toMatch(/1 and 2/);
  });

  it('UNION ALL of incompatible types is EDDY-B005 naming both', () => {
    const d = expectError(() => tp.bind('SELECT url FROM clicks UNION ALL SELECT id FROM orders'), ErrorCode.TYPE_MISMATCH);
    expect(d.message).toContain('STRING');
    expect(d.message).toContain('BIGINT');
  });

  it('UNION (distinct) is a UNION ALL followed by a group-by on every column', () => {
    const { plan } = tp.bind('SELECT user_id FROM clicks UNION SELECT user_id FROM orders');
    expect(plan.kind).toBe('LogicalAggregate');
    const agg = plan as Extract<LogicalPlan, { kind: 'LogicalAggregate' }>;
    expect(agg.groupKeys).toEqual([0]);
    expect(agg.aggs).toEqual([]);
    expect(agg.input.kind).toBe('LogicalUnion');
  });

  it('INTERSECT is EDDY-L002 with a hint', () => {
    const d = expectError(() => tp.bind('SELECT user_id FROM clicks INTERSECT SELECT user_id FROM orders'), ErrorCode.UNSUPPORTED);
    expect(d.hint).toBeTruthy();
  });

  it('VALUES rows take the common type per column; NULLs make the column nullable', () => {
    const { plan } = tp.bind("VALUES (1, 'a'), (2, NULL), (3000000000, 'c')");
    expect(plan.kind).toBe('LogicalValues');
    expect(names(plan)).toEqual(['EXPR$0', 'EXPR$1']);
    expect(types(plan)).toEqual(['BIGINT NOT NULL', 'STRING']);
    const values = plan as Extract<LogicalPlan, { kind: 'LogicalValues' }>;
    expect(values.rows.map((r) => r.map((e) => compileExpr(e)([])))).toEqual([
      [1, 'a'],
      [2, null],
      [3000000000, 'c'],
    ]);
    for (const r of values.rows) expect(r[0]!.type.name).toBe('BIGINT');
  });

  it('VALUES rows of different widths, or incompatible types, are EDDY-B005', () => {
    expectError(() => tp.bind("VALUES (1, 'a'), (2)"), ErrorCode.TYPE_MISMATCH);
    expectError(() => tp.bind("VALUES (1), ('a')"), ErrorCode.TYPE_MISMATCH);
  });

  it('VALUES in FROM with column aliases', () => {
    const { plan } = tp.bind("SELECT s, n FROM (VALUES (1, 'a'), (2, 'b')) AS t (n, s)");
    expect(names(plan)).toEqual(['s', 'n']);
    expect(types(plan)).toEqual(['STRING NOT NULL', 'INT NOT NULL']);
  });
});

describe('DISTINCT, LIMIT, OFFSET', () => {
  it('SELECT DISTINCT is an aggregate grouping every output column, no aggregate calls', () => {
    const { plan } = tp.bind('SELECT DISTINCT user_id, url FROM clicks');
    expect(plan.kind).toBe('LogicalAggregate');
    const agg = plan as Extract<LogicalPlan, { kind: 'LogicalAggregate' }>;
    expect(agg.groupKeys).toEqual([0, 1]);
    expect(agg.aggs).toEqual([]);
    expect(agg.window).toBeUndefined();
    expect(names(plan)).toEqual(['user_id', 'url']);
  });

  it('SELECT DISTINCT of a rowtime drops the time attribute (the result is updating)', () => {
    const { plan } = tp.bind('SELECT DISTINCT ts FROM clicks');
    expect(plan.schema[0]!.type.timeAttribute).toBeUndefined();
  });

  it('LIMIT and OFFSET take constant expressions', () => {
    const a = tp.bind('SELECT * FROM clicks LIMIT 10 OFFSET 2').plan;
    expect(a).toMatchObject({ kind: 'LogicalLimit', limit: 10, offset: 2 });
    const b = tp.bind('SELECT * FROM clicks LIMIT 2 + 3').plan;
    expect(b).toMatchObject({ kind: 'LogicalLimit', limit: 5, offset: 0 });
    const c = tp.bind('SELECT * FROM clicks OFFSET 4').plan;
    expect(c).toMatchObject({ kind: 'LogicalLimit', offset: 4 });
    expect((c as { limit: number }).limit).toBeGreaterThan(1e15);
  });

  it('LIMIT of a negative, fractional or non-constant value is an error with a span', () => {
    const sql = 'SELECT * FROM clicks LIMIT -1';
    const d = expectError(() => tp.bind(sql), ErrorCode.TYPE_MISMATCH);
    expect(spanText(sql, d)).toBe('-1');
    expectError(() => tp.bind('SELECT * FROM clicks LIMIT 1.5'), ErrorCode.TYPE_MISMATCH);
    // A column is not in scope in LIMIT.
    expectError(() => tp.bind('SELECT * FROM clicks LIMIT user_id'), ErrorCode.UNKNOWN_COLUMN);
  });
});

describe('unsupported constructs: EDDY-L002 with a hint', () => {
  const cases: [string, string, RegExp][] = [
    ['temporal RIGHT join', 'SELECT * FROM orders o RIGHT JOIN clicks FOR SYSTEM_TIME AS OF o.ts AS c ON o.user_id = c.user_id', /FOR SYSTEM_TIME AS OF/],
    ['LATERAL subquery', 'SELECT * FROM orders o, LATERAL (SELECT o.id) AS x', /LATERAL/],
    ['IN subquery under OR', 'SELECT * FROM clicks WHERE user_id = 1 OR user_id IN (SELECT user_id FROM orders)', /IN \(SELECT \.\.\.\) is supported only as a condition of WHERE/],
    ['EXISTS in ON', 'SELECT * FROM clicks c JOIN orders o ON c.user_id = o.user_id AND EXISTS (SELECT 1 FROM orders)', /EXISTS is supported only as a condition of WHERE.*not in ON/],
    ['scalar subquery in an aggregating select list', 'SELECT user_id, COUNT(*) + (SELECT 1) FROM clicks GROUP BY user_id', /scalar subquery is supported only in WHERE and in the select list of a query that does not aggregate/],
    ['correlated scalar subquery without an equality', 'SELECT (SELECT MAX(o.id) FROM orders o WHERE o.user_id > c.user_id) FROM clicks c', /only equalities/],
  ];
  it.each(cases)('%s', (_, sql, message) => {
    const d = expectError(() => tp.bind(sql), ErrorCode.UNSUPPORTED);
    expect(d.message).toMatch(message);
    expect(d.hint).toBeTruthy();
    expect(d.span).toBeDefined();
  });

  it('OVER windows not ordered by an event-time attribute (OVER aggregations over rowtime run: bind-over.test.ts)', () => {
    const sql = 'SELECT user_id, COUNT(*) OVER (PARTITION BY user_id ORDER BY url) FROM clicks';
    const d = expectError(() => tp.bind(sql), ErrorCode.UNSUPPORTED);
    expect(d.message).toMatch(/OVER/);
    expect(d.hint).toBeTruthy();
    expect(spanText(sql, d)).toBe('url');
  });

  it('ORDER BY a non-time column cannot be planned on a stream (EDDY-L002 with a hint)', () => {
    const d = expectError(() => tp.plan('SELECT * FROM clicks ORDER BY user_id'), ErrorCode.UNSUPPORTED);
    expect(d.message).toMatch(/ORDER BY/);
    expect(d.hint).toBeTruthy();
  });
});
