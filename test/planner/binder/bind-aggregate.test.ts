import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../src/common/errors.js';
import type { LogicalPlan } from '../../../src/planner/logical-plan.js';
import { explainLogical } from '../../../src/planner/explain.js';
import { TestPlanner, expectError, findLogical, spanText, ty } from '../helpers.js';

const tp = new TestPlanner();
const agg = (sql: string) => findLogical(tp.bind(sql).plan, 'LogicalAggregate');
const pre = (sql: string) => {
  const a = agg(sql);
  expect(a.input.kind).toBe('LogicalProject');
  return a.input as Extract<LogicalPlan, { kind: 'LogicalProject' }>;
};

describe('aggregate binding', () => {
  it('a GROUP BY query is Project <- Aggregate <- pre-projection [keys, args]; output is [keys, aggs]', () => {
    const sql = 'SELECT user_id, COUNT(*) AS n, SUM(qty) AS s FROM orders GROUP BY user_id';
    const { plan } = tp.bind(sql);
    expect(plan.kind).toBe('LogicalProject');
    const a = agg(sql);
    expect(a.groupKeys).toEqual([0]);
    expect(a.aggs.map((c) => c.display)).toEqual(['COUNT(*)', 'SUM($1)']);
    expect(a.aggs.map((c) => c.argIndex)).toEqual([-1, 1]);
    expect(pre(sql).exprs.map((e) => (e as { name?: string }).name)).toEqual(['user_id', 'qty']);
    expect(plan.schema.map((f) => `${f.name} ${ty(f.type)}`)).toEqual(['user_id INT', 'n BIGINT NOT NULL', 's INT']);
    expect(a.window).toBeUndefined();
  });

  it('the same aggregate call used twice (select list and HAVING) is computed once', () => {
    const a = agg('SELECT user_id, SUM(qty) FROM orders GROUP BY user_id HAVING SUM(qty) > 10 AND sum(qty) < 100');
    expect(a.aggs).toHaveLength(1);
  });

  it('an aggregate argument that is an expression is computed by the pre-projection (and shared)', () => {
    const sql = 'SELECT SUM(qty * 2), MAX(qty * 2) FROM orders';
    const p = pre(sql);
    expect(p.exprs).toHaveLength(1);
    expect(explainLogical(p).split('\n')[0]).toContain('(qty * 2)');
    expect(agg(sql).aggs.map((c) => c.argIndex)).toEqual([0, 0]);
  });

  it('GROUP BY an expression: the select list may repeat it', () => {
    const sql = 'SELECT user_id + 1 AS k, COUNT(*) FROM orders GROUP BY user_id + 1';
    const { plan } = tp.bind(sql);
    expect(plan.schema.map((f) => f.name)).toEqual(['k', 'EXPR$1']);
    expect(agg(sql).groupKeys).toEqual([0]);
    expect(explainLogical(pre(sql))).toContain('(user_id + 1)');
  });

  it('FILTER (WHERE ...) and DISTINCT on aggregate calls', () => {
    const a = agg('SELECT COUNT(DISTINCT user_id) FILTER (WHERE qty > 1), SUM(qty) FROM orders');
    expect(a.aggs.map((c) => c.display)).toEqual(['COUNT(DISTINCT $0) FILTER $1', 'SUM($2)']);
    expect(a.aggs[0]!.filterIndex).toBe(1);
    expect(ty(a.input.schema[1]!.type)).toBe('BOOLEAN');
  });

  it('FILTER with a non-boolean condition is EDDY-B005', () => {
    expectError(() => tp.bind('SELECT COUNT(*) FILTER (WHERE qty) FROM orders'), ErrorCode.TYPE_MISMATCH);
  });

  it('an aggregate without GROUP BY is a global aggregation (no keys)', () => {
    const a = agg('SELECT COUNT(*), AVG(price) FROM orders');
    expect(a.groupKeys).toEqual([]);
    expect(a.schema.map((f) => ty(f.type))).toEqual(['BIGINT NOT NULL', 'DOUBLE']);
  });

  it('WHERE goes below the aggregation, HAVING above it', () => {
    const { plan } = tp.bind('SELECT user_id, COUNT(*) FROM orders WHERE qty > 0 GROUP BY user_id HAVING COUNT(*) > 1');
    const kinds = explainLogical(plan)
      .split('\n')
      .map((l) => l.replace(/^[\s:+-]*/, '').replace(/\(.*$/, ''));
    expect(kinds).toEqual(['LogicalProject', 'LogicalFilter', 'LogicalAggregate', 'LogicalProject', 'LogicalFilter', 'LogicalScan']);
  });

  it('a group key keeps no time attribute in a non-windowed aggregation', () => {
    const a = agg('SELECT ts, COUNT(*) FROM orders GROUP BY ts');
    expect(a.schema[0]!.type.timeAttribute).toBeUndefined();
  });
});

describe('aggregate errors', () => {
  it('a column neither grouped nor aggregated is EDDY-B008, spanning it, hinting at GROUP BY', () => {
    const sql = 'SELECT user_id, product, COUNT(*) FROM orders GROUP BY user_id';
    const d = expectError(() => tp.bind(sql), ErrorCode.NOT_GROUPED);
    expect(d.message).toContain("'product'");
    expect(d.hint).toContain('GROUP BY');
    expect(spanText(sql, d)).toBe('product');
  });

  it('a non-grouped column inside an expression is EDDY-B008', () => {
    const sql = 'SELECT user_id, UPPER(product) FROM orders GROUP BY user_id';
    const d = expectError(() => tp.bind(sql), ErrorCode.NOT_GROUPED);
    expect(spanText(sql, d)).toBe('product');
  });

  it('a non-grouped column in HAVING is EDDY-B008', () => {
    const sql = 'SELECT user_id, COUNT(*) FROM orders GROUP BY user_id HAVING qty > 1';
    const d = expectError(() => tp.bind(sql), ErrorCode.NOT_GROUPED);
    expect(spanText(sql, d)).toBe('qty');
  });

  it('a column next to a global aggregate is EDDY-B008', () => {
    expectError(() => tp.bind('SELECT product, COUNT(*) FROM orders'), ErrorCode.NOT_GROUPED);
  });

  it("'*' in an aggregating query is EDDY-B008", () => {
    expectError(() => tp.bind('SELECT *, COUNT(*) FROM orders'), ErrorCode.NOT_GROUPED);
  });

  it('nested aggregates are EDDY-B012', () => {
    expectError(() => tp.bind('SELECT SUM(COUNT(*)) FROM orders'), ErrorCode.INVALID_AGGREGATE);
  });

  it('an aggregate of the wrong argument type is EDDY-B006 naming the type', () => {
    const d = expectError(() => tp.bind('SELECT AVG(product) FROM orders'), ErrorCode.WRONG_ARGUMENTS);
    expect(d.message + (d.hint ?? '')).toContain('STRING');
  });

  it('HAVING on a non-boolean is EDDY-B005', () => {
    expectError(() => tp.bind('SELECT user_id FROM orders GROUP BY user_id HAVING COUNT(*)'), ErrorCode.TYPE_MISMATCH);
  });
});

describe('window aggregates', () => {
  const W = "TABLE(TUMBLE(TABLE orders, DESCRIPTOR(ts), INTERVAL '10' MINUTES))";

  it('GROUP BY window_start, window_end reads the TVF input: no WindowTableFunction node remains', () => {
    const { plan } = tp.bind(`SELECT user_id, window_start, window_end, window_time, COUNT(*) FROM ${W} GROUP BY user_id, window_start, window_end`);
    expect(explainLogical(plan)).not.toContain('LogicalWindowTableFunction');
    const a = findLogical(plan, 'LogicalAggregate');
    // Output: [keys, aggs, window_start, window_end, window_time].
    expect(a.schema.map((f) => f.name)).toEqual(['user_id', '$a0', 'window_start', 'window_end', 'window_time']);
    expect(plan.schema.map((f) => ty(f.type))).toEqual(['INT', 'TIMESTAMP(3) NOT NULL', 'TIMESTAMP(3) NOT NULL', 'TIMESTAMP(3) NOT NULL *ROWTIME*', 'BIGINT NOT NULL']);
    // The rowtime is the last column of the pre-projection.
    expect(a.input.schema[a.window!.timeIndex]!.name).toBe('ts');
  });

  it('a window key in a windowed aggregation keeps being a plain key; only window_start/end are the window', () => {
    const a = agg(`SELECT product, COUNT(*) FROM ${W} GROUP BY window_start, product, window_end`);
    expect(a.groupKeys.map((k) => a.input.schema[k]!.name)).toEqual(['product']);
  });

  it('grouping by only one of window_start / window_end is EDDY-B009', () => {
    expectError(() => tp.bind(`SELECT COUNT(*) FROM ${W} GROUP BY window_start`), ErrorCode.INVALID_WINDOW);
    expectError(() => tp.bind(`SELECT COUNT(*) FROM ${W} GROUP BY window_end, user_id`), ErrorCode.INVALID_WINDOW);
  });

  it('WHERE on input columns goes below the window aggregation', () => {
    const { plan } = tp.bind(`SELECT COUNT(*) FROM ${W} WHERE qty > 1 GROUP BY window_start, window_end`);
    const a = findLogical(plan, 'LogicalAggregate');
    expect(findLogical(a.input, 'LogicalFilter')).toBeDefined();
  });

  it('WHERE on window columns before a window aggregation is EDDY-L002 hinting HAVING', () => {
    const d = expectError(() => tp.bind(`SELECT COUNT(*) FROM ${W} WHERE window_start > TIMESTAMP '2024-01-01 00:00:00' GROUP BY window_start, window_end`), ErrorCode.UNSUPPORTED);
    expect(d.hint).toContain('HAVING');
  });

  it('selecting a non-grouped input column of a window aggregation is EDDY-B008', () => {
    expectError(() => tp.bind(`SELECT product, COUNT(*) FROM ${W} GROUP BY window_start, window_end`), ErrorCode.NOT_GROUPED);
  });

  it('GROUP BY over a window TVF without window_start/window_end is a plain aggregation over the TVF', () => {
    const { plan } = tp.bind(`SELECT user_id, COUNT(*) FROM ${W} GROUP BY user_id`);
    const a = findLogical(plan, 'LogicalAggregate');
    expect(a.window).toBeUndefined();
    expect(findLogical(a.input, 'LogicalWindowTableFunction').window).toEqual({ kind: 'tumble', size: 600_000, offset: 0 });
  });
});

describe('output names (regressions)', () => {
  it('aggregate output columns have distinct names', () => {
    const names = agg('SELECT user_id + 1, COUNT(*) FROM orders GROUP BY user_id + 1').schema.map((f) => f.name);
    expect(new Set(names).size).toBe(names.length);
  });
});
