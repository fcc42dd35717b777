/**
 * Binding `$n` parameters: each becomes a literal of the type the client declared, or the type of its
 * context (the other operand of a comparison or arithmetic, the tested value of BETWEEN / IN / CASE, the
 * target of a CAST), or STRING; its text is converted to that type, with a positioned error when it does
 * not convert, and a parameter with no value is an error.
 */
import { describe, expect, it } from 'vitest';
import type * as ast from '../../../src/parser/ast.js';
import { parseStatement, withParameterValues } from '../../../src/parser/index.js';
import { T, type DataType } from '../../../src/common/types.js';
import type { BoundExpr } from '../../../src/expr/bound-expr.js';
import { compileExpr } from '../../../src/expr/compile.js';
import { ExprBinder } from '../../../src/planner/binder/bind-expr.js';
import { QueryBinder } from '../../../src/planner/binder/bind-query.js';
import { Scope } from '../../../src/planner/binder/scope.js';
import { ErrorCode } from '../../../src/common/errors.js';
import { TestPlanner, expectError, spanText, ty } from '../helpers.js';

const tp = new TestPlanner();

/** A value as Bind gives it: text only (type unspecified), or text and a declared type. */
const v = (text: string | null, type?: DataType): ast.ParameterValue => (type ? { text, type } : { text });

/** `SELECT <expr> FROM orders` with the parameter values bound: the select list's first expression. */
function bind(expr: string, values: readonly ast.ParameterValue[] | undefined, query = `SELECT ${expr} FROM orders`): BoundExpr {
  let stmt = parseStatement(query);
  if (values) stmt = withParameterValues(stmt, values);
  if (stmt.kind !== 'QueryStatement') throw new Error('not a query');
  const plan = new QueryBinder(tp.planner.ctx).bindQuery(stmt.query).plan;
  if (plan.kind !== 'LogicalProject') throw new Error(`expected a projection, got ${plan.kind}`);
  return plan.exprs[0]!;
}

/** The literal a parameter became, at argument `i` of a call (the binder may wrap it in an implicit cast). */
function argLiteral(e: BoundExpr, i: number): { value: unknown; type: string } {
  if (e.kind !== 'Call') throw new Error(`expected a call, got ${e.kind}`);
  const arg = e.args[i]!;
  if (arg.kind !== 'LiteralValue') throw new Error(`expected a literal at argument ${i}, got ${arg.kind}`);
  return { value: arg.value, type: ty(arg.type) };
}

