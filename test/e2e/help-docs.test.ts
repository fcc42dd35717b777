/**
 * HELP's pointer to the docs works for an installed package: `npm pack` (as a registry would get it) is
 * unpacked into a fresh folder, HELP is run from there, and the files it names exist inside that folder.
 * Needs `npm run build` first (as `npm test` does): the package ships dist/.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(__dirname, '..', '..');

describe('HELP in an installed package', () => {
  it('names docs that exist in the package, and covers materialized views, pull and push queries', () => {
    const dir = mkdtempSync(join(tmpdir(), 'eddy-pack-'));
    // --ignore-scripts: the build is already there (and `prepare` would rebuild it).
    execFileSync('npm', ['pack', '--ignore-scripts', '--pack-destination', dir], { cwd: ROOT, stdio: 'pipe' });
    const tarball = readdirSync(dir).find((f) => f.endsWith('.tgz'))!;
    execFileSync('tar', ['-xzf', join(dir, tarball), '-C', dir]);
    const installed = join(dir, 'package');
    // Its dependencies, as `npm install` would put them beside it.
    symlinkSync(join(ROOT, 'node_modules'), join(installed, 'node_modules'), 'dir');
    const r = spawnSync(process.execPath, [join(installed, 'bin', 'eddy.js')], {
      input: 'HELP;\n',
      encoding: 'utf8',
      cwd: tmpdir(),
      env: { ...process.env, EDDY_HISTORY_FILE: join(dir, 'history') },
    });
    expect(r.status).toBe(0);
    const more = /^More: (\S+) \(the shell\) and (\S+) \(SQL\)\.$/m.exec(r.stdout);
    expect(more, r.stdout).not.toBeNull();
    for (const path of [more![1]!, more![2]!]) {
      expect(path.startsWith(installed)).toBe(true);
      expect(existsSync(path)).toBe(true);
    }
    expect(r.stdout).toContain('CREATE MATERIALIZED VIEW');
    expect(r.stdout).toMatch(/pull query/);
    expect(r.stdout).toMatch(/push query/);
    expect(r.stdout).toContain('SHOW CREATE TABLE t;');
    expect(r.stdout).toContain("DESCRIBE JOB 'job-1';");
  });
});
