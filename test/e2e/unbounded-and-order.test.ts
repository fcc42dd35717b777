/**
 * A monitored (unbounded) file: windows fire as appended rows advance the watermark, and cancelling ends
 * the query. ORDER BY on event time releases rows in order as the watermark passes them.
 */
import { appendFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Eddy } from '../../src/engine/eddy.js';
import type { ChangeBatch } from '../../src/runtime/changelog.js';
import { executeAll, runQuery, tempDir, writeJsonLines } from './helpers.js';

const T0 = Date.UTC(2024, 0, 1);
const at = (seconds: number) => new Date(T0 + seconds * 1000).toISOString();

/** Resolves once `predicate` holds, polling; fails after `ms`. */
async function eventually(predicate: () => boolean, ms = 10_000): Promise<void> {
  const start = Date.now();
  while (!predicate()) {
    if (Date.now() - start > ms) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('unbounded sources', () => {
  it('windows of a growing file fire as rows arrive, and the query can be cancelled', async () => {
    const dir = tempDir();
    const path = writeJsonLines(dir, 'live.json', [1, 2, 3].map((s) => ({ ts: at(s) })));
    const eddy = new Eddy();
    await executeAll(
      eddy,
      `CREATE TABLE live (ts TIMESTAMP(3), WATERMARK FOR ts AS ts)
       WITH ('connector' = 'filesystem', 'path' = '${path}', 'format' = 'json', 'source.monitor-interval' = '50 ms')`,
    );
    const result = await eddy.execute(`SELECT window_start, COUNT(*) AS c FROM TABLE(TUMBLE(TABLE live, DESCRIPTOR(ts), INTERVAL '10' SECOND)) GROUP BY window_start, window_end`);
    if (result.kind !== 'query') throw new Error('expected a query');
    const rows: unknown[][] = [];
    result.query.onChanges((b: ChangeBatch) => rows.push(...b.rows));
    expect(result.query.bounded).toBe(false);

    // Nothing can fire yet: the watermark (3 s) is inside the first window.
    await new Promise((r) => setTimeout(r, 200));
    expect(rows).toEqual([]);

    appendFileSync(path, [4, 12].map((s) => JSON.stringify({ ts: at(s) }) + '\n').join(''));
    await eventually(() => rows.length === 1);
    expect(rows).toEqual([[T0, 4]]);

    appendFileSync(path, [15, 25].map((s) => JSON.stringify({ ts: at(s) }) + '\n').join(''));
    await eventually(() => rows.length === 2);
    expect(rows[1]).toEqual([T0 + 10_000, 2]);

    await result.query.cancel();
    await result.query.done;
    expect(result.query.job.state).toBe('cancelled');
    expect(rows.length).toBe(2); // cancelling does not fire the open window
  });
});

describe('ORDER BY on event time', () => {
  it('releases rows in time order as the watermark passes them, dropping rows behind it', async () => {
    const dir = tempDir();
    // Watermark = largest ts so far - 5 s. Each row is judged against the watermark of the rows before it:
    // 10 (wm 5), 6 and 8 ok, 20 (wm 15), 17 and 16 ok, 55 (wm 50), 40 late, 60 (wm 55), 58 ok.
    const seconds = [10, 6, 8, 20, 17, 16, 55, 40, 60, 58];
    const path = writeJsonLines(dir, 'o.json', seconds.map((s, i) => ({ id: i, ts: at(s) })));
    const eddy = new Eddy();
    await executeAll(
      eddy,
      `CREATE TABLE o (id INT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL '5' SECOND)
       WITH ('connector' = 'filesystem', 'path' = '${path}', 'format' = 'json')`,
    );
    const { changes, summary } = await runQuery(eddy, 'SELECT id, ts FROM o ORDER BY ts');
    const expectedOrder = seconds
      .map((s, i) => ({ s, i }))
      .filter(({ s }) => s !== 40)
      .sort((a, b) => a.s - b.s)
      .map(({ s, i }) => [i, T0 + s * 1000]);
    expect(changes.map((c) => c.row)).toEqual(expectedOrder);
    expect(summary.lateRowsDropped).toBe(1);
  });

  it('rejects ORDER BY on a column that is not the event time', async () => {
    const dir = tempDir();
    const path = writeJsonLines(dir, 'o.json', [{ id: 1, ts: at(1) }]);
    const eddy = new Eddy();
    await executeAll(eddy, `CREATE TABLE o (id INT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts) WITH ('connector' = 'filesystem', 'path' = '${path}', 'format' = 'json')`);
    await expect(eddy.execute('SELECT id, ts FROM o ORDER BY id')).rejects.toMatchObject({ code: 'EDDY-L002' });
  });
});
