// The runner's view of a real Eddy: statements through the public API, a bounded query read to its LIMIT,
// ksqlDB's schema text, a ksqlDB source's formats read from the catalog, and the temporary state directory.

import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EddyError, ErrorCode } from '../../src/common/errors.js';
import { T } from '../../src/common/types.js';
import type { Eddy } from '../../src/engine/eddy.js';
import type { TableDef } from '../../src/planner/catalog.js';
import { EddyTestEngine, adminType, topicFormatOf } from '../../src/ksql-test/eddy-engine.js';
import { ksqlSchemaText } from '../../src/ksql-test/ksql-schema.js';
import { parseStatement } from '../../src/parser/parse.js';
import { MemoryTopics } from './fakes.js';

function ksqlTable(name: string, options: Record<string, string>, ksql: Partial<NonNullable<TableDef['ksql']>>): TableDef {
  return {
    kind: 'table',
    name,
    columns: [
      { name: 'ID', type: T.bigint() },
      { name: 'NAME', type: T.string() },
      { name: 'COUNT', type: T.bigint() },
      { name: 'ROWTIME', type: T.bigint(), hidden: true, metadata: { key: 'timestamp', virtual: false } },
    ],
    options,
    temporary: false,
    statement: parseStatement(`CREATE TABLE ${name} (x INT)`) as never,
    ksql: { objectType: 'TABLE', topic: name, keyColumns: ['ID'], properties: {}, ...ksql },
  };
}

describe('EddyTestEngine', () => {
  it('runs statements, reads a query to its LIMIT, and cleans up its state directory', async () => {
    let eddy: Eddy | undefined;
    const engine = await EddyTestEngine.create({
      topics: (e) => {
        eddy = e;
        return new MemoryTopics();
      },
    });
    const stateDir = (eddy as unknown as { session: { stateDir: string } }).session.stateDir;
    expect(existsSync(stateDir)).toBe(true);
    await engine.setProperty('table.local-time-zone', 'UTC');
    expect(await engine.execute('SHOW TABLES;')).toEqual({ kind: 'admin', type: 'tables' });
    expect(await engine.execute("CREATE TABLE nums (n INT) WITH ('connector' = 'datagen', 'number-of-rows' = '5', 'fields.n.kind' = 'sequence', 'fields.n.start' = '1', 'fields.n.end' = '5')")).toEqual({ kind: 'admin', type: 'currentStatus' });
    expect(await engine.execute('SELECT n, n * 2 AS twice FROM nums LIMIT 2')).toEqual({ kind: 'query', schema: '`n` INTEGER, `twice` INTEGER', rows: [[1, 2], [2, 4]], finalMessage: 'Limit Reached' });
    await engine.settle(5000);
    expect(engine.jobFailures()).toEqual([]);
    const err = await engine.execute('SELECT nope FROM nums').catch((e: unknown) => e);
    expect(engine.describeError(err)).toEqual({ message: expect.stringContaining('nope'), unsupported: false });
    expect(engine.describeError(new EddyError({ code: ErrorCode.UNSUPPORTED, message: 'TerminateStatement is not supported yet' }))).toEqual({ message: 'TerminateStatement is not supported yet', unsupported: true });
    await engine.close();
    expect(existsSync(stateDir)).toBe(false);
  });

  it("reads a ksqlDB source's formats, key columns and window from the catalog", () => {
    const table = ksqlTable('COUNTS', { connector: 'upsert-kafka', 'key.format': 'kafka', 'value.format': 'json' }, { window: { type: 'HOPPING', sizeMs: 30000 } });
    expect(topicFormatOf(table)).toEqual({
      topic: 'COUNTS',
      source: 'TABLE COUNTS',
      keyFormat: 'KAFKA',
      valueFormat: 'JSON',
      keyColumns: [{ name: 'ID', type: T.bigint() }],
      valueColumns: [
        { name: 'NAME', type: T.string() },
        { name: 'COUNT', type: T.bigint() },
      ],
      window: { type: 'HOPPING', sizeMs: 30000 },
    });
    // Formats as the statement gave them, when the options do not say; DELIMITED is Eddy's csv.
    const stream = ksqlTable('S', { connector: 'kafka', format: 'csv' }, { objectType: 'STREAM', properties: { key_format: 'JSON' } });
    expect(topicFormatOf(stream)).toMatchObject({ keyFormat: 'JSON', valueFormat: 'DELIMITED', source: 'STREAM S' });
    expect(topicFormatOf(ksqlTable('W', { connector: 'kafka', 'key.window.type': 'session' }, {}))).toMatchObject({ window: { type: 'SESSION' } });
  });

  it("names types and answers as ksqlDB's REST API does", () => {
    expect(ksqlSchemaText([
      { name: 'ID', type: T.string() },
      { name: 'N', type: T.int() },
      { name: 'D', type: T.decimal(4, 2) },
      { name: 'A', type: T.array(T.bigint()) },
      { name: 'M', type: T.map(T.string(), T.double()) },
      { name: 'S', type: T.row([{ name: 'X', type: T.boolean() }]) },
    ], new Set(['ID']))).toBe('`ID` STRING KEY, `N` INTEGER, `D` DECIMAL(4, 2), `A` ARRAY<BIGINT>, `M` MAP<STRING, DOUBLE>, `S` STRUCT<`X` BOOLEAN>');
    expect(adminType(parseStatement('SHOW TABLES'))).toBe('tables');
    expect(adminType(parseStatement('DESCRIBE t'))).toBe('sourceDescription');
    expect(adminType(parseStatement("CREATE TABLE t (x INT) WITH ('connector' = 'blackhole')"))).toBe('currentStatus');
  });
});
