// METADATA columns in the binder and planner: CREATE TABLE checks against the connector's keys, the scan's source row
// (physical, then metadata columns) for computed columns and watermarks, the keys a query reads, and INSERT's columns.
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../src/common/errors.js';
import { exprToString } from '../../../src/planner/explain.js';
import { findLogical, findPhysical, TestPlanner, expectError, spanText, ty } from '../helpers.js';

const KAFKA = "WITH ('connector' = 'kafka', 'topic' = 't', 'properties.bootstrap.servers' = '127.0.0.1:1', 'format' = 'json')";
const FILES = "WITH ('connector' = 'filesystem', 'path' = '/tmp/x', 'format' = 'json')";

describe('CREATE TABLE with METADATA columns', () => {
  it('metadata columns keep their declared type; computed columns and the watermark may read them', () => {
    const tp = new TestPlanner([]);
    const t = tp.createTable(`CREATE TABLE k (
        id INT,
        kafka_ts TIMESTAMP_LTZ(3) METADATA FROM 'timestamp',
        \`offset\` BIGINT METADATA VIRTUAL,
        ts AS CAST(kafka_ts AS TIMESTAMP(3)),
        next_offset AS \`offset\` + 1,
        WATERMARK FOR ts AS ts - INTERVAL '1' SECOND
      ) ${KAFKA}`);
    expect(t.columns.map((c) => `${c.name} ${ty(c.type)}${c.metadata ? ` <- ${c.metadata.key}${c.metadata.virtual ? ' virtual' : ''}` : ''}`)).toEqual([
      'id INT',
      'kafka_ts TIMESTAMP_LTZ(3) <- timestamp',
      'offset BIGINT <- offset virtual',
      'ts TIMESTAMP(3) *ROWTIME*',
      'next_offset BIGINT',
    ]);
  });

  it('a WATERMARK may be declared on a TIMESTAMP_LTZ(3) metadata column directly', () => {
    const tp = new TestPlanner([]);
    const t = tp.createTable(`CREATE TABLE k (id INT, ts TIMESTAMP_LTZ(3) METADATA FROM 'timestamp', WATERMARK FOR ts AS ts) ${KAFKA}`);
    expect(ty(t.columns[1]!.type)).toBe('TIMESTAMP_LTZ(3) *ROWTIME*');
  });

  it('an unknown key is EDDY-C006 at the key, listing the keys, with did-you-mean', () => {
    const tp = new TestPlanner([]);
    const sql = `CREATE TABLE k (id INT, p INT METADATA FROM 'partiton') ${KAFKA}`;
    const d = expectError(() => tp.createTable(sql), ErrorCode.UNKNOWN_METADATA_KEY);
    expect(spanText(sql, d)).toBe("'partiton'");
    expect(d.message).toBe("Connector 'kafka' has no metadata key 'partiton' (column 'p'); its keys: topic, partition, headers, leader-epoch, offset, timestamp, timestamp-type");
    expect(d.hint).toBe('did you mean `partition`?');
    // Without FROM the key is the column's name, and the error is at the name.
    const sql2 = `CREATE TABLE f (a INT, path STRING METADATA) ${FILES}`;
    const d2 = expectError(() => tp.createTable(sql2), ErrorCode.UNKNOWN_METADATA_KEY);
    expect(spanText(sql2, d2)).toBe('path');
    expect(d2.message).toContain('its keys: file.path, file.name, file.size, file.modification-time');
  });

  it('a connector without metadata refuses any METADATA column', () => {
    const d = expectError(() => new TestPlanner([]).createTable("CREATE TABLE b (a INT, o BIGINT METADATA FROM 'offset') WITH ('connector' = 'blackhole')"), ErrorCode.UNKNOWN_METADATA_KEY);
    expect(d.message).toBe("Connector 'blackhole' offers no metadata, so 'o' cannot be a METADATA column");
  });

  it('a type the key does not cast to is EDDY-B005; a castable one is accepted (as in Flink)', () => {
    const tp = new TestPlanner([]);
    const sql = `CREATE TABLE k (id INT, o DATE METADATA FROM 'offset' VIRTUAL) ${KAFKA}`;
    const d = expectError(() => tp.createTable(sql), ErrorCode.TYPE_MISMATCH);
    expect(d.message).toBe("METADATA column 'o' is DATE, but metadata 'offset' is BIGINT NOT NULL, which does not cast to it");
    expect(d.hint).toBe('declare it BIGINT');
    expect(spanText(sql, d)).toBe("o DATE METADATA FROM 'offset' VIRTUAL");
    // BIGINT -> STRING and TIMESTAMP_LTZ -> TIMESTAMP cast.
    const t = tp.createTable(`CREATE TABLE k2 (o STRING METADATA FROM 'offset' VIRTUAL, ts TIMESTAMP(3) METADATA FROM 'timestamp') ${KAFKA}`);
    expect(t.columns.map((c) => ty(c.type))).toEqual(['STRING', 'TIMESTAMP(3)']);
  });

  it('a PRIMARY KEY may not name a metadata column', () => {
    const sql = `CREATE TABLE k (id INT, o BIGINT METADATA FROM 'offset', PRIMARY KEY (o) NOT ENFORCED) ${KAFKA}`;
    const d = expectError(() => new TestPlanner([]).createTable(sql), ErrorCode.INVALID_STATEMENT);
    expect(spanText(sql, d)).toBe('o');
  });
});

