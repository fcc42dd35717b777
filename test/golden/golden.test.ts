/** Golden SQL cases: runs each `cases/<name>/case.sql` through the CLI's script runner and compares with `expected.out`. */
import { existsSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runScripts, type ScriptIO } from '../../src/cli/run-script.js';
import { Eddy } from '../../src/engine/eddy.js';

const CASES = join(fileURLToPath(new URL('.', import.meta.url)), 'cases');
const FILE_SECTION = /^-- file (.+) --$/gm;

/** With `UPDATE_GOLDEN=1`, each case's output is also written to `actual.out` (gitignored) for a human to diff. */
const UPDATE = !!process.env['UPDATE_GOLDEN'];

/** Makes a text machine-independent: the case folder becomes `${dir}`, the temp folder `${tmp}`. */
function normalize(text: string, dir: string, tmp: string): string {
  return text.split(tmp).join('${tmp}').split(dir).join('${dir}');
}

/** Ends a non-empty text with a newline so the section markers always start a line. */
function asLines(text: string): string {
  return text === '' || text.endsWith('\n') ? text : text + '\n';
}

/** Every file under `root`, as paths relative to it, sorted. */
function listFiles(root: string): string[] {
  return readdirSync(root, { recursive: true, encoding: 'utf8' })
    .filter((p) => statSync(join(root, p)).isFile())
    .sort();
}

/**
 * Runs one case and renders what it did in the `expected.out` format: stdout, `-- stderr --`, stderr,
 * `-- exit N --`, then one `-- file <path> --` section per file named (all files under tmp when `files` is
 * undefined).
 */
async function runCase(dir: string, files: readonly string[] | undefined): Promise<string> {
  const tmp = realpathSync(mkdtempSync(join(tmpdir(), 'eddy-golden-')));
  try {
    let out = '';
    let err = '';
    const io: ScriptIO = { out: (t) => void (out += t), err: (t) => void (err += t), color: false };
    const text = readFileSync(join(dir, 'case.sql'), 'utf8');
    const code = await runScripts(new Eddy({ variables: { dir, tmp } }), [{ name: 'case.sql', text }], io);
    let actual = `${asLines(out)}-- stderr --\n${asLines(err)}-- exit ${code} --\n`;
    for (const file of files ?? listFiles(tmp)) {
      const path = join(tmp, file);
      actual += `-- file ${file} --\n${existsSync(path) ? asLines(readFileSync(path, 'utf8')) : '<missing>\n'}`;
    }
    return normalize(actual, dir, tmp);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

const names = readdirSync(CASES)
  .filter((n) => existsSync(join(CASES, n, 'case.sql')))
  .sort();

describe('golden SQL cases', () => {
  it('finds cases', () => expect(names.length).toBeGreaterThan(0));

  for (const name of names) {
    it(name, async () => {
      const dir = realpathSync(join(CASES, name));
      const expectedPath = join(dir, 'expected.out');
      const expected = existsSync(expectedPath) ? readFileSync(expectedPath, 'utf8') : undefined;
      const files = expected === undefined ? undefined : [...expected.matchAll(FILE_SECTION)].map((m) => m[1]!);
      const actual = await runCase(dir, files);
      if (UPDATE) writeFileSync(join(dir, 'actual.out'), actual);
      expect(expected, `${relative(process.cwd(), expectedPath)} is missing`).toBeDefined();
      expect(actual).toBe(expected);
    });
  }
});
