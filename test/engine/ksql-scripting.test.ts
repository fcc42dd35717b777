/**
 * ksqlDB-style scripting through the engine's API: DEFINE / UNDEFINE / SHOW VARIABLES with `${name}`
 * resolved statement by statement, RUN SCRIPT (nested, cycles, missing files, errors inside), SET / UNSET of
 * ksqlDB's properties and SHOW PROPERTIES, SHOW|LIST STREAMS|TABLES|QUERIES, DESCRIBE ... EXTENDED and
 * TERMINATE.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Eddy, EddyError, type StatementResult, type TextTable } from '../../src/index.js';
import type { TableDef } from '../../src/planner/catalog.js';
import { T } from '../../src/common/types.js';

const sessions: Eddy[] = [];
let dir: string;
let cwd: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'eddy-kscript-'));
  cwd = process.cwd();
  // RUN SCRIPT reads paths relative to the working directory.
  process.chdir(dir);
});
afterEach(async () => {
  process.chdir(cwd);
  await Promise.all(sessions.splice(0).map((e) => e.close()));
  rmSync(dir, { recursive: true, force: true });
});

function session(variables?: Record<string, string>): Eddy {
  const eddy = new Eddy(variables ? { variables } : {});
  sessions.push(eddy);
  return eddy;
}

async function run(eddy: Eddy, script: string, name = 'main.sql'): Promise<StatementResult[]> {
  const results: StatementResult[] = [];
  for await (const r of eddy.executeScript(script, name)) results.push(r);
  return results;
}

async function failure(p: Promise<unknown>): Promise<EddyError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(EddyError);
  return err as EddyError;
}

function table(r: StatementResult | undefined): TextTable {
  if (r?.kind !== 'table') throw new Error(`expected a table, got ${r?.kind}`);
  return r.table;
}

const gen = (name: string) => `CREATE TABLE ${name} (id BIGINT) WITH ('connector' = 'datagen', 'number-of-rows' = '1')`;

describe('DEFINE, UNDEFINE and SHOW VARIABLES', () => {
  it('resolves ${name} in the statements after a DEFINE, and lists variables in definition order', async () => {
    const eddy = session();
    await run(eddy, `DEFINE tbl = 'orders'; DEFINE other = 'x'; ${gen('${tbl}')}; ${gen('${tbl}_${other}')};`);
    expect(eddy.catalog.names().sort()).toEqual(['orders', 'orders_x']);
    expect(table(await eddy.execute('SHOW VARIABLES'))).toEqual({ columns: ['Variable Name', 'Value'], rows: [['tbl', 'orders'], ['other', 'x']] });
  });

  it('uses a variable defined by a DEFINE from an earlier call (the shell, one statement at a time)', async () => {
    const eddy = session();
    await eddy.execute("DEFINE n = 'kept'");
    await eddy.execute(gen('${n}'));
    expect(eddy.catalog.names()).toEqual(['kept']);
  });

  it('lets a DEFINE override a --define value, and UNDEFINE remove it', async () => {
    const eddy = session({ tbl: 'from_cli' });
    await run(eddy, `${gen('${tbl}')}; DEFINE tbl = 'from_script'; ${gen('${tbl}')};`);
    expect(eddy.catalog.names().sort()).toEqual(['from_cli', 'from_script']);
    await eddy.execute('UNDEFINE tbl');
    expect(table(await eddy.execute('SHOW VARIABLES')).rows).toEqual([]);
    const err = await failure(eddy.execute(gen('${tbl}')));
    expect(err.message).toBe("Variable 'tbl' is not defined");
  });

  it('refuses a script using a variable before its DEFINE before running anything, at the reference', async () => {
    const eddy = session();
    const script = `${gen('first')};\n${gen('${late}')};\nDEFINE late = 'x';`;
    const err = await failure(run(eddy, script));
    expect(err.message).toBe("Variable 'late' is not defined");
    expect(err.diagnostics[0]!.span).toMatchObject({ line: 2, column: 14 });
    expect(err.render()).toContain('--> main.sql:2:14');
    expect(eddy.catalog.names()).toEqual([]);
  });

  it('reports a variable UNDEFINEd earlier in the script as unknown, and every syntax error at once', async () => {
    const eddy = session({ a: 'x' });
    const err = await failure(run(eddy, `UNDEFINE a;\n${gen('${a}')};\nSELEC 1;`));
    expect(err.diagnostics.map((d) => [d.message, d.span?.line])).toEqual([
      ["Variable 'a' is not defined", 2],
      [expect.stringContaining('SELEC'), 3],
    ]);
  });

  it("matches names case-insensitively, as ksqlDB's variables do", async () => {
    const eddy = session();
    await run(eddy, `DEFINE Tbl = 'one'; ${gen('${TBL}')}; DEFINE tbl = 'two'; ${gen('${Tbl}')};`);
    expect(eddy.catalog.names()).toEqual(['one', 'two']);
    expect(table(await eddy.execute('SHOW VARIABLES')).rows).toEqual([['tbl', 'two']]);
    await eddy.execute('UNDEFINE TBL');
    expect(table(await eddy.execute('SHOW VARIABLES')).rows).toEqual([]);
  });

  it("resolves variables inside a DEFINE's value", async () => {
    const eddy = session({ env: 'prod' });
    await run(eddy, `DEFINE topic = '\${env}_orders'; ${gen('${topic}')};`);
    expect(eddy.catalog.names()).toEqual(['prod_orders']);
  });

  it('makes UNDEFINE of an unknown name a no-op, as ksqlDB does', async () => {
    const eddy = session();
    const r = await eddy.execute('UNDEFINE never');
    expect(r).toMatchObject({ kind: 'ok', message: 'never was not defined.' });
  });

  it('substitutes inside string literals too, and keeps $${ as a literal ${', async () => {
    const eddy = session();
    await run(eddy, `DEFINE rows = '2'; CREATE TABLE t (id BIGINT) WITH ('connector' = 'datagen', 'number-of-rows' = '\${rows}', 'fields.id.kind' = 'sequence', 'fields.id.start' = '1', 'fields.id.end' = '2'); CREATE TABLE u (s STRING) WITH ('connector' = 'datagen', 'number-of-rows' = '1', 'fields.s.length' = '3') ;`);
    const show = table(await eddy.execute('SHOW CREATE TABLE t')).rows[0]![0]!;
    expect(show).toContain("'number-of-rows' = '2'");
    const literal = await eddy.execute("DEFINE x = 'a$${b}'");
    expect(literal).toMatchObject({ message: "Defined x = 'a${b}'." });
  });
});

describe('RUN SCRIPT', () => {
  it("runs a file's statements in this session, nested; its own variables end with it", async () => {
    writeFileSync(join(dir, 'inner.sql'), `${gen('${prefix}_inner')};\nDEFINE prefix = 'q';\nDEFINE local = 'l';\nRUN SCRIPT 'sub/innermost.sql';\n`);
    const sub = join(dir, 'sub');
    (await import('node:fs')).mkdirSync(sub);
    writeFileSync(join(sub, 'innermost.sql'), `${gen('${prefix}_${local}_innermost')};`);
    const eddy = session();
    const results = await run(eddy, `DEFINE prefix = 'p';\nRUN SCRIPT 'inner.sql';\n${gen('${prefix}_after')};\nSHOW VARIABLES;`);
    // inner.sql sees p; its DEFINEs reach innermost.sql; after it, prefix is p again and local is gone.
    expect(eddy.catalog.names().sort()).toEqual(['p_after', 'p_inner', 'q_l_innermost']);
    expect(table(results[results.length - 1])).toEqual({ columns: ['Variable Name', 'Value'], rows: [['prefix', 'p']] });
    const messages = results.filter((r) => r.kind === 'ok').map((r) => (r as { message: string }).message);
    expect(messages).toContain('Ran script sub/innermost.sql (1 statement).');
    expect(messages).toContain('Ran script inner.sql (4 statements).');
  });

  it('refuses a statement after a RUN SCRIPT that uses a variable only the script defined', async () => {
    writeFileSync(join(dir, 'defs.sql'), "DEFINE only_inside = 'x';");
    const eddy = session();
    const err = await failure(run(eddy, `RUN SCRIPT 'defs.sql';\n${gen('${only_inside}')};`));
    expect(err.message).toBe("Variable 'only_inside' is not defined");
    expect(eddy.catalog.names()).toEqual([]);
  });

  it('reports a missing file at the path, in the calling script', async () => {
    const eddy = session();
    const err = await failure(run(eddy, `${gen('a')};\nRUN SCRIPT 'nope.sql';\n${gen('b')};`));
    expect(err.message).toBe("Cannot read script 'nope.sql': no such file");
    expect(err.render()).toContain('--> main.sql:2:12');
    expect(eddy.catalog.names()).toEqual(['a']);
  });

  it('stops at the first error inside a nested script, positioned in that file, naming the RUN SCRIPT', async () => {
    writeFileSync(join(dir, 'bad.sql'), `${gen('ok1')};\n\nDESCRIBE missing_table;\n${gen('never')};`);
    const eddy = session();
    const err = await failure(run(eddy, `RUN SCRIPT 'bad.sql';\n${gen('after')};`));
    const text = err.render();
    expect(text).toContain('--> bad.sql:3:10');
    expect(text).toContain("note: in the script run by RUN SCRIPT 'bad.sql' at main.sql:1:1");
    expect(eddy.catalog.names()).toEqual(['ok1']);
  });

  it('refuses a script that runs itself, through another', async () => {
    writeFileSync(join(dir, 'a.sql'), "RUN SCRIPT 'b.sql';");
    writeFileSync(join(dir, 'b.sql'), "RUN SCRIPT 'a.sql';");
    const eddy = session();
    const err = await failure(run(eddy, "RUN SCRIPT 'a.sql'"));
    expect(err.message).toBe(`RUN SCRIPT 'a.sql' would run itself again: ${join(dir, 'a.sql')} -> ${join(dir, 'b.sql')} -> ${join(dir, 'a.sql')}`);
    expect(err.render()).toContain('--> b.sql:1:12');
  });

  it('refuses RUN SCRIPT as a single statement (a server client)', async () => {
    const eddy = session();
    const err = await failure(eddy.execute("RUN SCRIPT 'x.sql'"));
    expect(err.message).toContain('RUN SCRIPT runs inside a script');
  });
});

describe("SET, UNSET and ksqlDB's properties", () => {
  it('makes auto.offset.reset a setting (latest by default; earliest or latest)', async () => {
    const eddy = session();
    expect(eddy.settings.get('auto.offset.reset')).toBe('latest');
    await eddy.execute("SET 'auto.offset.reset' = 'EARLIEST'");
    expect(eddy.settings.get('auto.offset.reset')).toBe('earliest');
    expect(eddy.settings.get('ksql.streams.auto.offset.reset')).toBe('earliest');
    const err = await failure(eddy.execute("SET 'auto.offset.reset' = 'middle'"));
    expect(err.render()).toContain('one of: earliest, latest');
    await eddy.execute("UNSET 'auto.offset.reset'");
    expect(eddy.settings.get('auto.offset.reset')).toBe('latest');
  });

  it('takes bootstrap.servers as kafka.bootstrap-servers', async () => {
    const eddy = session();
    await eddy.execute("SET 'bootstrap.servers' = 'broker:9092'");
    expect(eddy.settings.get('kafka.bootstrap-servers')).toBe('broker:9092');
    await eddy.execute("UNSET 'bootstrap.servers'");
    expect(eddy.settings.get('kafka.bootstrap-servers')).toBe('');
    await failure(eddy.execute("SET 'bootstrap.servers' = 'no port'"));
  });

  it('accepts ksql.* keys and lists every setting in SHOW PROPERTIES', async () => {
    const eddy = session();
    await eddy.execute("SET 'ksql.streams.cache.max.bytes.buffering' = '0'");
    await eddy.execute("SET 'ksql.query.pull.table.scan.enabled' = 'true'");
    await eddy.execute("SET 'table.dml-sync' = 'true'");
    const props = table(await eddy.execute('SHOW PROPERTIES'));
    expect(props.columns).toEqual(['Property', 'Scope', 'Default override', 'Effective Value']);
    const row = (k: string) => props.rows.find((r) => r[0] === k);
    expect(row('ksql.streams.cache.max.bytes.buffering')).toEqual(['ksql.streams.cache.max.bytes.buffering', 'STREAMS', 'SESSION', '0']);
    expect(row('ksql.query.pull.table.scan.enabled')).toEqual(['ksql.query.pull.table.scan.enabled', 'KSQL', 'SESSION', 'true']);
    expect(row('table.dml-sync')).toEqual(['table.dml-sync', 'EDDY', 'SESSION', 'true']);
    expect(row('auto.offset.reset')).toEqual(['auto.offset.reset', 'STREAMS', '', 'latest']);
    expect(row('bootstrap.servers')).toEqual(['bootstrap.servers', 'STREAMS', '', '']);
    expect(row('table.local-time-zone')).toEqual(['table.local-time-zone', 'EDDY', '', 'UTC']);
    // Sorted by name, as ksqlDB's CLI sorts them.
    const names = props.rows.map((r) => r[0]!);
    expect(names).toEqual([...names].sort());
    await eddy.execute("UNSET 'ksql.query.pull.table.scan.enabled'");
    expect(table(await eddy.execute('LIST PROPERTIES')).rows.find((r) => r[0] === 'ksql.query.pull.table.scan.enabled')).toBeUndefined();
  });

  it('still refuses a key that looks like a typo of a known one', async () => {
    const eddy = session();
    const err = await failure(eddy.execute("SET 'auto.offset.rest' = 'earliest'"));
    expect(err.render()).toContain('did you mean `auto.offset.reset`?');
  });
});

/** A copy of table `from` registered as ksqlDB's stream or table `name` (what CREATE STREAM / TABLE makes, kfront). */
function addKsqlSource(eddy: Eddy, from: string, name: string, ksql: TableDef['ksql']): void {
  const def = eddy.catalog.get(from) as TableDef;
  eddy.catalog.add({ ...def, name, ksql });
}

