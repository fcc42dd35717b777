/**
 * ksqlDB's joins bound onto Eddy's join operators (bind-ksql-join.ts): stream-stream with WITHIN becomes an
 * interval join on the record times with ksqlDB's grace, stream-table an event-time temporal join, table-table
 * a regular updating join; the join's output has a hidden ROWTIME; the combinations ksqlDB refuses are refused
 * with its messages, at the clause they are about.
 */
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/common/errors.js';
import { explainPhysical } from '../../src/planner/explain.js';
import { KSQL_DEFAULT_JOIN_GRACE_MS } from '../../src/planner/binder/bind-ksql-join.js';
import { expectError, findLogical, findPhysical, spanText, STANDARD_DDL, TestPlanner } from './helpers.js';
import { markKsql, ROWTIME_COLUMNS } from './ksql-sources.js';

const fs = (name: string, format = 'json') => `WITH ('connector' = 'filesystem', 'path' = '/tmp/${name}', 'format' = '${format}')`;
const tp = new TestPlanner([
  ...STANDARD_DDL,
  `CREATE TABLE S1 (ID INT, L STRING, ${ROWTIME_COLUMNS}) ${fs('s1')}`,
  `CREATE TABLE S2 (ID INT, R STRING, ${ROWTIME_COLUMNS}) ${fs('s2')}`,
  `CREATE TABLE T1 (ID INT, NAME STRING, ${ROWTIME_COLUMNS}, PRIMARY KEY (ID) NOT ENFORCED) ${fs('t1', 'debezium-json')}`,
  `CREATE TABLE T2 (ID INT, CITY STRING, ${ROWTIME_COLUMNS}, PRIMARY KEY (ID) NOT ENFORCED) ${fs('t2', 'debezium-json')}`,
  // As the ksqlDB front end makes a CREATE TABLE: an upsert-kafka table whose ROWTIME is the record timestamp.
  `CREATE TABLE K1 (ID INT, NAME STRING, RT TIMESTAMP_LTZ(3) METADATA FROM 'timestamp', WATERMARK FOR RT AS RT,
     PRIMARY KEY (ID) NOT ENFORCED) WITH ('connector' = 'upsert-kafka', 'topic' = 'k1', 'properties.bootstrap.servers' = '127.0.0.1:9092', 'key.format' = 'json', 'value.format' = 'json')`,
]);
markKsql(tp.catalog, 'S1', 'STREAM');
markKsql(tp.catalog, 'S2', 'STREAM');
markKsql(tp.catalog, 'T1', 'TABLE');
markKsql(tp.catalog, 'T2', 'TABLE');
markKsql(tp.catalog, 'K1', 'TABLE');

const names = (sql: string) => tp.plan(sql).pipeline.schema.map((f) => f.name);

