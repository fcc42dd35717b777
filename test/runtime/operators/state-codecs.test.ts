import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  decodeAccumulators,
  decodeValue,
  encodeAccumulators,
  encodeValue,
  writeAccumulators,
  writeEncodedValue,
} from '../../../src/runtime/operators/state-codecs.js';
import { GroupAggregate } from '../../../src/runtime/operators/group-aggregate.js';
import { Join } from '../../../src/runtime/operators/join.js';
import { SessionWindowAggregate } from '../../../src/runtime/operators/session-window-aggregate.js';
import { WindowAggregate } from '../../../src/runtime/operators/window-aggregate.js';
import type { StreamOperator } from '../../../src/runtime/operator.js';
import type { KeyedStateTable } from '../../../src/runtime/state/keyed-state-table.js';
import { PackWriter } from '../../../src/runtime/state/packed.js';
import { StateBackend } from '../../../src/runtime/state/state-backend.js';
import { OperatorHarness } from '../operator-harness.js';
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

/** The bytes `write(w)` produces. */
function bytesOf(write: (w: PackWriter) => void): string {
  const w = new PackWriter(16);
  write(w);
  return w.bytes().toString('hex');
}

describe('state codecs: writing straight into the binary encoding (the checkpoint fast path)', () => {
  const tricky: unknown[] = [
    null,
    undefined,
    true,
    false,
    'text',
    '',
    'ü€😀'.repeat(20), // long and multi-byte
    0,
    -0,
    127,
    128,
    -1,
    1.5,
    2 ** 53,
    -(2 ** 60),
    Number.NaN,
    Number.POSITIVE_INFINITY,
    Number.NEGATIVE_INFINITY,
    2n ** 70n,
    -5n,
    new Uint8Array([0, 1, 255]),
    new Uint8Array(new ArrayBuffer(8), 2, 3),
    [1, [null, Number.NaN, -0], 'x', []],
    new Map<unknown, unknown>([
      ['k', new Uint8Array([7])],
      [1, -0],
      [null, new Map([[2n, [Number.NaN]]])],
    ]),
    { inner: [1, 2], seen: { n: 'not a tag inside a plain object' }, 2: 'an integer-like key comes first', '': -0 },
    JSON.parse('{"__proto__": {"a": 1}, "b": 2}'),
    {},
  ];

  it('writes exactly the bytes of encodeValue followed by the generic encoder, for every kind of value', () => {
    for (const v of tricky) expect(bytesOf((w) => writeEncodedValue(w, v)), String(v)).toBe(bytesOf((w) => w.value(encodeValue(v))));
    expect(bytesOf((w) => writeEncodedValue(w, tricky))).toBe(bytesOf((w) => w.value(encodeValue(tricky))));
  });

  it('writes exactly those bytes for arbitrary values', () => {
    fc.assert(
      fc.property(fc.anything({ withBigInt: true, withMap: true, withTypedArray: true, withNullPrototype: false }), (v) => {
        expect(bytesOf((w) => writeEncodedValue(w, v))).toBe(bytesOf((w) => w.value(encodeValue(v))));
      }),
    );
  });

  it('writes accumulators exactly as encodeAccumulators and the generic encoder would', () => {
    const aggs = [call('COUNT(*)', countImpl(true), -1), call('SUM($1)', sumImpl, 1), call('MIN($1)', extremumImpl('min'), 1)];
    const accs = [{ n: 3 }, { sum: 4.5, n: 2 }, new Map([[1, 2], [-0, 1]])];
    expect(bytesOf((w) => writeAccumulators(w, aggs, accs))).toBe(bytesOf((w) => w.value(encodeAccumulators(aggs, accs))));
  });
});

describe("operators' state codecs", () => {
  /** Runs `op` on a few rows and checks every entry of its table `table`: write gives the bytes of encode. */
  function checkTable(op: StreamOperator, table: string, rows: unknown[][]): number {
    const backend = new StateBackend();
    const h = new OperatorHarness(op, backend);
    h.insert(...rows);
    const t = backend.forOperator(`${op.kind}#1`).table<unknown>(table) as KeyedStateTable<unknown>;
    let checked = 0;
    for (const ns of t.namespaces()) {
      for (const [, v] of t.namespace(ns)) {
        if (t.codec.write) expect(bytesOf((w) => t.codec.write!(w, v))).toBe(bytesOf((w) => w.value(t.codec.encode(v))));
        checked++;
      }
    }
    return checked;
  }
  const aggs = () => [call('COUNT(*)', countImpl(true), -1), call('SUM($1)', sumImpl, 1), call('MIN($1)', extremumImpl('min'), 1)];
  const rows = [['a', 1.5, 0], ['b', -0, 3], ['a', Number.NaN, 5], [null, 2, 7], ['b', 4, 40]];

  it('write exactly what encode then the generic encoder would (the checkpoint fast path)', () => {
    expect(checkTable(new GroupAggregate({ groupKeys: [0], aggs: aggs(), inputUpdating: false }), 'groups', rows)).toBe(3);
    const window = { kind: 'tumble', size: 10, offset: 0 } as const;
    expect(checkTable(new WindowAggregate({ window, timeIndex: 2, groupKeys: [0], aggs: aggs() }), 'slices', rows)).toBeGreaterThan(0);
    const hop = { kind: 'hop', slide: 5, size: 20, offset: 0 } as const;
    expect(checkTable(new WindowAggregate({ window: hop, timeIndex: 2, groupKeys: [0], aggs: aggs() }), 'slices', rows)).toBe(5);
    expect(checkTable(new SessionWindowAggregate({ gap: 10, timeIndex: 2, groupKeys: [0], aggs: aggs() }), 'sessions', rows)).toBe(3);
    const join = new Join({ keys: [[(r) => r[0]], [(r) => r[0]]], widths: [3, 3], preserved: [true, false], description: 'test' });
    expect(checkTable(join, 'left', [...rows, ['a', 1.5, 0]])).toBe(3);
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
