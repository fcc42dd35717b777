import { describe, expect, it } from 'vitest';
import { T } from '../../src/common/types.js';
import type { BoundExpr } from '../../src/expr/bound-expr.js';
import { compileClosures, compileColumnPick, compileExpr, compileRow } from '../../src/expr/compile.js';
import { ExpressionError } from '../../src/functions/eval-error.js';

/** The outcome of evaluating: the value, or the error's class, message and span. */
function outcome(f: (row: unknown[]) => unknown, row: unknown[]): unknown {
  try {
    return { value: f(row) };
  } catch (e) {
    return { error: (e as Error).constructor.name, message: (e as Error).message, span: (e as ExpressionError).span };
  }
}

describe('generated expression code', () => {
  it('agrees with the closures on random trees: values, NULLs, short-circuits, errors and their spans', () => {
    let seed = 42;
    const random = (): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    const pick = <X>(xs: readonly X[]): X => xs[Math.floor(random() * xs.length)]!;
    const values = [true, false, null, undefined, 0, 1, 2, 'a', { decimal: '1.5' }];
    const impls = [
      (...a: unknown[]) => a.filter((x) => x === true).length > 1,
      (a: unknown) => (a === 2 ? (() => { throw new ExpressionError('two'); })() : a),
      (...a: unknown[]) => a.map(String).join('|'),
      (a: unknown, b: unknown) => a === b,
    ];
    let n = 0;
    const tree = (depth: number): BoundExpr => {
      const type = T.boolean();
      const leaf = depth > 4 || random() < 0.3;
      if (leaf) return random() < 0.5 ? { kind: 'InputRef', index: Math.floor(random() * 4), type, name: 'c' } : { kind: 'LiteralValue', value: pick(values), type };
      const args = (k: number) => Array.from({ length: k }, () => tree(depth + 1));
      switch (Math.floor(random() * 7)) {
        case 0:
          return { kind: 'AndExpr', args: args(2 + Math.floor(random() * 2)), type };
        case 1:
          return { kind: 'OrExpr', args: args(2 + Math.floor(random() * 2)), type };
        case 2:
          return { kind: 'NotExpr', operand: tree(depth + 1), type };
        case 3:
          return { kind: 'IsNullExpr', operand: tree(depth + 1), negated: random() < 0.5, type };
        case 4:
          return { kind: 'CaseWhen', whens: Array.from({ length: 1 + Math.floor(random() * 2) }, () => ({ when: tree(depth + 1), then: tree(depth + 1) })), ...(random() < 0.5 ? { otherwise: tree(depth + 1) } : {}), type };
        case 5:
          return { kind: 'InValues', operand: tree(depth + 1), list: args(1 + Math.floor(random() * 3)), negated: random() < 0.5, type };
        default: {
          const span = random() < 0.6 ? { start: n, end: n + 1, line: 1, column: ++n } : undefined;
          return { kind: 'Call', fn: 'f', impl: pick(impls), args: args(Math.floor(random() * 5)), strict: random() < 0.6, deterministic: true, type, ...(span ? { span } : {}) };
        }
      }
    };
    for (let t = 0; t < 400; t++) {
      const e = tree(0);
      const generated = compileExpr(e);
      const closures = compileClosures(e);
      for (let r = 0; r < 8; r++) {
        const row = Array.from({ length: 4 }, () => pick(values));
        expect(outcome(generated, row)).toEqual(outcome(closures, row));
      }
    }
  });

  it('keeps literals out of the code: a string literal that looks like code is only a value', () => {
    const evil = "'); throw new Error('injected'); ('";
    const e: BoundExpr = { kind: 'LiteralValue', value: evil, type: T.string() };
    expect(compileExpr(e)([])).toBe(evil);
    expect(compileRow([compileExpr(e), (row) => row[0]])([7])).toEqual([evil, 7]);
  });

  it('picks columns and makes rows of expressions', () => {
    expect(compileColumnPick([2, 0])(['a', 'b', 'c'])).toEqual(['c', 'a']);
    expect(compileRow([(r) => (r[0] as number) + 1, () => null])([1])).toEqual([2, null]);
  });
});
