/**
 * Persistent input history: one entry per submitted statement, kept in a file across sessions
 * (`$EDDY_HISTORY_FILE`, else `$XDG_DATA_HOME/eddy/history`, else `~/.local/share/eddy/history`), with
 * newest-first search for Ctrl-R. In the file, one entry per line; `\` and line breaks are escaped so a
 * multi-line statement stays one entry and the file stays readable.
 */
import { appendFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';

/** Where the history lives, from the environment. */
export function historyFile(env: NodeJS.ProcessEnv = process.env): string {
  if (env['EDDY_HISTORY_FILE']) return env['EDDY_HISTORY_FILE'];
  const base = env['XDG_DATA_HOME'] || join(homedir(), '.local', 'share');
  return join(base, 'eddy', 'history');
}

function encode(entry: string): string {
  return entry.replace(/\\/g, '\\\\').replace(/\r?\n/g, '\\n');
}

function decode(line: string): string {
  return line.replace(/\\(\\|n)/g, (_m, c: string) => (c === 'n' ? '\n' : '\\'));
}

export class History {
  private readonly items: string[] = [];

  /**
   * @param file where entries are read from and appended to; undefined keeps history in memory only.
   * @param max entries kept (the file is trimmed to this when it grows to twice as many).
   */
  constructor(
    private readonly file?: string,
    private readonly max = 1000,
  ) {
    if (!file) return;
    try {
      const lines = readFileSync(file, 'utf8').split('\n').filter((l) => l.length > 0);
      this.items.push(...lines.slice(-max).map(decode));
      if (lines.length >= 2 * max) this.rewrite();
    } catch {
      // No history yet (or unreadable): start empty; the first entry creates the file.
    }
  }

  /** Entries, oldest first. */
  get entries(): readonly string[] {
    return this.items;
  }

  /** Adds an entry (not when blank or equal to the last one) and appends it to the file. */
  add(entry: string): void {
    const text = entry.trim();
    if (!text || this.items[this.items.length - 1] === text) return;
    this.items.push(text);
    if (this.items.length > this.max) this.items.splice(0, this.items.length - this.max);
    if (!this.file) return;
    try {
      mkdirSync(dirname(this.file), { recursive: true });
      appendFileSync(this.file, encode(text) + '\n');
    } catch {
      // History is a convenience: a read-only home must not break the shell.
    }
  }

  private rewrite(): void {
    try {
      writeFileSync(this.file!, this.items.map((e) => encode(e) + '\n').join(''));
    } catch {
      // See add().
    }
  }

  /**
   * The newest entry before index `before` containing `query` (case-insensitive), for reverse search;
   * undefined when there is none.
   */
  search(query: string, before = this.items.length): { index: number; entry: string } | undefined {
    const q = query.toLowerCase();
    for (let i = Math.min(before, this.items.length) - 1; i >= 0; i--) {
      if (this.items[i]!.toLowerCase().includes(q)) return { index: i, entry: this.items[i]! };
    }
    return undefined;
  }
}
