/**
 * The taxi example's second half, `examples/taxi/airport-trips.sql`, run as the README runs it (`eddy run`
 * with `examples/taxi/tables.sql`) over a ride file written by `examples/taxi/generate.mjs`: its windows
 * equal a batch computation written here in plain JS over the same file (ride starts joined with their ends
 * by ride id within an hour, drop-offs at JFK or LaGuardia by the zone boxes, HOP windows of 1 hour every 15
 * minutes on the end time, trips and average minutes per airport and window).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runEddy, tempDir } from './helpers.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const TAXI = join(ROOT, 'examples', 'taxi');
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

interface Ride {
  ride_id: number;
  is_start: boolean;
  lon: number;
  lat: number;
  ts: string;
}

const millis = (ts: string) => Date.parse(ts.replace(' ', 'T') + 'Z');
const text = (ms: number) => new Date(ms).toISOString().replace('T', ' ').replace('Z', '');

/** The airport of a drop-off, by the boxes of the `ride_ends` view in tables.sql. */
function airport(lon: number, lat: number): string | undefined {
  if (lon >= -73.83 && lon <= -73.74 && lat >= 40.61 && lat <= 40.67) return 'JFK';
  if (lon >= -73.89 && lon <= -73.85 && lat >= 40.765 && lat <= 40.79) return 'LGA';
  return undefined;
}

/** [window_start, window_end, airport, trips, average minutes] per window and airport, in plain JS. */
function batch(rides: readonly Ride[]): [string, string, string, number, number][] {
  const starts = new Map<number, number[]>();
  for (const r of rides) if (r.is_start) starts.set(r.ride_id, [...(starts.get(r.ride_id) ?? []), millis(r.ts)]);
  const groups = new Map<string, { trips: number; seconds: number }>();
  for (const e of rides) {
    const zone = e.is_start ? undefined : airport(e.lon, e.lat);
    if (zone === undefined) continue;
    const end = millis(e.ts);
    for (const start of starts.get(e.ride_id) ?? []) {
      if (end < start || end > start + HOUR) continue;
      // Every 1-hour window sliding by 15 minutes that holds the end time.
      const last = Math.floor(end / (15 * MINUTE)) * 15 * MINUTE;
      for (let ws = last; ws > end - HOUR; ws -= 15 * MINUTE) {
        const key = JSON.stringify([ws, zone]);
        const g = groups.get(key) ?? { trips: 0, seconds: 0 };
        g.trips++;
        g.seconds += Math.floor((end - start) / 1000);
        groups.set(key, g);
      }
    }
  }
  return [...groups].map(([key, g]) => {
    const [ws, zone] = JSON.parse(key) as [number, string];
    return [text(ws), text(ws + HOUR), zone, g.trips, g.seconds / g.trips / 60];
  });
}

describe('examples/taxi/airport-trips.sql', () => {
  it('equals a batch computation of the trips to JFK and LGA per sliding hour', async () => {
    const dir = tempDir('eddy-taxi-');
    const data = join(dir, 'rides.json');
    // Fewer rides per taxi than the default, so rides are longer (some over an hour) and some end after the last start.
    execFileSync(process.execPath, [join(TAXI, 'generate.mjs'), '--rides', '4000', '--taxis', '2500', '--seed', '11', '--out', data]);
    const tables = join(dir, 'tables.sql');
    const ddl = readFileSync(join(TAXI, 'tables.sql'), 'utf8');
    expect(ddl).toContain("'examples/taxi/data/rides.json'");
    // The same tables over the test's file, without pacing (the README's run replays at 120x).
    writeFileSync(tables, ddl.replace("'examples/taxi/data/rides.json'", `'${data}'`).replace(/,\s*'replay.speedup' = '120'/, ''));

    const r = await runEddy(['run', '-i', tables, join(TAXI, 'airport-trips.sql')], {}, 120_000);
    expect(r.status).toBe(0);
    // The file's 8,000 events are read twice (starts and ends); none is late (the watermark allows 60 s).
    expect(r.stderr).toMatch(/Query finished: 16,000 rows in, \d+ rows out, 0 late rows dropped, 0 bad rows skipped/);
    const rows = r.stdout
      .split('\n')
      .filter((l) => l.startsWith('| 20'))
      .map((l) => l.split('|').slice(1, -1).map((c) => c.trim()));
    const got = rows.map(([ws, we, zone, trips, avg]) => [ws!, we!, zone!, Number(trips), Number(avg)] as const).sort((a, b) => (a[0] + a[2]).localeCompare(b[0] + b[2]));

    const rides = readFileSync(data, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Ride);
    const expected = batch(rides).sort((a, b) => (a[0] + a[2]).localeCompare(b[0] + b[2]));
    // Enough trips to both airports, in enough windows, for the comparison to mean something.
    expect(expected.length).toBeGreaterThan(12);
    expect(expected.filter((e) => e[2] === 'LGA').length).toBeGreaterThan(5);
    expect(got.map((g) => g.slice(0, 4))).toEqual(expected.map((e) => e.slice(0, 4)));
    // The average is printed rounded to one decimal.
    got.forEach((g, i) => expect(Math.abs(g[4] - expected[i]![4])).toBeLessThanOrEqual(0.05 + 1e-9));
  });
});