describe('a parameter with no type of its own', () => {
  it('is STRING where nothing gives it a type', () => {
    const e = bind('$1', [v('42')]);
    expect(e).toMatchObject({ kind: 'LiteralValue', value: '42' });
    expect(ty(e.type)).toBe('STRING NOT NULL');
  });

  it.each([
    // [expression, value, the literal's value, its type] — types from the orders table (helpers.ts).
    ['id = $1', '42', 42, 'BIGINT NOT NULL'],
    ['$1 = id', '-7', -7, 'BIGINT NOT NULL'],
    ['qty < $1', ' +3 ', 3, 'INT NOT NULL'],
    ['price > $1', '1e3', 1000, 'DOUBLE NOT NULL'],
    ['product <> $1', "'; DROP TABLE orders; --", "'; DROP TABLE orders; --", 'STRING NOT NULL'],
    ['plain_ts >= $1', '2024-01-01 00:00:00', 1_704_067_200_000, 'TIMESTAMP(3) NOT NULL'],
    // ts is a rowtime attribute: the parameter is a plain TIMESTAMP(3).
    ['ts < $1', '2024-01-01 00:00:01.5', 1_704_067_201_500, 'TIMESTAMP(3) NOT NULL'],
    ['qty + $1', '2', 2, 'INT NOT NULL'],
    ['id = -$1', '5', -5, 'BIGINT NOT NULL'],
    ['product || $1', '!', '!', 'STRING NOT NULL'],
  ])('takes the type of the other operand: %s with %j', (expr, text, value, type) => {
    const e = bind(expr, [v(text)]);
    const side = expr.startsWith('$1') ? 0 : 1;
    expect(argLiteral(e, side)).toEqual({ value, type });
  });

  it('keeps a DECIMAL as exact as its text, not rounded to the column\'s scale', () => {
    // amount is DECIMAL(10, 2): 12.345 stays 12.345 (DECIMAL(5, 3)), so `amount = $1` is false for 12.35.
    const e = bind('amount = $1', [v('12.345')]);
    const arg = (e as Extract<BoundExpr, { kind: 'Call' }>).args[1]!;
    expect(arg.kind === 'Call' ? arg.args[0] : arg).toMatchObject({ kind: 'LiteralValue', value: 12.345 });
    expect(ty(arg.kind === 'Call' ? arg.args[0]!.type : arg.type)).toBe('DECIMAL(5, 3) NOT NULL');
    expect(compileExpr(bind('CAST(12.35 AS DECIMAL(10, 2)) = $1', [v('12.345')]))([])).toBe(false);
  });

  it('keeps a DECIMAL given with an exponent exact (1e-7, 1.5e3)', () => {
    for (const [text, value, type] of [
      ['1e-7', 1e-7, 'DECIMAL(7, 7) NOT NULL'],
      ['-2.5E-3', -0.0025, 'DECIMAL(4, 4) NOT NULL'],
      ['1.5e3', 1500, 'DECIMAL(4, 0) NOT NULL'],
    ] as const) {
      const e = bind('amount = $1', [v(text)]);
      const arg = (e as Extract<BoundExpr, { kind: 'Call' }>).args[1]!;
      const lit = arg.kind === 'Call' ? arg.args[0]! : arg;
      expect(lit, text).toMatchObject({ kind: 'LiteralValue', value });
      expect(ty(lit.type), text).toBe(type);
    }
  });

  it('is a number in LIMIT and OFFSET', () => {
    let stmt = parseStatement('SELECT id FROM orders LIMIT $1 OFFSET $2');
    stmt = withParameterValues(stmt, [v('5'), v('2')]);
    if (stmt.kind !== 'QueryStatement') throw new Error('not a query');
    const plan = new QueryBinder(tp.planner.ctx).bindQuery(stmt.query).plan;
    expect(plan).toMatchObject({ kind: 'LogicalLimit', limit: 5, offset: 2 });
  });

  it('takes the tested value\'s type in BETWEEN, IN and CASE, and BOOLEAN as a condition', () => {
    const between = bind('id BETWEEN $1 AND $2', [v('1'), v('3')]);
    // BETWEEN is (id >= $1) AND (id <= $2).
    const and = between as Extract<BoundExpr, { kind: 'AndExpr' }>;
    expect(argLiteral(and.args[0]!, 1)).toEqual({ value: 1, type: 'BIGINT NOT NULL' });
    expect(argLiteral(and.args[1]!, 1)).toEqual({ value: 3, type: 'BIGINT NOT NULL' });
    const inList = bind('qty IN ($1, 5)', [v('4')]) as Extract<BoundExpr, { kind: 'InValues' }>;
    expect(inList.list[0]).toMatchObject({ kind: 'LiteralValue', value: 4 });
    expect(ty(inList.list[0]!.type)).toBe('INT NOT NULL');
    // The tested value itself a parameter: it takes the list's type.
    const tested = bind('$1 IN (1, 2)', [v('2')]) as Extract<BoundExpr, { kind: 'InValues' }>;
    expect(compileExpr(tested)([])).toBe(true);
    expect(compileExpr(bind("CASE qty WHEN $1 THEN 'three' ELSE 'other' END", [v('3')], "SELECT CASE qty WHEN $1 THEN 'three' ELSE 'other' END FROM orders"))([0, 0, '', 0, 0, 3])).toBe('three');
    expect(compileExpr(bind('CASE WHEN $1 THEN 1 ELSE 0 END', [v('t')]))([])).toBe(1);
    expect(compileExpr(bind('$1 AND NOT $2', [v('true'), v('false')]))([])).toBe(true);
    expect(compileExpr(bind('$1 OR $2', [v('f'), v('no')]))([])).toBe(false);
  });

  it('takes the target type of a CAST (checked now), but stays text in TRY_CAST', () => {
    const date = bind('CAST($1 AS DATE)', [v('2024-02-29')]);
    expect(date).toMatchObject({ kind: 'LiteralValue', value: 19_782 }); // days from 1970-01-01 to 2024-02-29
    const d = expectError(() => bind('CAST($1 AS DATE)', [v('2024-02-30')]), ErrorCode.INVALID_PARAMETER);
    expect(d.message).toBe("Invalid value for parameter $1 (DATE): '2024-02-30' is not a valid DATE");
    expect(compileExpr(bind('TRY_CAST($1 AS INT)', [v('x')]))([])).toBe(null);
  });

  it('is NULL of its context\'s type for a NULL value', () => {
    const e = bind('id = $1', [v(null)]);
    expect(argLiteral(e, 1)).toEqual({ value: null, type: 'BIGINT' });
    expect(compileExpr(e)([1])).toBe(null);
  });

  it('takes its type in an aggregating query\'s HAVING too', () => {
    const sql = 'SELECT user_id FROM orders GROUP BY user_id HAVING COUNT(*) > $1';
    const stmt = withParameterValues(parseStatement(sql), [v('2')]);
    if (stmt.kind !== 'QueryStatement') throw new Error('not a query');
    const plan = new QueryBinder(tp.planner.ctx).bindQuery(stmt.query).plan;
    const filter = JSON.stringify(plan, (_k, x: unknown) => (typeof x === 'function' ? undefined : x));
    expect(filter).toContain('"kind":"LiteralValue","value":2,"type":{"name":"BIGINT","nullable":false}');
  });

  it('takes the type its place expects (an INSERT column), when the caller says', () => {
    const stmt = withParameterValues(parseStatement('SELECT $1'), [v('17')]);
    if (stmt.kind !== 'QueryStatement' || stmt.query.body.kind !== 'Select') throw new Error('not a select');
    const item = stmt.query.body.items[0]!;
    if (item.kind === 'SelectStar') throw new Error('a star');
    const e = new ExprBinder(tp.planner.ctx, new Scope([]), { clause: 'INSERT' }).bind(item.expr, T.smallint());
    expect(e).toMatchObject({ kind: 'LiteralValue', value: 17 });
    expect(ty(e.type)).toBe('SMALLINT NOT NULL');
  });
});

