/**
 * The contracts connectors implement. A connector is a factory, registered by its `identifier` (the
 * `'connector' = '...'` option), that declares the options it takes and creates sources and/or sinks.
 *
 * Sources produce rows of the table's physical columns (in declared order, typed per
 * src/common/types.ts); computed columns, watermarks, pacing and batching are the runtime's business, not
 * the connector's. Sinks receive changelog batches of the query's output columns.
 */
import type { Schema } from '../common/types.js';
import type { ChangeBatch, Row } from './changelog.js';
import type { Counter } from './metrics.js';

/** One option a connector or format accepts. */
export interface OptionSpec {
  /** The key, e.g. `path`. A key containing `#` is a pattern: `fields.#.kind` matches `fields.x.kind`. */
  readonly key: string;
  readonly description: string;
  readonly required?: boolean;
  /** The default, as text, shown in docs and DESCRIBE. */
  readonly defaultValue?: string;
  /** Allowed values, when the option is an enumeration (checked case-insensitively). */
  readonly values?: readonly string[];
}

/** What a source or sink is created with. */
export interface ConnectorContext {
  /** The table's name, for messages (`rides`). */
  readonly tableName: string;
  /** The WITH options, keys as written (already validated against the factory's options). */
  readonly options: Readonly<Record<string, string>>;
  /** The physical columns: what a source must produce, or what a sink receives. */
  readonly schema: Schema;
  /** The session time zone. */
  readonly timeZone: string;
  /** Counters of this source or sink (e.g. CounterNames.badRecordsSkipped). */
  counter(name: string): Counter;
}

/** A chunk of rows read from one split (a file, a partition). */
export interface SourceChunk {
  /** The split the rows come from; watermarks are tracked per split. */
  readonly split: string;
  readonly rows: Row[];
  /** True when this split has no more data (a finished file of a bounded read). */
  readonly splitEnded?: boolean;
}

/**
 * Reads a table's data. `next` is awaited by the job driver in a loop; it resolves with the next chunk, or
 * null once the source is finished (bounded sources only; unbounded ones wait for more data instead).
 * It must resolve promptly after `close()` is called.
 */
export interface SourceReader {
  open(): Promise<void>;
  next(): Promise<SourceChunk | null>;
  close(): Promise<void>;
  /** True when this source will end by itself (a file read once, datagen with number-of-rows). */
  readonly bounded: boolean;
}

/**
 * Writes a job's output. `write` is synchronous and may buffer; the driver awaits `flush` after batches and
 * before it finishes. `close` flushes and releases resources.
 */
export interface SinkWriter {
  open(): Promise<void>;
  write(batch: ChangeBatch): void;
  flush(): Promise<void>;
  close(): Promise<void>;
}

/** Which changes a sink accepts. */
export type SinkChangelogMode = 'append' | 'all';

export interface ConnectorFactory {
  /** The `connector` option value, e.g. `filesystem`. */
  readonly identifier: string;
  readonly description: string;
  /** Options of the connector itself (format options are declared by the format). */
  readonly options: readonly OptionSpec[];
  /** Present when the connector can be read from. */
  createSource?(ctx: ConnectorContext): SourceReader;
  /** Present when the connector can be written to. */
  createSink?(ctx: ConnectorContext): SinkWriter;
  /** What the sink accepts; append-only sinks reject updating queries at plan time. */
  readonly sinkChangelogMode?: SinkChangelogMode;
  /** True when the connector takes a `format` option (its options are then validated too). */
  readonly usesFormat?: boolean;
}

/** A format factory (`json`, `csv`): declares its options for validation; options are prefixed `<format>.`. */
export interface FormatFactory {
  readonly identifier: string;
  readonly options: readonly OptionSpec[];
}
