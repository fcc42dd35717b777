/**
 * The normalized window description. Whatever the surface syntax (window TVF, legacy `GROUP BY TUMBLE(..)`,
 * ksqlDB `WINDOW TUMBLING (..)`), the binder produces one of these; the runtime's window operators take it.
 * All sizes are milliseconds.
 *
 * Windows are half-open `[start, end)`; `window_time = end - 1` (Flink). A window fires once the watermark
 * reaches `window_time`.
 */
export type WindowSpec = TumbleWindow | HopWindow | CumulateWindow | SessionWindow;

/** Fixed-size, non-overlapping windows: `start = floor((ts - offset) / size) * size + offset`. */
export interface TumbleWindow {
  readonly kind: 'tumble';
  readonly size: number;
  readonly offset: number;
}

/** Windows of `size`, one starting every `slide`: a row is in `size / slide` windows. */
export interface HopWindow {
  readonly kind: 'hop';
  readonly slide: number;
  readonly size: number;
  readonly offset: number;
}

/**
 * Windows that share a start (aligned to `maxSize`) and grow by `step`: for a row at `ts` in the max window
 * `[s, s + maxSize)`, the windows `[s, s + k*step)` with `s + k*step > ts`.
 */
export interface CumulateWindow {
  readonly kind: 'cumulate';
  readonly step: number;
  readonly maxSize: number;
  readonly offset: number;
}

/** Sessions per key: a row opens `[ts, ts + gap)`; overlapping (or touching) sessions merge. */
export interface SessionWindow {
  readonly kind: 'session';
  readonly gap: number;
}

/** Describes a window for EXPLAIN: `TUMBLE(size=[10 min])`, `HOP(slide=[5 min], size=[10 min])`. */
export function describeWindow(w: WindowSpec): string {
  switch (w.kind) {
    case 'tumble':
      return `TUMBLE(size=[${describeDuration(w.size)}]${w.offset ? `, offset=[${describeDuration(w.offset)}]` : ''})`;
    case 'hop':
      return `HOP(slide=[${describeDuration(w.slide)}], size=[${describeDuration(w.size)}]${w.offset ? `, offset=[${describeDuration(w.offset)}]` : ''})`;
    case 'cumulate':
      return `CUMULATE(step=[${describeDuration(w.step)}], max_size=[${describeDuration(w.maxSize)}]${w.offset ? `, offset=[${describeDuration(w.offset)}]` : ''})`;
    case 'session':
      return `SESSION(gap=[${describeDuration(w.gap)}])`;
  }
}

/** `10 min`, `1 h`, `1500 ms`: the largest unit that divides the duration. */
export function describeDuration(ms: number): string {
  const units: [number, string][] = [
    [86_400_000, 'd'],
    [3_600_000, 'h'],
    [60_000, 'min'],
    [1000, 's'],
  ];
  for (const [size, name] of units) if (ms !== 0 && ms % size === 0) return `${ms / size} ${name}`;
  return `${ms} ms`;
}
