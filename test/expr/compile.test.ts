import { describe, expect, it } from 'vitest';
import type { Span } from '../../src/common/errors.js';
import { T, type DataType } from '../../src/common/types.js';
import type { BoundExpr, Call } from '../../src/expr/bound-expr.js';
import { compileExpr, compilePredicate, compileProjection } from '../../src/expr/compile.js';
import { ExpressionError } from '../../src/functions/eval-error.js';

const BOOL = T.boolean();
const lit = (value: unknown, type: DataType = BOOL): BoundExpr => ({ kind: 'LiteralValue', value, type });
const col = (index: number, type: DataType = T.int()): BoundExpr => ({ kind: 'InputRef', index, type, name: `c${index}` });
const and = (...args: BoundExpr[]): BoundExpr => ({ kind: 'AndExpr', args, type: BOOL });
const or = (...args: BoundExpr[]): BoundExpr => ({ kind: 'OrExpr', args, type: BOOL });
const not = (operand: BoundExpr): BoundExpr => ({ kind: 'NotExpr', operand, type: BOOL });
const call = (fn: string, impl: (...a: any[]) => unknown, args: BoundExpr[], strict = true, span?: Span): Call => ({
  kind: 'Call',
  fn,
  args,
  impl,
  strict,
  deterministic: true,
  type: T.int(),
  span,
});
const run = (e: BoundExpr, row: unknown[] = []) => compileExpr(e)(row);

const TRUTH = [true, false, null] as const;

describe('three-valued logic', () => {
  // Expected tables written out by hand (SQL standard).
  const AND: Record<string, boolean | null> = {
    'true,true': true, 'true,false': false, 'true,null': null,
    'false,true': false, 'false,false': false, 'false,null': false,
    'null,true': null, 'null,false': false, 'null,null': null,
  };
  const OR: Record<string, boolean | null> = {
    'true,true': true, 'true,false': true, 'true,null': true,
    'false,true': true, 'false,false': false, 'false,null': null,
    'null,true': true, 'null,false': null, 'null,null': null,
  };

  it('AND truth table (literals and columns)', () => {
    for (const a of TRUTH) for (const b of TRUTH) {
      expect(run(and(lit(a), lit(b)))).toBe(AND[`${a},${b}`]);
      expect(run(and(col(0, BOOL), col(1, BOOL)), [a, b])).toBe(AND[`${a},${b}`]);
    }
  });

  it('OR truth table', () => {
    for (const a of TRUTH) for (const b of TRUTH) {
      expect(run(or(lit(a), lit(b)))).toBe(OR[`${a},${b}`]);
      expect(run(or(col(0, BOOL), col(1, BOOL)), [a, b])).toBe(OR[`${a},${b}`]);
    }
  });

  it('NOT truth table', () => {
    expect(run(not(lit(true)))).toBe(false);
    expect(run(not(lit(false)))).toBe(true);
    expect(run(not(lit(null)))).toBe(null);
  });

  it('AND/OR over three arguments', () => {
    expect(run(and(lit(true), lit(null), lit(false)))).toBe(false);
    expect(run(and(lit(true), lit(null), lit(true)))).toBe(null);
    expect(run(or(lit(false), lit(null), lit(true)))).toBe(true);
    expect(run(or(lit(false), lit(null), lit(false)))).toBe(null);
    expect(run(and(lit(true), lit(true), lit(true)))).toBe(true);
  });

  it('short-circuits: FALSE AND <failing> is FALSE', () => {
    const boom = call('BOOM', () => {
      throw new ExpressionError('boom');
    }, []);
    expect(run(and(lit(false), boom))).toBe(false);
    expect(run(or(lit(true), boom))).toBe(true);
    expect(() => run(and(lit(true), boom))).toThrow('boom');
  });
});

describe('IN', () => {
  const inList = (operand: BoundExpr, list: BoundExpr[], negated = false): BoundExpr => ({ kind: 'InValues', operand, list, negated, type: BOOL });
  const i = (v: number | null) => lit(v, T.int());

  it('follows SQL NULL semantics', () => {
    expect(run(inList(i(1), [i(1), i(2)]))).toBe(true);
    expect(run(inList(i(3), [i(1), i(2)]))).toBe(false);
    expect(run(inList(i(3), [i(1), i(null)]))).toBe(null);
    expect(run(inList(i(1), [i(1), i(null)]))).toBe(true);
    expect(run(inList(i(null), [i(1)]))).toBe(null);
  });

  it('NOT IN negates TRUE and FALSE but keeps NULL', () => {
    expect(run(inList(i(1), [i(1), i(2)], true))).toBe(false);
    expect(run(inList(i(3), [i(1), i(2)], true))).toBe(true);
    expect(run(inList(i(3), [i(1), i(null)], true))).toBe(null);
    expect(run(inList(i(null), [i(1)], true))).toBe(null);
  });

  it('works with column values in the list and on strings', () => {
    const e = inList(col(0), [col(1), i(5)]);
    expect(run(e, [4, 4])).toBe(true);
    expect(run(e, [5, 0])).toBe(true);
    expect(run(e, [6, null])).toBe(null);
    expect(run(inList(col(0, T.string()), [lit('a', T.string()), lit('b', T.string())]), ['b'])).toBe(true);
  });
});