describe('scans of tables with METADATA columns', () => {
  const tp = new TestPlanner([
    `CREATE TABLE k (
       id INT,
       p INT METADATA FROM 'partition' VIRTUAL,
       kafka_ts TIMESTAMP_LTZ(3) METADATA FROM 'timestamp',
       o STRING METADATA FROM 'offset' VIRTUAL,
       o2 BIGINT METADATA FROM 'offset' VIRTUAL,
       name STRING,
       ts AS CAST(kafka_ts AS TIMESTAMP(3))
     ) ${KAFKA}`,
  ]);

  it('the source row is the physical columns, then the metadata columns, each cast from its key to its type', () => {
    const scan = findLogical(tp.bind('SELECT * FROM k').plan, 'LogicalScan');
    // Keys once each, in order of first use; the reader's row is [id, name, partition, timestamp, offset].
    expect(scan.metadata!.keys).toEqual(['partition', 'timestamp', 'offset']);
    const reader = ['id', 'name', '$partition', '$timestamp', '$offset'];
    expect(scan.metadata!.values.map((e) => exprToString(e, reader))).toEqual(['$partition', '$timestamp', 'CAST($offset AS STRING NOT NULL)', '$offset']);
    // The computed column reads the source row [id, name, p, kafka_ts, o, o2].
    expect(exprToString(scan.computed[6]!, ['id', 'name', 'p', 'kafka_ts', 'o', 'o2'])).toBe('CAST(kafka_ts AS TIMESTAMP(3))');
  });

  it('a query reads only the keys it needs (its columns, computed columns and the watermark)', () => {
    const keys = (sql: string) => findPhysical(tp.plan(sql).pipeline.root, 'TableSourceScan').metadata!.keys;
    // ts (computed from kafka_ts) is evaluated by every scan: `timestamp` is always read.
    expect(keys('SELECT id, name FROM k')).toEqual(['timestamp']);
    expect(keys('SELECT id, p FROM k')).toEqual(['partition', 'timestamp']);
    expect(keys('SELECT o2 FROM k')).toEqual(['timestamp', 'offset']);
    expect(keys('SELECT o, o2, p FROM k')).toEqual(['partition', 'timestamp', 'offset']);
    const scan = findPhysical(tp.plan('SELECT o2 FROM k').pipeline.root, 'TableSourceScan');
    // Unread columns (p, and o, which shares o2's key) are NULL; the read ones are re-pointed at the narrower reader
    // row [id, name, timestamp, offset].
    expect(scan.metadata!.values.map((e) => exprToString(e, ['id', 'name', '$timestamp', '$offset']))).toEqual(['NULL', '$timestamp', 'NULL', '$offset']);
  });
});

