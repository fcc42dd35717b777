/**
 * Deeply nested SQL through the real entry points (`eddy -e`, `eddy run`, a real `eddy serve` over HTTP and
 * the Postgres protocol): a positioned EDDY-P007 "nested too deeply" error, never a RangeError stack
 * overflow or exit code 70; long flat OR / IN lists work. Needs the build (bin/eddy.js runs dist/).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pgClient } from '../server/helpers.js';
import { pgFailure, runEddy, useServe } from './eddy-process.js';
import { tempDir } from './helpers.js';

const PARENS_156 = `SELECT ${'('.repeat(156)}1${')'.repeat(156)}`;
const SUM_2203 = `SELECT ${Array(2203).fill('x').join(' + ')} AS total FROM (VALUES (1), (2)) AS t(x)`;
const CASE_300 = `SELECT ${'CASE WHEN x > 0 THEN '.repeat(300)}x${' ELSE 0 END'.repeat(300)} FROM (VALUES (1)) AS t(x)`;
/** Keeps the rows whose x is one of 0, 3, 6, ..., 5997: an OR of 2,000 comparisons. */
const OR_2000 = `SELECT x FROM (VALUES (3), (4), (5997), (6000)) AS t(x) WHERE ${Array.from({ length: 2000 }, (_, i) => `x = ${3 * i}`).join(' OR ')}`;
const IN_2000 = `SELECT x FROM (VALUES (3), (4), (5997), (6000)) AS t(x) WHERE x IN (${Array.from({ length: 2000 }, (_, i) => 3 * i).join(', ')})`;

function expectNoCrash(r: { code: number | null; out: string; err: string }): void {
  expect(r.code).toBe(1);
  expect(r.out + r.err).not.toMatch(/RangeError|Maximum call stack/);
}

describe('deep SQL through eddy -e and eddy run', () => {
  it('156 parentheses: a positioned error, exit 1', () => {
    const r = runEddy(['-e', PARENS_156]);
    expectNoCrash(r);
    expect(r.err).toContain('error[EDDY-P007]: Nested too deeply: more than 100 levels of parentheses, brackets or CASE');
    // The 101st parenthesis: 'SELECT ' is 7 characters, so column 7 + 100 + 1.
    expect(r.err).toContain('--> <-e>:1:108');
  });

  it('a sum of 2,203 terms and 300 nested CASEs in a script: positioned errors, exit 1', () => {
    const dir = tempDir('eddy-deep-');
    const script = join(dir, 'deep.sql');
    writeFileSync(script, `${SUM_2203};\n`);
    const sum = runEddy(['run', script]);
    expectNoCrash(sum);
    expect(sum.err).toContain('error[EDDY-P007]: Nested too deeply: more than 500 levels of operators and function calls');
    expect(sum.err).toMatch(new RegExp(`--> ${script.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:1:\\d+`));

    writeFileSync(script, `SELECT 1;\n${CASE_300};\n`);
    const cases = runEddy(['run', script]);
    expectNoCrash(cases);
    expect(cases.err).toContain(`--> ${script}:2:`);
    expect(cases.err).toContain('EDDY-P007');
  });

  it('an OR of 2,000 terms and an IN list of 2,000 values run', { timeout: 180_000 }, () => {
    for (const sql of [OR_2000, IN_2000]) {
      const r = runEddy(['-e', sql]);
      expect(r.err).not.toMatch(/error/);
      expect(r.code).toBe(0);
      // 3 and 5997 are multiples of 3 below 6000; 4 is not a multiple, 6000 is past the last term (5997).
      expect(r.out).toMatch(/\|\s+3 \|/);
      expect(r.out).toMatch(/\|\s+5997 \|/);
      expect(r.out).not.toMatch(/\|\s+4 \|/);
      expect(r.out).not.toMatch(/\|\s+6000 \|/);
      expect(r.out).toContain('Received a total of 2 rows');
    }
  });

  it('an expression just under the limits passes every pass: EXPLAIN, constant folding, filters, an INSERT job', () => {
    const dir = tempDir('eddy-deep-');
    const out = join(dir, 'out');
    const sum = Array(450).fill('x').join(' + ');
    const nested = `${'ABS('.repeat(95)}x - 10${')'.repeat(95)}`;
    writeFileSync(
      join(dir, 'job.sql'),
      `CREATE TABLE out (total INT, a INT) WITH ('connector' = 'filesystem', 'path' = '${out}', 'format' = 'json');
       EXPLAIN SELECT ${sum} AS total FROM (VALUES (1)) AS t(x) WHERE ${nested} > 0;
       SELECT ${Array(450).fill('1').join(' + ')} AS folded;
       INSERT INTO out SELECT ${sum}, ${nested} FROM (VALUES (1), (2), (20)) AS t(x) WHERE ${nested} > 8;
`,
    );
    const r = runEddy(['run', join(dir, 'job.sql')]);
    expect(r.err).not.toMatch(/error/i);
    expect(r.code).toBe(0);
    expect(r.out).toContain('== Optimized Physical Plan ==');
    expect(r.out).toMatch(/\|\s+450 \|/);
    // |x - 10| > 8 keeps x = 1 (9) and x = 20 (10), not x = 2 (8).
    const lines = readFileSync(join(out, 'part-0.json'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(lines).toEqual([
      { total: 450, a: 9 },
      { total: 9000, a: 10 },
    ]);
  });

  it('a sum just under the limit runs and is right', () => {
    const r = runEddy(['-e', `SELECT ${Array(450).fill('x').join(' + ')} AS total FROM (VALUES (2)) AS t(x)`]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/\|\s+900 \|/);
  });
});

describe('deep SQL against a real eddy serve', () => {
  const serve = useServe();

  const post = async (sql: string) => {
    const res = await fetch(`${serve().httpUrl}/v1/statement`, { method: 'POST', headers: { 'content-type': 'application/json', ...serve().auth }, body: JSON.stringify({ sql }) });
    return { status: res.status, body: (await res.json()) as any };
  };

  it('answers each deep statement over HTTP with EDDY-P007 and keeps serving', async () => {
    const get = await fetch(`${serve().httpUrl}/v1/statement?sql=${encodeURIComponent(PARENS_156)}`, { headers: serve().auth });
    expect(get.status).toBe(400);
    expect(((await get.json()) as any).error).toMatchObject({ code: 'EDDY-P007', message: 'Nested too deeply: more than 100 levels of parentheses, brackets or CASE' });
    for (const sql of [SUM_2203, CASE_300]) {
      const r = await post(sql);
      expect(r.status).toBe(400);
      expect(r.body.error.code).toBe('EDDY-P007');
    }
    const or = await post(OR_2000);
    expect(or.body.rows).toEqual([[3], [5997]]);
    expect(serve().alive()).toBe(true);
  });

  it('answers deep statements over the Postgres protocol with the code in the detail', async () => {
    const client = await pgClient(serve().pgPort, { password: serve().token });
    try {
      for (const sql of [PARENS_156, SUM_2203, CASE_300]) {
        const err = await pgFailure(client.query(sql));
        expect(err?.message).toMatch(/^Nested too deeply/);
        expect(err?.detail).toContain('EDDY-P007');
        expect(err?.code).toBe('54001'); // statement_too_complex
        expect(Number(err?.position)).toBeGreaterThan(0);
      }
      expect((await client.query(IN_2000)).rows).toEqual([{ x: 3 }, { x: 5997 }]);
    } finally {
      await client.end();
    }
    expect(serve().alive()).toBe(true);
  });
});
