import { afterEach, describe, expect, it } from 'vitest';
import { Eddy } from '../../src/engine/eddy.js';
import { parseStatement } from '../../src/parser/index.js';
import type { CreateTable } from '../../src/parser/index.js';
import { EddyError } from '../../src/common/errors.js';
import { ksqlConnectorOptions, ksqlConnection, withKsqlStartup } from '../../src/engine/ksql/source.js';
import { describeKsqlSource } from '../../src/engine/ksql/describe.js';
import { Settings } from '../../src/engine/settings.js';

let eddy: Eddy | undefined;
afterEach(async () => {
  await eddy?.close();
  eddy = undefined;
});

/** A session whose ksqlDB topics are on brokers (so the lowered options validate without the embedded log). */
function session(): Eddy {
  eddy = new Eddy();
  eddy.settings.set('kafka.bootstrap-servers', '127.0.0.1:9092');
  return eddy;
}

function lower(sql: string) {
  return session().ksql.lowerSource(parseStatement(sql) as CreateTable);
}

function errorOf(fn: () => unknown): { message: string; start?: number; hint?: string } {
  try {
    fn();
  } catch (err) {
    if (!(err instanceof EddyError)) throw err;
    const d = err.diagnostics[0]!;
    return { message: d.message, start: d.span?.start, hint: d.hint };
  }
  throw new Error('no error');
}

describe('ksqlDB CREATE STREAM lowering', () => {
  it('a stream: kafka connector, key fields, EXCEPT_KEY, upper-case names, hidden pseudo columns with the watermark', () => {
    const { table, partitions } = lower("CREATE STREAM pageviews (page_id VARCHAR KEY, user_id VARCHAR, `viewTime` BIGINT) WITH (KAFKA_TOPIC='pv', KEY_FORMAT='JSON', VALUE_FORMAT='JSON', PARTITIONS=4)");
    expect(partitions).toBe(4);
    expect(table.options).toEqual({
      connector: 'kafka',
      topic: 'pv',
      'properties.bootstrap.servers': '127.0.0.1:9092',
      'key.format': 'json',
      'key.fields': 'PAGE_ID',
      'value.format': 'json',
      'value.fields-include': 'EXCEPT_KEY',
      'scan.startup.mode': 'latest-offset',
    });
    expect(table.columns.map((c) => [c.name, c.type.name, c.hidden ?? false])).toEqual([
      ['PAGE_ID', 'STRING', false],
      ['USER_ID', 'STRING', false],
      ['viewTime', 'BIGINT', false],
      ['KSQL$TIMESTAMP', 'TIMESTAMP_LTZ', true],
      ['ROWTIME', 'BIGINT', true],
      ['ROWPARTITION', 'INT', true],
      ['ROWOFFSET', 'BIGINT', true],
    ]);
    expect(table.columns.find((c) => c.name === 'KSQL$TIMESTAMP')?.metadata).toEqual({ key: 'timestamp', virtual: false });
    expect(table.columns.find((c) => c.name === 'ROWOFFSET')?.metadata).toEqual({ key: 'offset', virtual: true });
    expect(table.watermark?.column).toBe('KSQL$TIMESTAMP');
    expect(table.ksql).toEqual({ objectType: 'STREAM', topic: 'pv', keyColumns: ['PAGE_ID'], properties: { KAFKA_TOPIC: 'pv', KEY_FORMAT: 'JSON', VALUE_FORMAT: 'JSON', PARTITIONS: '4' } });
    expect(table.statement.kind).toBe('CreateTable');
    expect(table.primaryKey).toBeUndefined();
  });

  it('TIMESTAMP names the column ROWTIME comes from; the event time follows it', () => {
    const { table } = lower("CREATE STREAM s (id INT KEY, ts VARCHAR) WITH (KAFKA_TOPIC='s', KEY_FORMAT='JSON', VALUE_FORMAT='JSON', TIMESTAMP='ts', TIMESTAMP_FORMAT='yyyy-MM-dd HH:mm:ss')");
    expect(table.watermark?.column).toBe('KSQL$EVENTTIME');
    const eventTime = table.columns.find((c) => c.name === 'KSQL$EVENTTIME')!;
    expect(eventTime.hidden).toBe(true);
    expect(eventTime.type.timeAttribute).toBe('rowtime');
    expect(table.columns.find((c) => c.name === 'ROWTIME')?.type.name).toBe('BIGINT');
  });

  it('a table: upsert-kafka keyed by its PRIMARY KEY, DELIMITED values', () => {
    const { table } = lower("CREATE TABLE users (id BIGINT PRIMARY KEY, name STRING, tags ARRAY<STRING>) WITH (KAFKA_TOPIC='users', KEY_FORMAT='JSON', VALUE_FORMAT='DELIMITED', VALUE_DELIMITER='|')");
    expect(table.options).toMatchObject({ connector: 'upsert-kafka', topic: 'users', 'key.format': 'json', 'value.format': 'csv', 'value.csv.field-delimiter': '|', 'value.fields-include': 'EXCEPT_KEY' });
    expect(table.options['key.fields']).toBeUndefined();
    expect(table.primaryKey).toEqual(['ID']);
    expect(table.ksql?.objectType).toBe('TABLE');
  });

  it('auto.offset.reset chooses where a stream starts reading when a query starts', () => {
    const e = session();
    e.settings.set('auto.offset.reset', 'earliest');
    const { table } = e.ksql.lowerSource(parseStatement("CREATE STREAM s (v INT) WITH (KAFKA_TOPIC='s', VALUE_FORMAT='JSON')") as CreateTable);
    // The catalog keeps ksqlDB's default, so that a replayed CREATE gives the same table.
    expect(table.options['scan.startup.mode']).toBe('latest-offset');
    expect(table.options['key.format']).toBeUndefined();
    e.catalog.add(table);
    const started = withKsqlStartup(e.catalog, e.settings).find('s');
    expect(started?.kind === 'table' && started.options['scan.startup.mode']).toBe('earliest-offset');
    e.settings.set('auto.offset.reset', 'latest');
    expect(withKsqlStartup(e.catalog, e.settings)).toBe(e.catalog);
  });
});

