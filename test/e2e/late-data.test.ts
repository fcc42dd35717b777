/**
 * Late data: rows behind the watermark whose window has already fired are dropped and counted exactly, and
 * which rows are late depends only on the input order (the watermark comes from the rows, not a clock).
 */
import { describe, expect, it } from 'vitest';
import { Eddy } from '../../src/engine/eddy.js';
import { executeAll, runQuery, sortedRows, tempDir, writeJsonLines } from './helpers.js';

const T0 = Date.UTC(2024, 0, 1);
const at = (seconds: number) => new Date(T0 + seconds * 1000).toISOString();

// WATERMARK FOR ts AS ts: the watermark is the largest timestamp read so far.
// Windows of 10 s fire when the watermark reaches their end - 1 ms.
//   1, 2        -> window [0,10)
//   11          -> watermark 11: [0,10) fires
//   5, 3        -> late: their window has fired (dropped)
//   12          -> [10,20)
//   25          -> watermark 25: [10,20) fires
//   15          -> late
//   26, 21      -> [20,30); 21 is behind the watermark but its window is still open: not late
const SECONDS = [1, 2, 11, 5, 12, 3, 25, 15, 26, 21];

async function setup(delaySeconds: number) {
  const dir = tempDir();
  const path = writeJsonLines(dir, 'late.json', SECONDS.map((s, i) => ({ id: i, ts: at(s) })));
  const eddy = new Eddy();
  await executeAll(
    eddy,
    `CREATE TABLE t (id INT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL '${delaySeconds}' SECOND)
     WITH ('connector' = 'filesystem', 'path' = '${path}', 'format' = 'json')`,
  );
  return eddy;
}

const QUERY = `SELECT window_start, COUNT(*) AS c FROM TABLE(TUMBLE(TABLE t, DESCRIPTOR(ts), INTERVAL '10' SECOND)) GROUP BY window_start, window_end`;

describe('late data', () => {
  it('drops rows whose window has fired, and counts them exactly', async () => {
    const { changes, summary } = await runQuery(await setup(0), QUERY);
    expect(sortedRows(changes.map((c) => c.row))).toEqual(
      sortedRows([
        [T0, 2],
        [T0 + 10_000, 2],
        [T0 + 20_000, 3],
      ]),
    );
    expect(summary.lateRowsDropped).toBe(3);
    expect(summary.rowsIn).toBe(SECONDS.length);
  });

  it('a larger watermark delay admits them all', async () => {
    const { changes, summary } = await runQuery(await setup(10), QUERY);
    expect(sortedRows(changes.map((c) => c.row))).toEqual(
      sortedRows([
        [T0, 4],
        [T0 + 10_000, 3],
        [T0 + 20_000, 3],
      ]),
    );
    expect(summary.lateRowsDropped).toBe(0);
  });

  it('the same input gives the same output every time', async () => {
    const first = await runQuery(await setup(0), QUERY);
    const second = await runQuery(await setup(0), QUERY);
    expect(second.changes).toEqual(first.changes);
  });
});
