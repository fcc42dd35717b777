import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../src/common/errors.js';
import type { LogicalAggregate, LogicalPlan } from '../../../src/planner/logical-plan.js';
import { TestPlanner, expectError, findLogical, findPhysical, spanText, ty } from '../helpers.js';

const tp = new TestPlanner();

/** The window aggregate of a query, bound. */
const agg = (sql: string): LogicalAggregate => findLogical(tp.bind(sql).plan, 'LogicalAggregate');

const tvf = (call: string, keys = '') =>
  `SELECT ${keys}window_start, window_end, COUNT(*) FROM TABLE(${call}) GROUP BY ${keys}window_start, window_end`;

/** The aggregate's input column the window is on, by name. */
const timeName = (a: LogicalAggregate) => a.input.schema[a.window!.timeIndex]!.name;

describe('window TVF normalization', () => {
  it('TUMBLE: positional and named arguments, in any order, give the same window', () => {
    const positional = agg(tvf("TUMBLE(TABLE orders, DESCRIPTOR(ts), INTERVAL '10' MINUTES)"));
    const named = agg(tvf("TUMBLE(DATA => TABLE orders, TIMECOL => DESCRIPTOR(ts), SIZE => INTERVAL '10' MINUTES)"));
    const reordered = agg(tvf("TUMBLE(SIZE => INTERVAL '10' MINUTES, TIMECOL => DESCRIPTOR(ts), DATA => TABLE orders)"));
    expect(positional.window!.spec).toEqual({ kind: 'tumble', size: 600_000, offset: 0 });
    expect(named.window).toEqual(positional.window);
    expect(reordered.window).toEqual(positional.window);
    expect(timeName(positional)).toBe('ts');
  });

  it('TUMBLE with an offset (positional or named)', () => {
    const a = agg(tvf("TUMBLE(TABLE orders, DESCRIPTOR(ts), INTERVAL '1' HOUR, INTERVAL '15' MINUTES)"));
    const b = agg(tvf("TUMBLE(TABLE orders, DESCRIPTOR(ts), INTERVAL '1' HOUR, `OFFSET` => INTERVAL '15' MINUTES)"));
    expect(a.window!.spec).toEqual({ kind: 'tumble', size: 3_600_000, offset: 900_000 });
    expect(b.window!.spec).toEqual(a.window!.spec);
  });

  it('HOP(slide, size) and CUMULATE(step, max size)', () => {
    expect(agg(tvf("HOP(TABLE orders, DESCRIPTOR(ts), INTERVAL '5' MINUTES, INTERVAL '15' MINUTES)")).window!.spec).toEqual({ kind: 'hop', slide: 300_000, size: 900_000, offset: 0 });
    expect(agg(tvf("HOP(DATA => TABLE orders, TIMECOL => DESCRIPTOR(ts), SIZE => INTERVAL '15' MINUTES, SLIDE => INTERVAL '5' MINUTES)")).window!.spec).toEqual({
      kind: 'hop',
      slide: 300_000,
      size: 900_000,
      offset: 0,
    });
    expect(agg(tvf("CUMULATE(TABLE orders, DESCRIPTOR(ts), INTERVAL '2' MINUTES, INTERVAL '10' MINUTES)")).window!.spec).toEqual({ kind: 'cumulate', step: 120_000, maxSize: 600_000, offset: 0 });
  });

  it('HOP whose size is not a multiple of its slide is EDDY-B009, naming both in the units written', () => {
    const d = expectError(() => tp.bind(tvf("HOP(TABLE orders, DESCRIPTOR(ts), INTERVAL '3' MINUTES, INTERVAL '10' MINUTES)")), ErrorCode.INVALID_WINDOW);
    expect(d.message).toContain("INTERVAL '10' MINUTE");
    expect(d.message).toContain("INTERVAL '3' MINUTE");
  });

  it('CUMULATE whose max size is not a multiple of its step is EDDY-B009', () => {
    expectError(() => tp.bind(tvf("CUMULATE(TABLE orders, DESCRIPTOR(ts), INTERVAL '3' MINUTES, INTERVAL '10' MINUTES)")), ErrorCode.INVALID_WINDOW);
  });

  it('a zero or non-interval size, a missing argument, an unknown or repeated argument are EDDY-B009', () => {
    const zero = `SELECT COUNT(*) FROM TABLE(TUMBLE(TABLE orders, DESCRIPTOR(ts), INTERVAL '0' MINUTES)) GROUP BY window_start, window_end`;
    const d = expectError(() => tp.bind(zero), ErrorCode.INVALID_WINDOW);
    expect(spanText(zero, d)).toBe("INTERVAL '0' MINUTES");
    expectError(() => tp.bind(tvf('TUMBLE(TABLE orders, DESCRIPTOR(ts), 10)')), ErrorCode.INVALID_WINDOW);
    expectError(() => tp.bind(tvf('TUMBLE(TABLE orders, DESCRIPTOR(ts))')), ErrorCode.INVALID_WINDOW);
    expectError(() => tp.bind(tvf("TUMBLE(TABLE orders, DESCRIPTOR(ts), INTERVAL '1' MINUTE, GAP => INTERVAL '1' MINUTE)")), ErrorCode.INVALID_WINDOW);
    expectError(() => tp.bind(tvf("TUMBLE(TABLE orders, DESCRIPTOR(ts), SIZE => INTERVAL '1' MINUTE, SIZE => INTERVAL '2' MINUTE)")), ErrorCode.INVALID_WINDOW);
  });

  it('SESSION: PARTITION BY columns become the group keys, which must match exactly', () => {
    const a = agg(tvf("SESSION(TABLE orders PARTITION BY user_id, DESCRIPTOR(ts), INTERVAL '5' MINUTES)", 'user_id, '));
    expect(a.window!.spec).toEqual({ kind: 'session', gap: 300_000 });
    expect(a.groupKeys).toHaveLength(1);
    expect(a.input.schema[a.groupKeys[0]!]!.name).toBe('user_id');

    const other = tvf("SESSION(TABLE orders PARTITION BY user_id, DESCRIPTOR(ts), INTERVAL '5' MINUTES)", 'product, ');
    const d = expectError(() => tp.bind(other), ErrorCode.INVALID_WINDOW);
    expect(d.message).toContain('PARTITION BY');
    expect(d.hint).toBeTruthy();
    expectError(() => tp.bind(tvf("SESSION(TABLE orders PARTITION BY user_id, DESCRIPTOR(ts), INTERVAL '5' MINUTES)")), ErrorCode.INVALID_WINDOW);
    expectError(() => tp.bind(tvf("SESSION(TABLE orders PARTITION BY user_id, DESCRIPTOR(ts), INTERVAL '5' MINUTES)", 'user_id, product, ')), ErrorCode.INVALID_WINDOW);
    // No PARTITION BY and no keys: one session stream.
    expect(agg(tvf("SESSION(TABLE orders, DESCRIPTOR(ts), INTERVAL '5' MINUTES)")).groupKeys).toEqual([]);
  });

  it('PARTITION BY on a TUMBLE is EDDY-B009', () => {
    expectError(() => tp.bind(tvf("TUMBLE(TABLE orders PARTITION BY user_id, DESCRIPTOR(ts), INTERVAL '5' MINUTES)")), ErrorCode.INVALID_WINDOW);
  });

  it('a window on a column that is not a rowtime is EDDY-B007, hinting at WATERMARK, spanning the column', () => {
    const sql = tvf("TUMBLE(TABLE orders, DESCRIPTOR(plain_ts), INTERVAL '10' MINUTES)");
    const d = expectError(() => tp.bind(sql), ErrorCode.NOT_A_TIME_ATTRIBUTE);
    expect(d.message).toContain('plain_ts');
    expect(d.hint).toContain('WATERMARK FOR plain_ts');
    expect(spanText(sql, d)).toBe('plain_ts');
  });

  it('a window TVF output has window_start, window_end (TIMESTAMP(3) NOT NULL) and window_time (rowtime)', () => {
    const { plan } = tp.bind("SELECT * FROM TABLE(TUMBLE(TABLE clicks, DESCRIPTOR(ts), INTERVAL '10' MINUTES))");
    expect(plan.schema.map((f) => `${f.name} ${ty(f.type)}`)).toEqual([
      'user_id INT',
      'url STRING',
      'ts TIMESTAMP(3) *ROWTIME*',
      'window_start TIMESTAMP(3) NOT NULL',
      'window_end TIMESTAMP(3) NOT NULL',
      'window_time TIMESTAMP(3) NOT NULL *ROWTIME*',
    ]);
    const wtf = findLogical(plan, 'LogicalWindowTableFunction');
    expect(wtf.window).toEqual({ kind: 'tumble', size: 600_000, offset: 0 });
  });

  it('a window over a TIMESTAMP_LTZ rowtime has an LTZ window_time', () => {
    const ltz = new TestPlanner([
      `CREATE TABLE e (ms BIGINT, t AS TO_TIMESTAMP_LTZ(ms, 3), WATERMARK FOR t AS t) WITH ('connector' = 'filesystem', 'path' = '/x', 'format' = 'json')`,
    ]);
    const a = findLogical(ltz.bind(tvf("TUMBLE(TABLE e, DESCRIPTOR(t), INTERVAL '1' MINUTE)").replace('COUNT(*)', 'window_time, COUNT(*)')).plan, 'LogicalAggregate');
    expect(ty(a.schema.find((f) => f.name === 'window_time')!.type)).toBe('TIMESTAMP_LTZ(3) NOT NULL *ROWTIME*');
  });
});

