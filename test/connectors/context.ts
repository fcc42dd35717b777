/** A ConnectorContext for connector tests, with counters kept in a real MetricsRegistry. */
import type { ConnectorContext } from '../../src/runtime/connector.js';
import { MetricsRegistry } from '../../src/runtime/metrics.js';
import type { Schema } from '../../src/common/types.js';

/** Builds a context for table `tableName`; `metrics` exposes the counters it hands out. */
export function testContext(
  schema: Schema,
  options: Record<string, string>,
  tableName = 't',
): ConnectorContext & { metrics: MetricsRegistry } {
  const metrics = new MetricsRegistry();
  return { tableName, options, schema, timeZone: 'UTC', counter: (name) => metrics.counter(tableName, name), metrics };
}
