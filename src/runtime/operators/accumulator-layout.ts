/**
 * How an aggregating operator keeps one group's accumulators: one object per call (any aggregate), or —
 * when every call has a {@link FlatAggregate} form — all of them in one Float64Array. The flat layout is one
 * object per group instead of several, which makes updates cheaper and checkpoints, which visit every
 * changed group, much cheaper. Both layouts store the same data (see {@link AccumulatorLayout.write}), so
 * a checkpoint or savepoint taken with one restores with the other.
 */
import type { Row } from '../changelog.js';
import type { FlatAggregate, FlatShape } from '../../functions/function-types.js';
import type { PackWriter } from '../state/packed.js';
import { type AggCall, accumulateRow, createAccumulators, mergeAccumulators, retractRow, writeResults } from './aggregate-call.js';
import { decodeAccumulators, decodeValue, encodeAccumulators, encodedNumberAt, encodeValue, writeAccumulators } from './state-codecs.js';

/** A group's accumulators for the calls of one operator; `A` is opaque to the operator. */
export interface AccumulatorLayout<A = unknown> {
  /** The number of calls (of results {@link writeResults} writes). */
  readonly calls: number;
  /** The accumulators of an empty group. */
  create(): A;
  /**
   * The accumulators of an empty group, made by emptying `accs` when the layout can (flat), else new: for
   * scratch accumulators that are used and dropped over and over (`accs` must not be used elsewhere).
   */
  reset(accs: A): A;
  /** Adds `row` to each call (skipping calls whose FILTER is not true for it). */
  accumulate(accs: A, row: Row): void;
  /** Removes `row` from each call (the calls must support retraction). */
  retract(accs: A, row: Row): void;
  /** Folds `from` into `into`, call by call (each call's `merge`); `from` is left as it was. */
  merge(into: A, from: A): void;
  /** Writes each call's result into `out` from position `at`. */
  writeResults(accs: A, out: unknown[], at: number): void;
  /** The accumulators as JSON-safe data: each call's `serialize`d accumulator, encoded ({@link encodeAccumulators}). */
  encode(accs: A): unknown[];
  /** Writes exactly the bytes `w.value(encode(accs))` would. */
  write(w: PackWriter, accs: A): void;
  decode(data: unknown): A;
}

/** The flat layout when every call has a flat form, else one object per call. */
export function accumulatorLayout(aggs: readonly AggCall[]): AccumulatorLayout {
  const flats = aggs.map((a) => a.impl.flat);
  return aggs.length > 0 && flats.every((f) => f !== undefined) ? flatLayout(aggs, flats as FlatAggregate[]) : objectLayout(aggs);
}

/** One accumulator object per call, as each call's `create` makes it. */
export function objectLayout(aggs: readonly AggCall[]): AccumulatorLayout<unknown[]> {
  return {
    calls: aggs.length,
    create: () => createAccumulators(aggs),
    reset: () => createAccumulators(aggs),
    accumulate: (accs, row) => accumulateRow(aggs, accs, row),
    retract: (accs, row) => retractRow(aggs, accs, row),
    merge: (into, from) => mergeAccumulators(aggs, into, from),
    writeResults: (accs, out, at) => writeResults(aggs, accs, out, at),
    encode: (accs) => encodeAccumulators(aggs, accs),
    write: (w, accs) => writeAccumulators(w, aggs, accs),
    decode: (data) => decodeAccumulators(aggs, data),
  };
}

function flatLayout(aggs: readonly AggCall[], flats: readonly FlatAggregate[]): AccumulatorLayout<Float64Array> {
  const n = aggs.length;
  const offsets: number[] = [];
  let width = 0;
  for (const f of flats) {
    offsets.push(width);
    width += f.width;
  }
  const shapes: FlatShape[] = flats.map((f) => f.serialized);
  const args = aggs.map((a) => a.argIndex);
  const filters = aggs.map((a) => a.filterIndex);
  const counts = (row: Row, i: number): boolean => filters[i]! < 0 || row[filters[i]!] === true;
  return {
    calls: n,
    create: () => new Float64Array(width),
    // All zeros is every flat form's empty accumulator.
    reset: (a) => a.fill(0),
    accumulate(a, row) {
      for (let i = 0; i < n; i++) if (counts(row, i)) flats[i]!.add(a, offsets[i]!, args[i]! < 0 ? undefined : row[args[i]!]);
    },
    retract(a, row) {
      for (let i = 0; i < n; i++) if (counts(row, i)) flats[i]!.retract(a, offsets[i]!, args[i]! < 0 ? undefined : row[args[i]!]);
    },
    merge(into, from) {
      for (let i = 0; i < n; i++) flats[i]!.merge(into, offsets[i]!, from, offsets[i]!);
    },
    writeResults(a, out, at) {
      for (let i = 0; i < n; i++) out[at + i] = flats[i]!.result(a, offsets[i]!);
    },
    encode(a) {
      const out = new Array<unknown>(n);
      for (let i = 0; i < n; i++) out[i] = encodeValue(serialized(shapes[i]!, a, offsets[i]!));
      return out;
    },
    // The bytes of `w.value(encode(a))`, written straight from the numbers (checkpoints write many groups).
    write(w, a) {
      let p = w.arrayHeaderAt(w.pos, n);
      for (let i = 0; i < n; i++) {
        const at = offsets[i]!;
        switch (shapes[i]!) {
          case 'number':
            p = encodedNumberAt(w, p, a[at]!);
            break;
          case 'pair':
            p = w.arrayHeaderAt(p, 2);
            p = encodedNumberAt(w, p, a[at]!);
            p = encodedNumberAt(w, p, a[at + 1]!);
            break;
          case 'nullable':
            if (a[at] === 0) {
              w.pos = p;
              w.value(null);
              p = w.pos;
            } else {
              p = encodedNumberAt(w, p, a[at + 1]!);
            }
            break;
        }
      }
      w.pos = p;
    },
    decode(data) {
      const d = data as unknown[];
      const a = new Float64Array(width);
      for (let i = 0; i < n; i++) deserialize(shapes[i]!, decodeValue(d[i]), a, offsets[i]!);
      return a;
    },
  };
}

/** What the object form's `serialize` returns for the flat accumulator at `at` (see {@link FlatShape}). */
function serialized(shape: FlatShape, a: Float64Array, at: number): unknown {
  switch (shape) {
    case 'number':
      return a[at];
    case 'pair':
      return [a[at], a[at + 1]];
    case 'nullable':
      return a[at] === 0 ? null : a[at + 1];
  }
}

/** Sets the flat accumulator at `at` from what the object form's `serialize` returned. */
function deserialize(shape: FlatShape, data: unknown, a: Float64Array, at: number): void {
  switch (shape) {
    case 'number':
      a[at] = data as number;
      return;
    case 'pair': {
      const [x, y] = data as [number, number];
      a[at] = x;
      a[at + 1] = y;
      return;
    }
    case 'nullable':
      a[at] = data === null || data === undefined ? 0 : 1;
      a[at + 1] = data === null || data === undefined ? 0 : (data as number);
      return;
  }
}
