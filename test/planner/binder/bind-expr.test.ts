import { describe, expect, it } from 'vitest';
import type { BoundExpr } from '../../../src/expr/bound-expr.js';
import { compileExpr } from '../../../src/expr/compile.js';
import { ErrorCode } from '../../../src/common/errors.js';
import { TestPlanner, expectError, spanText, ty } from '../helpers.js';

const tp = new TestPlanner();

/** Binds `SELECT <expr> FROM orders` and returns the expression. */
const bind = (expr: string, from = 'orders'): BoundExpr => tp.expr(expr, from);

/** The value of a constant expression. */
const valueOf = (expr: string): unknown => compileExpr(bind(expr))([]);

const call = (e: BoundExpr) => {
  expect(e.kind).toBe('Call');
  return e as Extract<BoundExpr, { kind: 'Call' }>;
};

describe('literals', () => {
  it.each([
    ['1', 'INT NOT NULL', 1],
    ['2147483647', 'INT NOT NULL', 2147483647],
    ['2147483648', 'BIGINT NOT NULL', 2147483648],
    ['1.50', 'DECIMAL(3, 2) NOT NULL', 1.5],
    ['0.001', 'DECIMAL(3, 3) NOT NULL', 0.001],
    ['123.4', 'DECIMAL(4, 1) NOT NULL', 123.4],
    ['1e3', 'DOUBLE NOT NULL', 1000],
    ['1.5E2', 'DOUBLE NOT NULL', 150],
    ["'abc'", 'STRING NOT NULL', 'abc'],
    ['TRUE', 'BOOLEAN NOT NULL', true],
    ['NULL', 'NULL', null],
  ])('%s is %s', (text, type, value) => {
    const e = bind(text);
    expect(e.kind).toBe('LiteralValue');
    expect(ty(e.type)).toBe(type);
    expect((e as { value: unknown }).value).toBe(value);
  });

  it.each([
    ["INTERVAL '10' MINUTE", 600_000],
    ["INTERVAL '1.5' SECOND", 1500],
    ["INTERVAL '2' DAY", 2 * 86_400_000],
    ["INTERVAL '1:30' HOUR TO MINUTE", 90 * 60_000],
    ["INTERVAL '1 02:00:00' DAY TO SECOND", 26 * 3_600_000],
    ["INTERVAL '01:02.5' MINUTE TO SECOND", 62_500],
    ["INTERVAL '-1:30' HOUR TO MINUTE", -90 * 60_000],
  ])('%s is a day-time interval of %d ms', (text, ms) => {
    const e = bind(text);
    expect(e.type.name).toBe('INTERVAL_DAY_TIME');
    expect((e as { value: unknown }).value).toBe(ms);
  });

  it('year-month intervals count months', () => {
    const e = bind("INTERVAL '2-3' YEAR TO MONTH");
    expect(e.type.name).toBe('INTERVAL_YEAR_MONTH');
    expect((e as { value: unknown }).value).toBe(27);
  });

  it.each([
    "INTERVAL '1:x' HOUR TO MINUTE",
    "INTERVAL '1:30:00' HOUR TO MINUTE",
    "INTERVAL 'abc' SECOND",
    "INTERVAL '1.5' YEAR",
  ])('malformed %s is EDDY-P004 spanning the literal', (text) => {
    const sql = `SELECT ${text} FROM orders`;
    const d = expectError(() => tp.bind(sql), ErrorCode.INVALID_LITERAL);
    expect(spanText(sql, d)).toBe(text);
    expect(d.hint).toMatch(/expected/);
  });

  it('typed literals parse to epoch values; a bad one is EDDY-P004', () => {
    expect(valueOf("TIMESTAMP '2024-01-01 00:00:00'")).toBe(Date.UTC(2024, 0, 1));
    expect(ty(bind("TIMESTAMP '2024-01-01 00:00:00.5'").type)).toBe('TIMESTAMP(3) NOT NULL');
    expect(valueOf("DATE '1970-01-02'")).toBe(1);
    const sql = "SELECT TIMESTAMP '2024-13-01 00:00:00' FROM orders";
    const d = expectError(() => tp.bind(sql), ErrorCode.INVALID_LITERAL);
    expect(spanText(sql, d)).toBe("TIMESTAMP '2024-13-01 00:00:00'");
  });
});

