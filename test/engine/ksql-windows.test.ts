/**
 * ksqlDB's windowed aggregations through the engine, over a Flink DDL table with a watermark (its event-time
 * attribute is the record time): `WINDOW TUMBLING|HOPPING|SESSION (...)` with EMIT CHANGES and EMIT FINAL,
 * compared with the changelog a small stream-time model written here computes from the input file, EXPLAIN,
 * and the binder's positioned errors.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Eddy, EddyError } from '../../src/index.js';
import { ROW_KIND_NAMES } from '../../src/runtime/changelog.js';
import { tempDir } from '../e2e/helpers.js';

const base = Date.UTC(2024, 0, 1);
const SEC = 1000;

/** Events `[key, value, ms after base]` in arrival order: some late, some within the grace period. */
const EVENTS: [string, number, number][] = [
  ['a', 1, 1_000],
  ['b', 2, 3_000],
  ['a', 3, 9_500],
  ['a', 4, 10_000],
  ['b', 5, 12_000],
  ['a', 6, 8_000], // stream time 12 s: [0, 10 s) closes at 10 + 2 = 12 s → late
  ['b', 7, 11_000],
  ['a', 8, 25_000],
  ['b', 9, 19_000], // stream time 25 s: [10, 20 s) closed at 22 s → late
  ['a', 10, 21_000], // [20, 30 s) is open
  ['c', 11, 40_000],
];

const iso = (ms: number) => new Date(base + ms).toISOString().replace('T', ' ').replace('Z', '');

interface Change {
  kind: string;
  row: unknown[];
}

/**
 * ksqlDB's tumbling windows on stream time, as a model: COUNT(*), SUM(v) per key and window, rows
 * `[k, n, total, WINDOWSTART, WINDOWEND]` (epoch ms); EMIT CHANGES emits per record, EMIT FINAL when
 * `end + grace <= stream time`, by window then key.
 */
function tumblingModel(sizeMs: number, graceMs: number, emit: 'CHANGES' | 'FINAL'): Change[] {
  const out: Change[] = [];
  const windows = new Map<string, { k: string; start: number; n: number; total: number }>();
  let streamTime = -Infinity;
  for (const [k, v, t] of EVENTS) {
    streamTime = Math.max(streamTime, t);
    if (emit === 'FINAL') {
      const closed = [...windows.entries()].filter(([, w]) => w.start + sizeMs + graceMs <= streamTime);
      closed.sort(([, x], [, y]) => x.start - y.start || x.k.localeCompare(y.k));
      for (const [id, w] of closed) {
        out.push({ kind: '+I', row: [w.k, w.n, w.total, base + w.start, base + w.start + sizeMs] });
        windows.delete(id);
      }
    }
    const start = Math.floor(t / sizeMs) * sizeMs;
    if (start + sizeMs + graceMs <= streamTime) continue; // late
    const id = `${k}@${start}`;
    const before = windows.get(id);
    const after = { k, start, n: (before?.n ?? 0) + 1, total: (before?.total ?? 0) + v };
    windows.set(id, after);
    if (emit === 'FINAL') continue;
    const row = (w: typeof after) => [w.k, w.n, w.total, base + w.start, base + w.start + sizeMs];
    if (before) out.push({ kind: '-U', row: row(before) }, { kind: '+U', row: row(after) });
    else out.push({ kind: '+I', row: row(after) });
  }
  return out;
}

let eddy: Eddy;
let dir: string;

beforeAll(async () => {
  dir = tempDir();
  writeFileSync(join(dir, 'events.json'), EVENTS.map(([k, v, t]) => JSON.stringify({ k, v, ts: iso(t) })).join('\n') + '\n');
  eddy = new Eddy();
  await eddy.execute(
    `CREATE TABLE events (k STRING, v INT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL '1' SECOND)
     WITH ('connector' = 'filesystem', 'path' = '${join(dir, 'events.json')}', 'format' = 'json')`,
  );
});

afterAll(async () => {
  await eddy.close();
});