describe('INSERT INTO a table with METADATA columns', () => {
  const tp = new TestPlanner([
    `CREATE TABLE src (a INT, at TIMESTAMP(3), h MAP<STRING, BYTES>) ${FILES}`,
    `CREATE TABLE out (ts TIMESTAMP(3) METADATA FROM 'timestamp', id INT, p INT METADATA FROM 'partition' VIRTUAL, headers MAP<STRING, BYTES> METADATA, name STRING) ${KAFKA}`,
    `CREATE TABLE ro (id INT, \`offset\` BIGINT METADATA) ${KAFKA}`,
    `CREATE TABLE twice (id INT, t1 TIMESTAMP_LTZ(3) METADATA FROM 'timestamp', t2 TIMESTAMP_LTZ(3) METADATA FROM 'timestamp') ${KAFKA}`,
    `CREATE TABLE files (a INT, \`file.path\` STRING NOT NULL METADATA) ${FILES}`,
  ]);

  it('the query gives the persisted columns in declared order; the sink gets physical columns, then metadata keys', () => {
    const p = tp.insert("INSERT INTO out SELECT at, a, h, 'n' FROM src");
    const project = p.logical;
    if (project.kind !== 'LogicalProject') throw new Error('expected a projection');
    // Sink row: id, name (physical), then timestamp (as TIMESTAMP_LTZ(3), the key's type), headers.
    expect(project.schema.map((f) => `${f.name} ${ty(f.type)}`)).toEqual(['id INT', 'name STRING NOT NULL', 'ts TIMESTAMP_LTZ(3)', 'headers MAP<STRING, BYTES>']);
    // Four columns are written: VIRTUAL p is not among the INSERT's columns.
    const d = expectError(() => tp.insert("INSERT INTO out SELECT at, a, 1, h, 'n' FROM src"), ErrorCode.TYPE_MISMATCH);
    expect(d.message).toBe("Column count mismatch: the query produces 5 columns, but 'out' expects 4");
    // A named column list may name metadata columns in any order.
    const named = tp.insert('INSERT INTO out (headers, id) SELECT h, a FROM src').logical;
    if (named.kind !== 'LogicalProject') throw new Error('expected a projection');
    expect(named.exprs.map((e) => exprToString(e, ['h', 'a']))).toEqual(['a', 'NULL', 'NULL', 'h']);
  });

  it('a persisted read-only key is refused when the table is written, hinting VIRTUAL', () => {
    const sql = 'INSERT INTO ro SELECT a, 1 FROM src';
    const d = expectError(() => tp.insert(sql), ErrorCode.INVALID_STATEMENT);
    expect(d.message).toBe("Cannot INSERT INTO 'ro': its METADATA column 'offset' (key 'offset') is read-only for connector 'kafka'");
    expect(d.hint).toBe("declare it `offset ... METADATA VIRTUAL` (VIRTUAL columns are only read); writable keys: 'headers', 'timestamp'");
    expect(spanText(sql, d)).toBe('ro');
    const f = expectError(() => tp.insert("INSERT INTO files SELECT a, 'x' FROM src"), ErrorCode.INVALID_STATEMENT);
    expect(f.message).toContain("its METADATA column 'file.path' (key 'file.path') is read-only for connector 'filesystem'");
    expect(f.hint).toBe('declare it `file.path ... METADATA VIRTUAL` (VIRTUAL columns are only read)');
    const t = expectError(() => tp.insert('INSERT INTO twice SELECT a, at, at FROM src'), ErrorCode.INVALID_STATEMENT);
    expect(t.message).toBe("Cannot INSERT INTO 'twice': two persisted METADATA columns write key 'timestamp'");
  });
});