describe('legacy group windows', () => {
  const same = (legacy: string, modern: string) => {
    const l = agg(legacy);
    const m = agg(modern);
    expect(l.window).toEqual(m.window);
    expect(timeName(l)).toBe(timeName(m));
    expect(l.groupKeys.map((k) => l.input.schema[k]!.name)).toEqual(m.groupKeys.map((k) => m.input.schema[k]!.name));
    expect(l.aggs.map((a) => a.display)).toEqual(m.aggs.map((a) => a.display));
    expect(l.schema.map((f) => ty(f.type))).toEqual(m.schema.map((f) => ty(f.type)));
  };

  it('GROUP BY TUMBLE(ts, size) gives the same aggregate as the TUMBLE TVF', () => {
    same(
      `SELECT user_id, TUMBLE_START(ts, INTERVAL '10' MINUTE), COUNT(*) FROM orders GROUP BY user_id, TUMBLE(ts, INTERVAL '10' MINUTE)`,
      `SELECT user_id, window_start, COUNT(*) FROM TABLE(TUMBLE(TABLE orders, DESCRIPTOR(ts), INTERVAL '10' MINUTES)) GROUP BY user_id, window_start, window_end`,
    );
  });

  it('GROUP BY HOP(ts, slide, size) gives the same aggregate as the HOP TVF', () => {
    same(
      `SELECT HOP_END(ts, INTERVAL '5' MINUTE, INTERVAL '15' MINUTE), SUM(qty) FROM orders GROUP BY HOP(ts, INTERVAL '5' MINUTE, INTERVAL '15' MINUTE)`,
      `SELECT window_end, SUM(qty) FROM TABLE(HOP(TABLE orders, DESCRIPTOR(ts), INTERVAL '5' MINUTES, INTERVAL '15' MINUTES)) GROUP BY window_start, window_end`,
    );
  });

  it('GROUP BY k, SESSION(ts, gap) gives the same aggregate as the SESSION TVF partitioned by k', () => {
    same(
      `SELECT user_id, SESSION_START(ts, INTERVAL '5' MINUTE), COUNT(*) FROM orders GROUP BY user_id, SESSION(ts, INTERVAL '5' MINUTE)`,
      `SELECT user_id, window_start, COUNT(*) FROM TABLE(SESSION(TABLE orders PARTITION BY user_id, DESCRIPTOR(ts), INTERVAL '5' MINUTES)) GROUP BY user_id, window_start, window_end`,
    );
  });

  it('TUMBLE_START / TUMBLE_END / TUMBLE_ROWTIME read window_start / window_end / window_time', () => {
    const { plan } = tp.bind(
      `SELECT TUMBLE_START(ts, INTERVAL '1' MINUTE) AS s, TUMBLE_END(ts, INTERVAL '1' MINUTE) AS e, TUMBLE_ROWTIME(ts, INTERVAL '1' MINUTE) AS r FROM orders GROUP BY TUMBLE(ts, INTERVAL '1' MINUTE)`,
    );
    expect(plan.kind).toBe('LogicalProject');
    const a = findLogical(plan, 'LogicalAggregate');
    const refs = (plan as Extract<LogicalPlan, { kind: 'LogicalProject' }>).exprs.map((e) => a.schema[(e as { index: number }).index]!.name);
    expect(refs).toEqual(['window_start', 'window_end', 'window_time']);
    expect(plan.schema[2]!.type.timeAttribute).toBe('rowtime');
  });

  it('TUMBLE_START without GROUP BY TUMBLE is EDDY-B009', () => {
    const sql = `SELECT TUMBLE_START(ts, INTERVAL '10' MINUTE) FROM orders GROUP BY user_id`;
    const d = expectError(() => tp.bind(sql), ErrorCode.INVALID_WINDOW);
    expect(spanText(sql, d)).toBe(`TUMBLE_START(ts, INTERVAL '10' MINUTE)`);
    expectError(() => tp.bind(`SELECT TUMBLE_START(ts, INTERVAL '10' MINUTE) FROM orders`), ErrorCode.INVALID_WINDOW);
    expectError(() => tp.bind(`SELECT HOP_START(ts, INTERVAL '5' MINUTE, INTERVAL '10' MINUTE) FROM orders GROUP BY TUMBLE(ts, INTERVAL '10' MINUTE)`), ErrorCode.INVALID_WINDOW);
  });

  it('TUMBLE outside GROUP BY is EDDY-B009', () => {
    expectError(() => tp.bind(`SELECT TUMBLE(ts, INTERVAL '10' MINUTE) FROM orders`), ErrorCode.INVALID_WINDOW);
  });

  it('two group windows are EDDY-B009', () => {
    expectError(() => tp.bind(`SELECT COUNT(*) FROM orders GROUP BY TUMBLE(ts, INTERVAL '1' MINUTE), TUMBLE(ts, INTERVAL '2' MINUTE)`), ErrorCode.INVALID_WINDOW);
  });

  it('a legacy window on a non-rowtime column is EDDY-B007 with a WATERMARK hint', () => {
    const sql = `SELECT COUNT(*) FROM orders GROUP BY TUMBLE(plain_ts, INTERVAL '10' MINUTE)`;
    const d = expectError(() => tp.bind(sql), ErrorCode.NOT_A_TIME_ATTRIBUTE);
    expect(d.hint).toMatch(/WATERMARK/);
    expect(spanText(sql, d)).toBe('plain_ts');
  });
});

