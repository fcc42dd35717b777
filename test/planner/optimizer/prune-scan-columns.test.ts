import { describe, expect, it } from 'vitest';
import { pruneScanColumns } from '../../../src/planner/optimizer/prune-scan-columns.js';
import { explainLogical } from '../../../src/planner/explain.js';
import { bag, evaluate, prng } from '../evaluate.js';
import { TestPlanner, findLogical, shape } from '../helpers.js';
import { applyPreserving, bound } from './rule-harness.js';

describe('prune-scan-columns', () => {
  it('is named after its file', () => {
    expect(pruneScanColumns.name).toBe('prune-scan-columns');
  });

  it('a scan under a projection outputs only the columns it reads', () => {
    const { after } = applyPreserving(pruneScanColumns, 'SELECT qty * 2, id FROM orders');
    const scan = findLogical(after, 'LogicalScan');
    expect(scan.projection).toEqual([0, 5]);
    expect(scan.schema.map((f) => f.name)).toEqual(['id', 'qty']);
    expect(explainLogical(after).split('\n')[0]).toBe('LogicalProject((qty * 2) AS EXPR$0, id)');
  });

  it('keeps the columns a filter between projection and scan reads', () => {
    const { after } = applyPreserving(pruneScanColumns, "SELECT id FROM orders WHERE qty > 1 AND product <> 'pear'");
    expect(findLogical(after, 'LogicalScan').projection).toEqual([0, 2, 5]);
    expect(findLogical(after, 'LogicalFilter').schema.map((f) => f.name)).toEqual(['id', 'product', 'qty']);
  });

  it('does nothing when every column is read', () => {
    const plan = bound('SELECT * FROM orders');
    expect(explainLogical(pruneScanColumns.rewrite(plan))).toBe(explainLogical(plan));
  });

  it('a projection reading no column (COUNT(*)) scans no column', () => {
    const { after } = applyPreserving(pruneScanColumns, 'SELECT COUNT(*) FROM orders');
    expect(findLogical(after, 'LogicalScan').projection).toEqual([]);
  });

  it('keeps the watermark (over the full row) when the rowtime column is pruned', () => {
    const after = pruneScanColumns.rewrite(bound('SELECT id FROM orders'));
    const scan = findLogical(after, 'LogicalScan');
    expect(scan.projection).toEqual([0]);
    expect(scan.watermark).toBeDefined();
    expect(scan.table.columns[scan.watermark!.rowtimeIndex]!.name).toBe('ts');
  });

  it('prunes computed columns too, and results are preserved', () => {
    const tp = new TestPlanner([
      `CREATE TABLE e (a INT, b INT, s AS a + b, d AS a * 10) WITH ('connector' = 'filesystem', 'path' = '/x', 'format' = 'json')`,
    ]);
    const before = tp.bind('SELECT d, a FROM e WHERE s > 3').plan;
    const after = pruneScanColumns.rewrite(before);
    expect(findLogical(after, 'LogicalScan').projection).toEqual([0, 2, 3]);
    const rand = prng(7);
    const rows = Array.from({ length: 50 }, () => [Math.floor(rand() * 6), rand() < 0.2 ? null : Math.floor(rand() * 6)]);
    expect(bag(evaluate(after, { e: rows }))).toEqual(bag(evaluate(before, { e: rows })));
    expect(evaluate(after, { e: [[1, 5]] })).toEqual([[10, 1]]);
  });

  it('does not touch scans that are not directly under a projection (window TVF)', () => {
    const plan = bound("SELECT id FROM TABLE(TUMBLE(TABLE orders, DESCRIPTOR(ts), INTERVAL '1' MINUTE))");
    const after = pruneScanColumns.rewrite(plan);
    expect(findLogical(after, 'LogicalScan').projection).toHaveLength(8);
    expect(shape(after)).toEqual(shape(plan));
  });
});
