/**
 * The shell's input in a real terminal (tmux, see ./tmux.ts): a pasted block of statements (plain and
 * bracketed paste) and keys typed ahead all run, in order, and enter the history; Ctrl-D during a query only
 * cancels it; a resize during a table-mode query leaves one header, on screen and in the final output.
 * Needs `npm run build` first (as `npm test` does).
 */
import { appendFileSync, readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { killTerminals, promptLine, ride, setup, Tmux } from './tmux.js';

afterEach(killTerminals);

/** Three tables and SHOW TABLES, as a user would paste them from a file (one multi-line statement). */
function block(names: readonly string[]): string {
  return [
    `CREATE TABLE ${names[0]} (x INT) WITH ('connector' = 'datagen');`,
    `CREATE TABLE ${names[1]} (\n  x INT,\n  y STRING\n) WITH ('connector' = 'datagen');`,
    `CREATE TABLE ${names[2]} (x INT) WITH ('connector' = 'datagen');`,
    'SHOW TABLES;',
    '',
  ].join('\n');
}

const HEADER = /^ window_start\s+│ passengers$/;
const WINDOW_QUERY =
  "SELECT window_start, SUM(passenger_cnt) AS passengers FROM TABLE(TUMBLE(TABLE rides, DESCRIPTOR(ts), INTERVAL '1' MINUTE)) GROUP BY window_start, window_end;";

describe('input in tmux', () => {
  for (const bracketed of [false, true]) {
    it(`runs every statement of a ${bracketed ? 'bracketed' : 'plain'} paste, in order, and records each in the history`, async () => {
      const { init, history } = setup();
      const t = new Tmux();
      t.start(['-i', init], { EDDY_HISTORY_FILE: history });
      await t.waitFor('the prompt', (s) => promptLine(s) === 'eddy>');
      const names = bracketed ? ['pa', 'pb', 'pc'] : ['qa', 'qb', 'qc'];
      t.paste(block(names), bracketed);
      const screen = await t.waitFor('SHOW TABLES after the three tables', (s) => s.includes('4 rows in set') && promptLine(s) === 'eddy>');
      const lines = screen.split('\n').map((l) => l.trimEnd());
      // Each table was created, in the order pasted, and SHOW TABLES ran last and lists all three.
      const created = names.map((n) => lines.indexOf(`[INFO] Table '${n}' created.`));
      expect(created.every((i) => i > 0)).toBe(true);
      expect([...created].sort((a, b) => a - b)).toEqual(created);
      const show = lines.indexOf('eddy> SHOW TABLES;');
      expect(show).toBeGreaterThan(created[2]!);
      expect(lines.slice(show + 3, show + 7).map((l) => l.trim())).toEqual([...names, 'rides'].sort());
      // The multi-line statement ran whole (y is its second column).
      t.type(`DESCRIBE ${names[1]};`);
      t.key('Enter');
      await t.see('2 rows in set');
      // The history holds the four pasted statements, in order (then the DESCRIBE).
      const entries = readFileSync(history, 'utf8').trim().split('\n');
      expect(entries).toEqual([...block(names).trim().split(/(?<=;)\n/).map((s) => s.replace(/\n/g, '\\n')), `DESCRIBE ${names[1]};`]);
      // A pasted Tab is text, not completion (bracketed only: a plain paste cannot be told from typing).
      if (bracketed) {
        t.paste('SELECT\t42 AS answer;\n', true);
        await t.see('[INFO] Query job-1 finished');
        expect(t.screen()).toMatch(/ answer\n─+\n +42\n/);
      }
    });
  }

  it('runs statements typed ahead while the one before still runs', async () => {
    const { init, history } = setup();
    const t = new Tmux();
    t.start(['-i', init], { EDDY_HISTORY_FILE: history });
    await t.waitFor('the prompt', (s) => promptLine(s) === 'eddy>');
    t.type('SHOW FUNCTIONS;\rSELECT 2 AS two;\r');
    const screen = await t.waitFor('both results', (s) => s.includes('[INFO] Query job-1 finished') && promptLine(s) === 'eddy>');
    expect(screen).toMatch(/ two\n─+\n +2\n/);
    expect(readFileSync(history, 'utf8').trim().split('\n')).toEqual(['SHOW FUNCTIONS;', 'SELECT 2 AS two;']);
  });

  it('cancels a running query with Ctrl-D and stays open; Ctrl-D at an empty prompt exits', async () => {
    const { init, history } = setup();
    const t = new Tmux();
    t.start(['-i', init], { EDDY_HISTORY_FILE: history });
    await t.waitFor('the prompt', (s) => promptLine(s) === 'eddy>');
    t.type(WINDOW_QUERY);
    t.key('Enter');
    await t.see('● running');
    t.key('C-d');
    const screen = await t.waitFor('the prompt after Ctrl-D', (s) => promptLine(s) === 'eddy>' && s.includes('cancelled'));
    expect(screen).toMatch(/\[INFO\] Query job-1 cancelled/);
    expect(screen).not.toContain('[eddy exited');
    t.type('SELECT 1 AS still_here;');
    t.key('Enter');
    await t.see('still_here');
    await t.waitFor('the prompt', (s) => promptLine(s) === 'eddy>');
    t.key('C-d');
    await t.see('[eddy exited 0]');
  });

  it('keeps one header when the terminal is resized during a table-mode query, also in the final output', async () => {
    const { data, init, history } = setup();
    const t = new Tmux();
    t.start(['-i', init], { EDDY_HISTORY_FILE: history });
    await t.waitFor('the prompt', (s) => promptLine(s) === 'eddy>');
    t.type(WINDOW_QUERY);
    t.key('Enter');
    await t.see('no rows yet');
    // Window 10:00 holds 2 + 3 passengers; the ride at 10:01:05 closes it.
    appendFileSync(data, ride(1, 2, '2024-05-01 10:00:10') + ride(2, 3, '2024-05-01 10:00:40') + ride(3, 1, '2024-05-01 10:01:05'));
    await t.see('rows 1–1 of 1');
    const headers = (s: string) => s.split('\n').filter((l) => HEADER.test(l.trimEnd())).length;
    t.resize(60, 24);
    await new Promise((r) => setTimeout(r, 1000));
    let screen = await t.see('rows 1–1 of 1');
    expect(headers(screen)).toBe(1);
    t.resize(90, 30);
    await new Promise((r) => setTimeout(r, 1000));
    screen = await t.see('rows 1–1 of 1');
    expect(headers(screen)).toBe(1);
    expect(screen).toMatch(/ 2024-05-01 10:00:00\.000 │\s+5\n/);
    t.key('C-c');
    await t.waitFor('the prompt after Ctrl-C', (s) => promptLine(s) === 'eddy>' && s.includes('cancelled'));
    // The whole terminal history: one header (the final table's), and the final row.
    const all = t.history();
    expect(headers(all)).toBe(1);
    expect(all).toMatch(/ 2024-05-01 10:00:00\.000 │\s+5\n1 row in the result\n/);
  });
});
