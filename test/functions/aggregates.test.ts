import { describe, expect, it } from 'vitest';
import { T, typeToString, type DataType } from '../../src/common/types.js';
import { distinctAggregate } from '../../src/functions/aggregate/distinct.js';
import { isResolutionError, type AggregateImpl, type ResolvedAggregate } from '../../src/functions/function-types.js';
import { registry } from './helpers.js';

function agg(name: string, argTypes: DataType[], distinct = false): ResolvedAggregate {
  const r = registry.aggregate(name)!.resolve(argTypes, distinct);
  if (isResolutionError(r)) throw new Error(r.error);
  return r;
}

function aggError(name: string, argTypes: DataType[], distinct = false): string | undefined {
  const r = registry.aggregate(name)!.resolve(argTypes, distinct);
  return isResolutionError(r) ? r.error : undefined;
}

/** Applies +x / -x operations and returns the result. */
function run(impl: AggregateImpl, ops: (['+' | '-', unknown])[]): unknown {
  const acc = impl.create();
  for (const [op, v] of ops) (op === '+' ? impl.add : impl.retract)(acc, v);
  return impl.result(acc);
}

const adds = (...vs: unknown[]) => vs.map((v) => ['+', v] as ['+', unknown]);

/** Serializing through JSON and back gives the same result. */
function roundTrip(impl: AggregateImpl, values: unknown[]): unknown {
  const acc = impl.create();
  for (const v of values) impl.add(acc, v);
  const copy = impl.deserialize(JSON.parse(JSON.stringify(impl.serialize(acc))));
  return impl.result(copy);
}

/** merge(A, B) gives the same result as adding A's and B's inputs into one accumulator. */
function mergeEqualsAddAll(impl: AggregateImpl, a: unknown[], b: unknown[]): void {
  const x = impl.create();
  const y = impl.create();
  for (const v of a) impl.add(x, v);
  for (const v of b) impl.add(y, v);
  impl.merge(x, y);
  const all = impl.create();
  for (const v of [...a, ...b]) impl.add(all, v);
  expect(impl.result(x)).toEqual(impl.result(all));
}

describe('COUNT', () => {
  it('COUNT(*) counts rows, COUNT(x) non-NULL values', () => {
    const star = agg('COUNT', []);
    expect(typeToString(star.type)).toBe('BIGINT NOT NULL');
    expect(run(star.impl, adds(undefined, undefined, undefined))).toBe(3);
    expect(run(agg('COUNT', [T.int()]).impl, adds(1, null, 2))).toBe(2);
    expect(run(star.impl, [])).toBe(0);
  });

  it('retracts', () => {
    expect(run(agg('COUNT', [T.int()]).impl, [['+', 1], ['+', 2], ['-', 1], ['-', null]])).toBe(1);
  });

  it('COUNT(DISTINCT x) counts each value once and retracts on the last copy', () => {
    const impl = agg('COUNT', [T.string()], true).impl;
    expect(run(impl, adds('a', 'b', 'a', null))).toBe(2);
    expect(run(impl, [['+', 'a'], ['+', 'a'], ['-', 'a']])).toBe(1);
    expect(run(impl, [['+', 'a'], ['+', 'a'], ['-', 'a'], ['-', 'a']])).toBe(0);
    expect(aggError('COUNT', [], true)).toMatch(/DISTINCT/);
  });

  it('merges and serializes', () => {
    mergeEqualsAddAll(agg('COUNT', [T.int()]).impl, [1, null], [2, 3]);
    mergeEqualsAddAll(agg('COUNT', [T.int()], true).impl, [1, 2], [2, 3]);
    expect(roundTrip(agg('COUNT', [T.int()], true).impl, [1, 1, 2])).toBe(2);
  });
});

