/**
 * SUM, AVG, MIN and MAX over BIGINT and DECIMAL values beyond a double: exact results, Java wrapping for
 * BIGINT sums, and accumulators that survive a checkpoint (serialize, the state encoding's bytes, restore)
 * and go on exactly. Expected values are computed with BigInt arithmetic.
 */
import { describe, expect, it } from 'vitest';
import { decimalValue } from '../../src/common/decimal.js';
import { canonicalInt } from '../../src/common/int64.js';
import { T, type DataType } from '../../src/common/types.js';
import { builtinAggregates } from '../../src/functions/aggregate/index.js';
import type { AggregateImpl } from '../../src/functions/function-types.js';
import type { AggCall } from '../../src/runtime/operators/aggregate-call.js';
import { decodeAccumulators, writeAccumulators } from '../../src/runtime/operators/state-codecs.js';
import { PackWriter, unpack } from '../../src/runtime/state/packed.js';

function aggregate(name: string, type: DataType): AggregateImpl {
  const r = builtinAggregates.find((f) => f.name === name)!.resolve([type], false);
  if ('error' in r) throw new Error(r.error);
  return r.impl;
}

/** Adds the values, checkpoints and restores the accumulator halfway (as the state backend does), adds the rest. */
function run(name: string, type: DataType, values: readonly unknown[], retract: readonly unknown[] = []): unknown {
  const impl = aggregate(name, type);
  const call: AggCall = { name, impl, argIndex: 0, filterIndex: -1 };
  let acc = impl.create();
  const half = Math.floor(values.length / 2);
  values.slice(0, half).forEach((v) => impl.add(acc, v));
  const w = new PackWriter(64);
  writeAccumulators(w, [call], [acc]);
  acc = decodeAccumulators([call], unpack(w.bytes()))[0];
  values.slice(half).forEach((v) => impl.add(acc, v));
  retract.forEach((v) => impl.retract(acc, v));
  return impl.result(acc);
}

const long = (x: bigint) => canonicalInt(BigInt.asIntN(64, x));

describe('exact aggregates', () => {
  const xs = [2n ** 62n, 2n ** 62n, 2n ** 62n, 2n ** 53n + 1n, -(2n ** 63n)];

  it('SUM of BIGINT wraps as a Java long, across a checkpoint', () => {
    const values = xs.map(canonicalInt);
    expect(run('SUM', T.bigint(), values.slice(0, 3))).toBe(long(3n * 2n ** 62n));
    expect(run('SUM', T.bigint(), values)).toBe(long(xs.reduce((a, b) => a + b, 0n)));
    // Retracting every value leaves an empty group (0 rows: NULL); retracting one is exact.
    expect(run('SUM', T.bigint(), values, values)).toBeNull();
    expect(run('SUM', T.bigint(), values, [values[3]])).toBe(long(xs.reduce((a, b) => a + b, 0n) - xs[3]!));
  });

  it('AVG, MIN and MAX of BIGINT are exact', () => {
    const values = xs.slice(0, 4).map(canonicalInt);
    expect(run('AVG', T.bigint(), values)).toBe(long(BigInt.asIntN(64, xs.slice(0, 4).reduce((a, b) => a + b, 0n)) / 4n));
    expect(run('MAX', T.bigint(), [2n ** 53n + 1n, 2n ** 53n + 3n, 2n ** 53n + 2n])).toBe(2n ** 53n + 3n);
    expect(run('MIN', T.bigint(), [2n ** 53n + 1n, 5, -(2n ** 63n)])).toBe(-(2n ** 63n));
  });

  it('SUM, AVG, MIN and MAX of DECIMAL(38, 3) are exact, across a checkpoint', () => {
    const us = [12345678901234567890123n, 1n, -500n, 99999999999999999999999n, 7n];
    const values = us.map((u) => decimalValue(u, 3));
    const sum = us.reduce((a, b) => a + b, 0n);
    expect(run('SUM', T.decimal(38, 3), values)).toEqual(decimalValue(sum, 3));
    // AVG(DECIMAL(38, 3)) is DECIMAL(38, 6): the exact mean rounded half up (sum * 1000 / 5 is exact here).
    expect(run('AVG', T.decimal(38, 3), values)).toEqual(decimalValue((sum * 1000n) / 5n, 6));
    expect(run('MAX', T.decimal(38, 3), values)).toEqual(decimalValue(99999999999999999999999n, 3));
    expect(run('MIN', T.decimal(38, 3), values)).toEqual(decimalValue(-500n, 3));
    expect(run('SUM', T.decimal(38, 3), values, [values[0], values[3]])).toEqual(decimalValue(1n - 500n + 7n, 3));
  });
});
