/**
 * The shell without a terminal (output piped or redirected, or input piped in): plain text, no escape
 * codes. Messages go to stderr as `[INFO] ...`, results to stdout as ASCII tables. A continuous query's
 * rows are printed as they come (tableau, and changelog with an `op` column); in `table` mode an
 * insert-only result is printed the same way (its table only grows), an updating one as the final table
 * when the query ends.
 */
import { EddyError, ROW_KIND_NAMES, describeFreshness, describeSummary, printLine, type Eddy, type Field, type StatementResult } from '../src/index.js';
import { formatRow, ResultTable } from './result-model.js';
import { formatTable, isNumericType, layoutTable, singleText, typeWidth } from './table-layout.js';
import { helpText } from './help.js';
import { isBlank, shellCommand, splitStatements } from './statement-splitter.js';
import { DEFAULT_MAX_ROWS } from './query-run.js';
import { MAX_ROWS_SETTING } from './shell-controller.js';

export interface PlainIO {
  out(text: string): void;
  err(text: string): void;
  /** Registers a Ctrl-C handler; returns its remover. */
  onInterrupt?(handler: () => void): () => void;
  readonly color: boolean;
}

/** Prints the rows of a continuous query as they come, with widths from the column types. */
class StreamingTable {
  private readonly widths: number[];
  private readonly right: boolean[];
  rows = 0;

  constructor(
    private readonly schema: readonly Field[],
    private readonly withKinds: boolean,
    private readonly out: (t: string) => void,
    private readonly timeZone: string,
  ) {
    this.widths = [...(withKinds ? [2] : []), ...schema.map(typeWidth)];
    this.right = [...(withKinds ? [false] : []), ...schema.map((f) => isNumericType(f.type.name))];
  }

  private layout(rows: string[][]) {
    return layoutTable([...(this.withKinds ? ['op'] : []), ...this.schema.map((f) => f.name)], rows, { style: 'ascii', rightAlign: this.right, widths: this.widths });
  }

  header(): void {
    this.out(this.layout([]).header.join('\n') + '\n');
  }

  rowsOf(kinds: ArrayLike<number>, rows: readonly unknown[][]): void {
    const cells = rows.map((r, i) => [...(this.withKinds ? [ROW_KIND_NAMES[kinds[i]!]!] : []), ...formatRow(this.schema, r, this.timeZone)]);
    this.rows += rows.length;
    if (cells.length) this.out(this.layout(cells).body.join('\n') + '\n');
  }

  footer(): void {
    this.out(`${this.layout([]).footer.join('\n')}\nReceived a total of ${this.rows} row${this.rows === 1 ? '' : 's'}\n`);
  }
}

export class PlainShell {
  private readonly pending: Promise<void>[] = [];

  constructor(
    private readonly eddy: Eddy,
    private readonly io: PlainIO,
  ) {}

  private info(text: string): void {
    this.io.err(`[INFO] ${text}\n`);
  }

  /** Runs a script's statements; false after an error (printed). */
  async runText(text: string, name?: string): Promise<boolean> {
    try {
      for await (const result of this.eddy.executeScript(text, name)) await this.present(result);
      return true;
    } catch (err) {
      this.printError(err);
      return false;
    }
  }

  private printError(err: unknown): void {
    if (err instanceof EddyError) this.io.err(err.render({ color: this.io.color }) + '\n');
    else this.io.err(`error: ${err instanceof Error ? err.message : String(err)}\n`);
  }

