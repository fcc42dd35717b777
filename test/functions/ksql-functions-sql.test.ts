/**
 * ksqlDB's functions through SQL: a filesystem JSON source aggregated with LATEST_BY_OFFSET, TOPK(x, k),
 * COLLECT_LIST and friends, written to a JSON file sink (ARRAY results included) and read back; the
 * literal-settings rules of the binder (k must be a literal) and the refusal of a non-retracting aggregate
 * over an updating input, with their positions.
 */
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Eddy } from '../../src/index.js';
import { failureOf, runQuery, tempDir, writeJsonLines } from '../e2e/helpers.js';

let eddy: Eddy | undefined;
afterEach(async () => {
  await eddy?.close();
  eddy = undefined;
});

const EVENTS = [
  { k: 'a', v: 5, s: 'x' },
  { k: 'b', v: 1, s: 'y' },
  { k: 'a', v: null, s: 'y' },
  { k: 'a', v: 9, s: 'x' },
  { k: 'b', v: 4, s: null },
  { k: 'a', v: 7, s: 'z' },
];

async function setup(dir: string): Promise<Eddy> {
  writeJsonLines(dir, 'in.json', EVENTS);
  const e = new Eddy();
  await e.execute("SET 'table.dml-sync' = 'true'");
  await e.execute(`CREATE TABLE events (k STRING, v INT, s STRING) WITH ('connector' = 'filesystem', 'path' = '${join(dir, 'in.json')}', 'format' = 'json')`);
  return e;
}

describe('ksqlDB functions in SQL', () => {
  it('aggregates with literal settings and ARRAY results reach a JSON sink', async () => {
    const dir = tempDir();
    eddy = await setup(dir);
    const { changes } = await runQuery(eddy, `SELECT k, LATEST_BY_OFFSET(v) AS latest, EARLIEST_BY_OFFSET(v, 2) AS earliest2, TOPK(v, 2) AS top2,
        COLLECT_LIST(v) AS vs, COLLECT_SET(UCASE(s)) AS ss, COUNT_DISTINCT(s) AS nd, EARLIEST_BY_OFFSET(v, 3, FALSE) AS e3
      FROM events GROUP BY k`);
    // The final row of each group: the last +I/+U for its key.
    const byKey = new Map<unknown, unknown[]>();
    for (const { kind, row } of changes) if (kind === 0 || kind === 2) byKey.set(row[0], row.slice(1));
    // a: v = 5, null, 9, 7; s = x, y, x, z.  b: v = 1, 4; s = y, null.
    expect(byKey.get('a')).toEqual([7, [5, 9], [9, 7], [5, null, 9, 7], ['X', 'Y', 'Z'], 3, [5, null, 9]]);
    expect(byKey.get('b')).toEqual([4, [1, 4], [4, 1], [1, 4], ['Y', null], 1, [1, 4]]);
  });

  it('scalar helpers in a projection', async () => {
    const dir = tempDir();
    eddy = await setup(dir);
    const { changes } = await runQuery(eddy, `SELECT MASK_LEFT(k, 1), SPLIT(CONCAT_WS('-', k, s), '-'), TIMESTAMPTOSTRING(CAST(v AS BIGINT) * 1000, 'HH:mm:ss') FROM events WHERE v = 9`);
    expect(changes.map((c) => c.row)).toEqual([['x', ['a', 'x'], '00:00:09']]);
  });

  it('a setting that is not a literal is refused where it is written', async () => {
    eddy = await setup(tempDir());
    const sql = 'SELECT k, TOPK(v, v) FROM events GROUP BY k';
    const err = await failureOf(eddy, sql);
    expect(err.message).toBe('argument 2 of TOPK must be a literal');
    expect(err.diagnostics[0]!.span?.start).toBe(sql.indexOf('v)'));
    expect((await failureOf(eddy, 'SELECT SUM(v, 2) FROM events')).message).toBe('SUM takes one argument');
  });

  it('LATEST_BY_OFFSET cannot consume an updating input', async () => {
    eddy = await setup(tempDir());
    const err = await failureOf(eddy, 'SELECT n, LATEST_BY_OFFSET(k) FROM (SELECT k, COUNT(*) AS n FROM events GROUP BY k) GROUP BY n');
    expect(err.message).toContain('LATEST_BY_OFFSET($1) cannot consume an updating input');
  });
});
