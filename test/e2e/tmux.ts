/**
 * A real terminal for the shell's tests: `bin/eddy.js` runs inside tmux; a test types with `send-keys`,
 * pastes with `paste-buffer`, resizes with `resize-window` and reads the screen with `capture-pane`, polling
 * until what it expects appears (or a timeout). Each terminal has its own tmux server (`-L`), killed by
 * {@link killTerminals} (call it in `afterEach`). Needs `npm run build` first (as `npm test` does).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const BIN = join(__dirname, '..', '..', 'bin', 'eddy.js');
const servers: Tmux[] = [];

/** Kills the tmux servers the tests started. */
export function killTerminals(): void {
  for (const t of servers.splice(0)) t.kill();
}

export class Tmux {
  private readonly socket = `eddy-test-${process.pid}-${Math.random().toString(36).slice(2)}`;

  constructor() {
    servers.push(this);
  }

  private tmux(args: string[]): string {
    return execFileSync('tmux', ['-L', this.socket, '-f', '/dev/null', ...args], { encoding: 'utf8' });
  }

  /**
   * Starts `command args` (by default `eddy args`) in a `width`×`height` terminal (110×32 unless given); the
   * pane stays open after it exits, saying how it ended.
   */
  start(args: string[], env: Record<string, string>, size: { width?: number; height?: number } = {}, command = [process.execPath, BIN]): void {
    const vars = Object.entries({ CI: 'false', NO_COLOR: '1', ...env }).map(([k, v]) => `${k}='${v}'`);
    const line = `env ${vars.join(' ')} ${[...command, ...args].map((a) => `'${a}'`).join(' ')}; echo "[eddy exited $?]"; sleep 600`;
    this.tmux(['new-session', '-d', '-s', 'main', '-x', String(size.width ?? 110), '-y', String(size.height ?? 32), line]);
  }

  /** Types text literally (sent as bytes, so `;` and quotes need no tmux escaping), all at once. */
  type(text: string): void {
    const hex = [...Buffer.from(text, 'utf8')].map((b) => b.toString(16).padStart(2, '0'));
    this.tmux(['send-keys', '-t', 'main', '-H', ...hex]);
  }

  /** Presses a key by tmux name: Enter, Tab, C-c, C-d, Up. */
  key(name: string): void {
    this.tmux(['send-keys', '-t', 'main', name]);
  }

  /**
   * Pastes text as a terminal does: tmux's `paste-buffer`, which with `bracketed` wraps it in the
   * bracketed-paste markers when the program asked for them (the shell does). Line breaks are sent as CR.
   */
  paste(text: string, bracketed: boolean): void {
    const file = join(mkdtempSync(join(tmpdir(), 'eddy-paste-')), 'buffer');
    writeFileSync(file, text);
    this.tmux(['load-buffer', '-b', 'paste', file]);
    this.tmux(['paste-buffer', '-b', 'paste', '-d', '-t', 'main', ...(bracketed ? ['-p'] : [])]);
  }

  resize(width: number, height: number): void {
    this.tmux(['resize-window', '-t', 'main', '-x', String(width), '-y', String(height)]);
  }

  screen(): string {
    return this.tmux(['capture-pane', '-p', '-t', 'main']);
  }

  /** The screen with everything scrolled off it (the terminal's whole history). */
  history(): string {
    return this.tmux(['capture-pane', '-p', '-S', '-', '-t', 'main']);
  }

  /** Polls the screen until `check` holds; fails with the screen when it does not in time. */
  async waitFor(what: string, check: (screen: string) => boolean, timeoutMs = 20_000, read = () => this.screen()): Promise<string> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const screen = read();
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
export function promptLine(screen: string): string | undefined {
  return screen
    .split('\n')
    .filter((l) => l.startsWith('eddy>'))
    .at(-1)
    ?.trimEnd();
}

/** A `rides` table over an empty JSON file the test appends to, and table result mode, in an init file. */
export function setup(): { dir: string; data: string; init: string; history: string } {
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

export const ride = (taxi: number, passengers: number, ts: string): string => JSON.stringify({ taxi_id: taxi, passenger_cnt: passengers, ts }) + '\n';