describe('CASE', () => {
  it('picks the first branch whose condition is exactly TRUE', () => {
    const e: BoundExpr = {
      kind: 'CaseWhen',
      whens: [
        { when: col(0, BOOL), then: lit('first', T.string()) },
        { when: col(1, BOOL), then: lit('second', T.string()) },
      ],
      otherwise: lit('else', T.string()),
      type: T.string(),
    };
    expect(run(e, [true, true])).toBe('first');
    expect(run(e, [null, true])).toBe('second');
    expect(run(e, [false, null])).toBe('else');
  });

  it('gives NULL without ELSE', () => {
    const e: BoundExpr = { kind: 'CaseWhen', whens: [{ when: col(0, BOOL), then: lit(1, T.int()) }], type: T.int() };
    expect(run(e, [null])).toBe(null);
    expect(run(e, [true])).toBe(1);
  });
});

describe('IS NULL', () => {
  it('is never NULL itself', () => {
    expect(run({ kind: 'IsNullExpr', operand: col(0), negated: false, type: BOOL }, [null])).toBe(true);
    expect(run({ kind: 'IsNullExpr', operand: col(0), negated: false, type: BOOL }, [0])).toBe(false);
    expect(run({ kind: 'IsNullExpr', operand: col(0), negated: true, type: BOOL }, [null])).toBe(false);
  });
});

describe('calls', () => {
  const add = (a: number, b: number) => a + b;

  it('evaluates calls of every arity', () => {
    expect(run(call('K', () => 7, []))).toBe(7);
    expect(run(call('NEG', (a: number) => -a, [col(0)]), [3])).toBe(-3);
    expect(run(call('+', add, [col(0), col(1)]), [3, 4])).toBe(7);
    expect(run(call('SUM3', (a: number, b: number, c: number) => a + b + c, [col(0), col(1), col(2)]), [1, 2, 3])).toBe(6);
    expect(run(call('SUM4', (...xs: number[]) => xs.reduce((x, y) => x + y), [col(0), col(1), col(2), col(3)]), [1, 2, 3, 4])).toBe(10);
  });

  it('strict calls give NULL without calling the implementation', () => {
    let calls = 0;
    const counted = (a: unknown, b: unknown) => {
      calls++;
      return [a, b];
    };
    expect(run(call('F', counted, [col(0), col(1)]), [null, 1])).toBe(null);
    expect(run(call('F', counted, [col(0), col(1)]), [1, undefined])).toBe(null);
    expect(calls).toBe(0);
    expect(run(call('F', counted, [col(0), col(1)], false), [null, 1])).toEqual([null, 1]);
    expect(calls).toBe(1);
  });

  it('attaches the call span to an ExpressionError', () => {
    const span: Span = { start: 7, end: 12, line: 1, column: 8 };
    const failing = call('/', () => {
      throw new ExpressionError('Division by zero');
    }, [col(0)], true, span);
    try {
      run(failing, [1]);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ExpressionError);
      expect((e as ExpressionError).span).toEqual(span);
      expect((e as ExpressionError).code).toBe('EDDY-R003');
    }
  });

  it('keeps the innermost span when calls nest', () => {
    const inner: Span = { start: 10, end: 15, line: 1, column: 11 };
    const outer: Span = { start: 0, end: 20, line: 1, column: 1 };
    const failing = call('CAST', () => {
      throw new ExpressionError("Cannot cast 'x' to INT");
    }, [col(0)], true, inner);
    const e = call('+', (a: number) => a, [failing], true, outer);
    expect(() => run(e, [1])).toThrow(expect.objectContaining({ span: inner }));
  });

  it('does not wrap other errors', () => {
    const bug = call('BUG', () => {
      throw new TypeError('bug');
    }, [], true, { start: 0, end: 1, line: 1, column: 1 });
    expect(() => run(bug)).toThrow(TypeError);
  });

  it('folds constants by evaluating on an empty row', () => {
    expect(compileExpr(call('+', add, [lit(2, T.int()), lit(3, T.int())]))([])).toBe(5);
  });
});

describe('compileProjection and compilePredicate', () => {
  it('copies columns by index', () => {
    const project = compileProjection([col(2), col(0)]);
    const row = [1, 2, 3];
    const out = project(row);
    expect(out).toEqual([3, 1]);
    expect(out).not.toBe(row);
  });

  it('evaluates expressions', () => {
    const project = compileProjection([col(0), call('+', (a: number, b: number) => a + b, [col(0), col(1)]), lit('k', T.string())]);
    expect(project([1, 2])).toEqual([1, 3, 'k']);
  });

  it('a predicate holds only when the condition is TRUE', () => {
    const p = compilePredicate(col(0, BOOL));
    expect(p([true])).toBe(true);
    expect(p([false])).toBe(false);
    expect(p([null])).toBe(false);
    expect(compilePredicate(lit(true))([])).toBe(true);
    expect(compilePredicate(lit(null))([])).toBe(false);
  });
});
