/**
 * bound-rank: the bound a filter puts on a rank column becomes the rank's rankEnd; the conjuncts the rank then
 * implies (`rn <= N`, `rn < N`, `rn = 1`) leave the filter; a bounded rank whose column nothing reads drops it.
 */
import { describe, expect, it } from 'vitest';
import { explainLogical } from '../../../src/planner/explain.js';
import { optimize } from '../../../src/planner/optimizer/optimize.js';
import { bound } from './rule-harness.js';

const ranked = (where: string, select = '*') => `SELECT ${select} FROM (SELECT id, qty, ROW_NUMBER() OVER (PARTITION BY user_id ORDER BY qty DESC) AS rn FROM orders) WHERE ${where}`;

function optimized(sql: string): string {
  return explainLogical(optimize(bound(sql)));
}

describe('bound-rank', () => {
  it.each([
    ['rn <= 3', 3],
    ['rn < 3', 2],
    ['3 >= rn', 3],
    ['rn <= 5 AND rn < 3', 2],
    ['rn = 1', 1],
  ])('%s: rankEnd=%i, and the filter is gone (the rank implies it)', (where, end) => {
    const text = optimized(ranked(where));
    expect(text).toContain(`rankRange=[rankStart=1, rankEnd=${end}]`);
    expect(text).not.toContain('LogicalFilter');
  });

  it('rn = 2 stays a filter (it also bounds from below), as do conjuncts on other columns', () => {
    expect(optimized(ranked('rn = 2'))).toMatch(/LogicalFilter\(condition=\[\(\$rank = 2\)\]\)\n\s*\+- LogicalRank\(rankType=\[ROW_NUMBER\], rankRange=\[rankStart=1, rankEnd=2\]/);
    const text = optimized(ranked('rn <= 3 AND qty > 1'));
    expect(text).toMatch(/LogicalFilter\(condition=\[\(qty > 1\)\]\)/);
    expect(text).toContain('rankEnd=3');
  });

  it('rn = 1.5 bounds the rank but is not implied by it: the filter stays (and lets nothing through)', () => {
    const text = optimized(ranked('rn = 1.5'));
    expect(text).toContain('rankEnd=1');
    expect(text).toMatch(/LogicalFilter/);
  });

  it('drops the rank column when nothing above reads it, and keeps it when something does', () => {
    expect(optimized(ranked('rn <= 3', 'id, qty'))).toContain('outputRankNumber=[false]');
    expect(optimized(ranked('rn <= 3', 'id, rn'))).not.toContain('outputRankNumber');
    // The filter rn = 2 reads it.
    expect(optimized(ranked('rn = 2', 'id'))).not.toContain('outputRankNumber');
  });

  it('leaves an unbounded rank alone (to-physical refuses it)', () => {
    const text = optimized(ranked('qty > 1', 'id, qty'));
    expect(text).toContain('rankRange=[unbounded]');
    expect(text).not.toContain('outputRankNumber');
  });
});
