/**
 * The shell's state and behaviour, without any rendering: the input editor, history and its search, Tab
 * completion, running statements and showing their results, Ctrl-C and Ctrl-D. The ink components only
 * draw a {@link ShellController}'s state and forward keys to it, so all of this is tested directly.
 */
import { EddyError, ROW_KIND_NAMES, describeFreshness, describeSummary, printLine, type Eddy, type StatementResult } from '../src/index.js';
import * as ed from './editor.js';
import type { EditorState } from './editor.js';
import { complete, catalogSource, type CompletionSource } from './completion.js';
import { History } from './history.js';
import type { KeyEvent } from './keys.js';
import type { NewOutputBlock, OutputBlock } from './output.js';
import { DEFAULT_MAX_ROWS, QueryRun, type ResultMode } from './query-run.js';
import { isSubmittable, shellCommand } from './statement-splitter.js';
import { helpText } from './help.js';
import { fitColumns, isNumericType, layoutTable, typeWidth } from './table-layout.js';
import { formatRow } from './result-model.js';

export type Phase = 'prompt' | 'busy' | 'query' | 'exited';

/** The reverse history search (Ctrl-R) while it is open. */
export interface HistorySearch {
  readonly query: string;
  readonly match?: { readonly index: number; readonly entry: string };
}

export interface ShellControllerOptions {
  readonly eddy: Eddy;
  readonly history: History;
  /** Colour in error renderings (a terminal without NO_COLOR). */
  readonly color: boolean;
  /** Called when the shell wants to end, with the exit code. */
  readonly onExit: (code: number) => void;
  readonly completion?: CompletionSource;
}

/** What the shell asks of the terminal beyond drawing (the view sets it; absent in tests without one). */
export interface ShellTerminal {
  /** Clears the screen, and with `scrollback` the terminal's history too. */
  clear(scrollback: boolean): void;
}

/** The setting that caps the rows a table or changelog view keeps (Flink's key). */
export const MAX_ROWS_SETTING = 'sql-client.execution.max-table-result.rows';

export class ShellController {
  blocks: OutputBlock[] = [];
  editor: EditorState = ed.EMPTY_EDITOR;
  phase: Phase = 'busy';
  run?: QueryRun;
  /** Candidates of the last ambiguous completion, shown under the input. */
  candidates: readonly string[] = [];
  search?: HistorySearch;
  /** A one-line hint under the input (cleared by the next key). */
  notice?: string;
  /** Scroll position of a running query's view: first row shown (or following the end), first column shown. */
  scroll = { offset: 0, follow: true, column: 0 };
  /** Rows a result view can show (set by the view from the terminal height). */
  viewportRows = 20;
  /** The terminal's width (set by the view). */
  viewportColumns = 80;
  /** Increases each time the screen is cleared; the view then prints {@link blocks} afresh. */
  screenEpoch = 0;
  terminal?: ShellTerminal;

  private nextId = 1;
  private historyIndex: number;
  private draft = '';
  private listeners = new Set<() => void>();
  private readonly eddy: Eddy;
  private readonly history: History;
  private readonly completion: CompletionSource;
  private exitCode?: number;
  /** A -f script ended and the shell waits for the INSERT jobs it started. */
  private waitingForJobs = false;
  /**
   * Keys that arrived while a statement ran (a pasted block, fast typing): they are replayed, in order, when
   * the prompt is back, so every statement pasted or typed ahead runs and enters the history.
   */
  private typeahead: KeyEvent[] = [];
  private draining = false;
  /** Between a bracketed paste's start and end markers. */
  private pasting = false;
  /** Tableau mode: the column widths rows are printed with. */
  private tableau?: { widths: number[]; right: boolean[]; margin: boolean };
  /** The running query is a PRINT: its rows are printed as lines. */
  private printing = false;

  constructor(private readonly options: ShellControllerOptions) {
    this.eddy = options.eddy;
    this.history = options.history;
    this.historyIndex = this.history.entries.length;
    this.completion = options.completion ?? catalogSource(this.eddy);
  }

