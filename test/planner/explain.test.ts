import { describe, expect, it } from 'vitest';
import { explainLogical, explainPhysical, explainPipelines, exprToString } from '../../src/planner/explain.js';
import { TestPlanner } from './helpers.js';

const tp = new TestPlanner();
const explainQuery = (sql: string) => explainPipelines([tp.plan(sql)]);
const explainInsert = (sql: string) => explainPipelines([tp.insert(sql)]);

const WINDOWED = `SELECT user_id, window_start, window_end, COUNT(*) AS n
  FROM TABLE(TUMBLE(TABLE orders, DESCRIPTOR(ts), INTERVAL '10' MINUTES))
  GROUP BY user_id, window_start, window_end`;
const GROUPED = 'SELECT user_id, COUNT(*) AS n, SUM(qty) AS s FROM orders WHERE qty > 0 GROUP BY user_id';
const INSERT = `INSERT INTO out_file SELECT user_id, COUNT(*) FROM TABLE(TUMBLE(TABLE orders, DESCRIPTOR(ts), INTERVAL '10' MINUTES)) GROUP BY user_id, window_start, window_end`;

describe('EXPLAIN', () => {
  it.each([
    ['a windowed query', (p: TestPlanner) => explainPipelines([p.plan(WINDOWED)])],
    ['a non-windowed aggregate', (p: TestPlanner) => explainPipelines([p.plan(GROUPED)])],
    ['an INSERT', (p: TestPlanner) => explainPipelines([p.insert(INSERT)])],
  ])('is deterministic for %s: the same text twice, and from a fresh session, with no ids', (_, explain) => {
    const a = explain(tp);
    expect(explain(tp)).toBe(a);
    expect(explain(new TestPlanner())).toBe(a);
    // No object ids, hashes or timings.
    expect(a).not.toMatch(/#\d|@[0-9a-f]{4,}|\bid=|\d+\s*ms\b(?!.*INTERVAL)/);
    expect(a).toMatch(/^== Abstract Syntax Tree ==\n[\s\S]*\n\n== Optimized Logical Plan ==\n[\s\S]*\n\n== Optimized Physical Plan ==\n[\s\S]*\n$/);
  });

  it('a windowed query shows the window aggregate, insert-only everywhere', () => {
    const text = explainQuery(WINDOWED);
    expect(text).toContain(
      'WindowAggregate(window=[TUMBLE(size=[10 min])], time=[ts], group=[user_id], aggs=[COUNT(*)]), state=[slices, seq, timers, watermark], changelog=[I], uniqueKey=[user_id, window_start, window_end], rowtime=[window_time], window=[TUMBLE(size=[10 min]): window_start, window_end, window_time]',
    );
    expect(text).toContain('Exchange(distribution=[hash[user_id]]), changelog=[I], rowtime=[ts]');
    expect(text).toContain('LogicalAggregate(window=[TUMBLE(size=[10 min])], time=[ts], group=[user_id], aggs=[COUNT(*)])');
    expect(text).toContain('Collect(fields=[user_id, window_start, window_end, n])');
    const physical = text.slice(text.indexOf('== Optimized Physical Plan =='));
    for (const line of physical.split('\n').slice(2)) if (line.trim()) expect(line).toMatch(/changelog=\[I\](,|$)/);
  });

  it('a legacy window and HOP / CUMULATE / SESSION describe their sizes', () => {
    expect(explainQuery(`SELECT COUNT(*) FROM orders GROUP BY HOP(ts, INTERVAL '5' MINUTE, INTERVAL '1' HOUR)`)).toContain('WindowAggregate(window=[HOP(slide=[5 min], size=[1 h])]');
    expect(explainQuery(`SELECT COUNT(*) FROM TABLE(CUMULATE(TABLE orders, DESCRIPTOR(ts), INTERVAL '30' SECONDS, INTERVAL '2' MINUTES)) GROUP BY window_start, window_end`)).toContain(
      'WindowAggregate(window=[CUMULATE(step=[30 s], max_size=[2 min])]',
    );
    expect(explainQuery(`SELECT user_id, COUNT(*) FROM orders GROUP BY user_id, SESSION(ts, INTERVAL '90' SECOND)`)).toContain(
      'SessionWindowAggregate(window=[SESSION(gap=[90 s])], time=[ts], group=[user_id]',
    );
    expect(explainQuery(`SELECT COUNT(*) FROM TABLE(TUMBLE(TABLE orders, DESCRIPTOR(ts), INTERVAL '1' HOUR, INTERVAL '15' MINUTES)) GROUP BY window_start, window_end`)).toContain(
      'TUMBLE(size=[1 h], offset=[15 min])',
    );
  });

  it('a non-windowed aggregate shows a GroupAggregate, updating, with its upsert key', () => {
    const text = explainQuery(GROUPED);
    expect(text).toContain('GroupAggregate(group=[user_id], aggs=[COUNT(*), SUM(qty)]), state=[groups, watermark], changelog=[I,UB,UA,D], upsertKey=[user_id]');
    expect(text).toContain('Calc(select=[user_id, qty], where=[(qty > 0)]), changelog=[I]\n');
  });

  it('an INSERT shows its sink with the table, connector and sink column names', () => {
    const text = explainInsert(INSERT);
    expect(text).toContain('Sink(table=[out_file], connector=[filesystem], fields=[k, c])');
    expect(text).toContain('WindowAggregate(window=[TUMBLE(size=[10 min])]');
    expect(text.split('\n').find((l) => l.startsWith('Sink('))).toBeDefined();
    expect(text).toContain('+- Calc(select=[user_id AS k, $a0 AS c]), changelog=[I]');
  });

  it('the exact text of a small aggregate query', () => {
    expect(explainQuery('SELECT user_id, COUNT(*) AS c FROM clicks GROUP BY user_id')).toBe(
      [
        '== Abstract Syntax Tree ==',
        'LogicalProject(user_id, $a0 AS c)',
        '+- LogicalAggregate(group=[user_id], aggs=[COUNT(*)])',
        '   +- LogicalProject(user_id)',
        '      +- LogicalScan(table=[clicks], fields=[user_id, url, ts], watermark=[ts])',
        '',
        '== Optimized Logical Plan ==',
        'LogicalAggregate(group=[user_id], aggs=[COUNT(*)])',
        '+- LogicalScan(table=[clicks], fields=[user_id], watermark=[ts])',
        '',
        '== Optimized Physical Plan ==',
        'Collect(fields=[user_id, c])',
        '+- GroupAggregate(group=[user_id], aggs=[COUNT(*)]), state=[groups, watermark], changelog=[I,UB,UA,D], upsertKey=[user_id]',
        '   +- Exchange(distribution=[hash[user_id]]), changelog=[I]',
        '      +- TableSourceScan(table=[clicks], connector=[filesystem], fields=[user_id], watermark=[ts]), state=[watermarks], changelog=[I]',
        '',
      ].join('\n'),
    );
  });

  it('the exact text of a filter-and-project query', () => {
    expect(explainQuery("SELECT url, user_id + 1 AS next FROM clicks WHERE url <> '' AND 1 = 1")).toBe(
      [
        '== Abstract Syntax Tree ==',
        'LogicalProject(url, (user_id + 1) AS next)',
        "+- LogicalFilter(condition=[((url <> '') AND (1 = 1))])",
        '   +- LogicalScan(table=[clicks], fields=[user_id, url, ts], watermark=[ts])',
        '',
        '== Optimized Logical Plan ==',
        'LogicalProject(url, (user_id + 1) AS next)',
        "+- LogicalFilter(condition=[(url <> '')])",
        '   +- LogicalScan(table=[clicks], fields=[user_id, url], watermark=[ts])',
        '',
        '== Optimized Physical Plan ==',
        'Collect(fields=[url, next])',
        "+- Calc(select=[url, (user_id + 1) AS next], where=[(url <> '')]), changelog=[I]",
        '   +- TableSourceScan(table=[clicks], connector=[filesystem], fields=[user_id, url], watermark=[ts]), state=[watermarks], changelog=[I]',
        '',
      ].join('\n'),
    );
  });

  it('a UNION draws its inputs with :- and +-', () => {
    const text = explainLogical(tp.bind('SELECT id FROM orders UNION ALL SELECT id FROM orders').plan);
    expect(text.split('\n').map((l) => l.replace(/\(.*$/, ''))).toEqual([
      'LogicalUnion',
      ':- LogicalProject',
      ':  +- LogicalScan',
      '+- LogicalProject',
      '   +- LogicalScan',
    ]);
  });

  it('expressions: string literals are quoted and escaped, casts and intervals are spelled out', () => {
    const e = tp.expr("CASE WHEN product = 'it''s' THEN CAST(qty AS BIGINT) ELSE id END");
    expect(exprToString(e)).toBe("CASE WHEN (product = 'it''s') THEN CAST(qty AS BIGINT) ELSE id END");
    expect(exprToString(tp.expr("ts + INTERVAL '1' MINUTE"))).toBe("(ts + INTERVAL '60000' MILLISECOND)");
    expect(exprToString(tp.expr('qty IS NOT NULL'))).toBe('qty IS NOT NULL');
    expect(exprToString(tp.expr('qty NOT IN (1, 2)'))).toBe('qty NOT IN (1, 2)');
  });

  it('explainPhysical marks every node with its changelog', () => {
    const text = explainPhysical(tp.plan(GROUPED).pipeline.root);
    for (const line of text.split('\n')) expect(line).toMatch(/changelog=\[(I|I,UB,UA,D)\]/);
  });
});

describe('column names after rewrites (regressions)', () => {
  it('names a column the same way in a Calc select and where', () => {
    const line = explainPhysical(tp.plan('SELECT c, user_id FROM (SELECT user_id, COUNT(*) AS c FROM orders GROUP BY user_id) WHERE c > 1').pipeline.root).split('\n')[0]!;
    expect(line).toMatch(/select=\[(\S+) AS c, user_id\], where=\[\(\1 > 1\)\]|select=\[c, user_id\], where=\[\(c > 1\)\]/);
  });
});