describe('cascaded windows', () => {
  it('window_time of a window aggregate is a rowtime, so a TUMBLE TVF over it plans', () => {
    const sql = `WITH w AS (
        SELECT user_id, window_time, COUNT(*) AS c
        FROM TABLE(TUMBLE(TABLE orders, DESCRIPTOR(ts), INTERVAL '10' MINUTES)) GROUP BY user_id, window_start, window_end)
      SELECT window_start, SUM(c) AS total FROM TABLE(TUMBLE(TABLE w, DESCRIPTOR(window_time), INTERVAL '1' HOUR)) GROUP BY window_start, window_end`;
    const bound = tp.bind(sql);
    const outer = findLogical(bound.plan, 'LogicalAggregate');
    expect(outer.window!.spec).toEqual({ kind: 'tumble', size: 3_600_000, offset: 0 });
    expect(timeName(outer)).toBe('window_time');
    const planned = tp.plan(sql);
    const root = findPhysical(planned.pipeline.root, 'WindowAggregate');
    expect(root.window).toEqual({ kind: 'tumble', size: 3_600_000, offset: 0 });
    expect(findPhysical(root.input, 'WindowAggregate').window).toEqual({ kind: 'tumble', size: 600_000, offset: 0 });
    expect(planned.pipeline.root.changelog.kind).toBe('insert-only');
  });

  it('TUMBLE_ROWTIME of a legacy window feeds a legacy window', () => {
    const sql = `SELECT TUMBLE_START(rt, INTERVAL '1' HOUR), SUM(c) FROM (
        SELECT user_id, TUMBLE_ROWTIME(ts, INTERVAL '10' MINUTE) AS rt, COUNT(*) AS c FROM orders GROUP BY user_id, TUMBLE(ts, INTERVAL '10' MINUTE))
      GROUP BY TUMBLE(rt, INTERVAL '1' HOUR)`;
    const root = tp.plan(sql).pipeline.root;
    expect(findPhysical(root, 'WindowAggregate').window).toEqual({ kind: 'tumble', size: 3_600_000, offset: 0 });
  });

  it('window_start of a window aggregate is not a rowtime: a window on it is EDDY-B007', () => {
    const sql = `WITH w AS (
        SELECT window_start AS ws, COUNT(*) AS c
        FROM TABLE(TUMBLE(TABLE orders, DESCRIPTOR(ts), INTERVAL '10' MINUTES)) GROUP BY window_start, window_end)
      SELECT window_start, SUM(c) FROM TABLE(TUMBLE(TABLE w, DESCRIPTOR(ws), INTERVAL '1' HOUR)) GROUP BY window_start, window_end`;
    expectError(() => tp.bind(sql), ErrorCode.NOT_A_TIME_ATTRIBUTE);
  });
});

describe('legacy window properties (regressions)', () => {
  it('TUMBLE_START must repeat the GROUP BY window exactly', () => {
    expectError(() => tp.bind(`SELECT TUMBLE_START(ts, INTERVAL '5' MINUTE), COUNT(*) FROM orders GROUP BY TUMBLE(ts, INTERVAL '10' MINUTE)`), ErrorCode.INVALID_WINDOW);
    expectError(() => tp.bind(`SELECT TUMBLE_END(plain_ts, INTERVAL '10' MINUTE), COUNT(*) FROM orders GROUP BY TUMBLE(ts, INTERVAL '10' MINUTE)`), ErrorCode.INVALID_WINDOW);
  });
});