describe('SUM and SUM0', () => {
  it('keeps the argument type family', () => {
    expect(typeToString(agg('SUM', [T.int()]).type)).toBe('INT');
    expect(typeToString(agg('SUM', [T.bigint()]).type)).toBe('BIGINT');
    expect(typeToString(agg('SUM', [T.double()]).type)).toBe('DOUBLE');
    expect(typeToString(agg('SUM', [T.decimal(10, 2)]).type)).toBe('DECIMAL(38, 2)');
    expect(typeToString(agg('SUM0', [T.int()]).type)).toBe('INT NOT NULL');
    expect(aggError('SUM', [T.string()])).toBe('SUM expects a numeric argument, got STRING');
  });

  it('is NULL for an empty or all-NULL group; SUM0 is 0', () => {
    const sum = agg('SUM', [T.int()]).impl;
    expect(run(sum, [])).toBe(null);
    expect(run(sum, adds(null, null))).toBe(null);
    expect(run(sum, adds(1, null, 2))).toBe(3);
    expect(run(agg('SUM0', [T.int()]).impl, adds(null))).toBe(0);
  });

  it('retracting every value gives NULL again', () => {
    const sum = agg('SUM', [T.double()]).impl;
    expect(run(sum, [['+', 0.1], ['+', 0.2], ['-', 0.1], ['-', 0.2]])).toBe(null);
    expect(run(sum, [['+', 5], ['+', 0], ['-', 5]])).toBe(0);
    expect(run(agg('SUM0', [T.double()]).impl, [['+', 0.1], ['+', 0.2], ['-', 0.2], ['-', 0.1]])).toBe(0);
  });

  it('rounds DECIMAL sums to the scale', () => {
    expect(run(agg('SUM', [T.decimal(10, 1)]).impl, adds(0.1, 0.2))).toBe(0.3);
  });

  it('SUM(DISTINCT) adds each value once', () => {
    const impl = agg('SUM', [T.int()], true).impl;
    expect(run(impl, adds(1, 1, 2, null))).toBe(3);
    expect(run(impl, [['+', 1], ['+', 1], ['+', 2], ['-', 1]])).toBe(3);
    expect(run(impl, [['+', 1], ['+', 1], ['+', 2], ['-', 1], ['-', 1]])).toBe(2);
  });

  it('merges', () => {
    mergeEqualsAddAll(agg('SUM', [T.int()]).impl, [1, 2], [3]);
    mergeEqualsAddAll(agg('SUM', [T.int()]).impl, [], []);
    expect(roundTrip(agg('SUM', [T.int()]).impl, [4, 5])).toBe(9);
  });
});

describe('AVG', () => {
  it('of integers truncates (Flink)', () => {
    expect(typeToString(agg('AVG', [T.int()]).type)).toBe('INT');
    expect(run(agg('AVG', [T.int()]).impl, adds(1, 2))).toBe(1);
    expect(run(agg('AVG', [T.int()]).impl, adds(-1, -2))).toBe(-1);
    expect(run(agg('AVG', [T.int()]).impl, adds(1, 2, 4, null))).toBe(2);
  });

  it('of doubles and decimals', () => {
    expect(run(agg('AVG', [T.double()]).impl, adds(1, 2))).toBe(1.5);
    const d = agg('AVG', [T.decimal(10, 2)]);
    expect(typeToString(d.type)).toBe('DECIMAL(38, 6)');
    expect(run(d.impl, adds(1, 2, 2))).toBe(1.666667);
  });

  it('is NULL when empty, including after retraction', () => {
    expect(run(agg('AVG', [T.int()]).impl, [])).toBe(null);
    expect(run(agg('AVG', [T.int()]).impl, [['+', 3], ['-', 3]])).toBe(null);
  });

  it('merges', () => {
    mergeEqualsAddAll(agg('AVG', [T.double()]).impl, [1, 2], [3, 10]);
  });
});

