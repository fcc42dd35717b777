/**
 * Error texts that used to be wrong: a failed expression in a query without a source table named a table
 * `query` and told the user to set its errors.policy; a HOP with slide and size swapped spoke in
 * milliseconds; hints promised features "once joins land". The texts asserted here are the corrected ones.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/common/errors.js';
import { Eddy } from '../../src/engine/eddy.js';
import { catchEddy, TestPlanner } from '../planner/helpers.js';
import { executeAll, failureOf, tempDir } from './helpers.js';

const BIN = join(__dirname, '..', '..', 'bin', 'eddy.js');

describe('a failed expression', () => {
  it('SELECT 1/0 through eddy run names the expression and its position, and no table', () => {
    const dir = tempDir('eddy-div-');
    const script = join(dir, 'div.sql');
    writeFileSync(script, 'SELECT 1/0;\n');
    const r = spawnSync(process.execPath, [BIN, 'run', script], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('error[EDDY-R003]: Division by zero in `1/0` at line 1, column 8');
    expect(r.stderr).toContain(`${script}:1:8`);
    expect(r.stderr).not.toContain('`query`');
    expect(r.stderr).not.toContain('errors.policy');
  });

  it('quotes the whole expression, parentheses included, on its own line', async () => {
    const eddy = new Eddy();
    const err = await failureOf(eddy, 'SELECT 1,\n  10 / (2 - 2) AS q');
    expect(err.code).toBe(ErrorCode.EXPRESSION_FAILED);
    expect(err.message).toBe('Division by zero in `10 / (2 - 2)` at line 2, column 3');
    expect(err.diagnostics[0]!.hint).toBeUndefined();
  });

  it('over VALUES (no source table), the same', async () => {
    const eddy = new Eddy();
    const err = await failureOf(eddy, 'SELECT * FROM (VALUES (1), (2)) AS v(x) WHERE 5 / (x - 1) > 0');
    expect(err.message).toBe('Division by zero in `5 / (x - 1)` at line 1, column 47');
    expect(err.diagnostics[0]!.hint).toBeUndefined();
  });

  it('a constant expression fails when planned, pointing at it', async () => {
    const dir = tempDir('eddy-div-');
    const eddy = new Eddy();
    await executeAll(eddy, `CREATE TABLE out_t (n INT) WITH ('connector' = 'filesystem', 'path' = '${join(dir, 'out.json')}', 'format' = 'json');`);
    const err = await failureOf(eddy, 'INSERT INTO out_t VALUES (7 % 0)');
    expect(err.message).toBe('Division by zero');
    expect(err.render()).toContain('INSERT INTO out_t VALUES (7 % 0)\n  |                           ^^^^^');
  });

  it('with a source table, still suggests errors.policy for that table, and points at the expression', async () => {
    const dir = tempDir('eddy-div-');
    const data = join(dir, 'in.csv');
    writeFileSync(data, '1\n0\n');
    const eddy = new Eddy();
    await executeAll(eddy, `CREATE TABLE nums (n INT) WITH ('connector' = 'filesystem', 'path' = '${data}', 'format' = 'csv');`);
    const err = await failureOf(eddy, 'SELECT 10 / n FROM nums');
    expect(err.message).toContain('Bad record in `nums` at SQL line 1, column 8 (expression-error): Division by zero');
    expect(err.diagnostics[0]!.hint).toContain('to the WITH options of `nums`');
    expect(err.diagnostics[0]!.span).toMatchObject({ line: 1, column: 8 });
  });
});

describe('HOP and CUMULATE sizes, in the units written', () => {
  const tp = new TestPlanner();
  it('a slide longer than the size: says so, and suggests the swap', () => {
    const err = catchEddy(() => tp.bind("SELECT * FROM TABLE(HOP(TABLE orders, DESCRIPTOR(ts), INTERVAL '1' HOUR, INTERVAL '15' MINUTES))"));
    expect(err.code).toBe(ErrorCode.INVALID_WINDOW);
    expect(err.message).toBe("HOP window slide (INTERVAL '1' HOUR) is longer than its size (INTERVAL '15' MINUTE)");
    expect(err.diagnostics[0]!.hint).toBe(
      "HOP takes the slide before the size: were they swapped? HOP(TABLE orders, DESCRIPTOR(ts), INTERVAL '15' MINUTE, INTERVAL '1' HOUR) makes windows of INTERVAL '1' HOUR every INTERVAL '15' MINUTE",
    );
  });

  it('a size that is not a multiple of the slide: the nearest multiples', () => {
    const err = catchEddy(() => tp.bind("SELECT * FROM TABLE(HOP(TABLE orders, DESCRIPTOR(ts), INTERVAL '15' MINUTE, INTERVAL '50' MINUTE))"));
    expect(err.message).toBe("HOP window size (INTERVAL '50' MINUTE) must be a whole multiple of the slide (INTERVAL '15' MINUTE)");
    expect(err.diagnostics[0]!.hint).toBe("make the size INTERVAL '45' MINUTE or INTERVAL '1' HOUR, or pick a slide that divides INTERVAL '50' MINUTE");
  });

  it('the legacy GROUP BY HOP(ts, slide, size) too', () => {
    const err = catchEddy(() => tp.bind("SELECT COUNT(*) FROM orders GROUP BY HOP(ts, INTERVAL '10' SECOND, INTERVAL '5' SECOND)"));
    expect(err.message).toBe("HOP window slide (INTERVAL '10' SECOND) is longer than its size (INTERVAL '5' SECOND)");
    expect(err.diagnostics[0]!.hint).toContain("HOP(ts, INTERVAL '5' SECOND, INTERVAL '10' SECOND) makes windows of INTERVAL '10' SECOND every INTERVAL '5' SECOND");
  });

  it("CUMULATE's step and max size", () => {
    const swapped = catchEddy(() => tp.bind("SELECT * FROM TABLE(CUMULATE(TABLE orders, DESCRIPTOR(ts), INTERVAL '1' DAY, INTERVAL '1' HOUR))"));
    expect(swapped.message).toBe("CUMULATE window step (INTERVAL '1' DAY) is longer than its max size (INTERVAL '1' HOUR)");
    expect(swapped.diagnostics[0]!.hint).toContain("CUMULATE(TABLE orders, DESCRIPTOR(ts), INTERVAL '1' HOUR, INTERVAL '1' DAY)");
    const uneven = catchEddy(() => tp.bind("SELECT * FROM TABLE(CUMULATE(TABLE orders, DESCRIPTOR(ts), INTERVAL '40' MINUTE, INTERVAL '1' HOUR))"));
    expect(uneven.message).toBe("CUMULATE window max size (INTERVAL '1' HOUR) must be a whole multiple of the step (INTERVAL '40' MINUTE)");
    expect(uneven.diagnostics[0]!.hint).toBe("make the max size INTERVAL '40' MINUTE or INTERVAL '80' MINUTE, or pick a step that divides INTERVAL '1' HOUR");
  });
});

describe('hints describe what exists today', () => {
  const tp = new TestPlanner();
  it('a subquery in an expression where it cannot be a semi join: join it in FROM instead (joins exist)', () => {
    // In WHERE, alone or ANDed, it plans (as a semi join).
    expect(() => tp.plan('SELECT * FROM clicks WHERE user_id IN (SELECT user_id FROM orders)')).not.toThrow();
    const err = catchEddy(() => tp.bind('SELECT * FROM clicks WHERE url = \'a\' OR user_id IN (SELECT user_id FROM orders)'));
    expect(err.message).toBe('IN (SELECT ...) is supported only as a condition of WHERE, alone or ANDed with the others (not in an OR, a CASE or under another operator)');
    expect(err.diagnostics[0]!.hint).toBe(
      'Eddy plans it as a semi join (NOT IN / NOT EXISTS: an anti join) of the rows the WHERE filters; elsewhere, join the subquery in FROM instead',
    );
    // The rewrite the hint suggests does plan.
    expect(() => tp.plan('SELECT c.url FROM clicks c JOIN (SELECT DISTINCT user_id FROM orders) s ON c.user_id = s.user_id')).not.toThrow();
  });

  it('OVER windows: what to use instead', () => {
    // An aggregate OVER a rowtime order runs (an OverAggregate); a rank inside an expression does not.
    expect(() => tp.plan('SELECT SUM(qty) OVER (PARTITION BY user_id ORDER BY ts) FROM orders')).not.toThrow();
    const nested = catchEddy(() => tp.bind('SELECT user_id, 1 + ROW_NUMBER() OVER (ORDER BY ts) FROM orders'));
    expect(nested.message).toBe('OVER is supported only as a whole select-list item of a query without GROUP BY: an OVER aggregation, or a rank bounded outside it (Top-N)');
    expect(nested.diagnostics[0]!.hint).toBe('compute it as a select-list item of a subquery and use its column in the outer query');
    // ROW_NUMBER() runs as a Top-N only: an unbounded rank is refused when it is planned, at its OVER clause.
    const sql = 'SELECT ROW_NUMBER() OVER (ORDER BY ts) FROM orders';
    const err = catchEddy(() => tp.plan(sql));
    expect(err.message).toBe('ROW_NUMBER() OVER is supported only for Top-N: in a subquery whose outer WHERE bounds the rank');
    expect(err.diagnostics[0]!.hint).toMatch(/WHERE rn <= 3$/);
    const span = err.diagnostics[0]!.span!;
    expect(sql.slice(span.start, span.end)).toBe('OVER (ORDER BY ts)');
  });
});
