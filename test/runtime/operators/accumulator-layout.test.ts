/**
 * The flat accumulator layout (every call's accumulator in one Float64Array) against the object layout
 * (one accumulator object per call), for the built-in aggregates that have a flat form: the same results
 * after every row, the same encoded state, and state written by either layout restores in the other.
 */
import { describe, expect, it } from 'vitest';
import { type DataType, T } from '../../../src/common/types.js';
import { builtinAggregates } from '../../../src/functions/aggregate/index.js';
import type { AggregateImpl } from '../../../src/functions/function-types.js';
import type { AggCall } from '../../../src/runtime/operators/aggregate-call.js';
import { accumulatorLayout, objectLayout } from '../../../src/runtime/operators/accumulator-layout.js';
import { PackWriter } from '../../../src/runtime/state/packed.js';

function impl(name: string, argTypes: DataType[], appendOnly = false): AggregateImpl {
  const def = builtinAggregates.find((f) => f.name === name)!;
  const r = def.resolve(argTypes, false);
  if ('error' in r) throw new Error(r.error);
  return appendOnly ? (r.impl.appendOnly ?? r.impl) : r.impl;
}

const bytes = (write: (w: PackWriter) => void): string => {
  const w = new PackWriter(64);
  write(w);
  return w.bytes().toString('hex');
};

/** A seeded PRNG (mulberry32). */
function prng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), seed | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Rows: [int or NULL, double or NULL, decimal(10,2) or NULL, filter BOOLEAN or NULL].
const retractable: AggCall[] = [
  { name: 'COUNT(*)', impl: impl('COUNT', []), argIndex: -1, filterIndex: -1 },
  { name: 'COUNT($0)', impl: impl('COUNT', [T.int()]), argIndex: 0, filterIndex: -1 },
  { name: 'SUM($0)', impl: impl('SUM', [T.int()]), argIndex: 0, filterIndex: -1 },
  { name: 'SUM0($1)', impl: impl('SUM0', [T.double()]), argIndex: 1, filterIndex: -1 },
  { name: 'SUM($2)', impl: impl('SUM', [T.decimal(10, 2)]), argIndex: 2, filterIndex: -1 },
  { name: 'AVG($0)', impl: impl('AVG', [T.int()]), argIndex: 0, filterIndex: -1 },
  { name: 'AVG($1) FILTER $3', impl: impl('AVG', [T.double()]), argIndex: 1, filterIndex: 3 },
  { name: 'AVG($2)', impl: impl('AVG', [T.decimal(10, 2)]), argIndex: 2, filterIndex: -1 },
];
const appendOnly: AggCall[] = [
  ...retractable,
  { name: 'MAX($1)', impl: impl('MAX', [T.double()], true), argIndex: 1, filterIndex: -1 },
  { name: 'MIN($0) FILTER $3', impl: impl('MIN', [T.int()], true), argIndex: 0, filterIndex: 3 },
  { name: 'MIN($2)', impl: impl('MIN', [T.decimal(10, 2)], true), argIndex: 2, filterIndex: -1 },
];

function randomRow(rnd: () => number): unknown[] {
  const maybe = (v: unknown) => (rnd() < 0.2 ? null : v);
  return [
    maybe(Math.floor(rnd() * 200) - 100),
    maybe(rnd() < 0.05 ? -0 : ((rnd() - 0.5) * 1e6) / 3), // a full mantissa: sums round
    maybe(Math.round((rnd() - 0.5) * 1e6) / 100),
    rnd() < 0.1 ? null : rnd() < 0.5,
  ];
}

/** The calls with a flat form: DECIMAL ($2) sums and extremes are exact, beyond what a double holds. */
const withoutDecimal = (calls: readonly AggCall[]) => calls.filter((c) => !c.name.includes('$2'));

