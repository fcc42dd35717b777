/**
 * The contracts connectors implement. A connector is a factory, registered by its `identifier` (the
 * `'connector' = '...'` option), that declares the options it takes and creates sources and/or sinks.
 *
 * Sources produce rows of the table's physical columns (in declared order, typed per
 * src/common/types.ts), then the values of the METADATA keys asked for; computed columns, watermarks, pacing and batching are the runtime's business, not
 * the connector's. Sinks receive changelog batches of the query's output columns.
 */
import type { Span } from '../common/errors.js';
import type { DataType, Schema } from '../common/types.js';
import type { ChangeBatch, Row, RowKind } from './changelog.js';
import type { Counter } from './metrics.js';

/** One option a connector or format accepts. */
export interface OptionSpec {
  /** The key, e.g. `path`. A key containing `#` is a pattern: `fields.#.kind` matches `fields.x.kind`. */
  readonly key: string;
  readonly description: string;
  readonly required?: boolean;
  /** A `required` option is not required when the option `key` has this value (compared case-insensitively). */
  readonly requiredUnless?: { readonly key: string; readonly value: string };
  /** The default, as text, shown in docs and DESCRIBE. */
  readonly defaultValue?: string;
  /** Allowed values, when the option is an enumeration (checked case-insensitively). */
  readonly values?: readonly string[];
  /** The value is a secret (a password, a private key): displays such as SHOW CREATE TABLE mask it. */
  readonly secret?: boolean;
}

/** Why a record could not become a row; each kind is counted separately (counter `badRecords.<kind>`). */
export type BadRecordKind =
  | 'invalid-json'
  | 'invalid-csv'
  | 'empty'
  | 'wrong-type'
  | 'missing-field'
  | 'missing-not-null'
  | 'null-event-time'
  | 'too-large'
  | 'invalid-utf8'
  | 'numeric-overflow'
  | 'expression-error'
  | 'too-deep'
  | 'out-of-range'
  | 'invalid-change'
  | 'invalid-avro';

/** A record that could not be read or processed. */
export interface BadRecord {
  readonly kind: BadRecordKind;
  /** What is wrong, e.g. `field 'ts': cannot read 'yesterday' as TIMESTAMP(3)`. */
  readonly message: string;
  /** Where it is: `rides.json:17` (file:line), `rides/0@1234` (topic/partition@offset). */
  readonly position: string;
  /** The record as read (text, or bytes that are not valid UTF-8). */
  readonly raw: string | Uint8Array;
  /** For an error in a SQL expression: where the failing expression is in the statement. */
  readonly span?: Span;
}

/** What a source or sink is created with. */
export type { ScanFilter } from '../planner/physical-plan.js';
import type { ScanFilter } from '../planner/physical-plan.js';

export interface ConnectorContext {
  /** The table's name, for messages (`rides`). */
  readonly tableName: string;
  /** The WITH options, keys as written (already validated against the factory's options). */
  readonly options: Readonly<Record<string, string>>;
  /**
   * The physical columns: what a source must produce, or what a sink receives (in both cases followed by the
   * values of {@link metadataKeys}, when there are any).
   */
  readonly schema: Schema;
  /** The session time zone. */
  readonly timeZone: string;
  /** Counters of this source or sink (e.g. CounterNames.badRecordsSkipped). */
  counter(name: string): Counter;
  /**
   * Reports a record the source could not read, under the table's error policy (`errors.policy`, see
   * src/runtime/bad-records.ts): `fail` throws an EddyError (BAD_RECORD) naming the table, position, kind
   * and the record's text; `skip` and `dead-letter` count it (the latter also stores it in the dead-letter
   * table) and return, and the source goes on with the next record. Sinks never call it.
   */
  badRecord(record: BadRecord): void;
  /**
   * Set when the job restores from a checkpoint: for a source, the `position()` it reported at that
   * checkpoint (it resumes right after it); for a sink, the information its `preCommit` returned then.
   */
  readonly restored?: unknown;
  /**
   * The table's PRIMARY KEY columns (declared NOT ENFORCED), when it has one; an upsert sink (`sqlite`)
   * writes by this key, an upsert source (`upsert-kafka`) reads by it. Absent: no key.
   */
  readonly primaryKey?: readonly string[];
  /**
   * True when the job takes checkpoints (so `preCommit`/`commit` will be called). An exactly-once sink then
   * holds its output back from the first row on, instead of writing it directly until the first
   * `preCommit` (which would be at-least-once for output written before the first checkpoint).
   */
  readonly checkpointing?: boolean;
  /**
   * Identifies this sink of this job across restarts (the job's state key and the sink): a sink that
   * records its commits in the target (the sqlite sink) keys them by it, so jobs sharing a target table do
   * not mistake each other's commits for their own.
   */
  readonly sinkId?: string;
  /** For a source: predicates it may use to read less (see {@link ScanFilter}); absent: read everything. */
  readonly filters?: readonly ScanFilter[];
  /**
   * For a source: the `schema` columns (indexes) the query reads. A source may leave the others NULL in the
   * rows it produces when that saves work (a format that does not build unread values), but must not let
   * them change which records are bad. Absent: every column is read.
   */
  readonly columnsRead?: readonly number[];
  /**
   * The metadata keys of the table's METADATA columns this source reads or this sink writes, in order (Flink's
   * SupportsReadingMetadata / SupportsWritingMetadata), each one of the connector's {@link ConnectorFactory.metadata},
   * each at most once. A source appends their values (of the key's {@link MetadataSpec.type}), in this order, after
   * the `schema` columns of every row it produces; for a query, only the keys it needs are asked for. A sink
   * receives rows whose values after the `schema` columns are these keys' values, of the key's type (only writable
   * keys, of the table's persisted METADATA columns; VIRTUAL ones are never written). Absent or empty: none.
   */
  readonly metadataKeys?: readonly string[];
  /**
   * The file of the session's embedded log (`<state dir>/topics.db`, or a temporary file of the session), where
   * `kafka` / `upsert-kafka` tables with `'client.library' = 'embedded'` keep their topics. Set by the engine for
   * every job; absent when the job was built without one (such a table then cannot be read or written).
   */
  readonly embeddedLogPath?: string;
  /**
   * For a source of a job that runs in several parallel instances (`parallelism.default` > 1): this instance
   * reads split `index` of `count` (0 <= index < count). A connector that can divide its input declares
   * {@link ConnectorFactory.splittable} and reads only its share, so that the instances together read every record
   * exactly once; positions (`position()` / `restored`) are then per instance. Absent: read everything (one instance).
   */
  readonly split?: { readonly index: number; readonly count: number };
}

