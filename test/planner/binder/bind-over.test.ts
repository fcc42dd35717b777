/**
 * OVER aggregations in the planner: what binds (frames, named windows, the default frame, arguments that
 * are expressions), what EXPLAIN shows (the operator, its window, its state tables and its cleanup rule),
 * and the shapes Flink does not run on a stream, each refused where it is written.
 */
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../src/common/errors.js';
import { explainPhysical } from '../../../src/planner/explain.js';
import { toPhysical } from '../../../src/planner/to-physical.js';
import { expectError, findLogical, spanText, STANDARD_DDL, TestPlanner } from '../helpers.js';

const tp = new TestPlanner([
  ...STANDARD_DDL,
  `CREATE TABLE visits (user_id INT, url STRING, p AS PROCTIME()) WITH ('connector' = 'datagen', 'number-of-rows' = '10')`,
]);

describe('binding OVER aggregations', () => {
  it('ROWS n, RANGE interval, UNBOUNDED and CURRENT ROW frames; no frame is RANGE UNBOUNDED PRECEDING', () => {
    const frame = (clause: string) => findLogical(tp.bind(`SELECT SUM(qty) OVER (PARTITION BY user_id ORDER BY ts ${clause}) FROM orders`).plan, 'LogicalOverAggregate').frame;
    expect(frame('ROWS BETWEEN 2 PRECEDING AND CURRENT ROW')).toEqual({ units: 'ROWS', preceding: 2 });
    expect(frame("RANGE BETWEEN INTERVAL '1' HOUR PRECEDING AND CURRENT ROW")).toEqual({ units: 'RANGE', preceding: 3_600_000 });
    expect(frame('ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW')).toEqual({ units: 'ROWS' });
    expect(frame('RANGE UNBOUNDED PRECEDING')).toEqual({ units: 'RANGE' });
    expect(frame('ROWS BETWEEN CURRENT ROW AND CURRENT ROW')).toEqual({ units: 'ROWS', preceding: 0 });
    expect(frame('')).toEqual({ units: 'RANGE' });
  });

  it('a named window serves several aggregates; an inline clause equal to it is the same window', () => {
    const sql = `SELECT id, SUM(amount) OVER w AS s, AVG(price * qty) OVER w AS a, COUNT(*) OVER (PARTITION BY product ORDER BY ts ROWS 3 PRECEDING) + 1 AS n
                 FROM orders WINDOW w AS (PARTITION BY product ORDER BY ts ROWS BETWEEN 3 PRECEDING AND CURRENT ROW)`;
    const q = tp.bind(sql);
    const over = findLogical(q.plan, 'LogicalOverAggregate');
    expect(over.aggs.map((a) => a.display)).toEqual(['SUM($3)', 'AVG($8)', 'COUNT(*)']);
    expect(over.schema.map((f) => f.name).slice(-4)).toEqual(['$f8', 'w0$o0', 'w0$o1', 'w0$o2']);
    expect(q.scope.columns.map((c) => c.name)).toEqual(['id', 's', 'a', 'n']);
  });

  it('EXPLAIN shows the OverAggregate with its window, select list, state tables and cleanup rule; insert-only, rowtime kept', () => {
    const plan = (clause: string) => explainPhysical(tp.plan(`SELECT id, ts, SUM(qty) OVER (PARTITION BY user_id ORDER BY ts ${clause}) AS s FROM orders`).pipeline.root);
    const rows = plan('ROWS BETWEEN 2 PRECEDING AND CURRENT ROW');
    expect(rows).toContain(
      "OverAggregate(partitionBy=[user_id], orderBy=[ts ASC], window=[ROWS BETWEEN 2 PRECEDING AND CURRENT ROW], select=[id, user_id, product, amount, price, qty, ts, plain_ts, SUM(qty) AS w0$o0], cleanup=[waiting rows when watermark >= their time, a partition's last 2 rows after table.exec.state.ttl without rows]), state=[pending, frame, timers, watermark], changelog=[I], rowtime=[ts]",
    );
    expect(rows).toContain('Exchange(distribution=[hash[user_id]])');
    expect(rows.split('\n')[0]).toBe('Calc(select=[id, ts, w0$o0 AS s]), changelog=[I], rowtime=[ts]');
    expect(plan("RANGE BETWEEN INTERVAL '10' SECOND PRECEDING AND CURRENT ROW")).toContain(
      'window=[RANGE BETWEEN 10000 ms PRECEDING AND CURRENT ROW], select=[id, user_id, product, amount, price, qty, ts, plain_ts, SUM(qty) AS w0$o0], cleanup=[waiting rows when watermark >= their time, frame rows when watermark >= their time + 10000 ms]), state=[pending, frame, timers, watermark]',
    );
    // Processing time: nothing waits for the watermark; the frame is the only state.
    expect(explainPhysical(tp.plan('SELECT url, COUNT(*) OVER (PARTITION BY user_id ORDER BY p ROWS BETWEEN 5 PRECEDING AND CURRENT ROW) FROM visits').pipeline.root)).toContain(
      "OverAggregate(partitionBy=[user_id], orderBy=[p ASC], window=[ROWS BETWEEN 5 PRECEDING AND CURRENT ROW], select=[user_id, url, p, COUNT(*) AS w0$o0], cleanup=[a partition's last 5 rows after table.exec.state.ttl without rows]), state=[frame], changelog=[I]",
    );
    expect(plan('')).toContain("window=[RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW], select=[id, user_id, product, amount, price, qty, ts, plain_ts, SUM(qty) AS w0$o0], cleanup=[waiting rows when watermark >= their time, a partition's accumulators after table.exec.state.ttl without rows])");
  });
});

