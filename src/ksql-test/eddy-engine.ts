/**
 * The engine `eddy test` runs against: a fresh {@link Eddy} with a temporary state directory (deleted on close),
 * seen through the runner's {@link KsqlTestEngine} interface. Statements go through the public API
 * (`execute`); a push query is read until it ends (its LIMIT) or `pushTimeoutMs` passes; a source's formats and
 * key columns come from the catalog (`TableDef.ksql`).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type * as ast from '../parser/ast.js';
import { EddyError, ErrorCode } from '../common/errors.js';
import { toJsonValue } from '../common/values.js';
import type { Field } from '../common/types.js';
import { DELETE, UPDATE_BEFORE, type Row } from '../runtime/changelog.js';
import type { TableDef } from '../planner/catalog.js';
import { Eddy } from '../engine/eddy.js';
import type { StatementResult } from '../engine/statement-result.js';
import type { EngineError, KsqlTestEngine, StatementOutcome } from './engine.js';
import type { CodecColumn, TopicFormat } from './record-codec.js';
import type { TopicIO } from './topic-io.js';
import { ksqlFormatName, ksqlSchemaText } from './ksql-schema.js';

export interface EddyTestEngineOptions {
  /** The topics of the engine (the embedded log's, or a broker's): created once the Eddy instance exists. */
  readonly topics: (eddy: Eddy) => TopicIO;
  /** Properties set before the test's own (e.g. `bootstrap.servers`). */
  readonly properties?: Readonly<Record<string, string>>;
  /** How long a push query is read when it does not end by itself (default 10 s). */
  readonly pushTimeoutMs?: number;
}

export class EddyTestEngine implements KsqlTestEngine {
  readonly topics: TopicIO;
  private readonly stateDir: string;
  private readonly eddy: Eddy;

  private constructor(private readonly options: EddyTestEngineOptions) {
    this.stateDir = mkdtempSync(join(tmpdir(), 'eddy-test-'));
    this.eddy = new Eddy({ stateDir: this.stateDir });
    try {
      this.topics = options.topics(this.eddy);
    } catch (err) {
      void this.eddy.close().finally(() => rmSync(this.stateDir, { recursive: true, force: true }));
      throw err;
    }
  }

  /** A new engine with its own temporary state directory. */
  static async create(options: EddyTestEngineOptions): Promise<EddyTestEngine> {
    const engine = new EddyTestEngine(options);
    try {
      for (const [k, v] of Object.entries(options.properties ?? {})) await engine.setProperty(k, v);
    } catch (err) {
      await engine.close();
      throw err;
    }
    return engine;
  }

  async setProperty(key: string, value: string): Promise<void> {
    await this.eddy.execute(`SET '${key.replaceAll("'", "''")}' = '${value.replaceAll("'", "''")}'`);
  }

  async execute(sql: string): Promise<StatementOutcome> {
    // executeScript, not execute: a RUN SCRIPT statement runs the file's statements (the last one's result counts).
    let result: StatementResult | undefined;
    for await (const r of this.eddy.executeScript(sql)) result = r;
    if (result === undefined) return { kind: 'admin', type: 'none' };
    switch (result.kind) {
      case 'rows':
        return { kind: 'query', schema: ksqlSchemaText(visible(result.result.schema), this.pullKeys(result.statement, result.result.schema)), rows: result.result.rows.map((r) => jsonRow(r, result.result.schema)) };
      case 'query':
        return this.push(result);
      default:
        return { kind: 'admin', type: adminType(result.statement) };
    }
  }

