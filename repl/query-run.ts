/**
 * One running continuous query as the shell shows it: consumes the query's changes into the model of the
 * current result mode (a {@link ResultTable} for `table`, a {@link ChangelogBuffer} for `changelog`,
 * lines to print for `tableau`), samples its progress once a second for the status line, and tells the
 * view to redraw at most ten times a second however fast rows arrive.
 */
import type { QueryHandle, Row } from '../src/index.js';
import { ChangelogBuffer, ResultTable, formatRow } from './result-model.js';
import { ProgressMeter, type StatusSnapshot } from './progress-meter.js';

export type ResultMode = 'table' | 'changelog' | 'tableau';

/** How a query run ended. */
export type RunOutcome = { readonly status: 'finished' | 'cancelled' } | { readonly status: 'failed'; readonly error: unknown };

export const DEFAULT_MAX_ROWS = 10_000;

/** A tableau row waiting to be printed: its kind, its values, and their text. */
export interface PendingRow {
  readonly kind: number;
  readonly row: Row;
  readonly cells: string[];
}

export interface QueryRunOptions {
  readonly mode: ResultMode;
  readonly maxRows: number;
  readonly timeZone: string;
  /** Called (throttled) when there is something new to show. */
  readonly onUpdate: () => void;
  /** Milliseconds between redraws; between progress samples. */
  readonly redrawMs?: number;
  readonly sampleMs?: number;
  readonly now?: () => number;
}

export class QueryRun {
  readonly table?: ResultTable;
  readonly changelog?: ChangelogBuffer;
  /** Tableau mode: rows (with their kind and formatted cells) not yet printed. */
  private pending: PendingRow[] = [];
  /** Tableau mode: rows printed so far. */
  printed = 0;
  status: StatusSnapshot;
  readonly finished: Promise<RunOutcome>;
  cancelling = false;
  /** Column widths the view has shown so far (grow-only, so the table does not jump as values change). */
  readonly widths: number[] = [];
  private readonly meter: ProgressMeter;
  private readonly timers: NodeJS.Timeout[] = [];
  private dirty = false;
  private readonly now: () => number;

  constructor(
    readonly query: QueryHandle,
    readonly options: QueryRunOptions,
  ) {
    this.now = options.now ?? Date.now;
    this.meter = new ProgressMeter(query.startTime);
    if (options.mode === 'table') this.table = new ResultTable(query.changelog, options.maxRows);
    if (options.mode === 'changelog') this.changelog = new ChangelogBuffer(options.maxRows);
    this.status = this.meter.sample(query.progress(), this.now());
    query.onChanges((batch) => {
      if (this.table) this.table.apply(batch);
      else if (this.changelog) this.changelog.apply(batch);
      else for (let i = 0; i < batch.rows.length; i++) this.pending.push({ kind: batch.kinds[i]!, row: batch.rows[i]!, cells: formatRow(query.schema, batch.rows[i]!, options.timeZone) });
      this.dirty = true;
    });
    this.timers.push(
      setInterval(() => {
        if (!this.dirty) return;
        this.dirty = false;
        this.status = this.meter.sample(query.progress(), this.now());
        options.onUpdate();
      }, options.redrawMs ?? 100),
      setInterval(() => {
        this.status = this.meter.sample(query.progress(), this.now());
        options.onUpdate();
      }, options.sampleMs ?? 1000),
    );
    this.finished = query.done.then(
      (): RunOutcome => ({ status: this.cancelling || query.status === 'cancelled' ? 'cancelled' : 'finished' }),
      (error: unknown): RunOutcome => (this.cancelling ? { status: 'cancelled' } : { status: 'failed', error }),
    );
    void this.finished.then(() => {
      for (const t of this.timers) clearInterval(t);
      this.status = this.meter.sample(query.progress(), this.now());
    });
  }

  /** True when the result has a change column (`op`): changelog mode, or tableau of an updating result. */
  get showsKinds(): boolean {
    return this.options.mode === 'changelog' || (this.options.mode === 'tableau' && this.query.changelog.kind === 'updating');
  }

  /** Tableau mode: takes the rows that arrived since the last call. */
  takePending(): PendingRow[] {
    const rows = this.pending;
    this.pending = [];
    this.printed += rows.length;
    return rows;
  }

  /** Cancels the query (Ctrl-C). */
  cancel(): void {
    if (this.cancelling) return;
    this.cancelling = true;
    void this.query.cancel();
    this.options.onUpdate();
  }
}
