// `scan.watermark.idle-timeout` on a monitored filesystem directory (each file a split): a file that stops getting
// lines holds every window back; with the idle timeout it stops doing so. Expected counts from the lines written.

import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Eddy } from '../../src/engine/eddy.js';
import { executeAll, tempDir } from './helpers.js';

const line = (id: number, second: number) => `${JSON.stringify({ id, ts: `2024-01-01 00:00:${String(second).padStart(2, '0')}.000` })}\n`;

async function windowsAfter(idleTimeout: string | undefined, waitMs: number): Promise<[string, number][]> {
  const dir = tempDir('eddy-fs-idle-');
  // `quiet.json` has one line of second 0 and nothing more; `busy.json` goes on to second 5.
  writeFileSync(join(dir, 'quiet.json'), line(0, 0));
  writeFileSync(join(dir, 'busy.json'), line(1, 0));
  const eddy = new Eddy();
  try {
    await executeAll(
      eddy,
      `CREATE TABLE e (id INT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts) WITH ('connector' = 'filesystem', 'path' = '${dir}', 'format' = 'json',
         'source.monitor-interval' = '100 ms'${idleTimeout ? `, 'scan.watermark.idle-timeout' = '${idleTimeout}'` : ''});`,
    );
    const result = await eddy.execute(
      `SELECT CAST(window_start AS STRING), COUNT(*) FROM TABLE(TUMBLE(TABLE e, DESCRIPTOR(ts), INTERVAL '1' SECOND)) GROUP BY window_start, window_end`,
    );
    if (result.kind !== 'query') throw new Error(`expected a query, got ${result.kind}`);
    const windows: [string, number][] = [];
    result.query.onChanges((batch) => {
      for (const row of batch.rows) windows.push([String(row[0]), Number(row[1])]);
    });
    // busy.json keeps getting lines (every 200 ms) while quiet.json gets none.
    for (let i = 0; i < waitMs / 200; i++) {
      await new Promise((r) => setTimeout(r, 200));
      appendFileSync(join(dir, 'busy.json'), line(100 + i, Math.min(5, 1 + Math.floor(i / 3))));
    }
    await result.query.cancel();
    return windows.sort();
  } finally {
    await eddy.close();
  }
}

describe('filesystem source: scan.watermark.idle-timeout', () => {
  it('with it, the windows close although one file gets no more lines; without it, they wait', async () => {
    // Lines of busy.json: second 0 (id 1), then three lines per second from second 1 on (ids 100.., seconds 1..5).
    const withIdle = await windowsAfter('1 s', 6000);
    expect(withIdle.slice(0, 4)).toEqual([
      ['2024-01-01 00:00:00.000', 2],
      ['2024-01-01 00:00:01.000', 3],
      ['2024-01-01 00:00:02.000', 3],
      ['2024-01-01 00:00:03.000', 3],
    ]);
    expect(await windowsAfter(undefined, 4000)).toEqual([]);
  }, 60_000);
});