describe('ksqlDB properties are checked', () => {
  it('an unknown property is positioned, with a suggestion', () => {
    const sql = "CREATE STREAM s (v INT) WITH (KAFKA_TOPIC='s', VALUE_FROMAT='JSON')";
    const e = errorOf(() => lower(sql));
    expect(e.message).toBe('Unknown property VALUE_FROMAT');
    expect(e.hint).toBe('did you mean `VALUE_FORMAT`?');
    expect(e.start).toBe(sql.indexOf('VALUE_FROMAT'));
  });

  it('PARTITIONS is a number, formats are known, FORMAT excludes VALUE_FORMAT', () => {
    const sql = "CREATE STREAM s (v INT) WITH (KAFKA_TOPIC='s', VALUE_FORMAT='JSON', PARTITIONS='3')";
    const e = errorOf(() => lower(sql));
    expect(e.message).toBe("PARTITIONS takes a whole number of at least 1, not '3'");
    expect(e.start).toBe(sql.indexOf("'3'"));
    expect(errorOf(() => lower("CREATE STREAM s (v INT) WITH (KAFKA_TOPIC='s', VALUE_FORMAT='JSN')")).hint).toBe('did you mean `JSON`?');
    expect(errorOf(() => lower("CREATE STREAM s (v INT) WITH (KAFKA_TOPIC='s', VALUE_FORMAT='PROTOBUF')")).message).toContain('Format PROTOBUF is not supported');
    expect(errorOf(() => lower("CREATE STREAM s (v INT) WITH (KAFKA_TOPIC='s', FORMAT='JSON', VALUE_FORMAT='JSON')")).message).toContain('give FORMAT or VALUE_FORMAT, not both');
  });

  it('KAFKA_TOPIC and VALUE_FORMAT are required; TIMESTAMP must name a usable column', () => {
    expect(errorOf(() => lower("CREATE STREAM s (v INT) WITH (VALUE_FORMAT='JSON')")).message).toBe('A stream needs KAFKA_TOPIC');
    expect(errorOf(() => lower("CREATE STREAM s (v INT) WITH (KAFKA_TOPIC='s')")).message).toBe('A stream needs VALUE_FORMAT (or FORMAT)');
    expect(errorOf(() => lower("CREATE STREAM s (v INT) WITH (KAFKA_TOPIC='s', VALUE_FORMAT='JSON', TIMESTAMP='w')")).message).toBe("TIMESTAMP names no column: 'w'");
    expect(errorOf(() => lower("CREATE STREAM s (v INT) WITH (KAFKA_TOPIC='s', VALUE_FORMAT='JSON', TIMESTAMP='v')")).message).toContain('must be a BIGINT (epoch ms), a TIMESTAMP or a STRING');
    expect(errorOf(() => lower("CREATE STREAM s (v STRING) WITH (KAFKA_TOPIC='s', VALUE_FORMAT='JSON', TIMESTAMP='v')")).message).toContain('give TIMESTAMP_FORMAT');
    expect(errorOf(() => lower("CREATE STREAM s (rowtime BIGINT) WITH (KAFKA_TOPIC='s', VALUE_FORMAT='JSON')")).message).toContain('reserved pseudo column name');
  });
});

