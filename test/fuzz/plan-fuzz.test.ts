/**
 * Property-based fuzzing of the parser AND the planner: random grammar-shaped SQL, token-mutated golden
 * statements and random DDL go through `EXPLAIN` (parse, bind, optimize, physical plan; nothing runs).
 * Each statement must either plan, or fail with an EddyError whose every diagnostic has a registered code
 * and, when it is about SQL text, a span inside the statement. Anything else (TypeError, RangeError, stack
 * overflow, a failed assertion) is a bug. Every EddyError must also render.
 *
 * Seeds are fixed so CI is deterministic; FUZZ_SEED and FUZZ_RUNS (a multiplier) explore further:
 *   FUZZ_SEED=123 FUZZ_RUNS=10 npx vitest run test/fuzz
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { Eddy } from '../../src/engine/eddy.js';
import { EddyError, spanOf } from '../../src/common/errors.js';
import { ErrorCodes } from '../../src/common/error-codes.js';
import { parseScript } from '../../src/parser/parse.js';
import { ddlArb, editArb, FUZZ_DDL, goldenCorpus, mutate, statementArb, tokenize, type CorpusCase } from './sql-arbitraries.js';

const CODES: ReadonlySet<string> = new Set(Object.values(ErrorCodes));
const RUNS = Number(process.env['FUZZ_RUNS'] ?? '1');
const seedFor = (seed: number) => (process.env['FUZZ_SEED'] ? Number(process.env['FUZZ_SEED']) + seed : seed);
const params = (seed: number, numRuns: number): fc.Parameters<unknown> => ({ seed: seedFor(seed), numRuns: Math.round(numRuns * RUNS), endOnFailure: false });

/** Codes of diagnostics about SQL text: parse, binding and planning errors must point into the statement. */
const POSITIONED = /^EDDY-[PBL]/;

/** The property's failure for anything but a well-formed EddyError; passes the error through otherwise. */
function checkError(err: unknown, text: string): void {
  if (!(err instanceof EddyError)) throw err;
  if (err.diagnostics.length === 0) throw new Error(`EddyError without diagnostics: ${err.message}`);
  for (const d of err.diagnostics) {
    if (!CODES.has(d.code)) throw new Error(`unregistered code ${String(d.code)}: ${d.message}`);
    if (typeof d.message !== 'string' || d.message.length === 0) throw new Error(`empty message for ${d.code}`);
    if (d.span) {
      const { start, end, line, column } = d.span;
      if (!(Number.isInteger(start) && Number.isInteger(end) && start >= 0 && start <= end && end <= text.length)) {
        throw new Error(`${d.code} span [${start}, ${end}) outside the statement (length ${text.length}): ${d.message}`);
      }
      const expected = spanOf(text, start, end);
      if (expected.line !== line || expected.column !== column) {
        throw new Error(`${d.code} span at offset ${start} says ${line}:${column}, the text says ${expected.line}:${expected.column}: ${d.message}`);
      }
    } else if (POSITIONED.test(d.code)) {
      throw new Error(`${d.code} has no span: ${d.message}`);
    }
  }
  if (err.source?.text !== text) throw new Error(`EddyError ${err.code} carries no (or another) source text`);
  const rendered = err.render();
  if (typeof rendered !== 'string' || !rendered.includes(err.diagnostics[0]!.code)) throw new Error('render() lost the code');
  err.render({ color: true });
}

/** Plans `sql` with EXPLAIN; checks the outcome is a plan or a well-formed EddyError. */
async function checkPlans(eddy: Eddy, sql: string): Promise<void> {
  const text = `EXPLAIN ${sql}`;
  let result;
  try {
    result = await eddy.execute(text);
  } catch (err) {
    checkError(err, text);
    return;
  }
  if (result.kind !== 'explain' || typeof result.text !== 'string' || result.text.length === 0) {
    throw new Error(`EXPLAIN gave ${result.kind}, not plan text`);
  }
}

/** Runs a DDL (or any) statement, tolerating a well-formed EddyError. */
async function checkExecutes(eddy: Eddy, sql: string): Promise<void> {
  try {
    const result = await eddy.execute(sql);
    if (result.kind === 'job' || result.kind === 'query') throw new Error(`fuzz statement started a ${result.kind}: ${sql}`);
  } catch (err) {
    checkError(err, sql);
  }
}

async function eddyWith(setup: readonly string[]): Promise<Eddy> {
  const eddy = new Eddy({ now: () => Date.UTC(2024, 0, 1) });
  for (const stmt of setup) await eddy.execute(stmt);
  return eddy;
}