describe('OVER shapes that do not run on a stream are refused where they are written', () => {
  const refusals: [string, string, string, RegExp][] = [
    ['ORDER BY a column that is not a time attribute', 'SELECT SUM(qty) OVER (PARTITION BY user_id ORDER BY plain_ts) FROM orders', 'plain_ts', /must be ordered by a time attribute, but TIMESTAMP\(3\) is not one/],
    ['ORDER BY an expression of the time', "SELECT SUM(qty) OVER (ORDER BY ts + INTERVAL '1' SECOND) FROM orders", "ts + INTERVAL '1' SECOND", /time attribute/],
    ['ORDER BY descending', 'SELECT SUM(qty) OVER (ORDER BY ts DESC) FROM orders', 'ts DESC', /ascending/],
    ['ORDER BY two columns', 'SELECT SUM(qty) OVER (ORDER BY ts, id) FROM orders', 'id', /one event-time attribute/],
    ['no ORDER BY', 'SELECT SUM(qty) OVER (PARTITION BY user_id) FROM orders', 'OVER (PARTITION BY user_id)', /needs ORDER BY/],
    ['a FOLLOWING end', 'SELECT SUM(qty) OVER (ORDER BY ts ROWS BETWEEN 2 PRECEDING AND 1 FOLLOWING) FROM orders', '1 FOLLOWING', /CURRENT ROW \(FOLLOWING/],
    ['an end before the current row', 'SELECT SUM(qty) OVER (ORDER BY ts ROWS BETWEEN 2 PRECEDING AND 1 PRECEDING) FROM orders', '1 PRECEDING', /end at CURRENT ROW/],
    ['a FOLLOWING start', 'SELECT SUM(qty) OVER (ORDER BY ts ROWS BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING) FROM orders', 'UNBOUNDED FOLLOWING', /FOLLOWING/],
    ['ROWS with an interval', "SELECT SUM(qty) OVER (ORDER BY ts ROWS BETWEEN INTERVAL '1' HOUR PRECEDING AND CURRENT ROW) FROM orders", "INTERVAL '1' HOUR", /non-negative integer/],
    ['ROWS with a column', 'SELECT SUM(qty) OVER (ORDER BY ts ROWS BETWEEN qty PRECEDING AND CURRENT ROW) FROM orders', 'qty', /Column|not in scope|non-negative integer/],
    ['RANGE with a number', 'SELECT SUM(qty) OVER (ORDER BY ts RANGE BETWEEN 10 PRECEDING AND CURRENT ROW) FROM orders', '10', /day-time interval/],
    ['different windows in one select list', "SELECT SUM(qty) OVER (ORDER BY ts), COUNT(*) OVER (PARTITION BY user_id ORDER BY ts) FROM orders", 'OVER (PARTITION BY user_id ORDER BY ts)', /same window/],
    ['OVER with GROUP BY', 'SELECT user_id, SUM(qty) OVER (ORDER BY ts) FROM orders GROUP BY user_id, ts, qty', 'OVER (ORDER BY ts)', /GROUP BY/],
    ['a rank and an OVER aggregate together', 'SELECT ROW_NUMBER() OVER (ORDER BY ts) AS rn, SUM(qty) OVER (ORDER BY ts) FROM orders', 'OVER (ORDER BY ts)', /rank function and OVER aggregates/],
    ['an OVER aggregate inside another', 'SELECT SUM(COUNT(*) OVER (ORDER BY ts)) OVER (ORDER BY ts) FROM orders', 'COUNT(*) OVER (ORDER BY ts)', /nested/],
    ['PARTITION BY an expression', 'SELECT SUM(qty) OVER (PARTITION BY user_id + 1 ORDER BY ts) FROM orders', 'user_id + 1', /takes columns/],
  ];
  it.each(refusals)('%s', (_, sql, at, message) => {
    const d = expectError(() => tp.plan(sql), d0Code(sql));
    expect(d.message).toMatch(message);
    expect(spanText(sql, d)).toBe(at);
  });

  it('an unknown or twice-defined window name (EDDY-B009)', () => {
    const unknown = 'SELECT SUM(qty) OVER w2 FROM orders WINDOW w AS (ORDER BY ts)';
    const d = expectError(() => tp.plan(unknown), ErrorCode.INVALID_WINDOW);
    expect(d.message).toBe("Window 'w2' is not defined");
    expect(d.hint).toMatch(/`w`/);
    expect(spanText(unknown, d)).toBe('w2');
    const twice = 'SELECT SUM(qty) OVER w FROM orders WINDOW w AS (ORDER BY ts), W AS (ORDER BY ts ROWS 1 PRECEDING)';
    expect(spanText(twice, expectError(() => tp.plan(twice), ErrorCode.INVALID_WINDOW))).toBe('W');
  });

  it('a rank may use a named window too (Top-N); a frame in it is refused at the frame', () => {
    const plan = tp.plan('SELECT * FROM (SELECT id, ROW_NUMBER() OVER w AS rn FROM orders WINDOW w AS (PARTITION BY user_id ORDER BY price DESC)) WHERE rn <= 3');
    expect(explainPhysical(plan.pipeline.root)).toContain('Rank(rankType=[ROW_NUMBER], rankRange=[rankStart=1, rankEnd=3], partitionBy=[user_id], orderBy=[price DESC])');
    const sql = 'SELECT * FROM (SELECT id, ROW_NUMBER() OVER w AS rn FROM orders WINDOW w AS (ORDER BY ts ROWS 2 PRECEDING)) WHERE rn <= 3';
    expect(spanText(sql, expectError(() => tp.plan(sql), ErrorCode.UNSUPPORTED))).toBe('ROWS 2 PRECEDING');
  });

  it('an updating input is refused when planned, at the OVER clause, naming what makes it updating', () => {
    // The binder never produces this (a non-windowed aggregate drops time attributes), so build it by hand:
    // the OVER aggregation over a GroupAggregate's output.
    const sql = 'SELECT SUM(qty) OVER (ORDER BY ts) FROM orders';
    const over = findLogical(tp.bind(sql).plan, 'LogicalOverAggregate');
    const updating = tp.bind('SELECT id, user_id, product, amount, price, qty, MAX(ts) AS ts FROM orders GROUP BY id, user_id, product, amount, price, qty').plan;
    const d = expectError(() => toPhysical({ ...over, input: updating }), ErrorCode.UNSUPPORTED);
    expect(d.message).toMatch(/^An OVER aggregation needs an insert-only input, but its input is updating .*GroupAggregate/);
    expect(spanText(sql, d)).toBe('OVER (ORDER BY ts)');
    expect(d.hint).toBeTruthy();
  });
});

/** Every refusal is EDDY-L002 (unsupported) except a column the binder does not find and a RANGE that is not an interval. */
function d0Code(sql: string): string {
  return sql.includes('ROWS BETWEEN qty') ? ErrorCode.UNKNOWN_COLUMN : sql.includes('RANGE BETWEEN 10') ? ErrorCode.INVALID_WINDOW : ErrorCode.UNSUPPORTED;
}