describe('ksqlDB stream-stream joins', () => {
  it('WITHIN (before, after) becomes an interval join on the record times, with ksqlDB\'s default grace', () => {
    const p = tp.plan('SELECT S1.ID, L, R FROM S1 JOIN S2 WITHIN (2 SECONDS, 5 SECONDS) ON S1.ID = S2.ID');
    const join = findLogical(p.logical, 'LogicalJoin');
    expect(join.interval).toBe(true);
    expect(join.grace).toBe(KSQL_DEFAULT_JOIN_GRACE_MS);
    expect(KSQL_DEFAULT_JOIN_GRACE_MS).toBe(86_400_000);
    const physical = findPhysical(p.pipeline.root, 'IntervalJoin');
    // S2.RT BETWEEN S1.RT - 2 s AND S1.RT + 5 s  <=>  -5 s <= S1.RT - S2.RT <= 2 s.
    expect(physical.bounds).toMatchObject({ lower: -5_000, upper: 2_000 });
    expect(physical.grace).toBe(KSQL_DEFAULT_JOIN_GRACE_MS);
    expect(physical.joinType).toBe('inner');
    expect(explainPhysical(p.pipeline.root)).toMatch(/IntervalJoin\(.*grace=86400000 ms, cleanup=\[left row when watermark > RT \+ 86405000 ms, right row when watermark > RT0? \+ 86402000 ms\]/);
  });

  it('GRACE PERIOD sets the grace; LEFT, RIGHT and FULL OUTER joins are interval joins of their type', () => {
    for (const [type, expected] of [['LEFT', 'left'], ['RIGHT', 'right'], ['FULL OUTER', 'full']] as const) {
      const p = tp.plan(`SELECT * FROM S1 ${type} JOIN S2 WITHIN 1 MINUTE GRACE PERIOD 10 SECONDS ON S1.ID = S2.ID`);
      const physical = findPhysical(p.pipeline.root, 'IntervalJoin');
      expect(physical.joinType).toBe(expected);
      expect(physical.bounds).toMatchObject({ lower: -60_000, upper: 60_000 });
      expect(physical.grace).toBe(10_000);
    }
  });

  it('SELECT * leaves the pseudo columns out; ROWTIME is the later record time, the sides\' stay reachable qualified', () => {
    expect(names('SELECT * FROM S1 JOIN S2 WITHIN 1 SECOND ON S1.ID = S2.ID')).toEqual(['ID', 'L', 'ID', 'R']);
    const b = tp.bind('SELECT ROWTIME, S1.ROWTIME AS LT, S2.ROWTIME AS RT2 FROM S1 LEFT JOIN S2 WITHIN 1 SECOND ON S1.ID = S2.ID');
    const project = findLogical(b.plan, 'LogicalProject');
    const rowtime = project.exprs[0]!;
    // The join's ROWTIME is computed above the join (GREATEST of the COALESCEd sides), not a side's column.
    const below = findLogical(project.input, 'LogicalProject');
    expect(rowtime).toMatchObject({ kind: 'InputRef', index: below.schema.length - 1 });
    expect(below.schema[below.schema.length - 1]).toMatchObject({ name: 'ROWTIME', hidden: true, type: { name: 'BIGINT' } });
    expect(below.exprs[below.exprs.length - 1]).toMatchObject({ kind: 'Call', fn: 'GREATEST' });
    expect(project.exprs[1]).toMatchObject({ kind: 'InputRef', name: 'ROWTIME' });
    expect(project.exprs[1]).not.toEqual(rowtime);
  });

  it('Flink tables joined WITHIN go by their event-time attributes', () => {
    const p = tp.plan('SELECT o.id, c.url FROM orders o JOIN clicks c WITHIN 30 SECONDS GRACE PERIOD 0 SECONDS ON o.user_id = c.user_id');
    const physical = findPhysical(p.pipeline.root, 'IntervalJoin');
    expect(physical.bounds).toMatchObject({ lower: -30_000, upper: 30_000 });
    expect(physical.grace).toBe(0);
    // No ROWTIME pseudo column on Flink tables: none is made.
    expect(() => tp.plan('SELECT ROWTIME FROM orders o JOIN clicks c WITHIN 30 SECONDS ON o.user_id = c.user_id')).toThrow(/ROWTIME/);
  });

  it('without WITHIN: ksqlDB\'s error, on the join', () => {
    const sql = 'SELECT * FROM S1 JOIN S2 ON S1.ID = S2.ID';
    const d = expectError(() => tp.plan(sql), ErrorCode.UNSUPPORTED);
    expect(d.message).toBe('Stream-Stream joins must have a WITHIN clause specified. None was provided.');
    expect(spanText(sql, d)).toBe('S1 JOIN S2 ON S1.ID = S2.ID');
  });
});

describe('ksqlDB stream-table joins', () => {
  it('INNER and LEFT become event-time temporal joins on the record times; the output ROWTIME is the stream\'s', () => {
    for (const [type, expected] of [['', 'inner'], ['LEFT ', 'left']] as const) {
      const p = tp.plan(`SELECT S1.ID, L, NAME, ROWTIME FROM S1 ${type}JOIN T1 ON S1.ID = T1.ID`);
      const join = findLogical(p.logical, 'LogicalJoin');
      expect(join.temporal?.kind).toBe('event-time');
      const physical = findPhysical(p.pipeline.root, 'TemporalJoin');
      expect(physical.joinType).toBe(expected);
      expect(physical.changelog.kind).toBe('insert-only');
    }
    const b = tp.bind('SELECT ROWTIME FROM S1 JOIN T1 ON S1.ID = T1.ID');
    const below = findLogical(findLogical(b.plan, 'LogicalProject').input, 'LogicalProject');
    // S1's ROWTIME is column 2 of the joined row.
    expect(below.exprs[below.exprs.length - 1]).toMatchObject({ kind: 'InputRef', index: 2 });
  });

  it('against an upsert table, the temporal join reads its records (tombstones keep their own time), not their normalized changelog', () => {
    const p = tp.plan('SELECT S1.L, K1.NAME FROM S1 JOIN K1 ON S1.ID = K1.ID');
    const physical = findPhysical(p.pipeline.root, 'TemporalJoin');
    const right = physical.right.kind === 'Exchange' ? physical.right.input : physical.right;
    expect(right.kind).toBe('TableSourceScan');
    // An unbounded topic is not waited for: the stream's time alone drives the join; a file is read to its end.
    expect(physical.streamTime).toBe('stream');
    expect(findPhysical(tp.plan('SELECT * FROM S1 JOIN T1 ON S1.ID = T1.ID').pipeline.root, 'TemporalJoin').streamTime).toBe('both');
    expect(() => findPhysical(p.pipeline.root, 'ChangelogNormalize')).toThrow();
    // A regular join of the same table still reads the normalized changelog (retractions of whole rows).
    expect(findPhysical(tp.plan('SELECT * FROM T1 JOIN K1 ON T1.ID = K1.ID').pipeline.root, 'ChangelogNormalize')).toBeDefined();
  });

  it('the condition must compare the table\'s primary key', () => {
    const sql = 'SELECT * FROM S1 JOIN T1 ON S1.L = T1.NAME';
    const d = expectError(() => tp.plan(sql), ErrorCode.UNSUPPORTED);
    expect(d.message).toBe("Invalid join condition: stream-table joins require to join on the table's primary key. Got S1.L = T1.NAME.");
    expect(spanText(sql, d)).toBe('S1.L = T1.NAME');
  });

  it('WITHIN, FULL and RIGHT joins, and the table on the left are refused with ksqlDB\'s messages', () => {
    const within = 'SELECT * FROM S1 JOIN T1 WITHIN 1 HOUR ON S1.ID = T1.ID';
    const d = expectError(() => tp.plan(within), ErrorCode.UNSUPPORTED);
    expect(d.message).toMatch(/^A window definition was provided for a Stream-Table join\. These joins are not windowed\./);
    expect(spanText(within, d)).toBe('WITHIN 1 HOUR');
    expect(expectError(() => tp.plan('SELECT * FROM S1 FULL OUTER JOIN T1 ON S1.ID = T1.ID'), ErrorCode.UNSUPPORTED).message).toBe(
      'Invalid join type: full-outer join not supported for stream-table join. Got S1 [FULL] OUTER JOIN T1.',
    );
    expect(expectError(() => tp.plan('SELECT * FROM S1 RIGHT JOIN T1 ON S1.ID = T1.ID'), ErrorCode.UNSUPPORTED).message).toMatch(/^Invalid join type: right join not supported for stream-table join/);
    expect(expectError(() => tp.plan('SELECT * FROM T1 LEFT JOIN S1 ON S1.ID = T1.ID'), ErrorCode.UNSUPPORTED).message).toBe(
      'Invalid join order: table-stream joins are not supported; only stream-table joins. Got T1 LEFT [OUTER] JOIN S1.',
    );
    expect(expectError(() => tp.plan('SELECT * FROM S1 JOIN T1 USING (ID)'), ErrorCode.UNSUPPORTED).message).toMatch(/needs an ON condition, not USING/);
  });
});

describe('ksqlDB table-table joins', () => {
  it('become regular updating joins; the output ROWTIME is the later one', () => {
    for (const [type, expected] of [['', 'inner'], ['LEFT ', 'left'], ['RIGHT ', 'right'], ['FULL OUTER ', 'full']] as const) {
      const p = tp.plan(`SELECT T1.ID, NAME, CITY FROM T1 ${type}JOIN T2 ON T1.ID = T2.ID`);
      const physical = findPhysical(p.pipeline.root, 'Join');
      expect(physical.joinType).toBe(expected);
      expect(physical.changelog.kind).toBe('updating');
    }
    const b = tp.bind('SELECT ROWTIME FROM T1 JOIN T2 ON T1.ID = T2.ID');
    const below = findLogical(findLogical(b.plan, 'LogicalProject').input, 'LogicalProject');
    expect(below.exprs[below.exprs.length - 1]).toMatchObject({ kind: 'Call', fn: 'GREATEST' });
  });

  it('the condition must compare the right table\'s primary key; WITHIN is refused', () => {
    expect(expectError(() => tp.plan('SELECT * FROM T1 JOIN T2 ON T1.NAME = T2.CITY'), ErrorCode.UNSUPPORTED).message).toBe(
      'Invalid join condition: table-table joins require to join on the primary key of the right input table. Got T1.NAME = T2.CITY.',
    );
    // A foreign-key join (a left column with the right's key) is fine.
    expect(findPhysical(tp.plan('SELECT * FROM T1 JOIN T2 ON CAST(T1.NAME AS INT) = T2.ID').pipeline.root, 'Join').joinType).toBe('inner');
    const sql = 'SELECT * FROM T1 JOIN T2 WITHIN 1 SECOND ON T1.ID = T2.ID';
    const d = expectError(() => tp.plan(sql), ErrorCode.UNSUPPORTED);
    expect(d.message).toMatch(/^A window definition was provided for a Table-Table join/);
    expect(spanText(sql, d)).toBe('WITHIN 1 SECOND');
  });
});

describe('joins that are not ksqlDB\'s', () => {
  it('a Flink join (no ksqlDB source on one side, no WITHIN) is bound as before', () => {
    const p = tp.plan('SELECT * FROM S1 JOIN orders ON S1.ID = orders.user_id');
    expect(findPhysical(p.pipeline.root, 'Join').joinType).toBe('inner');
    expect(names('SELECT o.id FROM orders o JOIN clicks c ON o.user_id = c.user_id')).toEqual(['id']);
  });
});
