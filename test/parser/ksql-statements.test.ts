import { describe, expect, it } from 'vitest';
import { parseStatement } from '../../src/parser/index.js';
import { EddyError } from '../../src/common/errors.js';
import { T } from '../../src/common/types.js';
import { select, stmt } from './helpers.js';

/** The first diagnostic of a statement that must not parse. */
function parseError(sql: string): { message: string; start: number; hint?: string } {
  try {
    parseStatement(sql);
  } catch (err) {
    if (!(err instanceof EddyError)) throw err;
    const d = err.diagnostics[0]!;
    return { message: d.message, start: d.span?.start ?? -1, hint: d.hint };
  }
  throw new Error(`parsed: ${sql}`);
}

describe('ksqlDB CREATE STREAM', () => {
  it('parses columns with KEY and the WITH properties, keys upper-cased', () => {
    const s = stmt(
      "CREATE STREAM pageviews (id BIGINT KEY, user_id VARCHAR, tags ARRAY<STRING>, loc STRUCT<lat DOUBLE, lon DOUBLE>) WITH (kafka_topic = 'pv', VALUE_FORMAT = 'JSON', PARTITIONS = 3)",
      'CreateTable',
    );
    expect(s.ksql).toEqual({ objectType: 'STREAM', orReplace: false, source: false, keyColumns: [expect.objectContaining({ name: 'id' })] });
    expect(s.columns.map((c) => c.name.name)).toEqual(['id', 'user_id', 'tags', 'loc']);
    const loc = s.columns[3]!;
    expect(loc.kind === 'PhysicalColumn' && loc.type).toEqual(T.row([{ name: 'lat', type: T.double() }, { name: 'lon', type: T.double() }]));
    expect(s.options.map((o) => [o.key, o.value])).toEqual([
      ['KAFKA_TOPIC', 'pv'],
      ['VALUE_FORMAT', 'JSON'],
      ['PARTITIONS', '3'],
    ]);
    expect(s.primaryKey).toBeUndefined();
  });

  it('OR REPLACE, IF NOT EXISTS and boolean property values', () => {
    const s = stmt("CREATE OR REPLACE STREAM IF NOT EXISTS s (v INT) WITH (KAFKA_TOPIC='t', VALUE_FORMAT='JSON', WRAP_SINGLE_VALUE=false)", 'CreateTable');
    expect(s.ksql?.orReplace).toBe(true);
    expect(s.ifNotExists).toBe(true);
    expect(s.options.find((o) => o.key === 'WRAP_SINGLE_VALUE')?.value).toBe('false');
  });

  it('refuses PRIMARY KEY on a stream, naming the column', () => {
    const sql = "CREATE STREAM s (id INT PRIMARY KEY, v INT) WITH (KAFKA_TOPIC='t', VALUE_FORMAT='JSON')";
    const e = parseError(sql);
    expect(e.message).toContain("Column 'id' is a PRIMARY KEY column: streams have KEY columns");
    expect(e.start).toBe(sql.indexOf('PRIMARY'));
  });

  it('refuses a WATERMARK and quoted property names in ksqlDB DDL', () => {
    expect(parseError("CREATE STREAM s (ts TIMESTAMP(3), WATERMARK FOR ts AS ts) WITH (KAFKA_TOPIC='t', VALUE_FORMAT='JSON')").message).toContain('has no WATERMARK');
    const sql = "CREATE STREAM s (v INT) WITH ('kafka_topic'='t', VALUE_FORMAT='JSON')";
    const e = parseError(sql);
    expect(e.message).toContain('write KAFKA_TOPIC = ..., without quotes');
    expect(e.start).toBe(sql.indexOf("'kafka_topic'"));
  });

  it('refuses a stream without columns or AS SELECT', () => {
    expect(parseError("CREATE STREAM s WITH (KAFKA_TOPIC='t', VALUE_FORMAT='AVRO')").message).toContain('needs its columns');
  });
});

