/**
 * VAR_POP, VAR_SAMP, STDDEV_POP, STDDEV_SAMP (and VARIANCE / STDDEV as the sample forms), with Welford's
 * running mean, which can be reversed exactly enough for retraction and combined for merges.
 */
import { T, withNullable, type DataType } from '../../common/types.js';
import type { AggregateFunctionDef, AggregateImpl } from '../function-types.js';
import { toDecimal } from '../numeric.js';
import { decimalToNumber } from '../../common/decimal.js';
import { wrapInt64 } from '../../common/int64.js';
import { distinctAggregate } from './distinct.js';
import { numericArgument } from './numeric-arg.js';

interface MomentAcc {
  n: number;
  mean: number;
  /** Sum of squared differences from the mean. */
  m2: number;
}

/** Moments are computed in doubles (BIGINT and DECIMAL values taken as the nearest double). */
function momentsImpl(finish: (acc: MomentAcc) => unknown): AggregateImpl<MomentAcc> {
  return {
    create: () => ({ n: 0, mean: 0, m2: 0 }),
    add(acc, v) {
      if (v === null || v === undefined) return;
      const x = decimalToNumber(v);
      acc.n++;
      const delta = x - acc.mean;
      acc.mean += delta / acc.n;
      acc.m2 += delta * (x - acc.mean);
    },
    retract(acc, v) {
      if (v === null || v === undefined) return;
      const x = decimalToNumber(v);
      if (acc.n <= 1) {
        acc.n = 0;
        acc.mean = 0;
        acc.m2 = 0;
        return;
      }
      const n = acc.n - 1;
      const meanBefore = (acc.mean * acc.n - x) / n;
      acc.m2 = Math.max(0, acc.m2 - (x - meanBefore) * (x - acc.mean));
      acc.mean = meanBefore;
      acc.n = n;
    },
    merge(acc, other) {
      if (other.n === 0) return;
      const n = acc.n + other.n;
      const delta = other.mean - acc.mean;
      acc.m2 += other.m2 + (delta * delta * acc.n * other.n) / n;
      acc.mean += (delta * other.n) / n;
      acc.n = n;
    },
    result: finish,
    supportsRetract: true,
    orderInsensitive: true,
    serialize: (acc) => [acc.n, acc.mean, acc.m2],
    deserialize(data) {
      const [n, mean, m2] = data as [number, number, number];
      return { n, mean, m2 };
    },
  };
}

/** Result type as Flink's AVG: integral and floating types keep their type, DECIMAL gives DECIMAL(38, max(6, s)). */
function resultType(t: DataType): DataType {
  return t.name === 'DECIMAL' ? T.decimal(38, Math.max(6, t.scale ?? 0)) : withNullable(t, true);
}

/** The double result as a value of the result type (DECIMAL and BIGINT in their exact forms). */
function toType(t: DataType): (x: number) => unknown {
  if (t.name === 'DECIMAL') {
    const scale = Math.max(6, t.scale ?? 0);
    return (x) => toDecimal(x, 38, scale) ?? null;
  }
  if (t.name === 'FLOAT' || t.name === 'DOUBLE') return (x) => x;
  if (t.name === 'BIGINT') return (x) => (Number.isSafeInteger(Math.trunc(x)) ? Math.trunc(x) : wrapInt64(BigInt(Math.trunc(x))));
  return (x) => Math.trunc(x);
}

function moment(name: string, sample: boolean, sqrt: boolean, description: string): AggregateFunctionDef {
  return {
    name,
    description,
    resolve(argTypes, distinct) {
      const t = numericArgument(name, argTypes);
      if ('error' in t) return t;
      const convert = toType(t);
      const impl = momentsImpl((acc) => {
        const d = sample ? acc.n - 1 : acc.n;
        if (d <= 0) return null;
        const variance = acc.m2 / d;
        return convert(sqrt ? Math.sqrt(variance) : variance);
      });
      return { type: resultType(t), impl: distinct ? distinctAggregate(impl) : impl };
    },
  };
}

/** The variance and standard deviation aggregates. */
export const varianceFunctions: readonly AggregateFunctionDef[] = [
  moment('VAR_POP', false, false, 'VAR_POP(x) – population variance of the non-NULL values'),
  moment('VAR_SAMP', true, false, 'VAR_SAMP(x) – sample variance; NULL for fewer than two values'),
  moment('VARIANCE', true, false, 'VARIANCE(x) – sample variance (same as VAR_SAMP)'),
  moment('STDDEV_POP', false, true, 'STDDEV_POP(x) – population standard deviation'),
  moment('STDDEV_SAMP', true, true, 'STDDEV_SAMP(x) – sample standard deviation; NULL for fewer than two values'),
  moment('STDDEV', true, true, 'STDDEV(x) – sample standard deviation (same as STDDEV_SAMP)'),
];
