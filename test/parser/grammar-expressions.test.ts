import { describe, expect, it } from 'vitest';
import { parseExpression } from '../../src/parser/parse.js';
import type { Expr } from '../../src/parser/index.js';
import { as, select } from './helpers.js';

/** A compact prefix rendering of an expression, to check precedence and shape at a glance. */
function show(e: Expr): string {
  switch (e.kind) {
    case 'ColumnRef':
      return e.name.parts.map((p) => p.name).join('.');
    case 'Literal':
      return e.type === 'number' ? e.text : e.type === 'string' ? `'${e.value}'` : e.type === 'boolean' ? String(e.value) : 'NULL';
    case 'BinaryExpr':
      return `(${e.op} ${show(e.left)} ${show(e.right)})`;
    case 'UnaryExpr':
      return `(${e.op} ${show(e.operand)})`;
    case 'FunctionCall':
      return `${e.name.parts.map((p) => p.name).join('.')}(${e.star ? '*' : e.args.map(show).join(', ')})`;
    default:
      return e.kind;
  }
}
const p = (text: string) => show(parseExpression(text));

describe('expression precedence', () => {
  it('orders OR < AND < NOT < comparison < additive < multiplicative < unary', () => {
    expect(p('a OR b AND NOT c = d + e * -f')).toBe('(OR a (AND b (NOT (= c (+ d (* e (- f)))))))');
    expect(p('a - b - c')).toBe('(- (- a b) c)');
    expect(p("a || 'x' || b")).toBe("(|| (|| a 'x') b)");
    expect(p('(a + b) * c % 2 / 3')).toBe('(/ (% (* (+ a b) c) 2) 3)');
    expect(p('a != b')).toBe('(<> a b)');
    expect(p('a <= b AND c >= d AND e < f AND g > h AND i <> j')).toContain('(<> i j)');
  });
});

describe('predicates', () => {
  it('parses IS, BETWEEN, IN, LIKE, SIMILAR TO', () => {
    expect(parseExpression('a IS NOT NULL')).toMatchObject({ kind: 'IsExpr', test: 'NULL', negated: true });
    expect(parseExpression('a IS UNKNOWN')).toMatchObject({ kind: 'IsExpr', test: 'UNKNOWN', negated: false });
    expect(parseExpression('a IS TRUE')).toMatchObject({ test: 'TRUE' });
    expect(parseExpression('a IS NOT DISTINCT FROM b')).toMatchObject({ kind: 'BinaryExpr', op: 'IS NOT DISTINCT FROM' });
    expect(parseExpression('a IS DISTINCT FROM b')).toMatchObject({ op: 'IS DISTINCT FROM' });
    expect(parseExpression('a NOT BETWEEN SYMMETRIC 1 AND 2')).toMatchObject({ kind: 'BetweenExpr', negated: true, symmetric: true });
    const between = as(parseExpression('a BETWEEN 1 AND 2 AND b'), 'BinaryExpr');
    expect(between.op).toBe('AND');
    expect(between.left.kind).toBe('BetweenExpr');
    expect(parseExpression('a IN (1, 2, 3)')).toMatchObject({ kind: 'InListExpr', negated: false, list: [{}, {}, {}] });
    expect(parseExpression('a NOT IN (SELECT x FROM t)')).toMatchObject({ kind: 'InSubqueryExpr', negated: true });
    expect(parseExpression("a LIKE 'x!%' ESCAPE '!'")).toMatchObject({ kind: 'LikeExpr', op: 'LIKE', escape: { value: '!' } });
    expect(parseExpression("a NOT SIMILAR TO 'x+'")).toMatchObject({ kind: 'LikeExpr', op: 'SIMILAR TO', negated: true });
  });

  it('parses EXISTS and scalar subqueries', () => {
    expect(parseExpression('NOT EXISTS (SELECT 1)')).toMatchObject({ kind: 'UnaryExpr', operand: { kind: 'ExistsExpr' } });
    expect(parseExpression('(SELECT MAX(x) FROM t) + 1')).toMatchObject({ left: { kind: 'ScalarSubquery' } });
  });
});

