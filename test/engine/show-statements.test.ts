/**
 * The statements that describe a session (Flink's forms): SHOW CREATE TABLE|VIEW, SHOW COLUMNS, SHOW
 * CATALOGS|DATABASES|CURRENT CATALOG|CURRENT DATABASE, DESCRIBE JOB, an unknown SHOW, and SET listing
 * every setting's effective value.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Eddy, EddyError, type StatementResult, type TextTable } from '../../src/index.js';

const sessions: Eddy[] = [];
afterEach(async () => {
  await Promise.all(sessions.splice(0).map((e) => e.close()));
});

const DDL = `CREATE TABLE g (
  id BIGINT,
  name STRING,
  ts TIMESTAMP(3),
  WATERMARK FOR ts AS ts - INTERVAL '1' SECOND
) WITH ('connector' = 'datagen', 'rows-per-second' = '50');
CREATE VIEW v AS SELECT id FROM g WHERE id > 0;`;

async function session(): Promise<Eddy> {
  const eddy = new Eddy();
  sessions.push(eddy);
  for await (const _ of eddy.executeScript(DDL)) void _;
  return eddy;
}

function table(r: StatementResult): TextTable {
  if (r.kind !== 'table') throw new Error(`expected a table, got ${r.kind}`);
  return r.table;
}

describe('SHOW and DESCRIBE', () => {
  it('shows the statement that created a table or a view, and refuses the wrong kind with the right form', async () => {
    const eddy = await session();
    expect(table(await eddy.execute('SHOW CREATE TABLE g')).rows).toEqual([[DDL.split(';\n')[0] + ';']]);
    expect(table(await eddy.execute('show create view v;')).rows).toEqual([['CREATE VIEW v AS SELECT id FROM g WHERE id > 0;']]);
    const err = await eddy.execute('SHOW CREATE VIEW g').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EddyError);
    expect((err as EddyError).render()).toContain("'g' is a table, not a view");
    expect((err as EddyError).render()).toContain('hint: SHOW CREATE TABLE g');
    await expect(eddy.execute('SHOW CREATE TABLE nope')).rejects.toThrow(/nope/);
  });

  it('lists columns with SHOW COLUMNS FROM|IN as DESCRIBE does', async () => {
    const eddy = await session();
    const columns = table(await eddy.execute('SHOW COLUMNS FROM g'));
    expect(columns.columns).toEqual(['name', 'type', 'null', 'key', 'extras', 'watermark']);
    expect(columns.rows.map((r) => r[0])).toEqual(['id', 'name', 'ts']);
    expect(columns.rows[2]![5]).toBe("ts - INTERVAL '1' SECOND");
    expect(table(await eddy.execute('SHOW COLUMNS IN g')).rows).toEqual(table(await eddy.execute('DESCRIBE g')).rows);
  });

  it("answers Flink's catalog and database forms with default_catalog and default_database", async () => {
    const eddy = await session();
    expect(table(await eddy.execute('SHOW CATALOGS'))).toEqual({ columns: ['catalog name'], rows: [['default_catalog']] });
    expect(table(await eddy.execute('SHOW DATABASES'))).toEqual({ columns: ['database name'], rows: [['default_database']] });
    expect(table(await eddy.execute('SHOW CURRENT CATALOG'))).toEqual({ columns: ['current catalog name'], rows: [['default_catalog']] });
    expect(table(await eddy.execute('SHOW CURRENT DATABASE'))).toEqual({ columns: ['current database name'], rows: [['default_database']] });
  });

  it('says which SHOW forms exist for an unknown one, with the nearest', async () => {
    const eddy = await session();
    for (const [text, near] of [
      ['SHOW TABLE', 'SHOW TABLES'],
      ['SHOW FUNCTION', 'SHOW FUNCTIONS'],
      ['SHOW tabels', 'SHOW TABLES'],
    ] as const) {
      const err = (await eddy.execute(text).catch((e: unknown) => e)) as EddyError;
      expect(err).toBeInstanceOf(EddyError);
      const shown = err.render();
      expect(shown).toContain(`There is no ${text}: Eddy has SHOW TABLES, SHOW VIEWS,`);
      expect(shown).toContain('SHOW CURRENT DATABASE');
      expect(shown).toContain(`did you mean \`${near}\`?`);
      expect(shown).not.toContain("Unexpected 'SHOW'");
    }
    // A form with words after the unknown one: the parser lists what may follow SHOW.
    const err = (await eddy.execute('SHOW COLUMN FROM g').catch((e: unknown) => e)) as EddyError;
    expect(err.render()).toContain('expected one of: TABLES, VIEWS, MATERIALIZED, FUNCTIONS, JOBS, CATALOGS, DATABASES, CURRENT, CREATE, COLUMNS');
    expect(err.render()).toContain('did you mean `COLUMNS`?');
  });

  it("describes a running job: status, counters, watermark and plan; an unknown id lists the running ones", async () => {
    const eddy = await session();
    for await (const _ of eddy.executeScript("CREATE TABLE out (id BIGINT) WITH ('connector' = 'blackhole'); INSERT INTO out SELECT id FROM g WHERE id > 0;")) void _;
    const [job] = eddy.running();
    // Wait until rows have gone through, so the counters are not all zero.
    for (let i = 0; i < 100 && job!.summary().rowsIn === 0; i++) await new Promise((r) => setTimeout(r, 50));
    const described = table(await eddy.execute(`DESCRIBE JOB '${job!.id}'`));
    const value = (k: string) => described.rows.find((r) => r[0] === k)?.[1];
    expect(value('job id')).toBe(job!.id);
    expect(value('status')).toBe('RUNNING');
    expect(value('statement')).toBe('INSERT INTO out SELECT id FROM g WHERE id > 0');
    expect(Number(value('rows in'))).toBeGreaterThan(0);
    expect(value('watermark')).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}$/);
    const plan = described.footer!.join('\n');
    expect(plan).toContain('Plan:');
    expect(plan).toMatch(/Sink.*out/);
    expect(plan).toMatch(/Source.*g/);
    const err = (await eddy.execute("DESCRIBE JOB 'job-99'").catch((e: unknown) => e)) as EddyError;
    expect(err.render()).toContain("No job 'job-99'");
    expect(err.render()).toContain(`SHOW JOBS lists: ${job!.id}`);
    // A table named `job` is still described as a table.
    for await (const _ of eddy.executeScript("CREATE TABLE job (x INT) WITH ('connector' = 'datagen');")) void _;
    expect(table(await eddy.execute('DESCRIBE job')).rows.map((r) => r[0])).toEqual(['x']);
  });

  it('describes a failed job that SHOW JOBS still lists: FAILED, its error and its plan', async () => {
    const eddy = await session();
    const dir = mkdtempSync(join(tmpdir(), 'eddy-describe-failed-'));
    writeFileSync(join(dir, 'in.json'), '{"n": 1}\nnot json\n');
    for await (const _ of eddy.executeScript(
      `CREATE TABLE src (n INT) WITH ('connector' = 'filesystem', 'path' = '${join(dir, 'in.json')}', 'format' = 'json');
       CREATE TABLE sink (n INT) WITH ('connector' = 'blackhole');
       INSERT INTO sink SELECT n FROM src;`,
    ))
      void _;
    const [job] = eddy.running();
    await job!.done.catch(() => {});
    // The registry notes the failure after the job's own handler.
    await new Promise((r) => setTimeout(r, 20));
    const listed = table(await eddy.execute('SHOW JOBS')).rows.find((r) => r[0] === job!.id);
    expect(listed?.[2]).toBe('FAILED');
    const described = table(await eddy.execute(`DESCRIBE JOB '${job!.id}'`));
    const value = (k: string) => described.rows.find((r) => r[0] === k)?.[1];
    expect(value('status')).toBe('FAILED');
    expect(value('statement')).toBe('INSERT INTO sink SELECT n FROM src');
    expect(value('rows in')).toMatch(/^\d+$/);
    expect(value('error')).toMatch(/^EDDY-R001: .*invalid JSON/);
    const footer = described.footer!.join('\n');
    expect(footer).toContain('Error:');
    expect(footer).toMatch(/Source.*src/);
    rmSync(dir, { recursive: true, force: true });
  });

  it("lists every setting with the value in effect: the checkpoint interval's 5 s default, where savepoints go", async () => {
    const eddy = await session();
    const settings = new Map(table(await eddy.execute('SET')).rows.map((r) => [r[0], r[1]]));
    expect(settings.get('execution.checkpointing.interval')).toBe('5 s');
    expect(settings.get('state.savepoints.dir')).toBe('savepoints');
    expect(settings.get('table.local-time-zone')).toBe('UTC');
    await eddy.execute("SET 'execution.checkpointing.interval' = '2 s'");
    expect(new Map(table(await eddy.execute('SET')).rows.map((r) => [r[0], r[1]])).get('execution.checkpointing.interval')).toBe('2 s');
  });
});
