/**
 * `eddy serve --queries-file`: ksqlDB's headless mode. The file's statements (with DEFINE and RUN SCRIPT)
 * run at boot, before clients are accepted; a failing one stops the start with its position; clients then
 * query and inspect but create, change and stop nothing.
 */
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseServeArgs, serveCommand } from '../../src/cli/serve.js';
import { eventually, pgClient, serve, tempDir, writeJsonLines } from './helpers.js';

describe('eddy serve --queries-file', () => {
  it('parses the option once', () => {
    expect(parseServeArgs(['--queries-file', 'q.sql'], {})).toMatchObject({ queriesFile: 'q.sql' });
    expect(parseServeArgs(['--queries-file'], {})).toBe('--queries-file needs a file');
    expect(parseServeArgs(['--queries-file', 'a.sql', '--queries-file=b.sql'], {})).toBe('--queries-file is given once');
  });

  it("runs the file's persistent queries at boot and lets clients only query and inspect", async () => {
    const tmp = tempDir();
    writeJsonLines(join(tmp.dir, 'numbers.json'), [{ n: 1 }, { n: 2 }, { n: 3 }, { n: 4 }]);
    writeFileSync(join(tmp.dir, 'tables.sql'), `CREATE TABLE numbers (n INT) WITH ('connector' = 'filesystem', 'path' = '\${dir}/numbers.json', 'format' = 'json');\n`);
    const queries = join(tmp.dir, 'queries.sql');
    writeFileSync(queries, `DEFINE limit_n = '2';\nRUN SCRIPT '\${dir}/tables.sql';\nCREATE MATERIALIZED VIEW big AS SELECT COUNT(*) AS c, SUM(n) AS s FROM numbers WHERE n > \${limit_n};
CREATE TABLE gen (id BIGINT) WITH ('connector' = 'datagen', 'rows-per-second' = '5');
CREATE TABLE sink (id BIGINT) WITH ('connector' = 'blackhole');
INSERT INTO sink SELECT id FROM gen;\n`);
    const server = await serve(['--queries-file', queries, '--define', `dir=${tmp.dir}`]);
    const client = await pgClient(server.pgPort);
    try {
      expect(server.out()).toContain(`Headless  queries from ${queries}; clients may only query and inspect`);
      // n = 3 and 4 pass the filter: hand-counted.
      await eventually(async () => (await client.query('SELECT c, s FROM big')).rows[0]?.c === '2');
      // COUNT is a BIGINT: pg gives it as text.
      expect((await client.query('SELECT c, s FROM big')).rows).toEqual([{ c: '2', s: 7 }]);
      // The view's job reads its bounded file, commits and ends; the INSERT from datagen runs on.
      // The sink's name comes with the job thread's first report of the job's operators.
      const listed = async () => (await client.query('SHOW QUERIES')).rows.map((r: Record<string, string>) => [r['Query Type'], r['Status'], r['Sink Name'], r['Query String']]);
      await eventually(async () => (await listed()).length === 1 && (await listed())[0]![2] !== '');
      const shown = await client.query('SHOW QUERIES');
      expect(await listed()).toEqual([['PERSISTENT', 'RUNNING', 'sink', 'INSERT INTO sink SELECT id FROM gen']]);
      expect((await client.query('SHOW VARIABLES')).rows).toEqual([
        { 'Variable Name': 'dir', Value: tmp.dir },
        { 'Variable Name': 'limit_n', Value: '2' },
      ]);
      for (const sql of [
        "CREATE TABLE t (a INT) WITH ('connector' = 'datagen')",
        'INSERT INTO sink VALUES (9)',
        'DROP MATERIALIZED VIEW big',
        `TERMINATE ${shown.rows[0]['Query ID']}`,
        "SET 'auto.offset.reset' = 'earliest'",
        "DEFINE x = 'y'",
      ]) {
        const err = await client.query(sql).then(
          () => undefined,
          (e: Error) => e,
        );
        expect(err?.message, sql).toMatch(/^This server runs headless \(eddy serve --queries-file\): .* is refused$/);
      }
      // The HTTP door refuses the same, and answers queries.
      const post = (sql: string) => fetch(`${server.httpUrl}/v1/statement`, { method: 'POST', headers: { 'content-type': 'text/plain', ...server.auth }, body: sql });
      const refused = (await (await post('TERMINATE ALL')).json()) as { error: { message: string } };
      expect(refused.error.message).toBe('This server runs headless (eddy serve --queries-file): TERMINATE is refused');
      expect(((await (await post('SELECT s FROM big')).json()) as { rows: unknown }).rows).toEqual([[7]]);
      // Nothing was stopped.
      expect((await client.query('SHOW QUERIES')).rows).toHaveLength(1);
    } finally {
      await client.end();
      expect(await server.stop()).toBe(0);
      tmp.cleanup();
    }
  });

  it('does not start when a statement of the file fails, and says where', async () => {
    const tmp = tempDir();
    const queries = join(tmp.dir, 'queries.sql');
    writeFileSync(queries, `CREATE TABLE a (n INT) WITH ('connector' = 'datagen');\n\nCREATE MATERIALIZED VIEW v AS SELECT n FROM missing;\n`);
    let out = '';
    let err = '';
    const code = await serveCommand(['--port', '0', '--pg-port', '0', '--queries-file', queries], { out: (t) => void (out += t), err: (t) => void (err += t), stopSignal: () => new Promise(() => {}) });
    expect(code).toBe(1);
    expect(err).toContain(`--> ${queries}:3:`);
    expect(err).toContain('missing');
    expect(out).not.toContain('Stop with Ctrl-C.');
    tmp.cleanup();
  });
});
