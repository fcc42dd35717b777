/**
 * The shell in a real terminal (tmux, see ./tmux.ts): live results, completion, errors, history. Needs
 * `npm run build` first (as `npm test` does).
 */
import { appendFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { promptLine, ride, setup, killTerminals, Tmux } from './tmux.js';

afterEach(killTerminals);

const WINDOW_QUERY =
  "SELECT window_start, SUM(passenger_cnt) AS passengers FROM TABLE(TUMBLE(TABLE rides, DESCRIPTOR(ts), INTERVAL '1' MINUTE)) GROUP BY window_start, window_end;";

describe('the shell in tmux', () => {
  it('shows new windows of a query over a growing file in place, and Ctrl-C cancels it back to the prompt', async () => {
    const { data, init, history } = setup();
    const t = new Tmux();
    t.start(['-i', init], { EDDY_HISTORY_FILE: history });
    await t.see("[INFO] Set 'sql-client.execution.result-mode' = 'table'.");
    await t.waitFor('the prompt', (s) => promptLine(s) === 'eddy>');
    t.type(WINDOW_QUERY);
    t.key('Enter');
    await t.see('no rows yet');
    // Window 10:00: 2 + 3 passengers; it closes when a ride at 10:01:05 moves the watermark past 10:00:59.999.
    appendFileSync(data, ride(1, 2, '2024-05-01 10:00:10') + ride(2, 3, '2024-05-01 10:00:40') + ride(3, 1, '2024-05-01 10:01:05'));
    let screen = await t.see('rows 1–1 of 1');
    expect(screen).toMatch(/ 2024-05-01 10:00:00\.000 │\s+5\n/);
    // Window 10:01 holds 1 + 4 passengers; a ride at 10:02:30 closes it.
    appendFileSync(data, ride(4, 4, '2024-05-01 10:01:50') + ride(5, 1, '2024-05-01 10:02:30'));
    screen = await t.see('rows 1–2 of 2');
    expect(screen).toMatch(/ 2024-05-01 10:00:00\.000 │\s+5\n 2024-05-01 10:01:00\.000 │\s+5\n/);
    // In place: one header on screen, and the status line under the table.
    expect(screen.split('\n').filter((l) => /^ window_start\s+│ passengers$/.test(l.trimEnd()))).toHaveLength(1);
    expect(screen).toContain('● running');
    await t.see('watermark 2024-05-01 10:02:30.000');

    t.key('C-c');
    screen = await t.waitFor('the prompt after Ctrl-C', (s) => promptLine(s) === 'eddy>' && s.includes('cancelled'));
    expect(screen).toMatch(/\[INFO\] Query job-1 cancelled: 5 rows in, 2 rows out/);
    expect(screen).not.toContain('● running');
    t.type('SHOW JOBS;');
    t.key('Enter');
    screen = await t.see('0 rows in set');
    // SHOW JOBS is wider than the terminal: its columns come in panels, the first starting with these.
    expect(screen).toMatch(/^ ?job id │ job name │ status │ start time/m);
  });

  it('completes a column name with Tab and shows a syntax error with carets', async () => {
    const { init, history } = setup();
    const t = new Tmux();
    t.start(['-i', init], { EDDY_HISTORY_FILE: history });
    await t.waitFor('the prompt', (s) => promptLine(s) === 'eddy>');
    t.type('SELECT passen');
    t.key('Tab');
    await t.waitFor('the completed column', (s) => promptLine(s) === 'eddy> SELECT passenger_cnt');
    t.key('C-u');
    await t.waitFor('an empty prompt', (s) => promptLine(s) === 'eddy>');

    t.type('SELECT taxi_id FORM rides;');
    t.key('Enter');
    const screen = await t.see('= hint: did you mean `FROM`?');
    const lines = screen.split('\n').map((l) => l.trimEnd());
    const at = lines.indexOf('1 | SELECT taxi_id FORM rides;');
    expect(at).toBeGreaterThan(0);
    expect(lines[at + 1]).toBe('  |                ^^^^');
    expect(lines[at - 2]).toBe(' --> <input>:1:16');
  });

  it('keeps history across a restart', async () => {
    const { init, history } = setup();
    const first = new Tmux();
    first.start(['-i', init], { EDDY_HISTORY_FILE: history });
    await first.waitFor('the prompt', (s) => promptLine(s) === 'eddy>');
    first.type("SELECT 'remember me' AS note;");
    first.key('Enter');
    await first.see('[INFO] Query job-1 finished');
    expect(first.screen()).toMatch(/ note\n─+\n remember me\n/);
    await first.waitFor('the prompt', (s) => promptLine(s) === 'eddy>');
    first.key('C-d');
    await first.see('[eddy exited 0]');

    const second = new Tmux();
    second.start(['-i', init], { EDDY_HISTORY_FILE: history });
    await second.waitFor('the prompt', (s) => promptLine(s) === 'eddy>');
    second.key('Up');
    await second.waitFor('the statement from the last session', (s) => promptLine(s) === "eddy> SELECT 'remember me' AS note;");
  });
});