describe('planner fuzzing: plan or a positioned EddyError, never a crash', () => {
  let eddy: Eddy;
  let corpus: { setup: CorpusCase; eddy: Eddy; tokens: string[] }[];

  beforeAll(async () => {
    eddy = await eddyWith(FUZZ_DDL);
    const split = (script: string) => parseScript(script).statements.map((s) => ({ kind: s.kind, text: s.text }));
    const cases = goldenCorpus(split);
    // The fuzz catalog's own well-formed statements join the golden ones.
    cases.push({
      name: 'fuzz-catalog',
      setup: FUZZ_DDL,
      statements: [
        "SELECT window_start, window_end, customer, COUNT(DISTINCT order_id) FILTER (WHERE amount > 10) AS n, SUM(total) FROM TABLE(HOP(TABLE orders, DESCRIPTOR(ts), INTERVAL '1' MINUTE, INTERVAL '5' MINUTE)) GROUP BY window_start, window_end, customer HAVING COUNT(*) > 1",
        "SELECT customer, TUMBLE_START(ts, INTERVAL '1' HOUR) AS ws, AVG(price) FROM orders WHERE paid AND code LIKE 'A%' GROUP BY customer, TUMBLE(ts, INTERVAL '1' HOUR)",
        "SELECT o.order_id, p.method, CAST(o.amount AS DOUBLE) * 2 FROM orders AS o JOIN payments AS p ON o.order_id = p.order_id AND p.pts BETWEEN o.ltz - INTERVAL '1' HOUR AND o.ltz",
        "WITH c AS (SELECT customer AS k, price FROM orders WHERE price IS NOT NULL) SELECT k, MAX(price) FROM c GROUP BY k ORDER BY k LIMIT 10",
        "INSERT INTO sink_win SELECT window_start, window_end, COUNT(*) FROM TABLE(SESSION(TABLE orders PARTITION BY customer, DESCRIPTOR(ts), INTERVAL '10' MINUTE)) GROUP BY window_start, window_end",
        "INSERT INTO sink_print SELECT name, COUNT(*) FROM gen GROUP BY name",
        "SELECT CASE WHEN qty > 1 THEN UPPER(customer) ELSE SUBSTRING(note FROM 1 FOR 3) END, EXTRACT(HOUR FROM ts), TIMESTAMPDIFF(SECOND, plain_ts, ts), COALESCE(tags[1], attrs['k'], info.city) FROM orders UNION ALL SELECT method, 1, 2, 'x' FROM payments",
        "SELECT window_start, order_id, SUM(price) OVER (PARTITION BY customer ORDER BY ts ROWS BETWEEN 2 PRECEDING AND CURRENT ROW) FROM TABLE(CUMULATE(TABLE orders, DESCRIPTOR(ts), INTERVAL '1' MINUTE, INTERVAL '1' HOUR)) WHERE order_id IN (SELECT order_id FROM payments)",
      ],
    });
    corpus = [];
    for (const c of cases) {
      let ce: Eddy;
      try {
        ce = await eddyWith(c.setup);
      } catch {
        continue; // a case whose DDL is meant to fail (error-* cases)
      }
      for (const s of c.statements) corpus.push({ setup: c, eddy: ce, tokens: tokenize(s) });
    }
  });

  it('the corpus plans unmutated', async () => {
    expect(corpus.length).toBeGreaterThan(20);
    for (const c of corpus) await checkPlans(c.eddy, c.tokens.join(' '));
  });

  it('grammar-shaped random statements', async () => {
    await fc.assert(
      fc.asyncProperty(statementArb, (sql) => checkPlans(eddy, sql)),
      params(0x5eed_0001, 3000),
    );
  });

  it('token-mutated golden statements', async () => {
    await fc.assert(
      fc.asyncProperty(fc.nat(), fc.array(editArb, { minLength: 1, maxLength: 4 }), (pick, edits) => {
        const c = corpus[pick % corpus.length]!;
        return checkPlans(c.eddy, mutate(c.tokens, edits));
      }),
      params(0x5eed_0002, 3000),
    );
  });

  it('random DDL: columns, computed columns, watermarks, keys, views over them', async () => {
    await fc.assert(
      fc.asyncProperty(ddlArb, async (statements) => {
        const fresh = await eddyWith(FUZZ_DDL);
        for (const s of statements) {
          if (s.startsWith('SELECT')) await checkPlans(fresh, s);
          else await checkExecutes(fresh, s);
        }
      }),
      params(0x5eed_0003, 600),
    );
  });
});
