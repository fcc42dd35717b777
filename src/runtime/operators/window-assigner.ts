/** Which TUMBLE / HOP / CUMULATE windows a timestamp belongs to: pure functions shared by the window operators. */
import { CounterNames } from '../metrics.js';
import type { CumulateWindow, HopWindow, TumbleWindow } from '../../common/window.js';
import { EddyError, ErrorCode } from '../../common/errors.js';

/** The windows whose boundaries are fixed in advance (every window but SESSION). */
export type AlignedWindow = TumbleWindow | HopWindow | CumulateWindow;

/** Counter of rows dropped because their time attribute is NULL (they belong to no window). */
export const NULL_TIME_RECORDS_DROPPED = CounterNames.nullTimeRecordsDropped;

/**
 * The start of the window of `size` (aligned to `offset`) that holds `ts`: `floor((ts - offset) / size) *
 * size + offset`, computed with a remainder so that negative timestamps round down, not toward zero.
 */
export function alignedStart(ts: number, offset: number, size: number): number {
  const r = (ts - offset) % size;
  return r < 0 ? ts - r - size : ts - r;
}

/**
 * Writes the ends of the windows holding `ts` into `out`, ascending, and returns how many there are
 * (1 for tumble, about `size / slide` for hop, up to `maxSize / step` for cumulate; 0 when a hop's size is
 * smaller than its slide and `ts` falls between windows). `out` is reused by the caller, so assigning
 * allocates nothing. `out[0]` is the row's {@link firstWindowEnd}.
 */
export function assignWindowEnds(w: AlignedWindow, ts: number, out: number[]): number {
  switch (w.kind) {
    case 'tumble':
      out[0] = alignedStart(ts, w.offset, w.size) + w.size;
      return 1;
    case 'hop': {
      const last = alignedStart(ts, w.offset, w.slide);
      if (last + w.size <= ts) return 0; // size < slide leaves gaps between windows
      let s = last;
      while (s - w.slide + w.size > ts) s -= w.slide;
      let n = 0;
      for (; s <= last; s += w.slide) out[n++] = s + w.size;
      return n;
    }
    case 'cumulate': {
      const s = alignedStart(ts, w.offset, w.maxSize);
      const max = s + w.maxSize;
      let n = 0;
      for (let end = s + (Math.floor((ts - s) / w.step) + 1) * w.step; end <= max; end += w.step) out[n++] = end;
      return n;
    }
  }
}

/** The start of the window ending at `end` (for these windows the end determines the start). */
export function windowStartForEnd(w: AlignedWindow, end: number): number {
  switch (w.kind) {
    case 'tumble':
    case 'hop':
      return end - w.size;
    case 'cumulate':
      return alignedStart(end - 1, w.offset, w.maxSize);
  }
}

/** The `[start, end)` windows holding `ts`, ascending by end (then start). */
export function assignWindows(w: AlignedWindow, ts: number): [number, number][] {
  const ends: number[] = [];
  const n = assignWindowEnds(w, ts, ends);
  const out: [number, number][] = new Array(n);
  for (let i = 0; i < n; i++) out[i] = [windowStartForEnd(w, ends[i]!), ends[i]!];
  return out;
}

/**
 * The smallest end among the windows holding `ts`: the end of the row's first window to fire. A row is late
 * when `firstWindowEnd - 1 <= watermark`.
 */
export function firstWindowEnd(w: AlignedWindow, ts: number): number {
  switch (w.kind) {
    case 'tumble':
      return alignedStart(ts, w.offset, w.size) + w.size;
    case 'hop': {
      let s = alignedStart(ts, w.offset, w.slide);
      while (s - w.slide + w.size > ts) s -= w.slide;
      return s + w.size;
    }
    case 'cumulate': {
      const s = alignedStart(ts, w.offset, w.maxSize);
      return s + (Math.floor((ts - s) / w.step) + 1) * w.step;
    }
  }
}

/**
 * The width of the slices a window aggregate accumulates by (Flink's window slicing): the largest width
 * that cuts every window into whole slices, so that all rows of a slice belong to the same windows. TUMBLE:
 * the size (a slice is a window); HOP: gcd(size, slide) (the slide when, as the binder requires, the size is
 * a multiple of it); CUMULATE: the step.
 */
export function sliceWidth(w: AlignedWindow): number {
  switch (w.kind) {
    case 'tumble':
      return w.size;
    case 'hop':
      return gcd(w.size, w.slide);
    case 'cumulate':
      return w.step;
  }
}

/** The end of the slice of `width` (aligned to the window's offset) that holds `ts`. */
export function sliceEndOf(w: AlignedWindow, width: number, ts: number): number {
  return alignedStart(ts, w.offset, width) + width;
}

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

/** Throws unless the window's sizes are positive integers and a cumulate's max size is a multiple of its step. */
export function checkAlignedWindow(w: AlignedWindow): void {
  const sizes =
    w.kind === 'tumble' ? [w.size] : w.kind === 'hop' ? [w.slide, w.size] : [w.step, w.maxSize];
  const ok =
    sizes.every((s) => Number.isSafeInteger(s) && s > 0) &&
    Number.isSafeInteger(w.offset) &&
    (w.kind !== 'cumulate' || w.maxSize % w.step === 0);
  if (!ok) {
    throw new EddyError({
      code: ErrorCode.INVALID_WINDOW,
      message: `Invalid ${w.kind.toUpperCase()} window: sizes must be positive whole milliseconds${
        w.kind === 'cumulate' ? ' and max_size a multiple of step' : ''
      }`,
    });
  }
}
