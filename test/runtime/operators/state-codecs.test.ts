import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { decodeAccumulators, decodeValue, encodeAccumulators, encodeValue } from '../../../src/runtime/operators/state-codecs.js';
import { call, countImpl, extremumImpl, sumImpl } from './test-aggregates.js';

/** Encodes, goes through JSON text as a store does, and decodes. */
const roundTrip = (v: unknown): unknown => decodeValue(JSON.parse(JSON.stringify(encodeValue(v))));

describe('state codecs', () => {
  it('round-trips every kind of row value exactly, including what JSON alone loses', () => {
    const values: unknown[] = [
      null,
      true,
      'text',
      '',
      0,
      -0,
      1.5,
      Number.NaN,
      Number.POSITIVE_INFINITY,
      Number.NEGATIVE_INFINITY,
      2n ** 70n,
      new Uint8Array([0, 1, 255]),
      [1, [null, Number.NaN], 'x'],
      new Map<unknown, unknown>([
        ['k', new Uint8Array([7])],
        [1, -0],
      ]),
      { inner: [1, 2], seen: { n: 'not a tag inside a plain object' } },
      {},
    ];
    for (const v of values) {
      const back = roundTrip(v);
      if (!Object.is(back, v)) expect(back).toEqual(v);
    }
    expect(Object.is(roundTrip(-0), -0)).toBe(true);
    expect(roundTrip(undefined)).toBeNull();
  });

  it('leaves plain JSON data as it is (cheap and readable in the store)', () => {
    expect(encodeValue(['a', 1, null, true, [2]])).toEqual(['a', 1, null, true, [2]]);
  });

  it('round-trips arbitrary JSON-like values', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        expect(roundTrip(v)).toEqual(v);
      }),
    );
  });

  it('encodes accumulators with each call’s serialize and decodes them with deserialize', () => {
    const aggs = [call('COUNT(*)', countImpl(true), -1), call('SUM($1)', sumImpl, 1), call('MIN($1)', extremumImpl('min'), 1)];
    const accs = [{ n: 3 }, { sum: 4.5, n: 2 }, new Map([[1, 2], [5, 1]])];
    const data = JSON.parse(JSON.stringify(encodeAccumulators(aggs, accs)));
    expect(decodeAccumulators(aggs, data)).toEqual(accs);
  });
});

describe('state codecs (regressions)', () => {
  it('keeps an object key named __proto__ as an ordinary property', () => {
    const v = JSON.parse('{"__proto__": {"a": 1}, "b": 2}') as unknown;
    const back = decodeValue(JSON.parse(JSON.stringify(encodeValue(v))));
    expect(Object.keys(back as object)).toEqual(['__proto__', 'b']);
    expect(back).toEqual(v);
  });
});
