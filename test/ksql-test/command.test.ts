// `eddy test` as users run it (bin/eddy.js): usage errors, unreadable files, and unsupported tests that are
// counted and shown, failing the run unless --allow-unsupported. (Tests that run statements need the embedded
// log: test/ksql/ksql-cases.test.ts.)

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runEddy } from '../e2e/eddy-process.js';

const dir = mkdtempSync(join(tmpdir(), 'eddy-test-cmd-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('eddy test', () => {
  it('usage errors exit 2 and show the usage', () => {
    const none = runEddy(['test']);
    expect(none.code).toBe(2);
    expect(none.err).toContain('eddy test: missing the test files or directories to run');
    expect(none.err).toContain('eddy test [--verbose] [--filter TEXT]');
    expect(runEddy(['test', '--frobnicate', 'x.json']).err).toContain('unknown option --frobnicate');
    expect(runEddy(['--help']).out).toContain('eddy test [--verbose]');
  });

  it('a path that is not a test fails the run, naming it', () => {
    writeFileSync(join(dir, 'broken.json'), '{"tests": [{"name": "x"}]}');
    const r = runEddy(['test', join(dir, 'broken.json'), join(dir, 'missing.json')]);
    expect(r.code).toBe(1);
    expect(r.out).toContain(`FAIL ${join(dir, 'broken.json')}\n    ${join(dir, 'broken.json')}: test 'x': "statements" must be a non-empty array of strings`);
    expect(r.out).toContain(`FAIL ${join(dir, 'missing.json')}`);
    expect(r.out).toContain('(2 files could not be read)');
  });

  it('unsupported tests are shown and counted, never passed; they fail the run unless --allow-unsupported', () => {
    writeFileSync(
      join(dir, 'odd.json'),
      JSON.stringify({
        tests: [
          { name: 'with post conditions', statements: ['CREATE STREAM S (V INT) WITH (kafka_topic=\'t\', value_format=\'JSON\');'], inputs: [], outputs: [], post: { sources: [] } },
          { name: 'with headers', statements: ['X;'], inputs: [{ topic: 't', value: {}, headers: [] }], outputs: [] },
        ],
      }),
    );
    const r = runEddy(['test', join(dir, 'odd.json')]);
    expect(r.out).toBe(
      [
        'UNSUPPORTED odd - with post conditions',
        '    "post" conditions (the sources\' schemas and formats after the test) are not checked',
        'UNSUPPORTED odd - with headers',
        '    record headers are not supported',
        '0 passed, 0 failed, 2 unsupported',
        '',
      ].join('\n'),
    );
    expect(r.code).toBe(1);
    expect(runEddy(['test', '--allow-unsupported', join(dir, 'odd.json')]).code).toBe(0);
    const filtered = runEddy(['test', '--filter', 'headers', '--allow-unsupported', join(dir, 'odd.json')]);
    expect(filtered.out).toContain('0 passed, 0 failed, 1 unsupported');
    const nothing = runEddy(['test', '--filter', 'nope', join(dir, 'odd.json')]);
    expect(nothing.code).toBe(1);
    expect(nothing.err).toContain("no tests found matching 'nope'");
  });
});
