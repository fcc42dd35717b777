/**
 * Binding ksqlDB's aggregations: the record time of a WINDOW clause (a ROWTIME BIGINT column, else the event-time
 * attribute), the output columns (WINDOWSTART/WINDOWEND appended, ROWTIME hidden), per-record non-windowed
 * aggregation with the latest contributing ROWTIME, and INSERT / top-level results leaving hidden columns out.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/common/errors.js';
import type { Row } from '../../src/runtime/changelog.js';
import { tempDir } from '../e2e/helpers.js';
import { runFinalState } from '../runtime/run-insert-only.js';
import { catchEddy, findLogical, physicalNodes, queryOf, spanText, TestPlanner } from './helpers.js';

/** `[k, v, ROWTIME]` in arrival order. */
const ROWS: [string, number, number][] = [
  ['a', 1, 5],
  ['b', 2, 7],
  ['a', 3, 12],
  ['a', 4, 3], // stream time 12, tumbling 10 ms, default grace 24 h: still taken
  ['b', 5, 30],
];

const dir = tempDir();
writeFileSync(join(dir, 's.json'), ROWS.map(([k, v, t]) => JSON.stringify({ k, v, ROWTIME: t })).join('\n') + '\n');
const tp = new TestPlanner([
  `CREATE TABLE s (k STRING, v INT, ROWTIME BIGINT) WITH ('connector' = 'filesystem', 'path' = '${join(dir, 's.json')}', 'format' = 'json')`,
  `CREATE TABLE sink (k STRING, n BIGINT, ws BIGINT, we BIGINT) WITH ('connector' = 'blackhole')`,
  `CREATE TABLE plain (k STRING, v INT) WITH ('connector' = 'filesystem', 'path' = '${join(dir, 's.json')}', 'format' = 'json')`,
]);

/** Runs a bound query (hidden columns included) to its end: the final state of its changelog. */
function finalState(sql: string): Promise<Row[]> {
  const bound = tp.bind(sql).plan;
  return runFinalState(tp.planner.planQuery(queryOf(sql), bound).pipeline, 'ksql-aggregate');
}

const sorted = (rows: readonly unknown[][]) => rows.map((r) => JSON.stringify(r)).sort();

describe('ksqlDB aggregations in the binder', () => {
  it('a WINDOW clause windows on the ROWTIME column; WINDOWSTART, WINDOWEND appended, ROWTIME hidden', async () => {
    const sql = 'SELECT k, COUNT(*) AS n, SUM(v) AS total FROM s WINDOW TUMBLING (SIZE 10 MILLISECONDS) GROUP BY k EMIT CHANGES';
    const bound = tp.bind(sql);
    expect(bound.plan.schema.map((f) => [f.name, f.type.name, f.hidden ?? false])).toEqual([
      ['k', 'STRING', false],
      ['n', 'BIGINT', false],
      ['total', 'INT', false],
      ['WINDOWSTART', 'BIGINT', false],
      ['WINDOWEND', 'BIGINT', false],
      ['ROWTIME', 'BIGINT', true],
    ]);
    const node = findLogical(bound.plan, 'LogicalKsqlWindowAggregate');
    expect(node.input.schema[node.timeIndex]!.name).toBe('ROWTIME');
    expect(node.window).toEqual({ type: 'TUMBLING', sizeMs: 10, graceMs: 24 * 3_600_000 });
    // Windows by hand: a [0,10): 5, 3 → n 2, total 5, latest 5; a [10,20): 12; b [0,10): 7; b [30,40): 30.
    expect(sorted(await finalState(sql))).toEqual(
      sorted([
        ['a', 2, 5, 0, 10, 5],
        ['a', 1, 3, 10, 20, 12],
        ['b', 1, 2, 0, 10, 7],
        ['b', 1, 5, 30, 40, 30],
      ]),
    );
    // The query's own result leaves the hidden column out.
    expect(tp.plan(sql).pipeline.schema.map((f) => f.name)).toEqual(['k', 'n', 'total', 'WINDOWSTART', 'WINDOWEND']);
  });

  it('a non-windowed GROUP BY with EMIT CHANGES emits per record, with the latest contributing ROWTIME', async () => {
    const sql = 'SELECT k, COUNT(*) AS n FROM s GROUP BY k EMIT CHANGES';
    const bound = tp.bind(sql);
    const agg = findLogical(bound.plan, 'LogicalAggregate');
    expect(agg.perRecord).toBe(true);
    expect(bound.plan.schema.map((f) => [f.name, f.hidden ?? false])).toEqual([['k', false], ['n', false], ['ROWTIME', true]]);
    expect(sorted(await finalState(sql))).toEqual(sorted([['a', 3, 12], ['b', 2, 30]]));
    // A Flink GROUP BY (no EMIT CHANGES, not a ksqlDB source) keeps Flink's semantics.
    const flink = findLogical(tp.bind('SELECT k, COUNT(*) AS n FROM s GROUP BY k').plan, 'LogicalAggregate');
    expect(flink.perRecord).toBeUndefined();
    // Without a ROWTIME column there is no hidden column to carry.
    expect(tp.bind('SELECT k, COUNT(*) AS n FROM plain GROUP BY k EMIT CHANGES').plan.schema.map((f) => f.name)).toEqual(['k', 'n']);
  });

  it('a GROUP BY over a ksqlDB stream emits per record even without EMIT CHANGES', () => {
    const stream = tp.catalog.get('s');
    if (stream.kind !== 'table') throw new Error('expected a table');
    tp.catalog.add({ ...stream, name: 'ks', ksql: { objectType: 'STREAM', topic: 'ks', keyColumns: [], properties: {} } });
    const agg = findLogical(tp.bind('SELECT k, COUNT(*) AS n FROM ks GROUP BY k').plan, 'LogicalAggregate');
    expect(agg.perRecord).toBe(true);
    expect(agg.aggs.map((a) => a.display)).toEqual(['COUNT(*)', 'MAX($1)']);
    const physical = physicalNodes(tp.plan('SELECT k, COUNT(*) AS n FROM ks GROUP BY k').pipeline.root).find((n) => n.kind === 'GroupAggregate');
    expect(physical).toMatchObject({ kind: 'GroupAggregate', perRecord: true });
  });

  it('an INSERT matches the visible columns only (the hidden ROWTIME is not a column of the target)', () => {
    const planned = tp.insert('INSERT INTO sink SELECT k, COUNT(*), WINDOWSTART, WINDOWEND FROM s WINDOW HOPPING (SIZE 10 MILLISECONDS, ADVANCE BY 5 MILLISECONDS) GROUP BY k');
    expect(planned.pipeline.schema.map((f) => f.name)).toEqual(['k', 'n', 'ws', 'we']);
    // Not selected: WINDOWSTART and WINDOWEND are appended, so four columns for four targets.
    expect(tp.insert('INSERT INTO sink SELECT k, COUNT(*) FROM s WINDOW SESSION (10 MILLISECONDS) GROUP BY k').pipeline.schema).toHaveLength(4);
  });

  it('refuses a WINDOW over an input without a record time, with its position', () => {
    const sql = 'SELECT k, COUNT(*) FROM plain WINDOW TUMBLING (SIZE 1 SECOND) GROUP BY k';
    const err = catchEddy(() => tp.bind(sql));
    expect(err.code).toBe(ErrorCode.INVALID_WINDOW);
    expect(err.message).toBe('A ksqlDB WINDOW needs a record time: the input has no ROWTIME column and no event-time attribute');
    expect(spanText(sql, err.diagnostics[0]!)).toBe('WINDOW TUMBLING (SIZE 1 SECOND)');
  });
});
