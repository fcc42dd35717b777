/**
 * Turns a running query's `progress()` samples into what the status line shows: input and output rows per
 * second (and a sparkline of recent input rates), how far the watermark is behind the wall clock, and
 * durations in short human form.
 */
import { formatValue, T, type Progress } from '../src/index.js';

const BARS = '▁▂▃▄▅▆▇█';

/** A sparkline of values, scaled to the largest. */
export function sparkline(values: readonly number[]): string {
  const max = Math.max(0, ...values);
  return values.map((v) => (max === 0 ? BARS[0] : BARS[Math.min(BARS.length - 1, Math.round((v / max) * (BARS.length - 1)))])).join('');
}

/** `850 ms`, `12 s`, `3 min 5 s`, `2 h 10 min`, `3 d 4 h`. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return '∞';
  const neg = ms < 0;
  let s = Math.abs(ms);
  let out: string;
  if (s < 1000) out = `${Math.round(s)} ms`;
  else if ((s /= 1000) < 60) out = `${Math.floor(s)} s`;
  else if (s < 3600) out = `${Math.floor(s / 60)} min ${Math.floor(s % 60)} s`;
  else if (s < 86400) out = `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
  else out = `${Math.floor(s / 86400)} d ${Math.floor((s % 86400) / 3600)} h`;
  return neg ? `-${out}` : out;
}

/** The watermark as a timestamp, or what it means when not finite. */
export function describeWatermark(watermark: number, timeZone = 'UTC'): string {
  if (watermark === Number.NEGATIVE_INFINITY) return 'none yet';
  if (watermark === Number.POSITIVE_INFINITY) return 'end of input';
  return formatValue(watermark, T.timestamp(3), timeZone);
}

/** `1,234`; rates below 10 keep one decimal. */
export function formatCount(n: number): string {
  return n < 10 && !Number.isInteger(n) ? n.toFixed(1) : Math.round(n).toLocaleString('en-US');
}

export interface StatusSnapshot {
  readonly progress: Progress;
  readonly inRate: number;
  readonly outRate: number;
  /** Recent input rates, oldest first. */
  readonly inHistory: readonly number[];
  readonly elapsedMs: number;
  /** Wall clock minus watermark, when there is a finite watermark. */
  readonly lagMs?: number;
}

/** Samples progress at intervals and derives rates. */
export class ProgressMeter {
  private last?: { time: number; rowsIn: number; rowsOut: number };
  private readonly history: number[] = [];
  private rates = { in: 0, out: 0 };

  constructor(
    private readonly startTime: number,
    private readonly historyLength = 16,
  ) {}

  /**
   * Records a sample taken at `now` (epoch ms). Rates are measured over at least `rateWindowMs`, so
   * sampling more often (on every redraw) refreshes the counters without making the rates jumpy.
   */
  sample(progress: Progress, now: number, rateWindowMs = 900): StatusSnapshot {
    const { rowsIn, rowsOut } = progress.summary;
    if (!this.last) this.last = { time: now, rowsIn, rowsOut };
    else if (now - this.last.time >= rateWindowMs) {
      const dt = (now - this.last.time) / 1000;
      this.rates = { in: Math.max(0, (rowsIn - this.last.rowsIn) / dt), out: Math.max(0, (rowsOut - this.last.rowsOut) / dt) };
      this.history.push(this.rates.in);
      if (this.history.length > this.historyLength) this.history.shift();
      this.last = { time: now, rowsIn, rowsOut };
    }
    const wm = progress.watermark;
    return {
      progress,
      inRate: this.rates.in,
      outRate: this.rates.out,
      inHistory: [...this.history],
      elapsedMs: now - this.startTime,
      lagMs: Number.isFinite(wm) ? now - wm : undefined,
    };
  }
}
