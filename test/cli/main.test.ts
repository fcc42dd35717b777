/**
 * The `eddy` command as users run it: a child process of bin/eddy.js (built by `npm test` before vitest
 * runs), checking exit codes, stdout and stderr.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir, writeJsonLines } from '../e2e/helpers.js';

const BIN = join(__dirname, '..', '..', 'bin', 'eddy.js');

function eddy(args: string[], cwd?: string) {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('eddy run', () => {
  it('prints SHOW CREATE TABLE as the statement was written, not squeezed into a table cell', () => {
    const dir = tempDir();
    const ddl = "CREATE TABLE t (\n  a INT,\n  b STRING\n) WITH ('connector' = 'datagen')";
    writeFileSync(join(dir, 'job.sql'), `${ddl};\nSHOW CREATE TABLE t;\n`);
    const r = eddy(['run', join(dir, 'job.sql')]);
    expect(r.code).toBe(0);
    expect(r.out).toBe(`${ddl};\n`);
  });

  it('runs a script with an init file and a --define, prints the result table and a summary, exits 0', () => {
    const dir = tempDir();
    const data = writeJsonLines(dir, 'in.json', [
      { k: 'a', ts: '2024-01-01 00:00:01' },
      { k: 'b', ts: '2024-01-01 00:00:02' },
      { k: 'a', ts: '2024-01-01 00:00:12' },
    ]);
    writeFileSync(join(dir, 'tables.sql'), `CREATE TABLE t (k STRING, ts TIMESTAMP(3), WATERMARK FOR ts AS ts) WITH ('connector' = 'filesystem', 'path' = '\${data}', 'format' = 'json');`);
    writeFileSync(join(dir, 'job.sql'), `SELECT window_start, COUNT(*) AS c FROM TABLE(TUMBLE(TABLE t, DESCRIPTOR(ts), INTERVAL '10' SECOND)) GROUP BY window_start, window_end;`);
    const r = eddy(['run', join(dir, 'job.sql'), '-i', join(dir, 'tables.sql'), '--define', `data=${data}`]);
    expect(r.err).toContain("[INFO] Table 't' created.");
    expect(r.code).toBe(0);
    expect(r.out).toContain('| 2024-01-01 00:00:00.000 |                    2 |');
    expect(r.out).toContain('| 2024-01-01 00:00:10.000 |                    1 |');
    expect(r.out).toContain('Received a total of 2 rows');
    expect(r.err).toContain('Query finished: 3 rows in, 2 rows out, 0 late rows dropped, 0 bad rows skipped.');
  });

  it('reports every syntax error of a script with its position and exits 1', () => {
    const dir = tempDir();
    const script = join(dir, 'bad.sql');
    writeFileSync(script, 'SET \'a\' = \'b\';\nSELECT a FORM t;\nSELECT 1;\nSELEC 2;\n');
    const r = eddy(['run', script]);
    expect(r.code).toBe(1);
    expect(r.err).toContain(`${script}:2:10`);
    expect(r.err).toContain('SELECT a FORM t;');
    expect(r.err).toContain('^^^^');
    expect(r.err).toContain(`${script}:4:1`);
    expect(r.out).toBe('');
  });

  it('names an undefined variable', () => {
    const dir = tempDir();
    const script = join(dir, 'v.sql');
    writeFileSync(script, "SELECT '${missing}';\n");
    const r = eddy(['run', script, '--define', 'missin=1']);
    expect(r.code).toBe(1);
    expect(r.err).toContain("Variable 'missing' is not defined");
    expect(r.err).toContain('did you mean `missin`?');
  });

  it('exits 1 for a missing script and 2 for bad usage', () => {
    expect(eddy(['run', '/nonexistent/job.sql']).code).toBe(1);
    const usage = eddy(['run']);
    expect(usage.code).toBe(2);
    expect(usage.err).toContain('Usage:');
    expect(eddy(['frobnicate']).code).toBe(2);
  });

  it('prints its version', () => {
    const r = eddy(['--version']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^eddy \d+\.\d+\.\d+\n$/);
  });
});
