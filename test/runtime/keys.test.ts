import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { encodeKey, keySelector, rowsEqual, valuesEqual } from '../../src/runtime/keys.js';

describe('keys', () => {
  it('uses a single column value itself as the key', () => {
    const k = keySelector([1]);
    expect(k.key(['x', 'a'])).toBe('a');
    expect(k.key(['x', 7])).toBe(7);
    expect(k.key(['x', null])).toBe(null);
    expect(k.key(['x', undefined])).toBe(null);
    expect(k.key(['x', new Uint8Array([1, 2])])).toBe(k.key(['y', new Uint8Array([1, 2])]));
    expect(k.values(['x', 'a'])).toEqual(['a']);
  });

  it('gives every row the same key when there are no key columns', () => {
    const k = keySelector([]);
    expect(k.key([1])).toBe(k.key([2]));
    expect(k.values([1])).toEqual([]);
  });

  it('encodes several columns injectively (equal keys ⇔ equal values, 0 = -0, NaN = NaN)', () => {
    const value = fc.oneof(
      fc.constant(null),
      fc.boolean(),
      fc.integer({ min: -3, max: 3 }),
      fc.double(),
      fc.string({ unit: fc.constantFrom('s', '1', ':', ';', 'n', '~', 'a'), maxLength: 4 }),
      fc.array(fc.integer({ min: 0, max: 2 }), { maxLength: 2 }),
      fc.uint8Array({ maxLength: 2 }),
    );
    const k = keySelector([0, 1, 2]);
    fc.assert(
      fc.property(fc.tuple(value, value, value), fc.tuple(value, value, value), (a, b) => {
        expect(k.key(a) === k.key(b)).toBe(rowsEqual(a, b));
        expect(k.key(a)).toBe(encodeKey(a));
      }),
      { numRuns: 2000 },
    );
  });

  it('compares values as SQL does for result rows', () => {
    expect(valuesEqual(NaN, NaN)).toBe(true);
    expect(valuesEqual(0, -0)).toBe(true);
    expect(valuesEqual([1, [2]], [1, [2]])).toBe(true);
    expect(valuesEqual(new Uint8Array([1]), new Uint8Array([2]))).toBe(false);
    expect(valuesEqual(new Map([[1, 'a']]), new Map([[1, 'a']]))).toBe(true);
    expect(valuesEqual(1, '1')).toBe(false);
    expect(rowsEqual([1, null], [1, null])).toBe(true);
    expect(rowsEqual([1], [1, null])).toBe(false);
  });
});

