/**
 * Deeply nested SQL gives a positioned "nested too deeply" error (EDDY-P007) at parse, bind and compile —
 * never a RangeError — and long flat AND / OR chains are built balanced, so they work.
 */
import { describe, expect, it } from 'vitest';
import { EddyError, ErrorCode, type Span } from '../../src/common/errors.js';
import { MAX_NESTING_DEPTH, MAX_TREE_DEPTH } from '../../src/common/nesting-limits.js';
import { T } from '../../src/common/types.js';
import type { BoundExpr } from '../../src/expr/bound-expr.js';
import { compileExpr } from '../../src/expr/compile.js';
import { parseExpression, parseScript, parseStatement, type Expr, type Query } from '../../src/parser/index.js';
import { QueryBinder } from '../../src/planner/binder/bind-query.js';
import { TestPlanner } from '../planner/helpers.js';

/** The EddyError `fn` throws (failing the test when it throws anything else or nothing). */
function eddyError(fn: () => unknown): EddyError {
  try {
    fn();
  } catch (e) {
    if (e instanceof EddyError) return e;
    throw new Error(`expected an EddyError, got ${String(e)}`);
  }
  throw new Error('expected an EddyError');
}

/** The height of an expression tree (iteratively: the tree may be deep). */
function height(root: Expr): number {
  let max = 0;
  const stack: [Expr, number][] = [[root, 1]];
  while (stack.length > 0) {
    const [e, d] = stack.pop()!;
    max = Math.max(max, d);
    if (e.kind === 'BinaryExpr') stack.push([e.left, d + 1], [e.right, d + 1]);
  }
  return max;
}

/** The leaves of an AND / OR tree, left to right. */
function leaves(e: Expr): string[] {
  if (e.kind === 'BinaryExpr' && (e.op === 'OR' || e.op === 'AND')) return [...leaves(e.left), ...leaves(e.right)];
  if (e.kind === 'BinaryExpr' && e.right.kind === 'Literal' && e.right.type === 'number') return [e.right.text];
  throw new Error(`unexpected ${e.kind}`);
}

describe('nesting limits at parse', () => {
  it('parses 100 levels of parentheses and refuses 156, pointing at the 101st', () => {
    expect(() => parseStatement(`SELECT ${'('.repeat(MAX_NESTING_DEPTH)}1${')'.repeat(MAX_NESTING_DEPTH)}`)).not.toThrow();
    const sql = `SELECT ${'('.repeat(156)}1${')'.repeat(156)}`;
    const err = eddyError(() => parseStatement(sql));
    expect(err.code).toBe(ErrorCode.NESTED_TOO_DEEPLY);
    expect(err.message).toBe('Nested too deeply: more than 100 levels of parentheses, brackets or CASE');
    // 'SELECT ' is 7 characters; the 101st '(' is at offset 7 + 100.
    expect(err.diagnostics[0]!.span).toMatchObject({ start: 107, end: 108, line: 1, column: 108 });
  });

  it('counts CASE, function calls and subqueries as levels', () => {
    const cases = `SELECT ${'CASE WHEN x = 1 THEN '.repeat(120)}x${' ELSE 0 END'.repeat(120)} FROM t`;
    const caseErr = eddyError(() => parseStatement(cases));
    expect(caseErr.code).toBe(ErrorCode.NESTED_TOO_DEEPLY);
    expect(cases.slice(caseErr.diagnostics[0]!.span!.start, caseErr.diagnostics[0]!.span!.end)).toBe('CASE');
    // The 101st CASE starts after 100 copies of the 21-character prefix.
    expect(caseErr.diagnostics[0]!.span!.start).toBe(7 + 100 * 'CASE WHEN x = 1 THEN '.length);

    const calls = `SELECT ${'ABS('.repeat(300)}1${')'.repeat(300)}`;
    expect(eddyError(() => parseStatement(calls)).code).toBe(ErrorCode.NESTED_TOO_DEEPLY);
    const subqueries = `SELECT * FROM ${'(SELECT * FROM '.repeat(200)}t${') s'.repeat(200)}`;
    expect(eddyError(() => parseStatement(subqueries)).code).toBe(ErrorCode.NESTED_TOO_DEEPLY);
  });

  it('refuses a sum of 2,203 terms with a positioned error', () => {
    const sql = `SELECT ${Array(2203).fill('1').join(' + ')}`;
    const err = eddyError(() => parseStatement(sql));
    expect(err.code).toBe(ErrorCode.NESTED_TOO_DEEPLY);
    expect(err.message).toBe(`Nested too deeply: more than ${MAX_TREE_DEPTH} levels of operators and function calls`);
    const span = err.diagnostics[0]!.span!;
    expect(span.start).toBeGreaterThan(0);
    expect(span.end).toBeLessThanOrEqual(sql.length);
  });

  it('parses a sum just under the limit', () => {
    // A query statement's SELECT item sits a few levels down; 480 terms are 479 levels of '+'.
    expect(() => parseStatement(`SELECT ${Array(480).fill('1').join(' + ')}`)).not.toThrow();
  });

  it('builds an OR of 2,000 terms balanced, keeping the terms in order', () => {
    const terms = Array.from({ length: 2000 }, (_, i) => `x = ${i}`);
    const e = parseExpression(terms.join(' OR '));
    expect(height(e)).toBe(Math.ceil(Math.log2(2000)) + 2); // 11 levels of OR, the comparison, its operands
    expect(leaves(e)).toEqual(terms.map((_, i) => String(i)));
    const and = parseExpression(terms.join(' AND '));
    expect(height(and)).toBe(Math.ceil(Math.log2(2000)) + 2);
    expect(leaves(and)).toEqual(terms.map((_, i) => String(i)));
  });

  it('keeps short chains left-nested as written', () => {
    const e = parseExpression('a OR b OR c');
    expect(e).toMatchObject({ kind: 'BinaryExpr', op: 'OR', left: { kind: 'BinaryExpr', op: 'OR' }, right: { kind: 'ColumnRef' } });
  });

  it('reports thousands of prefix operators as nested too deeply, never a RangeError', () => {
    for (const sql of [`SELECT ${'NOT '.repeat(5000)}TRUE`, `SELECT ${'- '.repeat(5000)}1`]) {
      const err = eddyError(() => parseStatement(sql));
      expect(err.code).toBe(ErrorCode.NESTED_TOO_DEEPLY);
      expect(err.diagnostics[0]!.span).toBeDefined();
    }
  });

  it('reports the deep statement of a script and parses the others', () => {
    const script = `SELECT 1;\nSELECT ${'('.repeat(200)}1${')'.repeat(200)};\nSELECT 2`;
    const r = parseScript(script);
    expect(r.statements).toHaveLength(2);
    expect(r.diagnostics.map((d) => [d.code, d.span?.line])).toEqual([[ErrorCode.NESTED_TOO_DEEPLY, 2]]);
  });
});