describe('accumulator layouts', () => {
  it('are flat exactly when every call has a flat form', () => {
    expect(accumulatorLayout(withoutDecimal(appendOnly)).create()).toBeInstanceOf(Float64Array);
    // An exact DECIMAL (or BIGINT) sum has no flat form.
    expect(accumulatorLayout(appendOnly).create()).toBeInstanceOf(Array);
    const bigintSum: AggCall = { name: 'SUM($0)', impl: impl('SUM', [T.bigint()]), argIndex: 0, filterIndex: -1 };
    expect(accumulatorLayout([bigintSum]).create()).toBeInstanceOf(Array);
    const withString: AggCall = { name: 'MAX($4)', impl: impl('MAX', [T.string()], true), argIndex: 4, filterIndex: -1 };
    expect(accumulatorLayout([...appendOnly, withString]).create()).toBeInstanceOf(Array);
    // Retractable MIN/MAX keeps every value: no flat form.
    expect(accumulatorLayout([{ name: 'MAX($1)', impl: impl('MAX', [T.double()]), argIndex: 1, filterIndex: -1 }]).create()).toBeInstanceOf(Array);
  });

  for (const [name, aggs, retracts] of [
    ['append-only calls', withoutDecimal(appendOnly), false],
    ['retracting calls', withoutDecimal(retractable), true],
  ] as const) {
    it(`give the object layout's results, encoding and bytes row by row (${name})`, () => {
      const flat = accumulatorLayout(aggs);
      const object = objectLayout(aggs);
      for (let seed = 1; seed <= 20; seed++) {
        const rnd = prng(seed);
        const f = flat.create();
        const o = object.create();
        const added: unknown[][] = [];
        for (let i = 0; i < 200; i++) {
          if (retracts && i % 50 === 49) {
            // Retract everything: an emptied group is exactly empty again (no floating-point drift).
            for (const row of added.splice(0)) {
              flat.retract(f, row);
              object.retract(o, row);
            }
          } else if (retracts && added.length > 0 && rnd() < 0.4) {
            const row = added.splice(Math.floor(rnd() * added.length), 1)[0]!;
            flat.retract(f, row);
            object.retract(o, row);
          } else {
            const row = randomRow(rnd);
            added.push(row);
            flat.accumulate(f, row);
            object.accumulate(o, row);
          }
          const fr = new Array<unknown>(aggs.length + 1).fill('x');
          const or = new Array<unknown>(aggs.length + 1).fill('x');
          flat.writeResults(f, fr, 1);
          object.writeResults(o, or, 1);
          expect(fr).toEqual(or);
          for (let j = 0; j < fr.length; j++) expect(Object.is(fr[j], or[j]), `${aggs[j - 1]?.name}: ${String(fr[j])} vs ${String(or[j])}`).toBe(true);
        }
        const data = object.encode(o);
        expect(flat.encode(f)).toEqual(data);
        expect(bytes((w) => flat.write(w, f))).toBe(bytes((w) => object.write(w, o)));
        expect(bytes((w) => flat.write(w, f))).toBe(bytes((w) => w.value(data)));
        // Either layout reads what the other wrote, and goes on from there.
        const copyF = flat.decode(JSON.parse(JSON.stringify(data)));
        const copyO = object.decode(flat.encode(f));
        const next = randomRow(rnd);
        flat.accumulate(copyF, next);
        object.accumulate(copyO, next);
        expect(flat.encode(copyF)).toEqual(object.encode(copyO));
      }
    });
  }

  it("merge as the object layout does: the same results, encoding and bytes, and the merged-from side unchanged", () => {
    const flat = accumulatorLayout(appendOnly);
    const object = objectLayout(appendOnly);
    for (let seed = 1; seed <= 20; seed++) {
      const rnd = prng(seed);
      // A few parts of random rows (some empty), merged into an empty accumulator one after another.
      const parts = Array.from({ length: 1 + Math.floor(rnd() * 5) }, () => Array.from({ length: Math.floor(rnd() * 8) }, () => randomRow(rnd)));
      const f = flat.create();
      const o = object.create();
      for (const rows of parts) {
        const pf = flat.create();
        const po = object.create();
        for (const row of rows) {
          flat.accumulate(pf, row);
          object.accumulate(po, row);
        }
        const before = flat.encode(pf);
        flat.merge(f, pf);
        object.merge(o, po);
        expect(flat.encode(pf)).toEqual(before);
        const fr = new Array<unknown>(appendOnly.length);
        const or = new Array<unknown>(appendOnly.length);
        flat.writeResults(f, fr, 0);
        object.writeResults(o, or, 0);
        for (let j = 0; j < fr.length; j++) expect(Object.is(fr[j], or[j]), `${appendOnly[j]!.name}: ${String(fr[j])} vs ${String(or[j])}`).toBe(true);
      }
      expect(flat.encode(f)).toEqual(object.encode(o));
      expect(bytes((w) => flat.write(w, f))).toBe(bytes((w) => object.write(w, o)));
      // Merged accumulators count what one accumulator over all the rows counts (COUNT, integer SUM, MIN, MAX exactly).
      const all = flat.create();
      for (const rows of parts) for (const row of rows) flat.accumulate(all, row);
      const merged = new Array<unknown>(appendOnly.length);
      const direct = new Array<unknown>(appendOnly.length);
      flat.writeResults(f, merged, 0);
      flat.writeResults(all, direct, 0);
      for (const j of [0, 1, 2, 5, 8, 9, 10]) expect(merged[j], appendOnly[j]!.name).toEqual(direct[j]);
    }
  });

  it('start empty: COUNT 0, SUM/AVG/MIN/MAX NULL, SUM0 0', () => {
    const layout = accumulatorLayout(appendOnly);
    const out = new Array<unknown>(appendOnly.length);
    layout.writeResults(layout.create(), out, 0);
    expect(out).toEqual([0, 0, null, 0, null, null, null, null, null, null, null]);
  });
});
