/**
 * The shell without a terminal, as `bin/eddy.js` runs with pipes: statements from -e, -f or standard
 * input, plain text with no escape codes (even without NO_COLOR), errors with carets, exit codes.
 * Needs `npm run build` first (as `npm test` does).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const BIN = join(__dirname, '..', '..', 'bin', 'eddy.js');

function eddy(args: string[], input = '') {
  const env = { ...process.env };
  delete env['NO_COLOR'];
  const r = spawnSync(process.execPath, [BIN, ...args], { input, encoding: 'utf8', env: { ...env, EDDY_HISTORY_FILE: join(tmpdir(), 'eddy-plain-history') } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('eddy without a terminal', () => {
  it('runs one statement with -e and prints an ASCII table', () => {
    const r = eddy(['-e', "SELECT 7 AS n, 'seven' AS word;"]);
    expect(r.code).toBe(0);
    expect(r.out).toContain('| n           | word                 |');
    expect(r.out).toContain('|           7 | seven                |');
    expect(r.out).toContain('Received a total of 1 row');
    expect(r.err).toContain('[INFO] Query job-1 finished: 1 row in, 1 row out');
    expect(r.out + r.err).not.toContain('\x1b');
  });

  it('reads statements from standard input, runs HELP, and stops at QUIT', () => {
    const r = eddy([], "SET 'table.local-time-zone' = 'Europe/Berlin';\nhelp\nSHOW\n  VIEWS;\nquit\nSELECT 1;\n");
    expect(r.code).toBe(0);
    expect(r.err).toContain("[INFO] Set 'table.local-time-zone' = 'Europe/Berlin'.");
    expect(r.out).toContain('Statements:');
    expect(r.out).toContain('| view name |');
    expect(r.out).toContain('0 rows in set');
    expect(r.out).not.toContain('Received'); // the SELECT after QUIT never ran
    expect(r.out + r.err).not.toContain('\x1b');
  });

  it('runs -i and -f files, prints an updating result in table mode as its final table, and exits 1 on an error with carets', () => {
    const dir = mkdtempSync(join(tmpdir(), 'eddy-plain-'));
    const data = join(dir, 'in.json');
    writeFileSync(data, '{"k":"a","v":1}\n{"k":"b","v":2}\n{"k":"a","v":3}\n');
    writeFileSync(join(dir, 'tables.sql'), `CREATE TABLE t (k STRING, v INT) WITH ('connector' = 'filesystem', 'path' = '${data}', 'format' = 'json');`);
    writeFileSync(join(dir, 'ok.sql'), "SET 'sql-client.execution.result-mode' = 'table';\nSELECT k, SUM(v) AS total FROM t GROUP BY k;\n");
    const ok = eddy(['-i', join(dir, 'tables.sql'), '-f', join(dir, 'ok.sql')]);
    expect(ok.code).toBe(0);
    // Table mode without a terminal: the final result of an updating query, once it ends.
    expect(ok.out).toMatch(/\| a +\| +4 \|\n\| b +\| +2 \|/);
    expect(ok.out).toContain('2 rows in set');
    writeFileSync(join(dir, 'bad.sql'), 'SELECT k FROM t WHERE;\n');
    const bad = eddy(['-i', join(dir, 'tables.sql'), '-f', join(dir, 'bad.sql')]);
    expect(bad.code).toBe(1);
    expect(bad.err).toContain(`--> ${join(dir, 'bad.sql')}:1:22`);
    expect(bad.err).toContain('1 | SELECT k FROM t WHERE;\n  |                      ^');
  });

  it('reports usage errors with exit code 2', () => {
    const r = eddy(['-f']);
    expect(r.code).toBe(2);
    expect(r.err).toContain('eddy: -f needs a file');
    expect(eddy(['-e', 'SELECT 1;', '-f', 'x.sql']).code).toBe(2);
    expect(eddy(['--fresh']).err).toContain('--fresh needs --state-dir');
  });
});
