/**
 * The shell in a real terminal: `bin/eddy.js` runs inside tmux; the test types with `send-keys` and reads
 * the screen with `capture-pane`, polling until what it expects appears (or a timeout). Each test has its
 * own tmux server (`-L`), killed afterwards. Needs `npm run build` first (as `npm test` does).
 */
import { execFileSync } from 'node:child_process';
import { appendFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

const BIN = join(__dirname, '..', '..', 'bin', 'eddy.js');
const servers: Tmux[] = [];

afterEach(() => {
  for (const t of servers.splice(0)) t.kill();
});

class Tmux {
  private readonly socket = `eddy-test-${process.pid}-${Math.random().toString(36).slice(2)}`;

  constructor() {
    servers.push(this);
  }

  private tmux(args: string[]): string {
    return execFileSync('tmux', ['-L', this.socket, '-f', '/dev/null', ...args], { encoding: 'utf8' });
  }

  /** Starts `eddy args` in a 110×32 terminal; the pane stays open after it exits, saying how it ended. */
  start(args: string[], env: Record<string, string>): void {
    const vars = Object.entries({ CI: 'false', NO_COLOR: '1', ...env }).map(([k, v]) => `${k}='${v}'`);
    const command = `env ${vars.join(' ')} '${process.execPath}' '${BIN}' ${args.map((a) => `'${a}'`).join(' ')}; echo "[eddy exited $?]"; sleep 600`;
    this.tmux(['new-session', '-d', '-s', 'main', '-x', '110', '-y', '32', command]);
  }

  /** Types text literally (sent as bytes, so `;` and quotes need no tmux escaping). */
  type(text: string): void {
    const hex = [...Buffer.from(text, 'utf8')].map((b) => b.toString(16).padStart(2, '0'));
    this.tmux(['send-keys', '-t', 'main', '-H', ...hex]);
  }

  /** Presses a key by tmux name: Enter, Tab, C-c, C-d, Up. */
  key(name: string): void {
    this.tmux(['send-keys', '-t', 'main', name]);
  }

  screen(): string {
    return this.tmux(['capture-pane', '-p', '-t', 'main']);
  }

  /** Polls the screen until `check` holds; fails with the screen when it does not in time. */
  async waitFor(what: string, check: (screen: string) => boolean, timeoutMs = 20_000): Promise<string> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const screen = this.screen();
      if (check(screen)) return screen;
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}; the screen:\n${screen}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  async see(text: string, timeoutMs?: number): Promise<string> {
    return this.waitFor(JSON.stringify(text), (s) => s.includes(text), timeoutMs);
  }

  kill(): void {
    try {
      this.tmux(['kill-server']);
    } catch {
      // Already gone.
    }
  }
}

/** The input line the cursor is on: the last line starting with the prompt. */
function promptLine(screen: string): string | undefined {
  return screen
    .split('\n')
    .filter((l) => l.startsWith('eddy>'))
    .at(-1)
    ?.trimEnd();
}

function setup(): { dir: string; data: string; init: string; history: string } {
  const dir = mkdtempSync(join(tmpdir(), 'eddy-tmux-'));
  const data = join(dir, 'rides.json');
  writeFileSync(data, '');
  const init = join(dir, 'tables.sql');
  writeFileSync(
    init,
    `CREATE TABLE rides (taxi_id INT, passenger_cnt INT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts)
WITH ('connector' = 'filesystem', 'path' = '${data}', 'format' = 'json', 'source.monitor-interval' = '100 ms');
SET 'sql-client.execution.result-mode' = 'table';
`,
  );
  return { dir, data, init, history: join(dir, 'history') };
}

const ride = (taxi: number, passengers: number, ts: string) => JSON.stringify({ taxi_id: taxi, passenger_cnt: passengers, ts }) + '\n';

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
    expect(screen).toContain(' job id │ job name │ status │ start time');
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