describe('literals', () => {
  it('keeps number text and flags', () => {
    expect(parseExpression('42')).toMatchObject({ type: 'number', text: '42', isInteger: true, isApprox: false });
    expect(parseExpression('1.50')).toMatchObject({ text: '1.50', isInteger: false, isApprox: false });
    expect(parseExpression('1e3')).toMatchObject({ text: '1e3', isInteger: false, isApprox: true });
  });

  it('parses strings, booleans, NULL and typed literals', () => {
    expect(parseExpression("'it''s'")).toMatchObject({ type: 'string', value: "it's" });
    expect(parseExpression('TRUE')).toMatchObject({ type: 'boolean', value: true });
    expect(parseExpression('null')).toMatchObject({ type: 'null' });
    expect(parseExpression("TIMESTAMP '2024-01-01 10:00:00.123'")).toMatchObject({ kind: 'TypedLiteral', type: 'TIMESTAMP' });
    expect(parseExpression("TIMESTAMP_LTZ '2024-01-01 10:00:00'")).toMatchObject({ type: 'TIMESTAMP_LTZ' });
    expect(parseExpression("DATE '2024-01-31'")).toMatchObject({ type: 'DATE', value: '2024-01-31' });
    expect(parseExpression("TIME '12:30:00'")).toMatchObject({ type: 'TIME' });
  });

  it('parses intervals, normalizing plural units and folding a leading minus', () => {
    expect(parseExpression("INTERVAL '10' MINUTES")).toMatchObject({ kind: 'IntervalLiteral', value: '10', from: 'MINUTE' });
    expect(parseExpression("INTERVAL '1:30' HOUR TO MINUTE")).toMatchObject({ value: '1:30', from: 'HOUR', to: 'MINUTE' });
    expect(parseExpression("INTERVAL '5' SECOND(3)")).toMatchObject({ from: 'SECOND' });
    expect(parseExpression("INTERVAL '1' DAY(2)")).toMatchObject({ from: 'DAY' });
    expect(parseExpression("-INTERVAL '1' DAY")).toMatchObject({ kind: 'IntervalLiteral', value: '-1' });
    expect(parseExpression("INTERVAL -'2' DAYS")).toMatchObject({ value: '-2', from: 'DAY' });
  });

  it('numbers ? parameters from 1', () => {
    expect(parseExpression('? + ?')).toMatchObject({ left: { kind: 'ParameterExpr', index: 1, marker: '?' }, right: { index: 2 } });
  });

  it('reads $n parameters by their number, wherever an expression may be', () => {
    expect(parseExpression('$2 + $12')).toMatchObject({ left: { kind: 'ParameterExpr', index: 2, marker: '$', span: { start: 0, end: 2 } }, right: { index: 12, span: { start: 5, end: 8 } } });
    expect(parseExpression('f($1, -$1)')).toMatchObject({ args: [{ kind: 'ParameterExpr', index: 1 }, { kind: 'UnaryExpr', operand: { kind: 'ParameterExpr', index: 1 } }] });
    // `a$1` is a name (as in Flink), not `a` followed by a parameter.
    expect(parseExpression('a$1')).toMatchObject({ kind: 'ColumnRef', name: { parts: [{ name: 'a$1' }] } });
    // Inside a string it is text.
    expect(parseExpression("'$1'")).toMatchObject({ kind: 'Literal', value: '$1' });
  });

  it('refuses $0, and a statement that mixes ? and $n', () => {
    expect(() => parseExpression('$0')).toThrow('There is no parameter $0: parameters are numbered from $1 to $65535');
    expect(() => parseExpression('$1 + ?')).toThrow('A statement cannot mix `?` and `$n` parameters');
  });

  it('reads backquoted and dotted names', () => {
    expect(parseExpression('`my col`')).toMatchObject({ kind: 'ColumnRef', name: { parts: [{ name: 'my col', quoted: true }] } });
    expect(parseExpression('`a``b`')).toMatchObject({ name: { parts: [{ name: 'a`b' }] } });
    expect(p('r.ride_id')).toBe('r.ride_id');
    expect(p('MyCol')).toBe('MyCol');
  });
});

describe('special forms', () => {
  it('parses CASE in both forms', () => {
    expect(parseExpression("CASE a WHEN 1 THEN 'x' WHEN 2 THEN 'y' ELSE 'z' END")).toMatchObject({
      kind: 'CaseExpr', operand: { kind: 'ColumnRef' }, whens: [{}, {}], else: { value: 'z' },
    });
    const searched = as(parseExpression('CASE WHEN a > 1 THEN 1 END'), 'CaseExpr');
    expect(searched.operand).toBeUndefined();
    expect(searched.else).toBeUndefined();
  });

  it('parses CAST and TRY_CAST with a type span', () => {
    const c = as(parseExpression('CAST(a AS DECIMAL(10, 2))'), 'CastExpr');
    expect(c).toMatchObject({ safe: false, type: { name: 'DECIMAL', precision: 10, scale: 2 } });
    expect(c.typeSpan).toMatchObject({ start: 10, end: 24 });
    expect(parseExpression('TRY_CAST(a AS INT)')).toMatchObject({ safe: true, type: { name: 'INT' } });
  });

  it('parses EXTRACT, TRIM, FLOOR/CEIL TO, SUBSTRING and POSITION', () => {
    expect(parseExpression('EXTRACT(HOUR FROM ts)')).toMatchObject({ kind: 'ExtractExpr', unit: 'HOUR' });
    expect(parseExpression("TRIM(LEADING 'x' FROM s)")).toMatchObject({ kind: 'TrimExpr', mode: 'LEADING', chars: { value: 'x' }, operand: { kind: 'ColumnRef' } });
    expect(parseExpression('TRIM(s)')).toMatchObject({ kind: 'TrimExpr', mode: 'BOTH', operand: { kind: 'ColumnRef' } });
    expect(as(parseExpression('TRIM(s)'), 'TrimExpr').chars).toBeUndefined();
    expect(parseExpression('FLOOR(ts TO HOUR)')).toMatchObject({ kind: 'TimeFloorExpr', fn: 'FLOOR', unit: 'HOUR' });
    expect(parseExpression('CEIL(ts TO DAY)')).toMatchObject({ kind: 'TimeFloorExpr', fn: 'CEIL', unit: 'DAY' });
    expect(p('FLOOR(x)')).toBe('FLOOR(x)');
    expect(p('SUBSTRING(s FROM 2 FOR 3)')).toBe('SUBSTRING(s, 2, 3)');
    expect(p('SUBSTRING(s, 2)')).toBe('SUBSTRING(s, 2)');
    expect(p("POSITION('a' IN s)")).toBe("POSITION('a', s)");
  });

  it('parses TIMESTAMPDIFF / TIMESTAMPADD with a time unit first argument', () => {
    expect(parseExpression('TIMESTAMPDIFF(HOUR, a, b)')).toMatchObject({ args: [{ kind: 'TimeUnitArg', unit: 'HOUR' }, {}, {}] });
    expect(parseExpression('timestampadd(minutes, 5, ts)')).toMatchObject({ name: { parts: [{ name: 'TIMESTAMPADD' }] }, args: [{ kind: 'TimeUnitArg', unit: 'MINUTE' }, {}, {}] });
  });

  it('parses niladic time functions', () => {
    for (const name of ['CURRENT_TIMESTAMP', 'LOCALTIMESTAMP', 'CURRENT_DATE', 'CURRENT_TIME', 'LOCALTIME']) {
      expect(parseExpression(name.toLowerCase())).toMatchObject({ kind: 'FunctionCall', name: { parts: [{ name }] }, noParens: true, args: [] });
    }
  });
});

