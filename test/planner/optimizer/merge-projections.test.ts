import { describe, expect, it } from 'vitest';
import { mergeProjections } from '../../../src/planner/optimizer/merge-projections.js';
import type { LogicalPlan } from '../../../src/planner/logical-plan.js';
import { explainLogical } from '../../../src/planner/explain.js';
import { logicalNodes, shape } from '../helpers.js';
import { applyPreserving, bound } from './rule-harness.js';

const projects = (p: LogicalPlan) => logicalNodes(p).filter((n) => n.kind === 'LogicalProject').length;

describe('merge-projections', () => {
  it('is named after its file', () => {
    expect(mergeProjections.name).toBe('merge-projections');
  });

  it('collapses a chain of projections (subquery, view, column renames) into one', () => {
    const { before, after } = applyPreserving(mergeProjections, 'SELECT k2 + 1 AS r FROM (SELECT k * 2 AS k2 FROM (SELECT user_id AS k FROM orders) AS s) AS t');
    expect(projects(before)).toBe(3);
    expect(shape(after)).toEqual(['LogicalProject', 'LogicalScan']);
    expect(explainLogical(after).split('\n')[0]).toBe('LogicalProject(((user_id * 2) + 1) AS r)');
    expect(after.schema.map((f) => f.name)).toEqual(['r']);
  });

  it('merges projections on both sides of a filter separately', () => {
    const { after } = applyPreserving(mergeProjections, 'SELECT a FROM v WHERE b > 1');
    expect(shape(after)).toEqual(['LogicalProject', 'LogicalFilter', 'LogicalProject', 'LogicalFilter', 'LogicalScan']);
  });

  it('does not merge when that would compute a non-trivial expression twice', () => {
    const { after } = applyPreserving(mergeProjections, 'SELECT q + q AS d, q AS e FROM (SELECT qty * 2 AS q FROM orders)');
    expect(shape(after)).toEqual(['LogicalProject', 'LogicalProject', 'LogicalScan']);
  });

  it('does merge when the twice-used inner column is a plain column or a literal', () => {
    const { after } = applyPreserving(mergeProjections, 'SELECT q + q AS d, one + one AS two FROM (SELECT qty AS q, 1 AS one FROM orders)');
    expect(shape(after)).toEqual(['LogicalProject', 'LogicalScan']);
  });

  it('does not duplicate a non-deterministic expression', () => {
    const after = mergeProjections.rewrite(bound('SELECT r, r + 1 FROM (SELECT RAND() AS r FROM orders)'));
    expect(explainLogical(after).match(/RAND\(\)/g)).toHaveLength(1);
  });

  it('removes a projection that passes every column through unchanged (SELECT *)', () => {
    const { after } = applyPreserving(mergeProjections, 'SELECT * FROM (SELECT * FROM orders)');
    expect(shape(after)).toEqual(['LogicalScan']);
  });

  it('keeps a projection that reorders or drops columns', () => {
    const { after } = applyPreserving(mergeProjections, 'SELECT qty, id FROM (SELECT id, qty FROM orders)');
    expect(shape(after)).toEqual(['LogicalProject', 'LogicalScan']);
    expect(explainLogical(after).split('\n')[0]).toBe('LogicalProject(qty, id)');
  });

  it('keeps a projection that changes a type (the cast aligning a UNION input)', () => {
    // The left input of this union is a projection casting INT to BIGINT: never an identity.
    const { after } = applyPreserving(mergeProjections, 'SELECT user_id FROM orders UNION ALL SELECT id FROM orders');
    expect(explainLogical(after)).toContain('CAST(user_id AS BIGINT)');
  });

  it("removes a view's renaming projection over an aggregation, but never merges across the aggregation", () => {
    const { before, after } = applyPreserving(mergeProjections, 'SELECT user_id, n FROM counts WHERE s > 0');
    expect(shape(before)).toEqual(['LogicalProject', 'LogicalFilter', 'LogicalProject', 'LogicalAggregate', 'LogicalProject', 'LogicalScan']);
    expect(shape(after)).toEqual(['LogicalProject', 'LogicalFilter', 'LogicalAggregate', 'LogicalProject', 'LogicalScan']);
  });
});
