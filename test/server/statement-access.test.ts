/**
 * The engine's check of what a served client's statement may do (Eddy.execute's `access`): read-only
 * statements, and paths inside the allowed directories but outside the denied ones.
 */
import { mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { collectFinalRows, Eddy, EddyError } from '../../src/index.js';
import { tempDir } from './helpers.js';

describe('Eddy.execute with access limits', () => {
  const tmp = tempDir();
  const allowed = join(tmp.dir, 'allowed');
  const state = join(allowed, 'state');
  mkdirSync(join(state, 'files'), { recursive: true });
  const eddy = new Eddy();
  const access = { allowedPaths: [allowed, join(state, 'files')], deniedPaths: [state] };

  afterAll(async () => {
    await eddy.close();
    tmp.cleanup();
  });

  const refusal = async (sql: string, options = access as object): Promise<EddyError> => {
    try {
      await eddy.execute(sql, { access: options });
    } catch (err) {
      if (err instanceof EddyError) return err;
      throw err;
    }
    throw new Error(`expected ${sql} to be refused`);
  };
  const table = (name: string, path: string) => `CREATE TABLE ${name} (n INT) WITH ('connector' = 'filesystem', 'path' = '${path}', 'format' = 'json')`;

  it('refuses a path outside the allowed directories at the option value', async () => {
    const sql = table('a', '/etc/passwd');
    const err = await refusal(sql);
    expect(err.code).toBe('EDDY-S006');
    expect(err.message).toBe("'path' = '/etc/passwd' is refused: it is outside the directories this server allows");
    expect(err.diagnostics[0]!.span!.start).toBe(sql.indexOf("'/etc/passwd'"));
  });

  it('allows paths inside, refuses the denied directory but for the allowed one within it', async () => {
    await eddy.execute(table('inside', join(allowed, 'data.json')), { access });
    await eddy.execute(table('files', join(state, 'files', 'x.json')), { access });
    expect((await refusal(table('st', join(state, 'views.db')))).message).toMatch(/inside the server's state directory$/);
    // A sibling whose name starts like the allowed directory is not inside it.
    expect((await refusal(table('sib', `${allowed}-other/x.json`))).message).toMatch(/outside/);
    expect((await refusal(table('up', `${allowed}/../x.json`))).message).toMatch(/outside/);
  });

  it('follows symbolic links that exist', async () => {
    symlinkSync('/etc', join(allowed, 'etc-link'));
    expect((await refusal(table('ln', join(allowed, 'etc-link', 'passwd')))).message).toMatch(/outside/);
  });

  it('checks settings that name paths', async () => {
    expect((await refusal("SET 'execution.savepoint.path' = '/tmp'")).code).toBe('EDDY-S006');
    expect((await refusal("SET 'state.savepoints.dir' = '/'")).code).toBe('EDDY-S006');
    await eddy.execute(`SET 'state.savepoints.dir' = '${join(allowed, 'sp')}'`, { access });
  });

  it('checks paths in OPTIONS hints anywhere in a statement, and refuses a hint that changes the connector', async () => {
    await eddy.execute(table('hinted', join(allowed, 'hinted.json')), { access });
    const direct = "SELECT * FROM hinted /*+ OPTIONS('path' = '/etc/shadow') */";
    const err = await refusal(direct);
    expect(err.code).toBe('EDDY-S006');
    expect(err.message).toBe("'path' = '/etc/shadow' is refused: it is outside the directories this server allows");
    expect(err.diagnostics[0]!.span!.start).toBe(direct.indexOf("'/etc/shadow'"));
    for (const sql of [
      "SELECT n FROM (SELECT * FROM hinted /*+ OPTIONS('path' = '/etc/passwd') */) AS s",
      "WITH w AS (SELECT * FROM hinted /*+ OPTIONS('path' = '/etc/passwd') */) SELECT n FROM w",
      "SELECT a.n FROM hinted AS a JOIN hinted /*+ OPTIONS('path' = '/etc/passwd') */ AS b ON a.n = b.n",
      "INSERT INTO hinted /*+ OPTIONS('path' = '/tmp/elsewhere.json') */ SELECT 1",
      "CREATE VIEW hv AS SELECT * FROM hinted /*+ OPTIONS('path' = '/etc/passwd') */",
      `SELECT * FROM hinted /*+ OPTIONS('path' = '${join(state, 'views.db')}') */`,
    ]) {
      expect((await refusal(sql)).code, sql).toBe('EDDY-S006');
    }
    const connector = "SELECT * FROM hinted /*+ OPTIONS('connector' = 'sqlite') */";
    const c = await refusal(connector);
    expect(c.message).toBe("'connector' cannot be changed by an OPTIONS hint on this server");
    expect(c.diagnostics[0]!.span!.start).toBe(connector.indexOf("'connector'"));
    // A hint with an allowed path, or without a path, is the client's to give.
    await eddy.execute(`SET 'table.dml-sync' = 'true'`);
    await eddy.execute(`INSERT INTO hinted /*+ OPTIONS('path' = '${join(allowed, 'other.json')}') */ VALUES (7)`, { access });
    const r = await eddy.execute(`SELECT n FROM hinted /*+ OPTIONS('path' = '${join(allowed, 'other.json')}') */`, { access });
    if (r.kind !== 'query') throw new Error(`expected a query, got ${r.kind}`);
    expect((await collectFinalRows(r.query)).map((row) => row[0])).toEqual([7]);
  });

  it('lets a read-only statement through and refuses the rest', async () => {
    const readOnly = { readOnly: true };
    const r = await eddy.execute('SHOW TABLES', { access: readOnly });
    expect(r.kind).toBe('table');
    // DESCRIBE JOB reads too: an unknown job is its own error, not a refusal.
    expect((await refusal("DESCRIBE JOB 'job-999'", readOnly)).code).not.toBe('EDDY-S006');
    for (const [sql, what] of [
      ["CREATE TABLE t (n INT) WITH ('connector' = 'blackhole')", 'CREATE TABLE'],
      ['CREATE VIEW v AS SELECT 1 AS x', 'CREATE VIEW'],
      ['DROP TABLE inside', 'DROP TABLE'],
      ['INSERT INTO inside VALUES (1)', 'INSERT'],
      ["SET 'table.dml-sync' = 'true'", 'SET'],
      ["RESET 'table.dml-sync'", 'RESET'],
      ["STOP JOB 'job-1'", 'STOP JOB'],
    ] as const) {
      const err = await refusal(sql, readOnly);
      expect(err.message).toBe(`This connection is read-only: ${what} is refused`);
    }
    // Without access limits (the operator's own statements) nothing is refused.
    await eddy.execute(table('free', '/etc/passwd'));
  });
});
