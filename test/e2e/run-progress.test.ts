/**
 * `eddy run` with a long INSERT job: on a terminal (tmux) a progress line on stderr shows the job's rows,
 * rates, watermark, late and bad rows while it runs, and is gone when it ends; piped, stderr carries only
 * the usual [INFO] lines. Needs `npm run build` first (as `npm test` does).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BIN, killTerminals, Tmux } from './tmux.js';

afterEach(killTerminals);

/** 600 generated rows at 150 a second (about 4 s), into a blackhole: a job that runs a while, then ends. */
function script(): string {
  const dir = mkdtempSync(join(tmpdir(), 'eddy-run-progress-'));
  const path = join(dir, 'job.sql');
  writeFileSync(
    path,
    `CREATE TABLE gen (id BIGINT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts)
  WITH ('connector' = 'datagen', 'number-of-rows' = '600', 'rows-per-second' = '150', 'fields.id.kind' = 'sequence', 'fields.id.start' = '1', 'fields.id.end' = '600');
CREATE TABLE out (id BIGINT) WITH ('connector' = 'blackhole');
INSERT INTO out SELECT id FROM gen;
`,
  );
  return path;
}

describe('eddy run progress', () => {
  it('shows a progress line on a terminal while the job runs, and erases it at the end', async () => {
    const t = new Tmux();
    t.start(['run', script()], {}, { width: 140 });
    // Rows counted, rates, late and bad rows, and the watermark: a finite one (the datagen rows' timestamps).
    const running = await t.waitFor('the progress line with rows', (s) => /● job-1 .* │ [1-9][\d,]* rows in, [\d.,]+\/s │ [1-9][\d,]* out, [\d.,]+\/s │ late 0 │ bad 0 │ watermark \d{4}-\d\d-\d\d /.test(s), 30_000);
    expect(running).toContain('[INFO] Submitted job: INSERT INTO out SELECT id FROM gen');
    const done = await t.see('[eddy exited 0]', 60_000);
    expect(done).toContain('[INFO] Job finished (INSERT INTO out SELECT id FROM gen): 600 rows in, 600 rows out');
    // The line was erased: nothing of it is left on the screen.
    expect(done).not.toContain('● job-1');
  });

  it('prints nothing extra when stderr is piped', () => {
    const r = spawnSync(process.execPath, [BIN, 'run', script()], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    expect(r.status).toBe(0);
    expect(r.stderr.split('\n').filter((l) => l !== '')).toEqual([
      "[INFO] Table 'gen' created.",
      "[INFO] Table 'out' created.",
      '[INFO] Submitted job: INSERT INTO out SELECT id FROM gen',
      '[INFO] Job finished (INSERT INTO out SELECT id FROM gen): 600 rows in, 600 rows out, 0 late rows dropped, 0 bad rows skipped.',
    ]);
    expect(r.stdout).toBe('');
  });
});