describe('SHOW|LIST STREAMS, TABLES and QUERIES; DESCRIBE EXTENDED; TERMINATE', () => {
  const ddl = `CREATE TABLE src (id BIGINT) WITH ('connector' = 'datagen', 'rows-per-second' = '20');
CREATE TABLE sink (id BIGINT) WITH ('connector' = 'blackhole');`;

  it("lists ksqlDB's streams and tables with their topic and formats; SHOW TABLES stays Flink's", async () => {
    const eddy = session();
    await run(eddy, ddl);
    addKsqlSource(eddy, 'src', 'PAGEVIEWS', { objectType: 'STREAM', topic: 'pageviews', keyColumns: [], properties: { KAFKA_TOPIC: 'pageviews', VALUE_FORMAT: 'json' } });
    addKsqlSource(eddy, 'src', 'USERS', { objectType: 'TABLE', topic: 'users', keyColumns: ['id'], properties: { KAFKA_TOPIC: 'users', FORMAT: 'AVRO' } });
    addKsqlSource(eddy, 'src', 'COUNTS', { objectType: 'TABLE', topic: 'COUNTS', keyColumns: ['id'], properties: { KAFKA_TOPIC: 'COUNTS', KEY_FORMAT: 'KAFKA', VALUE_FORMAT: 'DELIMITED' }, window: { type: 'TUMBLING', sizeMs: 60000 } });
    expect(table(await eddy.execute('SHOW STREAMS'))).toEqual({
      columns: ['Stream Name', 'Kafka Topic', 'Key Format', 'Value Format', 'Windowed'],
      rows: [['PAGEVIEWS', 'pageviews', 'KAFKA', 'JSON', 'false']],
    });
    expect(table(await eddy.execute('LIST TABLES'))).toEqual({
      columns: ['Table Name', 'Kafka Topic', 'Key Format', 'Value Format', 'Windowed'],
      rows: [
        ['COUNTS', 'COUNTS', 'KAFKA', 'DELIMITED', 'true'],
        ['USERS', 'users', 'AVRO', 'AVRO', 'false'],
      ],
    });
    expect(table(await eddy.execute('SHOW TABLES'))).toEqual({ columns: ['table name'], rows: [['COUNTS'], ['PAGEVIEWS'], ['USERS'], ['sink'], ['src']] });
    const extended = table(await eddy.execute('SHOW TABLES EXTENDED'));
    expect(extended.columns.slice(5)).toEqual(['Key Columns', 'Written By', 'Read By']);
    expect(extended.rows[1]!.slice(5)).toEqual(['id', '', '']);
  });

  it('lists running jobs as queries, describes what writes a table, and TERMINATEs by id', async () => {
    const eddy = session();
    await run(eddy, ddl);
    const r = await eddy.execute('INSERT INTO sink SELECT id FROM src');
    expect(r.kind).toBe('job');
    const id = (r as { job: { id: string } }).job.id;
    const queries = table(await eddy.execute('SHOW QUERIES'));
    expect(queries.columns).toEqual(['Query ID', 'Query Type', 'Status', 'Sink Name', 'Sink Kafka Topic', 'Query String']);
    expect(queries.rows).toEqual([[id, 'PERSISTENT', 'RUNNING', 'sink', '', 'INSERT INTO sink SELECT id FROM src']]);
    const ext = table(await eddy.execute('SHOW QUERIES EXTENDED'));
    expect(ext.rows[0]![6]).toBe('src');

    const described = table(await eddy.execute('DESCRIBE sink EXTENDED'));
    expect(described.footer).toContain('Connector            : blackhole');
    expect(described.footer).toContain(`${id} (RUNNING) - INSERT INTO sink SELECT id FROM src`);
    expect(described.footer!.some((l) => l.startsWith(`${id}: rows written `))).toBe(true);
    expect(table(await eddy.execute('DESCRIBE sink')).footer).toBeUndefined();

    const wrong = await failure(eddy.execute(`TERMINATE ${id.replace('-', '_')}x`));
    expect(wrong.message).toBe(`No running query '${id.replace('-', '_')}x'`);
    expect(wrong.diagnostics[0]!.hint).toContain(id);
    expect(await eddy.execute(`TERMINATE '${id}'`)).toMatchObject({ kind: 'ok', message: `Terminated ${id}.` });
    expect(eddy.running()).toEqual([]);
    expect(table(await eddy.execute('SHOW QUERIES')).rows).toEqual([]);
  });

  it('TERMINATE ALL stops every persistent query', async () => {
    const eddy = session();
    await run(eddy, ddl);
    await eddy.execute('INSERT INTO sink SELECT id FROM src');
    await eddy.execute('INSERT INTO sink SELECT id + 1 FROM src');
    expect(eddy.running()).toHaveLength(2);
    const r = await eddy.execute('TERMINATE ALL');
    expect(r).toMatchObject({ kind: 'ok', message: expect.stringMatching(/^Terminated job-\d+, job-\d+\.$/) });
    expect(eddy.running()).toEqual([]);
    expect(await eddy.execute('TERMINATE ALL')).toMatchObject({ message: 'No persistent query was running.' });
  });

  it('hides pseudo columns from DESCRIBE unless EXTENDED', async () => {
    const eddy = session();
    await run(eddy, ddl);
    const def = eddy.catalog.get('src') as TableDef;
    eddy.catalog.add({
      ...def,
      name: 'S',
      columns: [...def.columns, { name: 'ROWTIME', type: T.bigint(), hidden: true }],
      ksql: { objectType: 'STREAM', topic: 's', keyColumns: [], properties: { KAFKA_TOPIC: 's', VALUE_FORMAT: 'JSON', TIMESTAMP: 'ts' } },
    });
    expect(table(await eddy.execute('DESCRIBE S')).rows.map((r) => r[0])).toEqual(['id']);
    const ext = table(await eddy.execute('DESCRIBE S EXTENDED'));
    expect(ext.rows).toEqual([
      ['id', 'BIGINT'],
      ['ROWTIME', 'BIGINT  (system)'],
    ]);
    expect(ext.footer!.slice(0, 6)).toEqual([
      'Name                 : S',
      'Type                 : STREAM',
      'Timestamp field      : ts',
      'Key format           : KAFKA',
      'Value format         : JSON',
      'Kafka topic          : s',
    ]);
  });
});
