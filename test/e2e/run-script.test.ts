/**
 * ksqlDB-style scripts through real `eddy run` processes: DEFINE over --define, RUN SCRIPT nested (paths
 * relative to the working directory), SHOW VARIABLES, and errors inside a nested script reported at their
 * file and line, naming the RUN SCRIPT that ran it.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runEddy, tempDir, writeJsonLines } from './helpers.js';

let dir: string;
beforeEach(() => {
  dir = tempDir('eddy-run-script-');
  mkdirSync(join(dir, 'lib'));
  writeJsonLines(dir, 'data.json', [1, 2, 3, 4, 5].map((n) => ({ n })));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const write = (name: string, text: string) => writeFileSync(join(dir, name), text);

describe('eddy run with RUN SCRIPT and DEFINE', () => {
  it('runs nested scripts in order, with a DEFINE overriding --define from the next statement on', async () => {
    write('lib/tables.sql', "CREATE TABLE nums (n INT) WITH ('connector' = 'filesystem', 'path' = 'data.json', 'format' = 'json');\nRUN SCRIPT 'lib/views.sql';\n");
    write('lib/views.sql', 'CREATE VIEW big AS SELECT n FROM nums WHERE n > ${n};\n');
    write('main.sql', "DEFINE n = '3';\nRUN SCRIPT 'lib/tables.sql';\nSHOW VARIABLES;\nSELECT SUM(n) AS total FROM big;\n");
    const r = await runEddy(['run', 'main.sql', '--define', 'n=1', '--define', 'other=x'], {}, 90_000, dir);
    expect(r.stderr).not.toContain('error');
    expect(r.status).toBe(0);
    // n > 3 over 1..5: 4 + 5.
    expect(r.stdout).toMatch(/\| \+I \|\s+9 \|/);
    expect(r.stdout).toMatch(/\| n\s+\| 3\s+\|/);
    expect(r.stdout).toMatch(/\| other\s+\| x\s+\|/);
    const info = r.stderr.split('\n').filter((l) => l.startsWith('[INFO]'));
    expect(info.slice(0, 5)).toEqual([
      "[INFO] Defined n = '3'.",
      "[INFO] Table 'nums' created.",
      "[INFO] View 'big' created.",
      '[INFO] Ran script lib/views.sql (1 statement).',
      '[INFO] Ran script lib/tables.sql (2 statements).',
    ]);
  });

  it('stops at the first error of a nested script, at its file and line, and exits 1', async () => {
    write('lib/bad.sql', "CREATE TABLE ok1 (n INT) WITH ('connector' = 'datagen', 'number-of-rows' = '1');\nSELECT nope FROM ok1;\nCREATE TABLE never (n INT) WITH ('connector' = 'datagen');\n");
    write('main.sql', "SET 'table.dml-sync' = 'true';\nRUN SCRIPT 'lib/bad.sql';\nSHOW TABLES;\n");
    const r = await runEddy(['run', 'main.sql'], {}, 90_000, dir);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("Table 'ok1' created.");
    expect(r.stderr).toContain('--> lib/bad.sql:2:8');
    expect(r.stderr).toContain("= note: in the script run by RUN SCRIPT 'lib/bad.sql' at main.sql:2:1");
    expect(r.stdout).not.toContain('table name');
  });

  it('refuses a missing script and a cycle with positioned errors', async () => {
    write('main.sql', "RUN SCRIPT 'missing.sql';\n");
    const missing = await runEddy(['run', 'main.sql'], {}, 90_000, dir);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain("Cannot read script 'missing.sql': no such file");
    expect(missing.stderr).toContain('--> main.sql:1:12');

    write('a.sql', "RUN SCRIPT 'lib/b.sql';\n");
    write('lib/b.sql', "\n\nRUN SCRIPT 'a.sql';\n");
    const cycle = await runEddy(['run', 'a.sql'], {}, 90_000, dir);
    expect(cycle.status).toBe(1);
    expect(cycle.stderr).toContain("RUN SCRIPT 'lib/b.sql' would run itself again");
  });
});
