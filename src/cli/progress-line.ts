/**
 * The progress line `eddy run` keeps at the bottom of a terminal while INSERT jobs run (the shell's status
 * line, on one line): elapsed time, rows in and out so far and per second, late and bad rows, the
 * watermark and its lag. It is redrawn in place once a second on the error stream and erased before anything
 * else is printed, so it never mixes with output; only on a terminal (the caller decides).
 */
import type { JobHandle } from '../engine/job-handle.js';
import { describeWatermark, formatCount, formatDuration, ProgressMeter } from '../../repl/progress-meter.js';

/** Erase the line the cursor is on and go to its start. */
const ERASE_LINE = '\r\x1b[K';

export interface ProgressLineOptions {
  /** Writes to the terminal (the error stream). */
  readonly write: (text: string) => void;
  /** The terminal's width; the line is cut to it so that it never wraps. */
  readonly columns: () => number;
  readonly timeZone: () => string;
  readonly intervalMs?: number;
  readonly now?: () => number;
}

export class ProgressLine {
  private readonly jobs: { handle: JobHandle; meter: ProgressMeter }[] = [];
  private timer?: NodeJS.Timeout;
  private shown = false;
  private readonly now: () => number;

  constructor(private readonly options: ProgressLineOptions) {
    this.now = options.now ?? Date.now;
  }

  /** Follows a started job until it ends. */
  track(handle: JobHandle): void {
    const entry = { handle, meter: new ProgressMeter(handle.startTime) };
    this.jobs.push(entry);
    const forget = () => {
      this.jobs.splice(this.jobs.indexOf(entry), 1);
      if (this.jobs.length === 0) this.stop();
    };
    handle.done.then(forget, forget);
    this.timer ??= setInterval(() => this.draw(), this.options.intervalMs ?? 1000);
    this.timer.unref();
  }

  /** The line as it is now, or undefined when no job runs. */
  line(): string | undefined {
    if (this.jobs.length === 0) return undefined;
    const now = this.now();
    const snapshots = this.jobs.map((j) => j.meter.sample(j.handle.progress(), now));
    const sum = (f: (s: (typeof snapshots)[number]) => number) => snapshots.reduce((n, s) => n + f(s), 0);
    const watermark = Math.min(...snapshots.map((s) => s.progress.watermark));
    const lag = Number.isFinite(watermark) ? ` (${formatDuration(now - watermark)} behind)` : '';
    const ids = this.jobs.map((j) => j.handle.id).join(', ');
    // Late and bad rows before the watermark: on a narrow terminal the line's end is cut.
    return [
      `● ${ids} ${formatDuration(Math.max(...snapshots.map((s) => s.elapsedMs)))}`,
      // Trouble first (a source retrying its broker), so a narrow terminal still shows it.
      ...snapshots.map((s) => s.progress.health).filter((h): h is string => h !== undefined),
      `${formatCount(sum((s) => s.progress.summary.rowsIn))} rows in, ${formatCount(sum((s) => s.inRate))}/s`,
      `${formatCount(sum((s) => s.progress.summary.rowsOut))} out, ${formatCount(sum((s) => s.outRate))}/s`,
      `late ${formatCount(sum((s) => s.progress.summary.lateRowsDropped))}`,
      `bad ${formatCount(sum((s) => s.progress.summary.badRowsSkipped))}`,
      `watermark ${describeWatermark(watermark, this.options.timeZone())}${lag}`,
    ].join(' │ ');
  }

  private draw(): void {
    const line = this.line();
    if (line === undefined) return;
    const width = Math.max(10, this.options.columns() - 1);
    const cut = [...line].length > width ? [...line].slice(0, width - 1).join('') + '…' : line;
    this.options.write(ERASE_LINE + cut);
    this.shown = true;
  }

  /** Erases the line (before other output; it comes back at the next redraw). */
  erase(): void {
    if (!this.shown) return;
    this.options.write(ERASE_LINE);
    this.shown = false;
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.erase();
  }
}