describe('implicit coercion', () => {
  it('INT + BIGINT is BIGINT, with a cast inserted on the INT side', () => {
    const e = call(bind('user_id + id'));
    expect(e.fn).toBe('+');
    expect(ty(e.type)).toBe('BIGINT');
    const [l, r] = e.args;
    expect(l!.kind).toBe('Call');
    expect((l as { castTo?: unknown }).castTo).toBeDefined();
    expect(ty(l!.type)).toBe('BIGINT');
    expect(call(l!).args[0]).toMatchObject({ kind: 'InputRef', name: 'user_id' });
    expect(r).toMatchObject({ kind: 'InputRef', name: 'id' });
    // The cast is part of evaluation: INT 3 + BIGINT 4 = 7.
    const row = [4, 3, null, null, null, null, null, null];
    expect(compileExpr(e)(row)).toBe(7);
  });

  it('INT + DOUBLE is DOUBLE', () => {
    expect(ty(bind('qty + price').type)).toBe('DOUBLE');
  });

  it('DECIMAL arithmetic follows Flink precision rules', () => {
    // DECIMAL(10,2) + DECIMAL(10,0): scale 2, precision max(8, 10) + 2 + 1.
    expect(ty(bind('amount + qty').type)).toBe('DECIMAL(13, 2)');
    // DECIMAL(10,2) * DECIMAL(10,0): precision 10 + 10, scale 2 + 0.
    expect(ty(bind('amount * qty').type)).toBe('DECIMAL(20, 2)');
  });

  it('a string literal compared with a TIMESTAMP column is cast to TIMESTAMP', () => {
    for (const col of ['plain_ts', 'ts']) {
      const e = call(bind(`${col} > '2024-01-01 00:00:00'`));
      expect(ty(e.type)).toBe('BOOLEAN');
      const right = call(e.args[1]!);
      expect(right.castTo?.name).toBe('TIMESTAMP');
      expect(right.type.timeAttribute).toBeUndefined();
      expect(compileExpr(right)([])).toBe(Date.UTC(2024, 0, 1));
    }
    // Either side.
    const flipped = call(bind(`'2024-01-01 00:00:00' <= plain_ts`));
    expect(call(flipped.args[0]!).castTo?.name).toBe('TIMESTAMP');
  });

  it('a string that is not a timestamp, compared with a TIMESTAMP, is not silently accepted as a string', () => {
    const e = call(bind(`plain_ts = 'x'`));
    expect(call(e.args[1]!).castTo?.name).toBe('TIMESTAMP');
  });
});

describe('BETWEEN, IN, CASE', () => {
  it('BETWEEN is (x >= low AND x <= high), BOOLEAN', () => {
    const e = bind('qty BETWEEN 1 AND 10');
    expect(e.kind).toBe('AndExpr');
    expect(ty(e.type)).toBe('BOOLEAN');
    const args = (e as Extract<BoundExpr, { kind: 'AndExpr' }>).args.map((a) => call(a).fn);
    expect(args).toEqual(['>=', '<=']);
    const f = compileExpr(e);
    const row = (q: number | null) => [null, null, null, null, null, q, null, null];
    expect([f(row(0)), f(row(1)), f(row(10)), f(row(11)), f(row(null))]).toEqual([false, true, true, false, null]);
  });

  it('NOT BETWEEN negates; SYMMETRIC accepts reversed bounds', () => {
    const row = [null, null, null, null, null, 5, null, null];
    expect(compileExpr(bind('qty NOT BETWEEN 1 AND 10'))(row)).toBe(false);
    expect(compileExpr(bind('qty BETWEEN 10 AND 1'))(row)).toBe(false);
    expect(compileExpr(bind('qty BETWEEN SYMMETRIC 10 AND 1'))(row)).toBe(true);
  });

  it('IN coerces the operand and the list to their common type', () => {
    const e = bind('qty IN (1, 2, id)');
    expect(e.kind).toBe('InValues');
    const iv = e as Extract<BoundExpr, { kind: 'InValues' }>;
    expect(ty(iv.operand.type)).toBe('BIGINT');
    expect(iv.list.map((v) => v.type.name)).toEqual(['BIGINT', 'BIGINT', 'BIGINT']);
    expect(ty(iv.type)).toBe('BOOLEAN');
  });

  it('IN with a value of an incompatible type is EDDY-B005 naming both types', () => {
    const sql = "SELECT qty IN (1, 'a') FROM orders";
    const d = expectError(() => tp.bind(sql), ErrorCode.TYPE_MISMATCH);
    expect(d.message).toContain('INT');
    expect(d.message).toContain('STRING');
    expect(spanText(sql, d)).toBe("qty IN (1, 'a')");
  });

  it('CASE takes the common type of its branches, nullable without ELSE', () => {
    expect(ty(bind('CASE WHEN qty > 1 THEN 1 ELSE id END').type)).toBe('BIGINT');
    expect(ty(bind("CASE qty WHEN 1 THEN 'a' ELSE 'b' END").type)).toBe('STRING NOT NULL');
    expect(ty(bind('CASE WHEN qty > 1 THEN 1 END').type)).toBe('INT');
    const e = bind('CASE WHEN qty > 1 THEN 1 ELSE id END') as Extract<BoundExpr, { kind: 'CaseWhen' }>;
    expect(e.whens[0]!.then.type.name).toBe('BIGINT');
  });

  it('CASE with incompatible branches is EDDY-B005 naming the types', () => {
    const sql = "SELECT CASE WHEN qty > 1 THEN 1 ELSE 'x' END FROM orders";
    const d = expectError(() => tp.bind(sql), ErrorCode.TYPE_MISMATCH);
    expect(d.message).toMatch(/INT/);
    expect(d.message).toMatch(/STRING/);
  });

  it('CASE WHEN on a non-boolean condition is EDDY-B005', () => {
    expectError(() => tp.bind('SELECT CASE WHEN qty THEN 1 END FROM orders'), ErrorCode.TYPE_MISMATCH);
  });
});

