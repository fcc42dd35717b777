/**
 * The whole shell rendered with ink's testing library over a real Eddy session: typing and running
 * statements, multi-line input, completion, history and its search, errors with carets, continuous
 * results updated in place in the table and changelog modes, Ctrl-C and Ctrl-D.
 */
import { appendFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createElement } from 'react';
import { cleanup, render } from 'ink-testing-library';
import { afterEach, describe, expect, it } from 'vitest';
import { Eddy } from '../../src/index.js';
import { History } from '../../repl/history.js';
import { ShellController } from '../../repl/shell-controller.js';
import { Shell } from '../../repl/shell.js';

const controllers: ShellController[] = [];
const sessions: Eddy[] = [];
afterEach(async () => {
  cleanup();
  await Promise.all(sessions.splice(0).map((e) => e.close()));
  controllers.length = 0;
});

const UP = '\x1b[A';
const CTRL_C = '\x03';
const CTRL_D = '\x04';
const CTRL_R = '\x12';

async function waitFor(what: string, check: () => boolean, timeoutMs = 15_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Starts a shell over a new session after running `init`; returns helpers to type and read the screen. */
async function shell(init = '', history = new History(undefined)) {
  const eddy = new Eddy();
  sessions.push(eddy);
  let exitCode: number | undefined;
  const controller = new ShellController({ eddy, history, color: false, onExit: (code) => (exitCode = code) });
  controllers.push(controller);
  const app = render(createElement(Shell, { controller, color: false, timeZone: () => 'UTC' }));
  void controller.start({ init: init ? [{ name: 'init.sql', text: init }] : [] });
  const screen = () => app.lastFrame() ?? '';
  await waitFor('the prompt', () => controller.phase === 'prompt' && screen().includes('eddy>'));
  return {
    controller,
    screen,
    exitCode: () => exitCode,
    /** Types text (a chunk, as a terminal delivers it) and lets the shell react. */
    async type(text: string) {
      app.stdin.write(text);
      await new Promise((r) => setTimeout(r, 30));
    },
    /** Waits until the screen contains `text`. */
    async see(text: string, timeoutMs?: number) {
      await waitFor(`"${text}" on screen:\n${screen()}`, () => screen().includes(text), timeoutMs);
    },
    /** The last line that starts with the prompt (the input being edited). */
    input: () => screen().split('\n').filter((l) => /^(eddy>|   ->)/.test(l)).slice(-1)[0],
  };
}

function rideTable(dir: string, monitored: boolean): string {
  const path = join(dir, 'events.json');
  writeFileSync(path, '');
  return `CREATE TABLE events (k STRING, v INT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts) WITH ('connector' = 'filesystem', 'path' = '${path}', 'format' = 'json'${monitored ? ", 'source.monitor-interval' = '100 ms'" : ''});`;
}

const line = (k: string, v: number, ts: string) => JSON.stringify({ k, v, ts }) + '\n';

describe('the shell', () => {
  it('runs a statement typed at the prompt and prints its result, then shows the prompt again', async () => {
    const s = await shell("CREATE TABLE t (a INT) WITH ('connector' = 'datagen');");
    expect(s.screen()).toContain("[INFO] Table 't' created.");
    await s.type('SHOW TABLES;\r');
    await s.see('1 row in set');
    expect(s.screen()).toContain('eddy> SHOW TABLES;\n table name\n────────────\n t\n1 row in set');
    expect(s.controller.phase).toBe('prompt');
  });

  it('continues a statement without a semicolon on the next line, and runs it once it ends', async () => {
    const s = await shell();
    await s.type('SELECT 40 + 2\r');
    expect(s.screen()).toContain('eddy> SELECT 40 + 2\n   ->'); // (the cursor's space is trimmed)
    await s.type('AS answer;\r');
    await s.see('Received a total of 1 row');
    expect(s.screen()).toContain('answer');
    expect(s.screen()).toMatch(/\b42\b/);
  });

  it('completes a column name with Tab', async () => {
    const s = await shell("CREATE TABLE rides (ride_id BIGINT, passenger_cnt INT) WITH ('connector' = 'datagen');");
    await s.type('SELECT pass');
    await s.type('\t');
    expect(s.input()).toBe('eddy> SELECT passenger_cnt');
    await s.type(' FROM ri\t');
    expect(s.input()).toBe('eddy> SELECT passenger_cnt FROM rides');
  });

  it('shows a syntax error with carets under the offending token and the hint', async () => {
    const s = await shell();
    await s.type('SELECT a FORM t;\r');
    await s.see('hint');
    const lines = s.screen().split('\n');
    const i = lines.indexOf('1 | SELECT a FORM t;');
    expect(i).toBeGreaterThan(0);
    expect(lines[i + 1]).toBe('  |          ^^^^');
    expect(s.screen()).toContain('did you mean `FROM`?');
    expect(s.controller.phase).toBe('prompt');
  });

  it('recalls history with Up and finds it with Ctrl-R', async () => {
    const history = new History(undefined);
    history.add('SELECT 1 AS one;');
    history.add('SHOW FUNCTIONS;');
    const s = await shell('', history);
    await s.type(UP);
    expect(s.input()).toBe('eddy> SHOW FUNCTIONS;');
    await s.type(UP);
    expect(s.input()).toBe('eddy> SELECT 1 AS one;');
    await s.type('\x1b[B\x1b[B'); // back down to the (empty) draft
    expect(s.input()).toBe('eddy>');
    await s.type(CTRL_R);
    await s.type('one');
    await s.see("(reverse-i-search)'one': SELECT 1 AS one;");
    await s.type('\r');
    expect(s.input()).toBe('eddy> SELECT 1 AS one;');
  });

  it('prints HELP with the statements and examples', async () => {
    const s = await shell();
    await s.type('help\r');
    await s.see('Statements:');
    expect(s.screen()).toMatch(/EXPLAIN\s+EXPLAIN SELECT \* FROM t WHERE id > 3;/);
  });

  it('shows a windowed query in table mode updated in place as the file grows; Ctrl-C cancels it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'eddy-shell-'));
    const s = await shell(rideTable(dir, true) + "\nSET 'sql-client.execution.result-mode' = 'table';");
    const path = join(dir, 'events.json');
    appendFileSync(path, line('a', 1, '2024-01-01 00:00:01') + line('b', 1, '2024-01-01 00:00:02') + line('a', 1, '2024-01-01 00:00:12'));
    await s.type("SELECT window_start, COUNT(*) AS n FROM TABLE(TUMBLE(TABLE events, DESCRIPTOR(ts), INTERVAL '10' SECOND)) GROUP BY window_start, window_end;\r");
    // The first window [00:00:00, 00:00:10) closes when the watermark (the newest ts) passes it: 2 rows.
    await s.see('2024-01-01 00:00:00.000 │ 2');
    await s.see('rows 1–1 of 1 · following');
    expect(s.screen()).toContain('● running');
    appendFileSync(path, line('c', 1, '2024-01-01 00:00:25'));
    // The second window [00:00:10, 00:00:20) holds only the row at 00:00:12.
    await s.see('2024-01-01 00:00:10.000 │ 1');
    const screen = s.screen();
    expect(screen.split('\n').filter((l) => /^ window_start +│ n$/.test(l)).length).toBe(1); // one header: updated in place
    expect(screen).toContain('rows 1–2 of 2 · following');
    await s.type(CTRL_C);
    await s.see('cancelled: 4 rows in, 2 rows out');
    await waitFor('the prompt', () => s.controller.phase === 'prompt');
    expect(s.screen()).toContain('2 rows in the result');
    expect(s.screen()).not.toContain('● running');
    expect(sessions[0]!.running()).toEqual([]);
  });

  it('shows an updating result as +I/-U/+U changes in changelog mode', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'eddy-shell-'));
    const s = await shell(rideTable(dir, true) + "\nSET 'sql-client.execution.result-mode' = 'changelog';");
    const path = join(dir, 'events.json');
    appendFileSync(path, line('a', 5, '2024-01-01 00:00:01'));
    await s.type('SELECT k, SUM(v) AS total FROM events GROUP BY k;\r');
    await s.see('changes 1–1 of 1');
    appendFileSync(path, line('a', 7, '2024-01-01 00:00:02'));
    await s.see('changes 1–3 of 3');
    await s.type(CTRL_C);
    await s.see('3 changes');
    const rows = s.screen().split('\n').filter((l) => /^ [+-][IUD] /.test(l));
    expect(rows.map((l) => l.replace(/\s+/g, ' ').trim())).toEqual(['+I │ a │ 5', '-U │ a │ 5', '+U │ a │ 12']);
  });

  it('scrolls a result longer than the screen', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'eddy-shell-'));
    const s = await shell(rideTable(dir, true) + "\nSET 'sql-client.execution.result-mode' = 'table';");
    const path = join(dir, 'events.json');
    appendFileSync(path, Array.from({ length: 40 }, (_, i) => line(`k${i}`, i, '2024-01-01 00:00:01')).join(''));
    await s.type('SELECT k, v FROM events;\r');
    // 24 terminal rows (the testing library's default) leave 17 for rows; following shows the last ones.
    await s.see('rows 24–40 of 40 · following');
    await s.type('\x1b[5~'); // PgUp
    await s.see('rows 7–23 of 40 · scrolled (End follows)');
    expect(s.screen()).toMatch(/ k6\s+│\s+6\n/);
    await s.type('\x1b[F'); // End
    await s.see('rows 24–40 of 40 · following');
    await s.type(CTRL_C);
    await waitFor('the prompt', () => s.controller.phase === 'prompt');
  });

  it('shows EXPLAIN as a tree and a pull query over a materialized view as a table', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'eddy-shell-'));
    const s = await shell(rideTable(dir, false));
    writeFileSync(join(dir, 'events.json'), line('a', 1, '2024-01-01 00:00:01') + line('b', 2, '2024-01-01 00:00:02') + line('a', 3, '2024-01-01 00:00:03'));
    await s.type('EXPLAIN SELECT k FROM events WHERE v > 1;\r');
    await s.see('Optimized Physical Plan');
    expect(s.screen()).toMatch(/\n└─ Calc\(select=\[k\], where=\[\(v > 1\)\]\)/);
    expect(s.screen()).toMatch(/\n   └─ TableSourceScan\(table=\[events\]/);
    await s.type('CREATE MATERIALIZED VIEW totals AS SELECT k, SUM(v) AS total FROM events GROUP BY k;\r');
    await s.see('[INFO] Job job-1 finished');
    await s.type('SELECT * FROM totals;\r');
    await s.see('2 rows in set');
    const table = s.screen().slice(s.screen().lastIndexOf('eddy> SELECT * FROM totals;'));
    // a: 1 + 3, b: 2 (in the view's key order)
    expect(table.split('\n').slice(1, 5).map((l) => l.replace(/\s+/g, ' ').trim())).toEqual(['k │ total', '───┼───────', 'a │ 4', 'b │ 2']);
  });

  it("warns before a pull query's rows when the view's job has failed, as psql's WARNING does", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'eddy-shell-'));
    const s = await shell(rideTable(dir, false));
    // The second line is not JSON: under the default 'errors.policy' = 'fail' the view's job fails there.
    writeFileSync(join(dir, 'events.json'), line('a', 1, '2024-01-01 00:00:01') + 'not json\n');
    await s.type('CREATE MATERIALIZED VIEW totals AS SELECT k, SUM(v) AS total FROM events GROUP BY k;\r');
    await s.see('invalid-json');
    await s.type('SELECT * FROM totals;\r');
    await s.see('in set');
    const after = s.screen().slice(s.screen().lastIndexOf('eddy> SELECT * FROM totals;'));
    const warning = after.split('\n').find((l) => l.startsWith('[WARN] '));
    expect(warning).toMatch(/totals/);
    expect(warning).toMatch(/fail/i);
    expect(after.indexOf('[WARN] ')).toBeLessThan(after.indexOf('in set'));
  });

  it('exits with Ctrl-D on an empty line', async () => {
    const s = await shell();
    await s.type('x');
    await s.type(CTRL_D); // not empty: deletes forward (nothing here)
    expect(s.exitCode()).toBeUndefined();
    await s.type('\x7f');
    await s.type(CTRL_D);
    await waitFor('exit', () => s.exitCode() === 0);
  });
});
