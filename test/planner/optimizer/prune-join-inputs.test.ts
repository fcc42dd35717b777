import { describe, expect, it } from 'vitest';
import { pruneJoinInputs } from '../../../src/planner/optimizer/prune-join-inputs.js';
import { constantFolding } from '../../../src/planner/optimizer/constant-folding.js';
import { optimize } from '../../../src/planner/optimizer/optimize.js';
import { explainLogical } from '../../../src/planner/explain.js';
import { findLogical } from '../helpers.js';
import { applyPreserving, bound } from './rule-harness.js';

describe('prune-join-inputs', () => {
  it('is named after its file', () => {
    expect(pruneJoinInputs.name).toBe('prune-join-inputs');
  });

  it('narrows each input to the columns read above the join and by its condition', () => {
    const { after } = applyPreserving(pruneJoinInputs, 'SELECT a.product, b.qty FROM orders a JOIN orders b ON a.user_id = b.user_id AND a.price < b.price');
    const join = findLogical(after, 'LogicalJoin');
    expect(join.left.schema.map((f) => f.name)).toEqual(['user_id', 'product', 'price']);
    expect(join.right.schema.map((f) => f.name)).toEqual(['user_id', 'price', 'qty']);
    expect(explainLogical(after).split('\n').slice(0, 2)).toEqual([
      'LogicalProject(product, qty)',
      '+- LogicalJoin(joinType=[inner], condition=[((user_id = user_id0) AND (price < price0))])',
    ]);
  });

  it('keeps the columns a filter between the projection and an outer join reads', () => {
    const { after } = applyPreserving(pruneJoinInputs, 'SELECT a.id FROM orders a LEFT JOIN orders b ON a.user_id = b.user_id WHERE b.qty IS NULL');
    const join = findLogical(after, 'LogicalJoin');
    expect(join.left.schema.map((f) => f.name)).toEqual(['id', 'user_id']);
    expect(join.right.schema.map((f) => f.name)).toEqual(['user_id', 'qty']);
  });

  it('a side none of whose columns is read keeps no column (a cross join counts its rows)', () => {
    const { after } = applyPreserving(pruneJoinInputs, 'SELECT a.id FROM orders a CROSS JOIN orders b', [1, 2]);
    expect(findLogical(after, 'LogicalJoin').right.schema).toEqual([]);
  });

  it('does nothing when every column is read', () => {
    const plan = bound('SELECT * FROM orders a JOIN orders b ON a.id = b.id');
    expect(explainLogical(pruneJoinInputs.rewrite(plan))).toBe(explainLogical(plan));
  });

  it('with the other rules, the scans below the join read only what is needed', () => {
    const optimized = optimize(bound('SELECT a.product FROM orders a JOIN orders b ON a.user_id = b.user_id'));
    const join = findLogical(optimized, 'LogicalJoin');
    expect(join.left.kind).toBe('LogicalScan');
    expect(join.left.schema.map((f) => f.name)).toEqual(['user_id', 'product']);
    expect(join.right.schema.map((f) => f.name)).toEqual(['user_id']);
  });
});

describe('constant-folding in join conditions', () => {
  it('folds constants in ON', () => {
    const { after } = applyPreserving(constantFolding, 'SELECT a.id FROM orders a JOIN orders b ON a.id = b.id AND 1 + 1 = 2');
    expect(explainLogical(findLogical(after, 'LogicalJoin')).split('\n')[0]).toBe('LogicalJoin(joinType=[inner], condition=[(id = id0)])');
    const always = applyPreserving(constantFolding, 'SELECT a.id FROM orders a LEFT JOIN orders b ON 1 = 0').after;
    expect(explainLogical(findLogical(always, 'LogicalJoin')).split('\n')[0]).toBe('LogicalJoin(joinType=[left], condition=[false])');
  });
});