/** A metadata column a connector offers (`offset`, `timestamp`, `headers` of a Kafka record): Flink's metadata keys. */
export interface MetadataSpec {
  /** The key a column names in `METADATA FROM '<key>'` (or by its own name). */
  readonly key: string;
  /** The value's type (a column may declare a type this one casts to, as in Flink). */
  readonly type: DataType;
  /**
   * True when a sink writes it (from a persisted METADATA column); false: read-only — a table may declare it
   * without VIRTUAL and be read, but an INSERT into it is refused (as in Flink), naming the column.
   */
  readonly writable: boolean;
  readonly description: string;
}

/** A chunk of rows read from one split (a file, a partition). */
export interface SourceChunk {
  /** The split the rows come from; watermarks are tracked per split. */
  readonly split: string;
  readonly rows: Row[];
  /**
   * The kind of change of each row (`kinds[i]` of `rows[i]`), from a source of updates (an upsert topic, a
   * changelog format); absent: every row is an insert. Event time and watermarks apply to every kind.
   */
  readonly kinds?: readonly RowKind[];
  /** True when this split has no more data (a finished file of a bounded read). */
  readonly splitEnded?: boolean;
  /**
   * Where row `i` of this chunk came from and its raw text, for errors found after decoding (a NULL event
   * time). Called only for bad rows, so it may be slow; absent: the runtime describes the row itself.
   */
  describe?(i: number): { readonly position: string; readonly raw: string };
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
  /**
   * Where the source stands: plain JSON data identifying the position right after the last row `next()`
   * returned (file offsets, a sequence number). Stored at each checkpoint and handed back as
   * `ConnectorContext.restored`. Absent: the source cannot resume (it restarts from the beginning).
   */
  position?(): unknown;
  /**
   * Called by the job once a checkpoint has completed (its transaction is durable and the sinks committed), with
   * the `position()` this source reported for it: for what a source tells the outside world about its progress
   * (a Kafka source commits its offsets to the consumer group, for monitoring). Never part of exactly-once: it
   * may be skipped (a crash) or run for a later checkpoint only. Not awaited by the checkpoint; a failure must be
   * handled (logged, counted) by the source and never fails the job. `close()` should wait for one under way.
   */
  checkpointCompleted?(position: unknown, checkpointId: number): void;
  /**
   * What the source is going through when it is not simply reading, for people watching the job (SHOW JOBS,
   * DESCRIBE JOB, the shell's status), e.g. `retrying: Kafka broker 127.0.0.1:9 unreachable (attempt 3, next in
   * 4 s)`. Undefined while all is well.
   */
  health?(): string | undefined;
  /**
   * Whether every record available to this source when asked has been handed out by `next()` (a Kafka source: each
   * partition's position is at its end offset). Used to wait until a job has processed all its current input
   * (Eddy.settle, `eddy test`); absent for sources that cannot tell (an unbounded source without it cannot be settled).
   */
  caughtUp?(): Promise<boolean>;
}

/**
 * Writes a job's output. `write` is synchronous and may buffer; the driver awaits `flush` after batches and
 * before it finishes. `close` flushes and releases resources.
 *
 * Exactly-once sinks take part in checkpoints with two phases:
 * 1. `preCommit(id)`: make everything written since the last checkpoint durable but not yet final, and
 *    return what `commit` needs (plain JSON data). The job stores it in the checkpoint's transaction.
 * 2. `commit(info)`: after that transaction, make it final. It must be idempotent: after a crash between
 *    the two phases, the restored sink is given the same info and commits again.
 * On `open()` with `ConnectorContext.restored` set, the sink returns to that checkpoint: it discards output
 * written after it and completes its commit if that had not finished. Sinks without these methods are
 * at-least-once (they may repeat output written after the last checkpoint).
 */
