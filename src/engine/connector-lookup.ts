/**
 * Adapts the connector registry to what the planner may know of connectors (validation and capabilities),
 * so the planner never imports connector code.
 */
import type { ConnectorFactory, FormatFactory } from '../runtime/connector.js';
import { validateOptions } from '../connectors/validate-options.js';
import type { ConnectorLookup } from '../planner/binder/binder-context.js';

/** The planner's view of these connectors and formats: option validation and each connector's capabilities. */
export function connectorLookup(connectors: readonly ConnectorFactory[], formats: readonly FormatFactory[]): ConnectorLookup {
  const byId = new Map(connectors.map((c) => [c.identifier, c]));
  return {
    validate(options, table) {
      const problems = validateOptions(byId.get(options['connector'] ?? ''), formats, options, connectors, table);
      if (problems.length > 0 || table?.schema === undefined || !byId.get(options['connector'] ?? '')?.usesFormat) return problems;
      // The format's own look at the columns (raw: one STRING or BYTES column; avro: the schema matches them).
      const format = formats.find((f) => f.identifier === (options['value.format'] ?? options['format'])?.toLowerCase());
      return (format?.checkSchema?.(table.schema, options) ?? []).map((p) => ({ key: p.key, kind: 'invalid-value' as const, message: p.message, hint: p.hint }));
    },
    sourceChangelog(options) {
      const connector = byId.get(options['connector'] ?? '');
      const fromConnector = connector?.sourceChangelogMode?.(options);
      if (fromConnector) return fromConnector;
      const format = formats.find((f) => f.identifier === (options['value.format'] ?? options['format']));
      return format?.changelogMode ?? 'insert-only';
    },
    capabilities(identifier, options) {
      const f = byId.get(identifier);
      if (!f) return undefined;
      // A sink of records in a changelog format (debezium-json, canal-json) writes every kind of change.
      const format = f.usesFormat && options ? formats.find((x) => x.identifier === (options['value.format'] ?? options['format'])?.toLowerCase()) : undefined;
      return {
        source: f.createSource !== undefined,
        sink: f.createSink !== undefined,
        sinkAcceptsUpdates: f.sinkChangelogMode === 'all' || format?.changelogMode === 'retract',
        sourceReadsSnapshot: f.createSource !== undefined && f.sourceReadsSnapshot === true,
        lookup: f.createLookup !== undefined,
        ...(f.metadata ? { metadata: f.metadata } : {}),
      };
    },
  };
}
