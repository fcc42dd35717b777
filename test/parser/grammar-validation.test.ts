/**
 * Runs chevrotain's grammar validations (skipped at normal start-up for speed) in a child process, so a
 * grammar change that introduces an ambiguity or left recursion fails the tests.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

describe('grammar', () => {
  it('passes chevrotain self-analysis validations', () => {
    const parse = join(__dirname, '..', '..', 'dist', 'src', 'parser', 'parse.js');
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', `import(${JSON.stringify(parse)}).then((m) => m.parseStatement('SELECT 1'))`], {
      encoding: 'utf8',
      env: { ...process.env, EDDY_VALIDATE_GRAMMAR: '1' },
    });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});
