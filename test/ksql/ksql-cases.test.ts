/**
 * The project's own ksqlDB-dialect cases (this directory: query-validation JSON, REST JSON under rest/, and a
 * test-runner layout directory), run by the real `eddy test` command (bin/eddy.js, as users run it). Every case
 * must pass: none failed, none unsupported. Their expected outputs are written by hand from ksqlDB's semantics
 * (see each file's comments), never taken from Eddy's output.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runEddy } from '../e2e/eddy-process.js';
import { loadTestCases } from '../../src/ksql-test/test-case.js';

const ROOT = join(__dirname, '..', '..');

describe('eddy test test/ksql', () => {
  it('passes every ksqlDB case of the project', () => {
    const names = loadTestCases([join(ROOT, 'test', 'ksql')]).map((c) => c.name);
    // Windows, EMIT FINAL, grace and late records, pull and push queries, a stream-table join, INSERT VALUES,
    // variables and RUN SCRIPT, and the test-runner layout.
    expect(names.length).toBe(14);
    // Run from the repository's root: RUN SCRIPT paths in the cases are relative to it.
    const r = runEddy(['test', 'test/ksql'], { cwd: ROOT, timeoutMs: 600_000 });
    const passed = r.out.split('\n').filter((l) => l.startsWith('PASS ')).map((l) => l.slice(5));
    expect({ out: r.out, err: r.err }).toMatchObject({ out: expect.stringContaining(`${names.length} passed, 0 failed\n`) });
    expect(passed.sort()).toEqual([...names].sort());
    expect(r.code).toBe(0);
  }, 660_000);
});