export interface SinkWriter {
  open(): Promise<void>;
  write(batch: ChangeBatch): void;
  flush(): Promise<void>;
  close(): Promise<void>;
  preCommit?(checkpointId: number): Promise<unknown>;
  commit?(info: unknown): Promise<void>;
  /** The event-time watermark of the sink's input advanced (epoch ms); output before it is complete. */
  watermark?(watermark: number): void;
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
  /**
   * True when the source honours {@link ConnectorContext.split}: parallel instances each read a disjoint share
   * of the input. Absent: a parallel job reads this source in one instance only.
   */
  readonly splittable?: boolean;
  /** Present when the connector can be written to. */
  createSink?(ctx: ConnectorContext): SinkWriter;
  /** What the sink accepts; append-only sinks reject updating queries at plan time. */
  readonly sinkChangelogMode?: SinkChangelogMode;
  /**
   * True when the source reads a snapshot of stored data: the rows the table holds when the query runs,
   * then it ends (a bounded read of a database table, not a stream). A SELECT reading only such sources
   * runs as a pull query, answering its final rows at once (materialized views are read in one read
   * transaction of views.db). Absent: false.
   */
  readonly sourceReadsSnapshot?: boolean;
  /**
   * What kind of changelog the source emits for a table with these options (absent: insert-only). A source
   * of updates (an upsert topic, a changelog format) says so here, and the planner takes it from there.
   */
  sourceChangelogMode?(options: Readonly<Record<string, string>>): SourceChangelogMode;
  /** True when the connector takes a `format` option (its options are then validated too). */
  readonly usesFormat?: boolean;
  /** The metadata this connector reads (and maybe writes) for METADATA columns; absent: none. */
  readonly metadata?: readonly MetadataSpec[];
  /** Present when the connector can look rows up by key: the right side of a lookup join. */
  createLookup?(ctx: LookupContext): LookupReader;
  /**
   * Problems with combinations of options (each option alone was valid), each about one option `key`:
   * e.g. a cache limit given without the cache it limits. `table` (given at CREATE TABLE and with OPTIONS hints)
   * allows checks against the columns, e.g. an option naming a column the table does not have.
   */
  checkOptions?(options: Readonly<Record<string, string>>, table?: TableShape): readonly { readonly key: string; readonly message: string; readonly hint?: string }[];
}

/** What option checks may know of the table (at CREATE TABLE): its physical columns (names, and with their types) and its PRIMARY KEY. */
export interface TableShape {
  readonly columns: readonly string[];
  readonly schema?: Schema;
  readonly primaryKey?: readonly string[];
}

/** A lookup join's partial cache (Flink's `lookup.cache` = 'PARTIAL' and `lookup.partial-cache.*`); absent limits do not apply. */
export interface LookupCacheConfig {
  /** At most this many keys (the least recently used leave first). */
  readonly maxRows?: number;
  readonly expireAfterWriteMs?: number;
  readonly expireAfterAccessMs?: number;
  /** Whether keys the table does not have are cached too (default true, as in Flink). */
  readonly cacheMissingKey: boolean;
}

/** What a lookup reader is created with: a source's context, and the physical columns it looks rows up by. */
export interface LookupContext extends ConnectorContext {
  /** The key columns' names, in the order of the values given to {@link LookupReader.lookup}. */
  readonly keys: readonly string[];
}

/**
 * Looks rows of a table up by key, synchronously (a lookup join calls it for each input row, at the moment
 * the row is processed, and sees the table as it is then).
 */
export interface LookupReader {
  /** The cache a lookup join keeps in front of the reader (the table's `lookup.cache` options); absent: none. */
  readonly cache?: LookupCacheConfig;
  /** Opens the table; fails when it cannot be read. */
  open(): void;
  /** The rows (of the table's physical columns) whose key columns equal `key` (never NULL values). */
  lookup(key: readonly unknown[]): Row[];
  close(): void;
}

/** A format factory (`json`, `csv`): declares its options for validation; options are prefixed `<format>.`. */
export interface FormatFactory {
  readonly identifier: string;
  readonly options: readonly OptionSpec[];
  /** A format whose records are changes (`debezium-json`: `retract`); absent: each record is an insert. */
  readonly changelogMode?: SourceChangelogMode;
  /**
   * Problems with the table's physical columns for this format and its options (`raw` reads one STRING or BYTES
   * column; an `avro.schema` must match the columns), reported at CREATE TABLE. Absent: any columns.
   */
  checkSchema?(schema: Schema, options: Readonly<Record<string, string>>): readonly { readonly key: string; readonly message: string; readonly hint?: string }[];
}

/**
 * The changes a source emits: only inserts; upserts and deletes by the table's primary key (no -U before
 * a +U, as an upsert-kafka topic); or full retractions (-U/+U pairs and -D, as a debezium changelog).
 */
export type SourceChangelogMode = 'insert-only' | 'upsert' | 'retract';