const at = (start: number): Span => ({ start, end: start + 1, line: 1, column: start + 1 });

describe('nesting limits at bind and compile', () => {
  it('the binder refuses a tree deeper than the limit built without the parser', () => {
    const tp = new TestPlanner();
    const query = parseStatement('SELECT 1 AS x') as Extract<ReturnType<typeof parseStatement>, { kind: 'QueryStatement' }>;
    const one = (span: Span): Expr => ({ kind: 'Literal', type: 'number', text: '1', isInteger: true, isApprox: false, span });
    let e = one(at(0));
    for (let i = 1; i <= 2 * MAX_TREE_DEPTH; i++) {
      e = { kind: 'BinaryExpr', op: '+', left: e, right: one(at(i)), span: at(i) };
    }
    const body = query.query.body as Extract<Query['body'], { kind: 'Select' }>;
    const deep: Query = { ...query.query, body: { ...body, items: [{ ...body.items[0]!, expr: e } as (typeof body.items)[number]] } };
    const err = eddyError(() => new QueryBinder(tp.planner.ctx).bindQuery(deep));
    expect(err.code).toBe(ErrorCode.NESTED_TOO_DEEPLY);
    // The node the binder was about to enter one level past the limit: the root is at offset 1000.
    expect(err.diagnostics[0]!.span!.start).toBe(2 * MAX_TREE_DEPTH - MAX_TREE_DEPTH);
  });

  it('compiling refuses a bound tree deeper than the limit, pointing at a call', () => {
    let e: BoundExpr = { kind: 'LiteralValue', value: 1, type: T.int() };
    for (let i = 0; i < 2 * MAX_TREE_DEPTH; i++) {
      e = { kind: 'Call', fn: 'NEGATE', args: [e], impl: (x: number) => -x, strict: true, deterministic: true, type: T.int(), span: at(i) };
    }
    const err = eddyError(() => compileExpr(e));
    expect(err.code).toBe(ErrorCode.NESTED_TOO_DEEPLY);
    expect(err.diagnostics[0]!.span!.start).toBe(2 * MAX_TREE_DEPTH - 1 - MAX_TREE_DEPTH);
    // At the limit it compiles and runs: an even number of negations of 1.
    let ok: BoundExpr = { kind: 'LiteralValue', value: 1, type: T.int() };
    for (let i = 0; i < MAX_TREE_DEPTH - 1; i++) ok = { kind: 'Call', fn: 'NEGATE', args: [ok], impl: (x: number) => -x, strict: true, deterministic: true, type: T.int() };
    expect(compileExpr(ok)([])).toBe((MAX_TREE_DEPTH - 1) % 2 === 0 ? 1 : -1);
  });
});