describe('function calls', () => {
  it('upper-cases names, keeps quoted ones, and reads keyword-named functions', () => {
    expect(p('lower(s)')).toBe('LOWER(s)');
    expect(parseExpression('`myFn`(s)')).toMatchObject({ name: { parts: [{ name: 'myFn', quoted: true }] } });
    expect(p("IF(a > 1, 'x', 'y')")).toBe("IF((> a 1), 'x', 'y')");
    expect(p('LEFT(s, 2)')).toBe('LEFT(s, 2)');
    expect(p('RIGHT(s, 2)')).toBe('RIGHT(s, 2)');
    expect(p('MOD(a, 2) + YEAR(ts) + HOUR(ts) + TRUNCATE(x, 1)')).toContain('YEAR(ts)');
    expect(p('f()')).toBe('F()');
  });

  it('parses COUNT(*), DISTINCT and FILTER', () => {
    expect(parseExpression('COUNT(*)')).toMatchObject({ star: true, args: [], distinct: false });
    expect(parseExpression('COUNT(DISTINCT x)')).toMatchObject({ star: false, distinct: true, args: [{}] });
    expect(parseExpression('SUM(x) FILTER (WHERE x > 0)')).toMatchObject({ filter: { kind: 'BinaryExpr', op: '>' } });
  });

  it('parses OVER clauses with frames and named windows', () => {
    const f = as(parseExpression('SUM(x) OVER (PARTITION BY k ORDER BY ts DESC ROWS BETWEEN 2 PRECEDING AND CURRENT ROW)'), 'FunctionCall');
    expect(f.over).toMatchObject({ kind: 'OverClause', partitionBy: [{}], orderBy: [{ descending: true }] });
    expect(f.over?.frame).toMatchObject({ units: 'ROWS', start: { type: 'PRECEDING', offset: { text: '2' } }, end: { type: 'CURRENT_ROW' } });
    const range = as(parseExpression("COUNT(*) OVER (ORDER BY ts RANGE BETWEEN INTERVAL '1' HOUR PRECEDING AND CURRENT ROW)"), 'FunctionCall');
    expect(range.over?.frame?.start.offset?.kind).toBe('IntervalLiteral');
    const unb = as(parseExpression('ROW_NUMBER() OVER (ORDER BY ts ROWS UNBOUNDED PRECEDING)'), 'FunctionCall');
    expect(unb.over?.frame).toMatchObject({ start: { type: 'UNBOUNDED_PRECEDING' }, end: { type: 'CURRENT_ROW' } });
    expect(parseExpression('SUM(x) OVER w')).toMatchObject({ over: { windowName: { name: 'w' }, partitionBy: [], orderBy: [] } });
  });
});

describe('spans', () => {
  it('covers the whole expression and each operand', () => {
    const s = select('SELECT\n  a + b * 2 AS total FROM t');
    const item = s.items[0]!;
    expect(item.span).toEqual({ start: 9, end: 27, line: 2, column: 3 });
    const sum = as(item.kind === 'SelectExpr' ? item.expr : undefined, 'BinaryExpr');
    expect(sum.span).toEqual({ start: 9, end: 18, line: 2, column: 3 });
    expect(sum.right.span).toEqual({ start: 13, end: 18, line: 2, column: 7 });
    expect(item.kind === 'SelectExpr' && item.alias?.span).toEqual({ start: 22, end: 27, line: 2, column: 16 });
  });
});
