import { describe, expect, it } from 'vitest';
import { constantFolding, foldExpr } from '../../../src/planner/optimizer/constant-folding.js';
import type { BoundExpr } from '../../../src/expr/bound-expr.js';
import type { LogicalPlan } from '../../../src/planner/logical-plan.js';
import { explainLogical } from '../../../src/planner/explain.js';
import { findLogical, shape } from '../helpers.js';
import { applyPreserving, bound, tp } from './rule-harness.js';

const project = (p: LogicalPlan) => {
  expect(p.kind).toBe('LogicalProject');
  return p as Extract<LogicalPlan, { kind: 'LogicalProject' }>;
};
const lit = (value: unknown) => expect.objectContaining({ kind: 'LiteralValue', value });

describe('constant-folding', () => {
  it('is named after its file', () => {
    expect(constantFolding.name).toBe('constant-folding');
  });

  it('folds constant sub-expressions in projections, keeping column references', () => {
    const { after } = applyPreserving(constantFolding, "SELECT id + (1 + 2) AS x, UPPER('a') AS u, 2 * 3 + qty AS y FROM orders");
    const p = project(after);
    expect(p.exprs[1]).toEqual(lit('A'));
    // id + CAST(3 AS BIGINT): the constant operand is folded to a literal.
    const x = p.exprs[0] as Extract<BoundExpr, { kind: 'Call' }>;
    expect(x.kind).toBe('Call');
    expect(x.args[0]).toMatchObject({ kind: 'InputRef', name: 'id' });
    expect(x.args[1]).toEqual(lit(3));
    expect((p.exprs[2] as Extract<BoundExpr, { kind: 'Call' }>).args[0]).toEqual(lit(6));
  });

  it('a folded literal keeps its type and is NOT NULL unless the value is NULL', () => {
    const p = project(constantFolding.rewrite(bound("SELECT 1 + 2, CAST(NULL AS INT) + 1, 'a' || 'b' FROM orders")));
    expect(p.exprs.map((e) => e.kind)).toEqual(['LiteralValue', 'LiteralValue', 'LiteralValue']);
    expect(p.exprs.map((e) => [e.type.name, e.type.nullable])).toEqual([
      ['INT', false],
      ['INT', true],
      ['STRING', false],
    ]);
    expect(p.exprs.map((e) => (e as { value: unknown }).value)).toEqual([3, null, 'ab']);
  });

  it('removes a filter that is always TRUE', () => {
    const { before, after } = applyPreserving(constantFolding, 'SELECT id FROM orders WHERE 1 = 1');
    expect(shape(before)).toEqual(['LogicalProject', 'LogicalFilter', 'LogicalScan']);
    expect(shape(after)).toEqual(['LogicalProject', 'LogicalScan']);
  });

  it('drops TRUE conjuncts of AND and keeps the rest', () => {
    const { after } = applyPreserving(constantFolding, 'SELECT id FROM orders WHERE 1 = 1 AND qty > 0 AND 2 > 1');
    const f = findLogical(after, 'LogicalFilter');
    expect(f.condition).toMatchObject({ kind: 'Call', fn: '>' });
  });

  it('an OR with a TRUE operand is TRUE: the filter goes', () => {
    const { after } = applyPreserving(constantFolding, 'SELECT id FROM orders WHERE qty > 1 OR 1 = 1');
    expect(shape(after)).toEqual(['LogicalProject', 'LogicalScan']);
  });

  it('an AND with a FALSE operand is FALSE: the filter stays and keeps no row', () => {
    const { after } = applyPreserving(constantFolding, 'SELECT id FROM orders WHERE qty > 1 AND 1 = 0');
    expect(findLogical(after, 'LogicalFilter').condition).toEqual(lit(false));
  });

  it('an OR dropping FALSE operands keeps three-valued logic (NULL stays NULL)', () => {
    const { after } = applyPreserving(constantFolding, 'SELECT qty > 1 OR 1 = 0, qty > 1 AND 1 = 1, qty IS NULL OR FALSE FROM orders');
    for (const e of project(after).exprs) expect(e.kind).not.toBe('OrExpr');
  });

  it('does not fold an expression that fails (1/0): the error is left for run time', () => {
    const p = project(constantFolding.rewrite(bound('SELECT CASE WHEN qty > 100 THEN 1 / 0 ELSE 1 END FROM orders')));
    const c = p.exprs[0] as Extract<BoundExpr, { kind: 'CaseWhen' }>;
    expect(c.kind).toBe('CaseWhen');
    expect(c.whens[0]!.then).toMatchObject({ kind: 'Call', fn: '/' });
  });

  it('does not fold non-deterministic calls', () => {
    const p = project(constantFolding.rewrite(bound('SELECT RAND(), RAND() < 2, UUID() FROM orders')));
    expect(p.exprs.map((e) => e.kind)).toEqual(['Call', 'Call', 'Call']);
    expect(explainLogical(p)).toContain('RAND()');
  });

  it('folds inside CASE, IN and IS NULL, preserving results', () => {
    const { after } = applyPreserving(
      constantFolding,
      "SELECT CASE WHEN qty > 1 + 1 THEN 'x' || 'y' ELSE LOWER('Z') END, qty IN (1 + 1, 5 - 1), (1 + NULL) IS NULL, user_id + 0 FROM orders",
    );
    const text = explainLogical(after);
    expect(text).toContain("'xy'");
    expect(text).toContain("'z'");
    expect(text).not.toContain('(1 + 1)');
    expect(project(after).exprs[2]).toEqual(lit(true));
  });

  it('leaves a plan with nothing to fold unchanged', () => {
    const plan = bound('SELECT id, qty FROM orders WHERE qty > 1');
    expect(explainLogical(constantFolding.rewrite(plan))).toBe(explainLogical(plan));
  });

  it('preserves results of aggregations over folded expressions', () => {
    const { after } = applyPreserving(constantFolding, 'SELECT user_id, SUM(qty * (2 + 3)), COUNT(*) FROM orders WHERE 1 < 2 GROUP BY user_id HAVING COUNT(*) > 0 + 1');
    expect(explainLogical(after)).not.toContain('(2 + 3)');
  });

  it('foldExpr alone: literals and column references are returned as they are', () => {
    const e = tp.expr('qty');
    expect(foldExpr(e)).toBe(e);
  });
});
