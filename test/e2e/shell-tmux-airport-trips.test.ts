/**
 * The README's `npm run taxi:airports` in a real terminal (tmux, see ./tmux.ts): the shell runs
 * examples/taxi/tables.sql and airport-trips.sql, here over a handful of rides checked by hand, and shows the
 * windows as one table. Needs `npm run build` first.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { killTerminals, setup, Tmux } from './tmux.js';

afterEach(killTerminals);

const ROOT = join(__dirname, '..', '..');
const MIDTOWN = { lon: -73.985, lat: 40.752 };
const JFK = { lon: -73.781, lat: 40.642 };
const LGA = { lon: -73.872, lat: 40.776 };

describe('airport trips in tmux', () => {
  it('shows the average trip time to JFK and LGA per sliding hour', async () => {
    const { dir } = setup();
    const event = (ride: number, start: boolean, at: { lon: number; lat: number }, time: string) =>
      JSON.stringify({ ride_id: ride, taxi_id: ride, is_start: start, ...at, passenger_cnt: 1, ts: `2024-05-01 ${time}:00.000` });
    const rides = join(dir, 'taxi.json');
    // Rides 1 and 2 go to JFK (30 and 20 minutes), 3 to LaGuardia (12), 4 elsewhere, 5 to JFK in 70 minutes
    // (over the join's hour), ride 6 has no start.
    const lines = [
      event(1, true, MIDTOWN, '10:00'),
      event(4, true, MIDTOWN, '10:00'),
      event(5, true, MIDTOWN, '10:00'),
      event(2, true, MIDTOWN, '10:05'),
      event(3, true, MIDTOWN, '10:10'),
      event(3, false, LGA, '10:22'),
      event(2, false, JFK, '10:25'),
      event(1, false, JFK, '10:30'),
      event(4, false, MIDTOWN, '10:40'),
      event(6, false, JFK, '10:50'),
      event(5, false, JFK, '11:10'),
    ];
    writeFileSync(rides, lines.join('\n') + '\n');
    const tables = join(dir, 'taxi-tables.sql');
    writeFileSync(
      tables,
      readFileSync(join(ROOT, 'examples', 'taxi', 'tables.sql'), 'utf8')
        .replace("'examples/taxi/data/rides.json'", `'${rides}'`)
        .replace(/,\s*'replay.speedup' = '120'/, ''),
    );
    const t = new Tmux();
    t.start(['-i', tables, '-f', join(ROOT, 'examples', 'taxi', 'airport-trips.sql')], { EDDY_HISTORY_FILE: join(dir, 'history') }, { width: 100, height: 30 });
    const screen = await t.see('[eddy exited 0]', 60_000);
    const rows = screen
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l.startsWith('2024-05-01'))
      .map((r) => r.split(/\s*│\s*/).map((c) => c.trim()));
    // Each end falls in the four 1-hour windows that start up to 45 minutes before it, on the quarter hour.
    const w = (start: string, end: string, airport: string, trips: number, avg: string) => [`2024-05-01 ${start}:00.000`, `2024-05-01 ${end}:00.000`, airport, String(trips), avg];
    expect(rows.sort()).toEqual(
      [
        w('09:30', '10:30', 'JFK', 1, '20.0'),
        w('09:45', '10:45', 'JFK', 2, '25.0'),
        w('10:00', '11:00', 'JFK', 2, '25.0'),
        w('10:15', '11:15', 'JFK', 2, '25.0'),
        w('10:30', '11:30', 'JFK', 1, '30.0'),
        w('09:30', '10:30', 'LGA', 1, '12.0'),
        w('09:45', '10:45', 'LGA', 1, '12.0'),
        w('10:00', '11:00', 'LGA', 1, '12.0'),
        w('10:15', '11:15', 'LGA', 1, '12.0'),
      ].sort(),
    );
    expect(screen).not.toContain('…');
  });
});