  private async present(result: StatementResult): Promise<void> {
    const tz = this.eddy.settings.get('table.local-time-zone');
    switch (result.kind) {
      case 'ok':
        return this.info(result.message);
      case 'table': {
        const footer = result.table.footer ?? [];
        const text = singleText(result.table.columns, result.table.rows);
        if (text !== undefined) return this.io.out(text + '\n');
        return this.io.out(formatTable(result.table.columns, result.table.rows, 'ascii') + '\n' + footer.map((l) => l + '\n').join(''));
      }
      case 'explain':
        return this.io.out(result.text.endsWith('\n') ? result.text : result.text + '\n');
      case 'rows': {
        const { schema, rows, freshness } = result.result;
        this.io.out(formatTable(schema.map((f) => f.name), rows.map((r) => formatRow(schema, r, tz)), 'ascii', schema.map((f) => isNumericType(f.type.name))) + '\n');
        for (const f of freshness) this.info(`Read '${f.view}' as of ${describeFreshness(f, tz)}.`);
        for (const w of result.result.warnings ?? []) this.info(`Warning: ${w}`);
        return;
      }
      case 'job': {
        const job = result.job;
        this.info(`Submitted job ${job.id}: ${job.description.replace(/\s+/g, ' ').trim().slice(0, 60)}`);
        this.pending.push(
          job.done.then(
            () => this.info(`Job ${job.id} ${job.status}: ${describeSummary(job.summary())}.`),
            (err: unknown) => this.printError(err),
          ),
        );
        return;
      }
      case 'query': {
        const q = result.query;
        const mode = this.eddy.settings.get('sql-client.execution.result-mode');
        const updating = q.changelog.kind === 'updating';
        const off = this.io.onInterrupt?.(() => void q.cancel());
        try {
          if (result.statement.kind === 'PrintStatement') {
            // PRINT: its notes, then ksqlDB's lines (rowtime: ..., key: ..., value: ...), whatever the mode.
            for (const n of result.notes ?? []) this.io.out(n + '\n');
            q.onChanges((b) => {
              for (const row of b.rows) this.io.out(printLine(row, tz) + '\n');
            });
            await q.done;
          } else if (mode === 'table' && updating) {
            const max = Number(this.eddy.settings.get(MAX_ROWS_SETTING));
            const table = new ResultTable(q.changelog, Number.isInteger(max) && max > 0 ? max : DEFAULT_MAX_ROWS);
            q.onChanges((b) => table.apply(b));
            await q.done;
            this.io.out(formatTable(q.schema.map((f) => f.name), table.rows().map((r) => formatRow(q.schema, r, tz)), 'ascii', q.schema.map((f) => isNumericType(f.type.name))) + '\n');
          } else {
            const printer = new StreamingTable(q.schema, mode === 'changelog' || (mode !== 'table' && updating), (t) => this.io.out(t), tz);
            printer.header();
            q.onChanges((b) => printer.rowsOf(b.kinds as ArrayLike<number>, b.rows));
            try {
              await q.done;
            } finally {
              printer.footer();
            }
          }
        } finally {
          off?.();
        }
        this.info(`Query ${q.id} ${q.status}: ${describeSummary(q.summary())}.`);
        return;
      }
    }
  }

  /** Waits for the INSERT jobs started so far (Ctrl-C cancels them). */
  async waitForJobs(): Promise<void> {
    const off = this.io.onInterrupt?.(() => {
      this.info('Cancelling running jobs...');
      void this.eddy.close();
    });
    try {
      await Promise.all(this.pending);
    } finally {
      off?.();
    }
  }

  /**
   * Reads statements from a stream (piped input) and runs each as soon as its `;` arrives; HELP and QUIT
   * work as at the prompt. Stops at the first error.
   */
  async runStream(input: AsyncIterable<string | Buffer>): Promise<boolean> {
    let buffer = '';
    const runComplete = async (): Promise<'ok' | 'error' | 'quit'> => {
      for (;;) {
        // A shell command on a line of its own needs no `;`.
        buffer = buffer.replace(/^\s+/, '');
        const nl = buffer.indexOf('\n');
        const command = nl >= 0 ? shellCommand(buffer.slice(0, nl)) : undefined;
        if (command) {
          buffer = buffer.slice(nl + 1);
          if (command === 'quit') return 'quit';
          // CLEAR has no screen to clear here.
          if (command === 'help') this.io.out(helpText() + '\n');
          continue;
        }
        const { statements, ends } = splitStatements(buffer);
        if (statements.length === 0) return 'ok';
        buffer = buffer.slice(ends[0]);
        const cmd = shellCommand(statements[0]!);
        if (cmd === 'quit') return 'quit';
        if (cmd === 'help') this.io.out(helpText() + '\n');
        else if (cmd === 'clear') continue;
        else if (!(await this.runText(statements[0]!))) return 'error';
      }
    };
    for await (const chunk of input) {
      buffer += chunk.toString();
      const r = await runComplete();
      if (r === 'error') return false;
      if (r === 'quit') return true;
    }
    buffer += '\n';
    const r = await runComplete();
    if (r === 'error') return false;
    if (r === 'quit' || isBlank(buffer)) return true;
    return this.runText(buffer);
  }
}