describe('ksqlDB CREATE TABLE', () => {
  it('PRIMARY KEY without NOT ENFORCED makes it ksqlDB', () => {
    const s = stmt("CREATE TABLE users (id VARCHAR PRIMARY KEY, name VARCHAR) WITH (KAFKA_TOPIC='users', FORMAT='JSON')", 'CreateTable');
    expect(s.ksql).toEqual({ objectType: 'TABLE', orReplace: false, source: false, keyColumns: [expect.objectContaining({ name: 'id' })] });
  });

  it('CREATE SOURCE TABLE', () => {
    const s = stmt("CREATE SOURCE TABLE users (id VARCHAR PRIMARY KEY, name VARCHAR) WITH (KAFKA_TOPIC='users', FORMAT='JSON')", 'CreateTable');
    expect(s.ksql?.source).toBe(true);
  });

  it('a table needs a PRIMARY KEY; KEY is for streams', () => {
    expect(parseError("CREATE TABLE t (id INT, v INT) WITH (KAFKA_TOPIC='t', VALUE_FORMAT='JSON')").message).toContain('needs a PRIMARY KEY');
    expect(parseError("CREATE TABLE t (id INT KEY, v INT) WITH (KAFKA_TOPIC='t', VALUE_FORMAT='JSON')").message).toContain("Column 'id' is a KEY column");
  });

  it("Flink's CREATE TABLE keeps its meaning", () => {
    const flink = stmt(
      "CREATE TABLE t (id INT, v INT, PRIMARY KEY (id) NOT ENFORCED) WITH ('connector' = 'kafka', 'topic' = 'x', format = 'json')",
      'CreateTable',
    );
    expect(flink.ksql).toBeUndefined();
    expect(flink.primaryKey?.map((k) => k.name)).toEqual(['id']);
    expect(flink.options.map((o) => o.key)).toEqual(['connector', 'topic', 'format']);
    const inline = stmt("CREATE TABLE t (id INT PRIMARY KEY NOT ENFORCED) WITH ('connector' = 'values')", 'CreateTable');
    expect(inline.ksql).toBeUndefined();
    expect(inline.primaryKey?.map((k) => k.name)).toEqual(['id']);
    // An unquoted Flink key stays Flink's.
    expect(stmt("CREATE TABLE t (a INT) WITH (connector = 'datagen')", 'CreateTable').ksql).toBeUndefined();
  });

  it('unquoted ksqlDB property names make a CREATE TABLE ksqlDB', () => {
    const s = stmt("CREATE TABLE t (id INT PRIMARY KEY, v INT) WITH (KAFKA_TOPIC='t', VALUE_FORMAT='JSON')", 'CreateTable');
    expect(s.ksql?.objectType).toBe('TABLE');
  });
});

describe('ksqlDB CREATE ... AS SELECT', () => {
  it('CREATE STREAM AS SELECT with properties', () => {
    const s = stmt("CREATE STREAM big WITH (KAFKA_TOPIC='big', PARTITIONS=2) AS SELECT * FROM orders WHERE amount > 10 EMIT CHANGES", 'KsqlCreateAs');
    expect(s.objectType).toBe('STREAM');
    expect(s.options.map((o) => o.key)).toEqual(['KAFKA_TOPIC', 'PARTITIONS']);
    expect(s.query.emit).toBe('CHANGES');
    expect(s.name.parts[0]!.name).toBe('big');
  });

  it('CREATE OR REPLACE TABLE AS SELECT without properties', () => {
    const s = stmt('CREATE OR REPLACE TABLE counts AS SELECT id, COUNT(*) AS n FROM orders GROUP BY id EMIT CHANGES', 'KsqlCreateAs');
    expect(s.objectType).toBe('TABLE');
    expect(s.orReplace).toBe(true);
    expect(s.options).toEqual([]);
  });

  it('OR REPLACE is not for views', () => {
    expect(parseError('CREATE OR REPLACE VIEW v AS SELECT 1').message).toContain('OR REPLACE is ksqlDB');
  });
});

describe('ksqlDB DROP, PARTITION BY, INSERT VALUES', () => {
  it('DROP STREAM IF EXISTS .. DELETE TOPIC', () => {
    const d = stmt('DROP STREAM IF EXISTS s DELETE TOPIC', 'DropStatement');
    expect(d).toMatchObject({ objectType: 'STREAM', ifExists: true, deleteTopic: true });
    expect(stmt('DROP TABLE t DELETE TOPIC', 'DropStatement')).toMatchObject({ objectType: 'TABLE', deleteTopic: true });
    expect(stmt('DROP TABLE t', 'DropStatement').deleteTopic).toBeUndefined();
    expect(parseError('DROP VIEW v DELETE TOPIC').message).toContain('DELETE TOPIC is for ksqlDB');
  });

  it('PARTITION BY after GROUP BY', () => {
    const s = select('SELECT a, b FROM s PARTITION BY b, UCASE(a) EMIT CHANGES');
    expect(s.partitionBy?.map((e) => e.kind)).toEqual(['ColumnRef', 'FunctionCall']);
    expect(select('SELECT a FROM s').partitionBy).toBeUndefined();
  });

  it('INSERT INTO s (cols) VALUES (...)', () => {
    const i = stmt("INSERT INTO s (id, name) VALUES (1, 'a')", 'InsertStatement');
    expect(i.columns?.map((c) => c.name)).toEqual(['id', 'name']);
    expect(i.query.body.kind).toBe('Values');
  });
});
