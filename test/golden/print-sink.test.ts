/**
 * The `print` sink writes to the process's own stdout/stderr, not through the script runner's streams, so it
 * is checked by running the built CLI (`node bin/eddy.js run`) as a child process.
 */
import { execSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
let tmp: string;

/** Runs a script with the built CLI; returns its exit code and both streams. */
function eddyRun(sql: string): { code: number | null; stdout: string; stderr: string } {
  const file = join(tmp, `script-${Math.random().toString(36).slice(2)}.sql`);
  writeFileSync(file, sql);
  const r = spawnSync(process.execPath, [join(ROOT, 'bin/eddy.js'), 'run', file], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' }, timeout: 30_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(() => {
  // `npm test` does not build dist/, and the CLI runs from it.
  execSync('npm run build', { cwd: ROOT, stdio: 'pipe', timeout: 180_000 });
  tmp = mkdtempSync(join(tmpdir(), 'eddy-print-'));
}, 200_000);

afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe('print sink (child process)', () => {
  it('prints each inserted row with its kind and the print-identifier prefix on stdout', () => {
    const r = eddyRun(`SET 'table.dml-sync' = 'true';
CREATE TABLE p (id INT, name STRING) WITH ('connector' = 'print', 'print-identifier' = 'out');
INSERT INTO p SELECT id, name FROM (VALUES (1, 'a'), (2, CAST(NULL AS STRING))) AS v(id, name);
`);
    expect(r.stdout).toBe('out> +I[1, a]\nout> +I[2, NULL]\n');
    expect(r.stderr).toContain("[INFO] Table 'p' created.\n");
    expect(r.stderr).toContain('2 rows in, 2 rows out, 0 late rows dropped, 0 bad rows skipped.');
    expect(r.code).toBe(0);
  });

  it('accepts an updating query and prints its changelog; standard-error moves it to stderr', () => {
    // Three files, one batch each, so the per-user counts change across batches: +I, then -U/+U.
    const dir = join(tmp, 'clicks');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'part-1.json'), '{"user":"a"}\n{"user":"b"}\n');
    writeFileSync(join(dir, 'part-2.json'), '{"user":"a"}\n');
    const r = eddyRun(`CREATE TABLE clicks (\`user\` STRING) WITH ('connector' = 'filesystem', 'path' = '${dir}', 'format' = 'json');
CREATE TABLE p (\`user\` STRING, n BIGINT) WITH ('connector' = 'print', 'standard-error' = 'true');
INSERT INTO p SELECT \`user\`, COUNT(*) FROM clicks GROUP BY \`user\`;
`);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('+I[a, 1]\n+I[b, 1]\n-U[a, 1]\n+U[a, 2]\n');
    expect(r.stderr).toContain('3 rows in, 4 rows out, 0 late rows dropped, 0 bad rows skipped.');
    expect(r.code).toBe(0);
  });
});