/** Runs a query to its end: its column names and changelog. */
async function run(sql: string): Promise<{ columns: string[]; changes: Change[] }> {
  const r = await eddy.execute(sql);
  if (r.kind !== 'query') throw new Error(`expected a query, got ${r.kind}`);
  const batches = await r.query.collect();
  const changes = batches.flatMap((b) => b.rows.map((row, i) => ({ kind: ROW_KIND_NAMES[b.kinds[i]!]!, row: [...row] })));
  return { columns: r.query.schema.map((f) => f.name), changes };
}

describe('ksqlDB WINDOW TUMBLING through the engine', () => {
  it('EMIT CHANGES: an update per record on stream time, late records dropped, WINDOWSTART/WINDOWEND appended', async () => {
    const { columns, changes } = await run('SELECT k, COUNT(*) AS n, SUM(v) AS total FROM events WINDOW TUMBLING (SIZE 10 SECONDS, GRACE PERIOD 2 SECONDS) GROUP BY k EMIT CHANGES');
    expect(columns).toEqual(['k', 'n', 'total', 'WINDOWSTART', 'WINDOWEND']);
    const expected = tumblingModel(10 * SEC, 2 * SEC, 'CHANGES');
    expect(changes).toEqual(expected);
    // The model drops the two late events: a sanity check that the case is what it claims.
    expect(expected.filter((c) => c.kind !== '-U').length).toBe(EVENTS.length - 2);
  });

  it('EMIT FINAL: each window once, when stream time reaches its end + grace; the end of input closes nothing', async () => {
    const { changes } = await run('SELECT k, COUNT(*) AS n, SUM(v) AS total FROM events WINDOW TUMBLING (SIZE 10 SECONDS, GRACE PERIOD 2 SECONDS) GROUP BY k EMIT FINAL');
    const expected = tumblingModel(10 * SEC, 2 * SEC, 'FINAL');
    expect(changes).toEqual(expected);
    // c@40 s closes a's [20, 30 s) (30 + 2 <= 40); c's own [40, 50 s) is still open when the input ends.
    expect(expected.map((c) => c.row[3])).toContain(base + 20 * SEC);
    expect(expected.map((c) => c.row[3])).not.toContain(base + 40 * SEC);
  });

  it('without GRACE PERIOD, 24 hours of grace: nothing is late here, nothing closes', async () => {
    const changes = (await run('SELECT k, COUNT(*) AS n, SUM(v) AS total FROM events WINDOW TUMBLING (SIZE 10 SECONDS) GROUP BY k EMIT CHANGES')).changes;
    expect(changes).toEqual(tumblingModel(10 * SEC, 24 * 3600 * SEC, 'CHANGES'));
    expect((await run('SELECT k, COUNT(*) AS n FROM events WINDOW TUMBLING (SIZE 10 SECONDS) GROUP BY k EMIT FINAL')).changes).toEqual([]);
  });

  it('WINDOWSTART and WINDOWEND in the select list and HAVING are BIGINT epoch ms', async () => {
    const { columns, changes } = await run(
      'SELECT WINDOWEND AS we, k, WINDOWSTART, COUNT(*) AS n FROM events WINDOW TUMBLING (SIZE 10 SECONDS, GRACE PERIOD 2 SECONDS) GROUP BY k HAVING WINDOWSTART >= ' + (base + 10 * SEC) + ' EMIT FINAL',
    );
    expect(columns).toEqual(['we', 'k', 'WINDOWSTART', 'n']);
    const expected = tumblingModel(10 * SEC, 2 * SEC, 'FINAL')
      .filter((c) => (c.row[3] as number) >= base + 10 * SEC)
      .map((c) => ({ kind: c.kind, row: [c.row[4], c.row[0], c.row[3], c.row[1]] }));
    expect(expected.length).toBeGreaterThan(0);
    expect(changes).toEqual(expected);
  });

  it('HOPPING and SESSION windows run too (counts per window as computed by hand)', async () => {
    // HOPPING 20 s by 10 s, grace 100 s (nothing late), EMIT FINAL: nothing closes before 40 s + 120 s.
    expect((await run('SELECT k, COUNT(*) AS n FROM events WINDOW HOPPING (SIZE 20 SECONDS, ADVANCE BY 10 SECONDS, GRACE PERIOD 100 SECONDS) GROUP BY k EMIT FINAL')).changes).toEqual([]);
    // SESSION gap 5 s, grace 0, EMIT FINAL: a session closes when end + 5 s < stream time. In arrival order:
    // a@8 s comes at stream time 12 s and joins a's [9.5, 10] (10 + 5 < 12 is false): [8, 10]; b@11 joins [12, 12];
    // b@19 comes at 25 s alone: 19 + 5 < 25, late.
    const { changes } = await run('SELECT k, COUNT(*) AS n, SUM(v) AS total FROM events WINDOW SESSION (5 SECONDS, GRACE PERIOD 0 SECONDS) GROUP BY k EMIT FINAL');
    const rows = changes.map((c) => [c.kind, c.row[0], c.row[1], c.row[2], (c.row[3] as number) - base, (c.row[4] as number) - base]);
    expect(rows).toEqual([
      // At 9.5 s (a@9.5): a's [1, 1] (1 + 5 < 9.5) and b's [3, 3] (3 + 5 < 9.5) close, a's first.
      ['+I', 'a', 1, 1, 1_000, 1_000],
      ['+I', 'b', 1, 2, 3_000, 3_000],
      // At 25 s (a@25): a's [8, 10] (15 < 25) and b's [11, 12] (17 < 25).
      ['+I', 'a', 3, 13, 8_000, 10_000],
      ['+I', 'b', 2, 12, 11_000, 12_000],
      // At 40 s (c@40): a's [21, 25] (30 < 40).
      ['+I', 'a', 2, 18, 21_000, 25_000],
    ]);
  });

  it('EXPLAIN shows the ksqlDB window aggregation, its emit mode, stream time and state', async () => {
    const r = await eddy.execute('EXPLAIN SELECT k, COUNT(*) AS n FROM events WINDOW HOPPING (SIZE 20 SECONDS, ADVANCE BY 10 SECONDS) GROUP BY k EMIT CHANGES');
    if (r.kind !== 'explain') throw new Error('expected explain');
    expect(r.text).toContain('LogicalKsqlWindowAggregate(window=[HOPPING(SIZE 20000 ms, ADVANCE BY 10000 ms, GRACE 86400000 ms)], emit=[CHANGES], streamTime=[max(ts)], group=[k], aggs=[COUNT(*)])');
    expect(r.text).toMatch(/KsqlWindowAggregate\(window=\[HOPPING\(SIZE 20000 ms, ADVANCE BY 10000 ms, GRACE 86400000 ms\)\], emit=\[CHANGES\], streamTime=\[max\(ts\)\], group=\[k\], aggs=\[COUNT\(\*\)\]\), state=\[windows, timers, watermark\]/);
  });

  it('refuses a WINDOW clause without GROUP BY, ungrouped columns, and EMIT FINAL without a window, with positions', async () => {
    const error = async (sql: string): Promise<{ message: string; at: string }> => {
      try {
        await eddy.execute(sql);
      } catch (e) {
        if (!(e instanceof EddyError)) throw e;
        const d = e.diagnostics[0]!;
        return { message: d.message, at: d.span ? sql.slice(d.span.start, d.span.end) : '' };
      }
      throw new Error(`no error: ${sql}`);
    };
    expect(await error('SELECT k FROM events WINDOW TUMBLING (SIZE 1 SECOND) EMIT CHANGES')).toEqual({
      message: 'A WINDOW clause needs a GROUP BY: it windows an aggregation',
      at: 'WINDOW TUMBLING (SIZE 1 SECOND)',
    });
    expect(await error('SELECT k, v, COUNT(*) FROM events WINDOW TUMBLING (SIZE 1 SECOND) GROUP BY k')).toMatchObject({ at: 'v' });
    expect((await error('SELECT k, COUNT(*) FROM events GROUP BY k EMIT FINAL')).message).toBe('EMIT FINAL is only supported for windowed aggregations');
  });
});