describe('errors', () => {
  it('unknown column: EDDY-B002 with did-you-mean and a span on the name', () => {
    const sql = 'SELECT usr_id FROM orders';
    const d = expectError(() => tp.bind(sql), ErrorCode.UNKNOWN_COLUMN);
    expect(d.message).toContain('usr_id');
    expect(d.hint).toBe('did you mean `user_id`?');
    expect(spanText(sql, d)).toBe('usr_id');
  });

  it('unknown column with no close match lists the available columns', () => {
    const d = expectError(() => tp.bind('SELECT zzzzzz FROM clicks'), ErrorCode.UNKNOWN_COLUMN);
    expect(d.hint).toContain('user_id, url, ts');
  });

  it('unknown qualifier: EDDY-B001 suggesting the alias in scope', () => {
    const sql = 'SELECT x.user_id FROM orders AS o';
    const d = expectError(() => tp.bind(sql), ErrorCode.UNKNOWN_TABLE);
    expect(d.hint).toBe('did you mean `o`?');
    expect(spanText(sql, d)).toBe('x.user_id');
  });

  it('ambiguous column: EDDY-B004 with a span', () => {
    const sql = 'SELECT user_id FROM (SELECT user_id, user_id FROM orders)';
    const d = expectError(() => tp.bind(sql), ErrorCode.AMBIGUOUS_COLUMN);
    expect(d.message).toContain("'user_id'");
    expect(spanText(sql, d)).toBe('user_id');
  });

  it('unknown function: EDDY-B003 with did-you-mean', () => {
    const sql = 'SELECT UPPR(product) FROM orders';
    const d = expectError(() => tp.bind(sql), ErrorCode.UNKNOWN_FUNCTION);
    expect(d.message).toContain('UPPR');
    expect(d.hint).toBe('did you mean `UPPER`?');
    expect(spanText(sql, d)).toBe('UPPR(product)');
  });

  it('wrong argument types: EDDY-B006 naming the argument types', () => {
    const d = expectError(() => tp.bind('SELECT UPPER(qty, qty) FROM orders'), ErrorCode.WRONG_ARGUMENTS);
    expect(d.hint).toContain('UPPER(INT, INT)');
  });

  it('WHERE on a non-boolean: EDDY-B005 naming BOOLEAN and the actual type, spanning the condition', () => {
    const sql = 'SELECT * FROM orders WHERE qty + 1';
    const d = expectError(() => tp.bind(sql), ErrorCode.TYPE_MISMATCH);
    expect(d.message).toContain('WHERE');
    expect(d.message).toContain('BOOLEAN');
    expect(d.message).toContain('INT');
    expect(spanText(sql, d)).toBe('qty + 1');
  });

  it('NOT / AND on non-booleans are EDDY-B005', () => {
    expectError(() => tp.bind('SELECT NOT qty FROM orders'), ErrorCode.TYPE_MISMATCH);
    const sql = "SELECT * FROM orders WHERE qty > 1 AND product";
    const d = expectError(() => tp.bind(sql), ErrorCode.TYPE_MISMATCH);
    expect(spanText(sql, d)).toBe('product');
    expect(d.message).toContain('STRING');
  });

  it('WHERE NULL is allowed (it keeps no row)', () => {
    const plan = tp.bind('SELECT id FROM orders WHERE NULL').plan;
    expect(plan.kind).toBe('LogicalProject');
  });

  it('an aggregate in WHERE is EDDY-B012, spanning the call, hinting HAVING', () => {
    const sql = 'SELECT user_id FROM orders WHERE COUNT(*) > 1';
    const d = expectError(() => tp.bind(sql), ErrorCode.INVALID_AGGREGATE);
    expect(d.message).toContain('WHERE');
    expect(d.hint).toContain('HAVING');
    expect(spanText(sql, d)).toBe('COUNT(*)');
  });

  it('an aggregate in a GROUP BY key is EDDY-B012', () => {
    expectError(() => tp.bind('SELECT COUNT(*) FROM orders GROUP BY SUM(qty)'), ErrorCode.INVALID_AGGREGATE);
  });

  it('a cast that cannot be done is EDDY-B005 naming both types', () => {
    const d = expectError(() => tp.bind('SELECT CAST(ts AS BOOLEAN) FROM orders'), ErrorCode.TYPE_MISMATCH);
    expect(d.message).toContain('TIMESTAMP(3)');
    expect(d.message).toContain('BOOLEAN');
  });
});
