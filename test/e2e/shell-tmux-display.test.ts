/**
 * What the shell shows in a real terminal (tmux, see ./tmux.ts): completion inside WITH (...), wide results
 * scrolled with ←/→ and laid out the same way at the end, the quick start's numbers at 80 columns, tableau
 * rows aligned under their header, SHOW CREATE TABLE, CLEAR and Ctrl-L. Needs `npm run build` first.
 */
import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { killTerminals, promptLine, ride, setup, Tmux } from './tmux.js';

afterEach(killTerminals);

const ROOT = join(__dirname, '..', '..');

async function shellAt(size: { width: number; height: number }): Promise<{ t: Tmux; data: string; dir: string }> {
  const { dir, data, init, history } = setup();
  const t = new Tmux();
  t.start(['-i', init], { EDDY_HISTORY_FILE: history }, size);
  await t.waitFor('the prompt', (s) => promptLine(s) === 'eddy>');
  return { t, data, dir };
}

/** Where `│` stands in a line. */
const bars = (line: string) => [...line].flatMap((c, i) => (c === '│' ? [i] : []));

describe('display in tmux', () => {
  it('completes option keys inside WITH: one format prefix, the error options, datagen fields of the columns', async () => {
    const { t } = await shellAt({ width: 150, height: 30 });
    const start = "CREATE TABLE f (a INT) WITH ('connector' = 'filesystem', 'path' = 'x.json', 'format' = 'json', ";
    t.type(`${start}'json.ig`);
    t.key('Tab');
    await t.waitFor('the json option', (s) => promptLine(s) === `eddy> ${start}'json.ignore-parse-errors'`);
    t.key('C-u');
    t.type(`${start}'err`);
    t.key('Tab');
    let screen = await t.waitFor('the error options listed', (s) => s.includes('errors.dead-letter.table'));
    expect(screen).toMatch(/errors\.policy {2}errors\.dead-letter\.table {2}errors\.max-record-bytes/);
    expect(promptLine(screen)).toBe(`eddy> ${start}'errors.`);
    t.key('C-u');
    const gen = "CREATE TABLE g (id BIGINT, name STRING) WITH ('connector' = 'datagen', ";
    t.type(`${gen}'fields.name.l`);
    t.key('Tab');
    await t.waitFor('the field option', (s) => promptLine(s) === `eddy> ${gen}'fields.name.length'`);
    t.key('C-u');
    t.type(`${gen}'fields.i`);
    t.key('Tab');
    screen = await t.waitFor('the id field options', (s) => s.includes('fields.id.kind'));
    expect(screen).not.toContain('#');
    expect(screen).not.toContain('json.json.');
  });

  it('scrolls the columns of a wide result with ←/→, and prints every column at the end without wrapping', async () => {
    const { t, data } = await shellAt({ width: 60, height: 24 });
    t.type("SELECT taxi_id, passenger_cnt, ts, 'a rather long text value' AS note, ts AS ts2, taxi_id * 1000000 AS big FROM rides;");
    t.key('Enter');
    await t.see('no rows yet');
    appendFileSync(data, ride(1, 2, '2024-05-01 10:00:10') + ride(2, 3, '2024-05-01 10:01:10'));
    let screen = await t.see('rows 1–2 of 2');
    const header = (s: string) => s.split('\n').find((l) => /^ ?\w+ +│/.test(l))?.trim().split(/\s*│\s*/);
    expect(screen).toContain('columns 1–4 of 6 (←→)');
    expect(header(screen)).toEqual(['taxi_id', 'passenger_cnt', 'ts', 'note']);
    t.key('Right');
    screen = await t.see('columns 2–');
    expect(header(screen)![0]).toBe('passenger_cnt');
    t.key('Right');
    t.key('Right');
    screen = await t.waitFor('the last columns', (s) => header(s)?.[0] === 'note');
    expect(header(screen)).toEqual(['note', 'ts2', 'big']);
    // Scrolled this far, the columns are wide enough for their whole values.
    expect(screen).toMatch(/a rather long text value │ 2024-05-01 10:01:10\.000 │ 2000000\n/);
    t.key('Left');
    screen = await t.waitFor('one column back', (s) => header(s)?.[0] === 'ts');
    t.key('C-c');
    screen = await t.waitFor('the prompt', (s) => promptLine(s) === 'eddy>' && s.includes('cancelled'));
    // The final table: the first columns as they were shown, then the others, none past the edge.
    const lines = screen.split('\n');
    const first = lines.indexOf('columns 1–4 of 6');
    const second = lines.indexOf('columns 5–6 of 6');
    expect(first).toBeGreaterThan(-1);
    expect(second).toBeGreaterThan(first);
    expect(lines.slice(second + 1, second + 5).map((l) => l.trim())).toEqual([
      'ts2                     │ big',
      '─────────────────────────┼─────────'.trim(),
      '2024-05-01 10:00:10.000 │ 1000000',
      '2024-05-01 10:01:10.000 │ 2000000',
    ]);
  });

  it("shows the quick start's numbers at 80 columns", async () => {
    const { dir } = setup();
    // The README's first command runs examples/taxi/tables.sql and hot-spots.sql; the same, over 56 rides.
    const rides = join(dir, 'taxi.json');
    const lines: string[] = [];
    for (let i = 0; i < 30; i++) lines.push(JSON.stringify({ ride_id: i, taxi_id: i, is_start: true, lon: -73.991, lat: 40.751, passenger_cnt: 1, ts: `2024-05-01 10:0${Math.floor(i / 10)}:${String(i).padStart(2, '0')}` }));
    for (let i = 0; i < 26; i++) lines.push(JSON.stringify({ ride_id: 100 + i, taxi_id: i, is_start: true, lon: -73.981, lat: 40.761, passenger_cnt: 1, ts: `2024-05-01 10:1${Math.floor(i / 10)}:${String(i).padStart(2, '0')}` }));
    writeFileSync(rides, lines.join('\n') + '\n');
    const tables = join(dir, 'taxi-tables.sql');
    const { readFileSync } = await import('node:fs');
    writeFileSync(
      tables,
      readFileSync(join(ROOT, 'examples', 'taxi', 'tables.sql'), 'utf8')
        .replace("'examples/taxi/data/rides.json'", `'${rides}'`)
        .replace(/,\s*'replay.speedup' = '120'/, ''),
    );
    const t = new Tmux();
    t.start(['-i', tables, '-f', join(ROOT, 'examples', 'taxi', 'hot-spots.sql')], { EDDY_HISTORY_FILE: join(dir, 'history') }, { width: 80, height: 24 });
    const screen = await t.see('[eddy exited 0]', 60_000);
    const rows = screen.split('\n').filter((l) => l.startsWith('2024-05-01'));
    // Window 10:00 has 30 starts in cell (-74.0, 40.75); window 10:10 has 26 in (-73.99, 40.76).
    expect(rows.map((r) => r.split(/\s*│\s*/).map((c) => c.trim()))).toEqual([
      ['2024-05-01 10:00:00.000', '2024-05-01 10:10:00.000', '-74.0', '40.75', '30'],
      ['2024-05-01 10:10:00.000', '2024-05-01 10:20:00.000', '-73.99', '40.76', '26'],
    ]);
    expect(screen).not.toContain('…');
  });

  it('aligns tableau rows under their header', async () => {
    const { t, data } = await shellAt({ width: 80, height: 24 });
    t.type("SET 'sql-client.execution.result-mode' = 'tableau';");
    t.key('Enter');
    await t.see("= 'tableau'.");
    t.type('SELECT taxi_id, passenger_cnt, ts FROM rides;');
    t.key('Enter');
    await t.see('● running');
    appendFileSync(data, ride(1, 2, '2024-05-01 10:00:10') + ride(22222, 3, '2024-05-01 10:01:10'));
    const screen = await t.see('22222');
    const lines = screen.split('\n');
    const head = lines.findIndex((l) => /taxi_id\s+│ passenger_cnt\s+│ ts/.test(l));
    expect(head).toBeGreaterThan(-1);
    const rows = lines.slice(head + 2, head + 4);
    expect(rows.map((r) => r.split('│').map((c) => c.trim()))).toEqual([
      ['1', '2', '2024-05-01 10:00:10.000'],
      ['22222', '3', '2024-05-01 10:01:10.000'],
    ]);
    for (const r of rows) expect(bars(r)).toEqual(bars(lines[head]!));
    t.key('C-c');
  });

  it('shows SHOW CREATE TABLE, and clears the screen with CLEAR and Ctrl-L', async () => {
    const { t, data } = await shellAt({ width: 160, height: 32 });
    t.type('SHOW CREATE TABLE rides;');
    t.key('Enter');
    // The statement as it was written (two lines), not squeezed into a table cell.
    let screen = await t.see("'100 ms');");
    expect(screen).toContain(
      [
        'CREATE TABLE rides (taxi_id INT, passenger_cnt INT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts)',
        `WITH ('connector' = 'filesystem', 'path' = '${data}', 'format' = 'json', 'source.monitor-interval' = '100 ms');`,
      ].join('\n'),
    );
    t.type('SHOW TABLE;');
    t.key('Enter');
    screen = await t.see('did you mean `SHOW TABLES`?');
    expect(screen).toContain('There is no SHOW TABLE: Eddy has SHOW TABLES, SHOW VIEWS,');
    t.type('CLEAR;');
    t.key('Enter');
    screen = await t.waitFor('a cleared screen', (s) => !s.includes('SHOW CREATE') && promptLine(s) === 'eddy>');
    expect(screen.trim()).toBe('eddy>');
    t.type('SELECT 5 AS five;');
    t.key('Enter');
    await t.see('[INFO] Query job-1 finished');
    t.type('SELECT 6');
    t.key('C-l');
    // Ctrl-L clears the screen and keeps what is being typed.
    screen = await t.waitFor('a cleared screen', (s) => !s.includes('five'));
    expect(screen.trim()).toBe('eddy> SELECT 6');
  });
});