describe('a parameter with a declared type', () => {
  it('has that type whatever its context, and its value is checked against it', () => {
    expect(bind('$1', [v('2024-01-01', T.date())])).toMatchObject({ kind: 'LiteralValue', value: 19_723 });
    expect(bind('$1', [v(' yes ', T.boolean())])).toMatchObject({ kind: 'LiteralValue', value: true });
    // numeric (a DECIMAL of no precision): the value's own precision and scale.
    const n = bind('$1', [v('-0.050', { name: 'DECIMAL', nullable: true })]);
    expect([n.kind === 'LiteralValue' && n.value, ty(n.type)]).toEqual([-0.05, 'DECIMAL(3, 3) NOT NULL']);
    // Declared INT, compared with a STRING column: the declared type wins, so the types do not match.
    const mismatch = expectError(() => bind('product = $1', [v('7', T.int())]), ErrorCode.WRONG_ARGUMENTS);
    expect(mismatch.message).toContain('=');
  });
});

describe('a parameter that cannot be bound', () => {
  it.each([
    ['id = $1', 'abc', "Invalid value for parameter $1 (BIGINT): 'abc' is not an integer"],
    ['id = $1', '1 OR 1=1', "Invalid value for parameter $1 (BIGINT): '1 OR 1=1' is not an integer"],
    ['qty = $1', '1.5', "Invalid value for parameter $1 (INT): '1.5' is not an integer"],
    ['qty = $1', '3000000000', "Invalid value for parameter $1 (INT): '3000000000' is not a valid INT"],
    ['id = $1', '9223372036854775808', "Invalid value for parameter $1 (BIGINT): '9223372036854775808' is not a valid BIGINT"],
    ['price = $1', 'cheap', "Invalid value for parameter $1 (DOUBLE): 'cheap' is not a valid DOUBLE"],
    ['plain_ts = $1', 'yesterday', "Invalid value for parameter $1 (TIMESTAMP(3)): 'yesterday' is not a valid TIMESTAMP(3)"],
  ])('%s with %j is an error at the parameter', (expr, text, message) => {
    const d = expectError(() => bind(expr, [v(text)]), ErrorCode.INVALID_PARAMETER);
    expect(d.message).toBe(message);
    expect(spanText(`SELECT ${expr} FROM orders`, d)).toBe('$1');
    expect(d.hint).toContain('takes the type of its context');
  });

  it('names the declared type when the client declared it', () => {
    const d = expectError(() => bind('$1', [v('1.5', T.int())]), ErrorCode.INVALID_PARAMETER);
    expect(d.hint).toBe('the client declared $1 as INT');
  });

  it('is an error with no value (a statement run outside the extended protocol)', () => {
    const d = expectError(() => bind('id = $2', undefined), ErrorCode.INVALID_PARAMETER);
    expect(d.message).toBe('Parameter $2 has no value');
    expect(spanText('SELECT id = $2 FROM orders', d)).toBe('$2');
    expect(d.hint).toContain('extended protocol');
    expect(expectError(() => bind('?', undefined), ErrorCode.INVALID_PARAMETER).message).toBe('Parameter ? #1 has no value');
  });
});