describe('MIN and MAX', () => {
  it('find the extremes of comparable types, skipping NULLs', () => {
    expect(run(agg('MIN', [T.int()]).impl, adds(3, null, 1, 2))).toBe(1);
    expect(run(agg('MAX', [T.int()]).impl, adds(3, null, 1, 2))).toBe(3);
    expect(run(agg('MIN', [T.string()]).impl, adds('b', 'a', 'c'))).toBe('a');
    expect(run(agg('MAX', [T.boolean()]).impl, adds(false, true))).toBe(true);
    expect(run(agg('MAX', [T.timestamp(3)]).impl, adds(10, 30, 20))).toBe(30);
    expect(run(agg('MIN', [T.int()]).impl, adds(null))).toBe(null);
    expect(typeToString(agg('MAX', [{ ...T.int(), nullable: false }]).type)).toBe('INT');
  });

  it('retract exactly: the next extreme appears, and an emptied group gives NULL', () => {
    const max = agg('MAX', [T.int()]).impl;
    expect(run(max, [['+', 5], ['+', 9], ['+', 7], ['-', 9]])).toBe(7);
    expect(run(max, [['+', 9], ['+', 9], ['-', 9]])).toBe(9);
    expect(run(max, [['+', 5], ['-', 5]])).toBe(null);
    const min = agg('MIN', [T.int()]).impl;
    expect(run(min, [['+', 5], ['+', 1], ['+', 3], ['-', 1], ['-', 3]])).toBe(5);
    expect(run(min, [['+', 5], ['+', 1], ['-', 1], ['-', 5], ['+', 8]])).toBe(8);
  });

  it('merge and serialize', () => {
    mergeEqualsAddAll(agg('MAX', [T.int()]).impl, [1, 5], [3, 7]);
    mergeEqualsAddAll(agg('MIN', [T.string()]).impl, ['x'], []);
    const impl = agg('MAX', [T.int()]).impl;
    const acc = impl.create();
    impl.add(acc, 4);
    impl.add(acc, 9);
    const copy = impl.deserialize(JSON.parse(JSON.stringify(impl.serialize(acc))));
    impl.retract(copy, 9);
    expect(impl.result(copy)).toBe(4);
  });

  it('reject MAP arguments', () => {
    expect(aggError('MIN', [T.map(T.string(), T.int())])).toMatch(/comparable/);
  });
});

describe('FIRST_VALUE and LAST_VALUE', () => {
  it('take the first / last non-NULL value', () => {
    expect(run(agg('FIRST_VALUE', [T.string()]).impl, adds(null, 'a', 'b', null))).toBe('a');
    expect(run(agg('LAST_VALUE', [T.string()]).impl, adds('a', 'b', null))).toBe('b');
    expect(run(agg('LAST_VALUE', [T.string()]).impl, [])).toBe(null);
  });

  it('retract', () => {
    const first = agg('FIRST_VALUE', [T.int()]).impl;
    expect(run(first, [['+', 1], ['+', 2], ['-', 1]])).toBe(2);
    expect(run(first, [['+', 1], ['-', 1]])).toBe(null);
    const last = agg('LAST_VALUE', [T.int()]).impl;
    expect(run(last, [['+', 1], ['+', 2], ['-', 2]])).toBe(1);
    expect(run(last, [['+', 1], ['+', 2], ['+', 2], ['-', 2]])).toBe(2);
    expect(run(last, [['+', 1], ['+', 2], ['+', 1], ['-', 1]])).toBe(1);
  });

  it('merge appends the other side', () => {
    mergeEqualsAddAll(agg('LAST_VALUE', [T.int()]).impl, [1, 2], [3]);
    mergeEqualsAddAll(agg('FIRST_VALUE', [T.int()]).impl, [], [3, 4]);
    expect(roundTrip(agg('LAST_VALUE', [T.int()]).impl, [1, 1, 2])).toBe(2);
  });
});

describe('variance and standard deviation', () => {
  // Values 2, 4, 4, 4, 5, 5, 7, 9: mean 5, squared deviations sum 32.
  const data = [2, 4, 4, 4, 5, 5, 7, 9];

  it('population and sample forms', () => {
    expect(run(agg('VAR_POP', [T.double()]).impl, adds(...data))).toBeCloseTo(4, 12);
    expect(run(agg('STDDEV_POP', [T.double()]).impl, adds(...data))).toBeCloseTo(2, 12);
    expect(run(agg('VAR_SAMP', [T.double()]).impl, adds(...data))).toBeCloseTo(32 / 7, 12);
    expect(run(agg('STDDEV_SAMP', [T.double()]).impl, adds(...data))).toBeCloseTo(Math.sqrt(32 / 7), 12);
    expect(run(agg('VAR_SAMP', [T.double()]).impl, adds(3))).toBe(null);
    expect(run(agg('VAR_POP', [T.double()]).impl, [])).toBe(null);
  });

  it('keeps integer types (truncating) as Flink', () => {
    expect(typeToString(agg('STDDEV_SAMP', [T.int()]).type)).toBe('INT');
    expect(run(agg('VAR_SAMP', [T.int()]).impl, adds(...data))).toBe(4);
  });

  it('retracts and merges', () => {
    const impl = agg('VAR_POP', [T.double()]).impl;
    expect(run(impl, [...adds(...data, 100), ['-', 100]])).toBeCloseTo(4, 9);
    expect(run(impl, [['+', 1], ['+', 2], ['-', 1], ['-', 2]])).toBe(null);
    const x = impl.create();
    const y = impl.create();
    for (const v of data.slice(0, 3)) impl.add(x, v);
    for (const v of data.slice(3)) impl.add(y, v);
    impl.merge(x, y);
    expect(impl.result(x)).toBeCloseTo(4, 12);
  });
});

