/**
 * A ConnectorContext for connector tests, with counters kept in a real MetricsRegistry and bad records
 * recorded in `badRecords` (or thrown, as the `fail` policy does, when `failOnBadRecord` is set).
 */
import type { BadRecord, ConnectorContext } from '../../src/runtime/connector.js';
import { MetricsRegistry } from '../../src/runtime/metrics.js';
import { EddyError, ErrorCode } from '../../src/common/errors.js';
import type { Schema } from '../../src/common/types.js';

export interface TestContext extends ConnectorContext {
  readonly metrics: MetricsRegistry;
  /** Every record reported with `badRecord`, in order. */
  readonly badRecords: BadRecord[];
  /** When true, `badRecord` throws a BAD_RECORD EddyError (after recording the report), as `fail` does. */
  failOnBadRecord: boolean;
}

/** Builds a context for table `tableName`; `metrics` exposes the counters it hands out. */
export function testContext(
  schema: Schema,
  options: Record<string, string>,
  tableName = 't',
  failOnBadRecord = false,
): TestContext {
  const metrics = new MetricsRegistry();
  const badRecords: BadRecord[] = [];
  const ctx: TestContext = {
    tableName,
    options,
    schema,
    timeZone: 'UTC',
    counter: (name) => metrics.counter(tableName, name),
    metrics,
    badRecords,
    failOnBadRecord,
    badRecord(record: BadRecord): void {
      badRecords.push(record);
      if (ctx.failOnBadRecord) {
        const text = typeof record.raw === 'string' ? record.raw : `<${record.raw.length} bytes>`;
        throw new EddyError({
          code: ErrorCode.BAD_RECORD,
          message: `Bad record in \`${tableName}\` at ${record.position} (${record.kind}): ${record.message}; record: ${text}`,
        });
      }
    },
  };
  return ctx;
}