describe('the connector options', () => {
  it('without brokers configured, the topic lives in the embedded log; KAFKA is the default key format', () => {
    const connection = ksqlConnection(new Settings());
    expect(connection).toEqual({ offsetReset: 'latest' });
    expect(ksqlConnectorOptions({ objectType: 'STREAM', topic: 't', keyFormat: 'kafka', valueFormat: 'json', keyColumns: ['ID'] }, connection)).toEqual({
      connector: 'kafka',
      topic: 't',
      'client.library': 'embedded',
      'key.format': 'kafka',
      'key.fields': 'ID',
      'value.format': 'json',
      'value.fields-include': 'EXCEPT_KEY',
      'scan.startup.mode': 'latest-offset',
    });
    const settings = new Settings();
    settings.set('bootstrap.servers', 'broker:9092');
    expect(ksqlConnection(settings).bootstrapServers).toBe('broker:9092');
  });

  it('a windowed table carries the key window for the kafka formats', () => {
    const options = ksqlConnectorOptions({ objectType: 'TABLE', topic: 'w', keyFormat: 'json', valueFormat: 'json', keyColumns: ['K'], window: { type: 'HOPPING', sizeMs: 10_000 } }, { offsetReset: 'latest' });
    expect(options).toMatchObject({ connector: 'upsert-kafka', 'key.window.type': 'HOPPING', 'key.window.size': '10000' });
  });
});

describe('DESCRIBE of a ksqlDB source', () => {
  it('marks the key, hides the pseudo columns, EXTENDED shows them and the topic', () => {
    const { table } = lower("CREATE STREAM s (id INT KEY, name STRING, amount DECIMAL(10, 2), loc STRUCT<lat DOUBLE>) WITH (KAFKA_TOPIC='s_topic', KEY_FORMAT='JSON', VALUE_FORMAT='JSON')");
    expect(describeKsqlSource(table).rows).toEqual([
      ['ID', 'INTEGER  (key)'],
      ['NAME', 'VARCHAR(STRING)'],
      ['AMOUNT', 'DECIMAL(10, 2)'],
      ['LOC', 'STRUCT<lat DOUBLE>'],
    ]);
    const extended = describeKsqlSource(table, true);
    expect(extended.rows.map((r) => r[0])).toEqual(['ID', 'NAME', 'AMOUNT', 'LOC', 'ROWTIME', 'ROWPARTITION', 'ROWOFFSET']);
    expect(extended.footer).toEqual(['Name: s', 'Type: STREAM']);
    const t = lower("CREATE TABLE t (id INT PRIMARY KEY, v INT) WITH (KAFKA_TOPIC='t', KEY_FORMAT='JSON', VALUE_FORMAT='JSON')").table;
    expect(describeKsqlSource(t).rows[0]).toEqual(['ID', 'INTEGER  (primary key)']);
  });
});

describe('pseudo columns in queries', () => {
  it('SELECT * leaves them out; they resolve by name', () => {
    const e = session();
    const { table } = e.ksql.lowerSource(parseStatement("CREATE STREAM s (id INT KEY, name STRING) WITH (KAFKA_TOPIC='s', KEY_FORMAT='JSON', VALUE_FORMAT='JSON')") as CreateTable);
    e.catalog.add(table);
    const star = e.explain(parseStatement('SELECT * FROM s') as never);
    expect(star).toContain('Collect(fields=[ID, NAME])');
    const named = e.explain(parseStatement('SELECT id, ROWTIME, ROWPARTITION, ROWOFFSET FROM s WHERE ROWTIME > 5') as never);
    expect(named).toContain('Collect(fields=[id, ROWTIME, ROWPARTITION, ROWOFFSET])');
  });
});

describe('ksqlDB DROP and CREATE AS on the wrong objects', () => {
  async function failure(e: Eddy, sql: string): Promise<string> {
    try {
      await e.execute(sql);
    } catch (err) {
      if (err instanceof EddyError) return err.diagnostics[0]!.message;
      throw err;
    }
    throw new Error(`no error: ${sql}`);
  }

  it('DROP STREAM of a Flink table, DELETE TOPIC of a Flink table, CSAS over an existing name are refused', async () => {
    const e = session();
    await e.execute("CREATE TABLE f (a INT) WITH ('connector' = 'datagen', 'number-of-rows' = '1')");
    expect(await failure(e, 'DROP STREAM f')).toBe("'f' is a table, not a ksqlDB stream");
    expect(await failure(e, 'DROP TABLE f DELETE TOPIC')).toBe("'f' is a table, not a ksqlDB table");
    expect(await failure(e, 'DROP STREAM nothing')).toContain("'nothing' does not exist");
    expect((await e.execute('DROP STREAM IF EXISTS nothing')).kind).toBe('ok');
    expect(await failure(e, 'CREATE STREAM f AS SELECT a FROM f')).toBe("Cannot add stream 'f': a table with the same name already exists");
    // Flink's DROP TABLE still works.
    expect((await e.execute('DROP TABLE f')).kind).toBe('ok');
  });
});