  /** Reads a push query until it ends by itself (LIMIT) or the timeout passes (then it is cancelled). */
  private async push(result: Extract<StatementResult, { kind: 'query' }>): Promise<StatementOutcome> {
    const handle = result.query;
    const rows: unknown[][] = [];
    handle.onChanges((batch) => {
      batch.rows.forEach((row, i) => {
        const kind = batch.kinds[i];
        // What a push query's client sees: each new row (an update's new value); retractions are not rows.
        if (kind !== UPDATE_BEFORE && kind !== DELETE) rows.push(jsonRow(row, handle.schema));
      });
    });
    let timer: ReturnType<typeof setTimeout> | undefined;
    const ended = await Promise.race([
      handle.done.then(() => true),
      new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), this.options.pushTimeoutMs ?? 10_000))),
    ]).finally(() => clearTimeout(timer));
    if (!ended) await handle.cancel();
    const limited = result.statement.kind === 'QueryStatement' && result.statement.query.limit !== undefined;
    return { kind: 'query', schema: ksqlSchemaText(visible(handle.schema)), rows, ...(ended && limited ? { finalMessage: 'Limit Reached' } : {}) };
  }

  /** A pull query's KEY columns: the key columns of the table it reads, and a windowed table's window bounds. */
  private pullKeys(stmt: ast.Statement, schema: readonly Field[]): Set<string> {
    const keys = new Set<string>();
    const body = stmt.kind === 'QueryStatement' ? stmt.query.body : undefined;
    const from = body?.kind === 'Select' ? body.from : undefined;
    if (from?.kind !== 'TableName') return keys;
    // A pull query on a CTAS table reads its materialized view, under the table's name as alias (KsqlExecutor.pullQuery).
    const ksqlOf = (name: string | undefined) => {
      const entry = name === undefined ? undefined : this.eddy.catalog.find(name);
      return entry?.kind === 'table' ? entry.ksql : undefined;
    };
    const ksql = ksqlOf(from.name.parts.map((p) => p.name).join('.')) ?? ksqlOf(from.alias?.name);
    if (!ksql) return keys;
    const names = [...ksql.keyColumns, ...(ksql.window ? ['WINDOWSTART', 'WINDOWEND'] : [])];
    for (const f of schema) if (names.some((n) => n.toLowerCase() === f.name.toLowerCase())) keys.add(f.name);
    return keys;
  }

  topicFormat(topic: string): TopicFormat | undefined {
    const tables = this.eddy.catalog.list('table').filter((t): t is TableDef => t.kind === 'table' && t.ksql?.topic === topic);
    // The table a persistent query writes knows the topic's final shape (windowing); any other reads the same bytes.
    const table = tables.find((t) => t.ksql?.queryId !== undefined) ?? tables[0];
    return table ? topicFormatOf(table) : undefined;
  }

  settle(timeoutMs: number): Promise<void> {
    return this.eddy.settle({ timeoutMs });
  }

  jobFailures(): readonly string[] {
    return this.eddy
      .jobs()
      .filter((j) => j.status === 'failed' && j.error !== undefined)
      .map((j) => `${j.name}: ${j.error!.message}`);
  }

  describeError(err: unknown): EngineError {
    if (err instanceof EddyError) return { message: err.diagnostics.map((d) => d.message).join('\n'), unsupported: err.code === ErrorCode.UNSUPPORTED };
    return { message: (err as Error)?.message ?? String(err), unsupported: false };
  }

  async close(): Promise<void> {
    try {
      await this.eddy.close();
      await this.topics.close();
    } finally {
      rmSync(this.stateDir, { recursive: true, force: true });
    }
  }
}

/** The columns a client sees (pseudo columns only when selected by name, which makes them not hidden). */
function visible(schema: readonly Field[]): Field[] {
  return schema.filter((f) => !f.hidden);
}

/** A result row as JSON values, the hidden columns left out. */
function jsonRow(row: Row, schema: readonly Field[]): unknown[] {
  return schema.flatMap((f, i) => (f.hidden ? [] : [toJsonValue(row[i], f.type)]));
}

/** How the records of a ksqlDB stream or table's topic are written. */
export function topicFormatOf(table: TableDef): TopicFormat {
  const ksql = table.ksql!;
  const o = table.options;
  const props = Object.fromEntries(Object.entries(ksql.properties).map(([k, v]) => [k.toUpperCase(), v]));
  const valueFormat = o['value.format'] ?? o['format'] ?? props['VALUE_FORMAT'] ?? props['FORMAT'] ?? 'JSON';
  const keyFormat = o['key.format'] ?? props['KEY_FORMAT'] ?? props['FORMAT'] ?? 'KAFKA';
  const isKey = (name: string) => ksql.keyColumns.some((k) => k.toLowerCase() === name.toLowerCase());
  const physical = table.columns.filter((c) => c.computed === undefined && c.metadata === undefined && !c.hidden);
  const column = (c: { name: string; type: CodecColumn['type'] }): CodecColumn => ({ name: c.name, type: c.type });
  const windowType = ksql.window?.type ?? (o['key.window.type']?.toUpperCase() as 'TUMBLING' | 'HOPPING' | 'SESSION' | undefined);
  const sizeMs = ksql.window?.sizeMs ?? (o['key.window.size'] !== undefined ? Number(o['key.window.size']) : undefined);
  return {
    topic: ksql.topic,
    source: `${ksql.objectType} ${table.name}`,
    keyFormat: ksqlFormatName(keyFormat),
    valueFormat: ksqlFormatName(valueFormat),
    keyColumns: ksql.keyColumns.map((k) => physical.find((c) => c.name.toLowerCase() === k.toLowerCase()) ?? table.columns.find((c) => c.name.toLowerCase() === k.toLowerCase())).filter((c) => c !== undefined).map(column),
    valueColumns: physical.filter((c) => !isKey(c.name)).map(column),
    ...(windowType ? { window: { type: windowType, ...(sizeMs !== undefined ? { sizeMs } : {}) } } : {}),
  };
}

/** The `@type` of ksqlDB's REST answer to a statement that is not a query. */
export function adminType(stmt: ast.Statement): string {
  switch (stmt.kind) {
    case 'ShowStatement':
      switch (stmt.what) {
        case 'STREAMS':
          return 'streams';
        case 'TABLES':
          return 'tables';
        case 'QUERIES':
          return 'queries';
        case 'PROPERTIES':
          return 'properties';
        case 'VARIABLES':
          return 'variables';
        case 'FUNCTIONS':
          return 'function_names';
        default:
          return 'currentStatus';
      }
    case 'ShowTopicsStatement':
      return 'kafka_topics';
    case 'DescribeStatement':
      return 'sourceDescription';
    default:
      return 'currentStatus';
  }
}