describe('LISTAGG', () => {
  it('joins non-NULL values with a comma', () => {
    expect(run(agg('LISTAGG', [T.string()]).impl, adds('a', null, 'b'))).toBe('a,b');
    expect(run(agg('LISTAGG', [T.string()]).impl, [['+', 'a'], ['+', 'b'], ['-', 'a']])).toBe('b');
    expect(run(agg('LISTAGG', [T.string()]).impl, [])).toBe(null);
  });
});

describe('distinctAggregate', () => {
  /** A recording aggregate, to see what the wrapper forwards. */
  function recorder(): AggregateImpl<string[]> {
    return {
      create: () => [],
      add: (acc, v) => acc.push(`+${String(v)}`),
      retract: (acc, v) => acc.push(`-${String(v)}`),
      merge: (acc, other) => acc.push(...other),
      result: (acc) => acc.join(' '),
      supportsRetract: true,
      serialize: (acc) => acc,
      deserialize: (d) => d as string[],
    };
  }

  it('forwards the first add and the last retract of each value; never NULL', () => {
    const impl = distinctAggregate(recorder());
    expect(run(impl, [['+', 1], ['+', 1], ['+', null], ['+', 2], ['-', 1], ['-', 1], ['-', 3], ['+', 1]])).toBe('+1 +2 -1 +1');
  });

  it('treats equal arrays as the same value', () => {
    const impl = distinctAggregate(recorder());
    expect(run(impl, [['+', [1, 2]], ['+', [1, 2]], ['+', [2, 1]]])).toBe('+1,2 +2,1');
  });

  it('merge adds only values the accumulator had not seen, and keeps counts', () => {
    const impl = distinctAggregate(recorder());
    const a = impl.create();
    const b = impl.create();
    impl.add(a, 1);
    impl.add(b, 1);
    impl.add(b, 2);
    impl.merge(a, b);
    expect(impl.result(a)).toBe('+1 +2');
    impl.retract(a, 1);
    expect(impl.result(a)).toBe('+1 +2');
    impl.retract(a, 1);
    expect(impl.result(a)).toBe('+1 +2 -1');
  });

  it('survives serialization', () => {
    const impl = distinctAggregate(recorder());
    const acc = impl.create();
    impl.add(acc, 'x');
    impl.add(acc, 'x');
    const copy = impl.deserialize(JSON.parse(JSON.stringify(impl.serialize(acc))));
    impl.retract(copy, 'x');
    impl.add(copy, 'x');
    expect(impl.result(copy)).toBe('+x');
  });
});

describe('append-only MIN/MAX', () => {
  it('gives the same results as the retracting implementation on inputs without retractions, and merges', () => {
    for (const name of ['MIN', 'MAX'] as const) {
      for (const type of [T.int(), T.string(), T.double()]) {
        const r = registry.aggregate(name)!.resolve([type], false);
        if ('error' in r) throw new Error(r.error);
        const full = r.impl;
        const fast = full.appendOnly!;
        expect(fast).toBeDefined();
        expect(fast.supportsRetract).toBe(false);
        const values = type.name === 'STRING' ? ['m', null, 'b', 'z', 'b'] : [5, null, -3, 12, 7];
        const a = full.create();
        const b = fast.create();
        for (const v of values) {
          full.add(a, v);
          fast.add(b, v);
        }
        expect(fast.result(b)).toBe(full.result(a));
        expect(fast.result(fast.create())).toBeNull();
        const c = fast.create();
        fast.add(c, values[2]);
        fast.merge(c, b);
        expect(fast.result(c)).toBe(full.result(a));
        expect(fast.result(fast.deserialize(fast.serialize(b)))).toBe(full.result(a));
      }
    }
  });
});