  /** Registers a redraw callback; returns its remover. */
  subscribe(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  private changed(): void {
    for (const fn of this.listeners) fn();
  }

  print(block: NewOutputBlock): void {
    this.blocks = [...this.blocks, { ...block, id: this.nextId++ } as OutputBlock];
    this.changed();
  }

  /** The result mode now chosen by `SET 'sql-client.execution.result-mode'`. */
  private resultMode(): ResultMode {
    const mode = this.eddy.settings.get('sql-client.execution.result-mode');
    return mode === 'table' || mode === 'changelog' ? mode : 'tableau';
  }

  private maxRows(): number {
    const n = Number(this.eddy.settings.get(MAX_ROWS_SETTING));
    return Number.isInteger(n) && n > 0 ? n : DEFAULT_MAX_ROWS;
  }

  // ---- running statements ----

  /**
   * Runs init files, then a script or a statement when given (and exits after it), else opens the
   * prompt. Init errors end the shell with code 1.
   */
  async start(scripts: { init: readonly { name: string; text: string }[]; main?: { name: string; text: string } }): Promise<void> {
    for (const s of scripts.init) {
      if (!(await this.runText(s.text, s.name, false))) return this.exit(1);
    }
    if (scripts.main) {
      const ok = await this.runText(scripts.main.text, scripts.main.name, true);
      const jobs = this.eddy.running();
      if (ok && jobs.length > 0 && this.exitCode === undefined) {
        this.print({ kind: 'info', text: `Waiting for ${jobs.length} running job${jobs.length === 1 ? '' : 's'} to end (Ctrl-C cancels).` });
        this.waitingForJobs = true;
        await Promise.allSettled(jobs.map((j) => j.done));
      }
      return this.exit(ok ? 0 : 1);
    }
    this.enterPrompt();
  }

  /** Shows the prompt, then replays the keys typed ahead until one of them runs a statement. */
  private enterPrompt(): void {
    this.phase = 'prompt';
    this.changed();
    if (this.draining) return;
    this.draining = true;
    try {
      while (this.phase === 'prompt' && this.typeahead.length > 0) this.handleKey(this.typeahead.shift()!);
    } finally {
      this.draining = false;
    }
  }

  /**
   * Clears the screen (CLEAR, Ctrl-L): what was printed stays in the terminal's scrollback. After a resize
   * (`redraw`), the scrollback goes too and everything printed is drawn again at the new width: lines the
   * terminal re-wrapped can no longer be erased exactly, which would leave a stale copy of the live view.
   */
  clearScreen(redraw = false): void {
    if (!this.terminal) return;
    this.terminal.clear(redraw);
    if (!redraw) this.blocks = [];
    this.screenEpoch++;
    this.changed();
  }

  /** Runs the statements of `text`, showing each result; false after an error. */
  async runText(text: string, name: string | undefined, echo: boolean): Promise<boolean> {
    this.phase = 'busy';
    this.changed();
    try {
      for await (const result of this.eddy.executeScript(text, name)) {
        if (echo) this.print({ kind: 'echo', text: result.statement.text.trim() + (result.statement.text.trim().endsWith(';') ? '' : ';') });
        if (!(await this.present(result))) return false;
        if (this.exitCode !== undefined) return true;
      }
      return true;
    } catch (err) {
      this.printError(err);
      return false;
    } finally {
      if (this.exitCode === undefined) this.phase = 'busy';
    }
  }

  private printError(err: unknown): void {
    if (err instanceof EddyError) this.print({ kind: 'error', text: err.render({ color: this.options.color }) });
    else this.print({ kind: 'error', text: `error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}` });
  }

  /** Shows one result; for a query, waits until it ends. False when it failed. */
  private async present(result: StatementResult): Promise<boolean> {
    const tz = this.eddy.settings.get('table.local-time-zone');
    switch (result.kind) {
      case 'ok':
        this.print({ kind: 'info', text: result.message });
        return true;
      case 'table': {
        const { columns, rows, footer = [] } = result.table;
        this.print({ kind: 'table', columns, rows, note: [`${rows.length} row${rows.length === 1 ? '' : 's'} in set`, ...footer].join('\n') });
        return true;
      }
      case 'explain':
        this.print({ kind: 'explain', text: result.text });
        return true;
      case 'rows': {
        const { schema, rows, freshness, warnings = [] } = result.result;
        const fresh = freshness.map((f) => `${f.view} as of ${describeFreshness(f, tz)}`);
        // A view whose job failed, or that has not committed yet: said before its rows, as psql's WARNING.
        for (const w of warnings) this.print({ kind: 'warning', text: w });
        this.print({
          kind: 'table',
          columns: schema.map((f) => f.name),
          rows: rows.map((r) => formatRow(schema, r, tz)),
          rightAlign: schema.map((f) => isNumericType(f.type.name)),
          note: `${rows.length} row${rows.length === 1 ? '' : 's'} in set${fresh.length ? ` (${fresh.join('; ')})` : ''}`,
        });
        return true;
      }
      case 'job': {
        const job = result.job;
        this.print({ kind: 'info', text: `Submitted job ${job.id}: ${oneLine(job.description)}` });
        void job.done.then(
          () => this.print({ kind: 'info', text: `Job ${job.id} ${job.status}: ${describeSummary(job.summary())}.` }),
          (err: unknown) => this.printError(err),
        );
        return true;
      }
      case 'query':
        return this.runQuery(result.query, result.statement.kind === 'PrintStatement', result.notes ?? []);
    }
  }

  /**
   * Runs a query until it ends or Ctrl-C cancels it. A PRINT's records are printed as lines (ksqlDB's
   * `rowtime: ..., key: ..., value: ...`) whatever the result mode, after its notes (the formats).
   */
  private async runQuery(query: Extract<StatementResult, { kind: 'query' }>['query'], print: boolean, notes: readonly string[]): Promise<boolean> {
    const mode = print ? 'tableau' : this.resultMode();
    const tz = this.eddy.settings.get('table.local-time-zone');
    const run = new QueryRun(query, { mode, maxRows: this.maxRows(), timeZone: tz, onUpdate: () => this.onRunUpdate() });
    this.run = run;
    this.printing = print;
    this.scroll = { offset: 0, follow: true, column: 0 };
    this.phase = 'query';
    if (notes.length > 0) this.print({ kind: 'text', text: notes.join('\n'), dim: true });
    if (mode === 'tableau' && !print) this.print({ kind: 'text', text: this.tableauHeader(run) });
    this.changed();
    const outcome = await run.finished;
    this.flushTableau();
    this.printFinal(run);
    this.printing = false;
    const summary = describeSummary(query.summary());
    this.run = undefined;
    this.phase = 'busy';
    if (outcome.status === 'failed') {
      this.printError(outcome.error);
      return false;
    }
    this.print({ kind: 'info', text: `Query ${query.id} ${outcome.status}: ${summary}.` });
    return true;
  }

  private onRunUpdate(): void {
    this.flushTableau();
    this.changed();
  }

  /**
   * Tableau mode: the header, with column widths fixed now from the column types (rows are printed before
   * their values are known) and fitted to the terminal, so that every row lines up under it.
   */
  private tableauHeader(run: QueryRun): string {
    const schema = run.query.schema;
    const columns = [...(run.showsKinds ? ['op'] : []), ...schema.map((f) => f.name)];
    const right = [...(run.showsKinds ? [false] : []), ...schema.map((f) => isNumericType(f.type.name))];
    const fit = fitColumns([...(run.showsKinds ? [2] : []), ...schema.map(typeWidth)], right, this.viewportColumns, 0, false);
    this.tableau = { widths: fit.widths, right, margin: fit.margin };
    return layoutTable(columns, [], { style: 'box', rightAlign: right, widths: fit.widths, margin: fit.margin }).header.join('\n');
  }

  /** Tableau mode: prints the rows that arrived. */
  private flushTableau(): void {
    const run = this.run;
    const layout = this.tableau;
    if (!run || run.options.mode !== 'tableau' || (!layout && !this.printing)) return;
    const rows = run.takePending();
    if (rows.length === 0) return;
    if (this.printing) {
      const tz = this.eddy.settings.get('table.local-time-zone');
      this.print({ kind: 'text', text: rows.map((r) => printLine(r.row, tz)).join('\n') });
      return;
    }
    const cells = rows.map((r) => [...(run.showsKinds ? [ROW_KIND_NAMES[r.kind]!] : []), ...r.cells]);
    const { body } = layoutTable(cells[0]!.map(() => ''), cells, { style: 'box', rightAlign: layout!.right, widths: layout!.widths, margin: layout!.margin });
    this.print({ kind: 'text', text: body.join('\n') });
  }

  /** When a table or changelog view ends, what it showed stays on screen (a page at most). */
  private printFinal(run: QueryRun): void {
    const tz = this.eddy.settings.get('table.local-time-zone');
    const schema = run.query.schema;
    const right = schema.map((f) => isNumericType(f.type.name));
    if (run.table) {
      const rows = run.table.rows();
      const shown = rows.slice(-this.viewportRows);
      const hidden = rows.length - shown.length;
      this.print({
        kind: 'table',
        columns: schema.map((f) => f.name),
        rows: shown.map((r) => formatRow(schema, r, tz)),
        rightAlign: right,
        widths: run.widths,
        note: `${rows.length} row${rows.length === 1 ? '' : 's'} in the result${hidden ? ` (the last ${shown.length} shown)` : ''}${run.table.evicted ? `; ${run.table.evicted} older rows dropped (${MAX_ROWS_SETTING} = ${run.table.maxRows})` : ''}`,
      });
    } else if (run.changelog) {
      const changes = run.changelog.changes.slice(-this.viewportRows);
      this.print({
        kind: 'table',
        columns: ['op', ...schema.map((f) => f.name)],
        rows: changes.map((c) => [ROW_KIND_NAMES[c.kind]!, ...formatRow(schema, c.row, tz)]),
        rightAlign: [false, ...right],
        widths: run.widths,
        note: `${run.changelog.total} change${run.changelog.total === 1 ? '' : 's'}${run.changelog.total > changes.length ? ` (the last ${changes.length} shown)` : ''}`,
      });
    } else {
      const what = this.printing ? 'record' : 'row';
      this.print({ kind: 'text', text: `${this.printing ? 'Printed' : 'Received'} a total of ${run.printed} ${what}${run.printed === 1 ? '' : 's'}`, dim: true });
    }
  }

  private exit(code: number): void {
    if (this.exitCode !== undefined) return;
    this.exitCode = code;
    this.phase = 'exited';
    this.changed();
    void this.eddy.close().then(() => this.options.onExit(code));
  }

  /** Runs what the user typed. */
  async submit(text: string): Promise<void> {
    this.history.add(text);
    this.historyIndex = this.history.entries.length;
    this.draft = '';
    this.editor = ed.EMPTY_EDITOR;
    this.candidates = [];
    const command = shellCommand(text);
    if (command === 'clear') {
      this.clearScreen();
      return this.enterPrompt();
    }
    this.print({ kind: 'echo', text });
    if (command === 'quit') return this.exit(0);
    if (command === 'help') this.print({ kind: 'text', text: helpText() });
    else await this.runText(text, undefined, false);
    if (this.exitCode === undefined) this.enterPrompt();
  }

  // ---- keys ----

  handleKey(input: KeyEvent): void {
    if (this.phase === 'exited') return;
    if (input.name === 'paste-start' || input.name === 'paste-end') {
      this.pasting = input.name === 'paste-start';
      return;
    }
    // A pasted Tab is indentation, not completion.
    const key: KeyEvent = this.pasting && input.name === 'tab' ? { name: 'text', text: '  ' } : input;
    const ctrl = (letter: string) => key.name === 'letter' && key.ctrl === true && key.text === letter;
    if (ctrl('l')) return this.clearScreen();
    if (this.phase === 'query' && !this.pasting && !isTypeahead(key)) return this.handleQueryKey(key, ctrl);
    if (ctrl('c') && this.phase !== 'prompt') {
      // A script waiting for its INSERT jobs to end: cancel them. Otherwise drop what was typed ahead.
      if (this.waitingForJobs) void this.eddy.close();
      this.typeahead = [];
      return;
    }
    if (this.phase !== 'prompt') {
      this.typeahead.push(key);
      return;
    }
    this.notice = undefined;
    if (this.search) return this.handleSearchKey(key, ctrl);
    const before = this.editor;
    if (key.name !== 'tab') this.candidates = [];
    if (ctrl('d')) {
      if (this.editor.text === '') return this.exit(0);
      this.editor = ed.deleteForward(this.editor);
    } else if (ctrl('c')) {
      if (this.editor.text === '') this.notice = 'Type QUIT or press Ctrl-D to exit.';
      this.editor = ed.EMPTY_EDITOR;
      this.historyIndex = this.history.entries.length;
    } else if (ctrl('r')) {
      this.search = { query: '' };
    } else if (key.name === 'enter') {
      if (!key.meta && isSubmittable(this.editor.text)) {
        void this.submit(this.editor.text);
        return;
      }
      if (this.editor.text.trim() === '' && !key.meta) this.editor = ed.EMPTY_EDITOR;
      else this.editor = ed.insertText(this.editor, '\n');
    } else if (key.name === 'tab') this.complete();
    else if (key.name === 'text') this.editor = ed.insertText(this.editor, key.text!);
    else if (key.name === 'backspace') this.editor = key.meta || key.ctrl ? ed.deleteWordBack(this.editor) : ed.backspace(this.editor);
    else if (key.name === 'delete') this.editor = ed.deleteForward(this.editor);
    else if (key.name === 'left') this.editor = key.ctrl || key.meta ? ed.wordLeft(this.editor) : ed.moveLeft(this.editor);
    else if (key.name === 'right') this.editor = key.ctrl || key.meta ? ed.wordRight(this.editor) : ed.moveRight(this.editor);
    else if (key.name === 'home' || ctrl('a')) this.editor = ed.lineStart(this.editor);
    else if (key.name === 'end' || ctrl('e')) this.editor = ed.lineEnd(this.editor);
    else if (ctrl('b')) this.editor = ed.moveLeft(this.editor);
    else if (ctrl('f')) this.editor = ed.moveRight(this.editor);
    else if (ctrl('w')) this.editor = ed.deleteWordBack(this.editor);
    else if (ctrl('k')) this.editor = ed.killToLineEnd(this.editor);
    else if (ctrl('u')) this.editor = ed.killToLineStart(this.editor);
    else if (key.name === 'letter' && key.meta && key.text === 'b') this.editor = ed.wordLeft(this.editor);
    else if (key.name === 'letter' && key.meta && key.text === 'f') this.editor = ed.wordRight(this.editor);
    else if (key.name === 'letter' && key.meta && key.text === 'd') this.editor = ed.deleteWordForward(this.editor);
    else if (key.name === 'up' || ctrl('p')) this.editor = ed.moveUp(this.editor) ?? this.historyStep(-1);
    else if (key.name === 'down' || ctrl('n')) this.editor = ed.moveDown(this.editor) ?? this.historyStep(1);
    if (this.editor !== before || this.candidates.length || this.notice || this.search) this.changed();
  }

  /** Up/Down past the first/last line: the previous/next history entry (the draft is kept). */
  private historyStep(delta: number): EditorState {
    const entries = this.history.entries;
    const next = this.historyIndex + delta;
    if (next < 0 || next > entries.length) return this.editor;
    if (this.historyIndex === entries.length) this.draft = this.editor.text;
    this.historyIndex = next;
    return ed.editorWith(next === entries.length ? this.draft : entries[next]!);
  }

  private complete(): void {
    const c = complete(this.editor.text, this.editor.cursor, this.completion);
    if (!c) return;
    this.editor = ed.replaceRange(this.editor, c.from, c.to, c.insert);
    this.candidates = c.candidates.length > 1 ? c.candidates : [];
  }

  private handleSearchKey(key: KeyEvent, ctrl: (l: string) => boolean): void {
    const s = this.search!;
    const find = (query: string, before?: number) => (query ? this.history.search(query, before) : undefined);
    if (ctrl('r')) {
      const older = s.match ? find(s.query, s.match.index) : undefined;
      this.search = { query: s.query, match: older ?? s.match };
    } else if (key.name === 'text') {
      const query = s.query + key.text!;
      this.search = { query, match: find(query) };
    } else if (key.name === 'backspace') {
      const query = s.query.slice(0, -1);
      this.search = { query, match: find(query) };
    } else if (key.name === 'enter' || key.name === 'right' || key.name === 'left' || ctrl('e') || ctrl('a')) {
      if (s.match) {
        this.editor = ed.editorWith(s.match.entry);
        this.historyIndex = s.match.index;
      }
      this.search = undefined;
    } else if (key.name === 'escape' || ctrl('g') || ctrl('c')) {
      this.search = undefined;
    }
    this.changed();
  }

  private handleQueryKey(key: KeyEvent, ctrl: (l: string) => boolean): void {
    const run = this.run;
    if (!run) return;
    // Ctrl-D cancels the query only; at an empty prompt it exits.
    if (ctrl('c') || ctrl('d')) return run.cancel();
    if (key.name === 'left' || key.name === 'right') {
      const columns = run.query.schema.length + (run.changelog ? 1 : 0);
      const column = Math.max(0, Math.min(columns - 1, this.scroll.column + (key.name === 'left' ? -1 : 1)));
      if (column !== this.scroll.column) {
        this.scroll = { ...this.scroll, column };
        this.changed();
      }
      return;
    }
    const total = run.table?.size ?? run.changelog?.changes.length ?? 0;
    const page = Math.max(1, this.viewportRows);
    const last = Math.max(0, total - page);
    const current = this.scroll.follow ? last : this.scroll.offset;
    let offset = current;
    if (key.name === 'up') offset = current - 1;
    else if (key.name === 'down') offset = current + 1;
    else if (key.name === 'pageup') offset = current - page;
    else if (key.name === 'pagedown') offset = current + page;
    else if (key.name === 'home') offset = 0;
    else if (key.name === 'end') offset = last;
    else return;
    offset = Math.max(0, Math.min(last, offset));
    // Scrolling back stops following new rows; reaching the end again (or End) follows them again.
    const forward = key.name === 'down' || key.name === 'pagedown' || key.name === 'end';
    this.scroll = { offset, follow: forward && offset >= last, column: this.scroll.column };
    this.changed();
  }
}

/** Keys typed while a query runs that belong to the next input rather than to the result view. */
function isTypeahead(key: KeyEvent): boolean {
  return key.name === 'text' || key.name === 'enter' || key.name === 'tab' || key.name === 'backspace' || key.name === 'delete';
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim().slice(0, 60);
}
