/**
 * ksqlDB's inspection statements, as tables of text with ksqlDB's columns: SHOW|LIST STREAMS and TABLES
 * (the sources created with ksqlDB's syntax: TableDef.ksql), QUERIES (the session's jobs), PROPERTIES (every
 * setting) and VARIABLES, and what DESCRIBE ... EXTENDED adds.
 */
import type { TableDef } from '../../planner/catalog.js';
import type { JobMetrics } from '../job-registry.js';
import { CounterNames } from '../../runtime/metrics.js';
import { isKsqlProperty, SETTING_ALIASES } from '../settings.js';
import type { SessionContext } from '../session-context.js';
import type { TextTable } from '../statement-result.js';

/** A ksqlDB source's key and value formats, as ksqlDB names them (KEY_FORMAT defaults to KAFKA). */
function formats(t: TableDef): { key: string; value: string } {
  const p = t.ksql?.properties ?? {};
  return { key: (p['KEY_FORMAT'] ?? p['FORMAT'] ?? 'KAFKA').toUpperCase(), value: (p['VALUE_FORMAT'] ?? p['FORMAT'] ?? '').toUpperCase() };
}

/** The names of the tables a job writes (its sinks) and reads (its sources), from its operators' counters. */
function sinksOf(job: JobMetrics): string[] {
  return Object.keys(job.operators).filter((s) => s.startsWith('Sink: ') && s !== 'Sink: collect').map((s) => s.slice('Sink: '.length));
}
function sourcesOf(job: JobMetrics): string[] {
  return [...new Set(Object.keys(job.operators).filter((s) => s.startsWith('Source: ')).map((s) => s.slice('Source: '.length).replace(/#\d+$/, '')))];
}

/** The jobs writing `name` (by their sinks, or the ksqlDB query id kept with it). */
export function jobsWriting(session: SessionContext, name: string, queryId?: string): JobMetrics[] {
  return session.registry.list().filter((j) => j.id === queryId || sinksOf(j).includes(name));
}

/** The jobs reading `name`. */
export function jobsReading(session: SessionContext, name: string): JobMetrics[] {
  return session.registry.list().filter((j) => sourcesOf(j).includes(name));
}

/**
 * `SHOW|LIST STREAMS` and `LIST TABLES` / `SHOW TABLES EXTENDED`: ksqlDB's streams or tables with their
 * topic, formats and whether they are windowed; EXTENDED adds their key columns and the queries writing
 * and reading them.
 */
export function ksqlSourcesTable(session: SessionContext, objectType: 'STREAM' | 'TABLE', extended: boolean): TextTable {
  const sources = session.catalog
    .list('table')
    .filter((t): t is TableDef => t.kind === 'table' && t.ksql?.objectType === objectType)
    .sort((a, b) => a.name.localeCompare(b.name));
  const label = objectType === 'STREAM' ? 'Stream Name' : 'Table Name';
  const columns = [label, 'Kafka Topic', 'Key Format', 'Value Format', 'Windowed', ...(extended ? ['Key Columns', 'Written By', 'Read By'] : [])];
  const rows = sources.map((t) => {
    const f = formats(t);
    const base = [t.name, t.ksql!.topic, f.key, f.value, String(t.ksql!.window !== undefined)];
    if (!extended) return base;
    const ids = (jobs: JobMetrics[]) => jobs.map((j) => j.id).join(', ');
    return [...base, t.ksql!.keyColumns.join(', '), ids(jobsWriting(session, t.name, t.ksql!.queryId)), ids(jobsReading(session, t.name))];
  });
  return { columns, rows };
}

/**
 * `SHOW QUERIES [EXTENDED]`: the session's running jobs (and failed ones), as ksqlDB lists its queries.
 * INSERT jobs and materialized views' jobs are PERSISTENT, SELECT queries PUSH. EXTENDED adds what each
 * reads and its counters.
 */
export function queriesTable(session: SessionContext, extended: boolean): TextTable {
  const columns = ['Query ID', 'Query Type', 'Status', 'Sink Name', 'Sink Kafka Topic', 'Query String', ...(extended ? ['Sources', 'Rows In', 'Rows Out', 'Late Rows', 'Bad Rows', 'Error'] : [])];
  const rows = session.registry.list().map((j) => {
    const sinks = sinksOf(j);
    const topics = sinks.map((s) => {
      const t = session.catalog.find(s);
      return t?.kind === 'table' ? (t.ksql?.topic ?? t.options['topic'] ?? '') : '';
    });
    const base = [j.id, j.kind === 'query' ? 'PUSH' : 'PERSISTENT', j.status, sinks.join(', '), topics.filter((t) => t !== '').join(', '), j.name.replace(/\s+/g, ' ').trim()];
    if (!extended) return base;
    return [...base, sourcesOf(j).join(', '), String(j.rowsIn), String(j.rowsOut), String(j.lateRows), String(j.badRows), j.error ? `${j.error.code}: ${j.error.message}` : ''];
  });
  return { columns, rows };
}

/** The scope ksqlDB gives a property: KSQL for its own, STREAMS for Kafka Streams' and clients', EDDY for Eddy's (Flink's) settings. */
function scopeOf(key: string): string {
  if (key.startsWith('ksql.streams.') || key === 'auto.offset.reset' || key === 'bootstrap.servers') return 'STREAMS';
  return isKsqlProperty(key) ? 'KSQL' : 'EDDY';
}

/**
 * `SHOW PROPERTIES`: every setting with ksqlDB's columns — its scope, whether the session overrode its
 * default (`SESSION`), and its value. ksqlDB's names of Eddy's settings (`bootstrap.servers`) are listed too.
 */
export function propertiesTable(session: SessionContext): TextTable {
  const settings = session.settings;
  const keys = new Set([...settings.entries().map(([k]) => k), ...Object.keys(SETTING_ALIASES).filter((a) => !a.startsWith('ksql.streams.'))]);
  const rows = [...keys].sort().map((k) => [k, scopeOf(k), settings.isSet(k) ? 'SESSION' : '', settings.get(k)]);
  return { columns: ['Property', 'Scope', 'Default override', 'Effective Value'], rows };
}

/** `SHOW VARIABLES`: the session's variables, in the order they were defined. */
export function variablesTable(session: SessionContext): TextTable {
  return { columns: ['Variable Name', 'Value'], rows: [...session.variables].map(([k, v]) => [k, v]) };
}

/**
 * What `DESCRIBE name EXTENDED` adds under the columns: for a ksqlDB source its type, topic, formats,
 * timestamp column and window; for any table the queries that write and read it, and the counters of
 * those writing it (ksqlDB's "local runtime statistics").
 */
export function describeExtendedFooter(session: SessionContext, t: TableDef): string[] {
  const lines: string[] = [];
  if (t.ksql) {
    const f = formats(t);
    const p = t.ksql.properties;
    lines.push(
      `Type                 : ${t.ksql.objectType}`,
      `Timestamp field      : ${p['TIMESTAMP'] ?? 'Not set - using <ROWTIME>'}`,
      `Key format           : ${f.key}`,
      `Value format         : ${f.value}`,
      `Kafka topic          : ${t.ksql.topic}${p['PARTITIONS'] ? ` (partitions: ${p['PARTITIONS']})` : ''}`,
      ...(t.ksql.window ? [`Windowed             : ${t.ksql.window.type}${t.ksql.window.sizeMs !== undefined ? ` (size: ${t.ksql.window.sizeMs} ms)` : ''}`] : []),
    );
  } else {
    lines.push(`Connector            : ${t.options['connector'] ?? ''}`);
  }
  const writing = jobsWriting(session, t.name, t.ksql?.queryId);
  const reading = jobsReading(session, t.name);
  const describe = (j: JobMetrics) => `${j.id} (${j.status}) - ${j.name.replace(/\s+/g, ' ').trim()}`;
  lines.push('', 'Queries that write into it:', ...(writing.length ? writing.map(describe) : ['(none)']));
  lines.push('', 'Queries that read from it:', ...(reading.length ? reading.map(describe) : ['(none)']));
  lines.push('', 'Local runtime statistics:');
  if (writing.length === 0) lines.push('(no query writes it)');
  for (const j of writing) {
    const sink = j.operators[`Sink: ${t.name}`] ?? {};
    lines.push(`${j.id}: rows written ${sink[CounterNames.recordsOut] ?? j.rowsOut}, rows read ${j.rowsIn}, late rows ${j.lateRows}, bad rows ${j.badRows}${j.error ? `, failed: ${j.error.message}` : ''}`);
  }
  return lines;
}
