/**
 * EPOCH_MILLIS(t): a TIMESTAMP_LTZ (the instant) or TIMESTAMP (a UTC wall clock, as ksqlDB's TIMESTAMP) as epoch
 * milliseconds, BIGINT. ksqlDB's ROWTIME is such a BIGINT; the lowering of its streams and tables
 * (src/engine/ksql) computes it from the record's timestamp metadata with this.
 */
import { T, withNullable, withoutTimeAttribute } from '../../common/types.js';
import type { ScalarFunctionDef } from '../function-types.js';

const epochMillis: ScalarFunctionDef = {
  name: 'EPOCH_MILLIS',
  description: 'EPOCH_MILLIS(t) – a TIMESTAMP_LTZ, or a TIMESTAMP read as UTC, in epoch milliseconds (BIGINT)',
  resolve(argTypes) {
    if (argTypes.length !== 1) return { error: `EPOCH_MILLIS expects 1 argument, got ${argTypes.length}` };
    const t = withoutTimeAttribute(argTypes[0]!);
    if (t.name !== 'TIMESTAMP' && t.name !== 'TIMESTAMP_LTZ') return { error: `EPOCH_MILLIS expects a TIMESTAMP or TIMESTAMP_LTZ, got ${t.name}` };
    return { type: withNullable(T.bigint(), t.nullable), impl: (v: unknown) => Math.floor(v as number), strict: true, deterministic: true };
  },
};

export const rowtimeFunctions: readonly ScalarFunctionDef[] = [epochMillis];
