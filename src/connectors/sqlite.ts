/**
 * Eddy's `sqlite` connector: a table of a SQLite database file as an exactly-once upsert (or append) sink,
 * as a bounded source that reads the table back, and as the table a lookup join looks rows up in.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { ConnectorContext, ConnectorFactory, LookupContext, LookupReader, OptionSpec, ScanFilter, SinkWriter, SourceChunk, SourceReader } from '../runtime/connector.js';
import { DELETE, INSERT, ROW_KIND_NAMES, UPDATE_AFTER, UPDATE_BEFORE, type ChangeBatch, type Row } from '../runtime/changelog.js';
import { EddyError, ErrorCode } from '../common/errors.js';
import { typeToString, type Field } from '../common/types.js';
import { formatDate, formatTime, formatTimestamp } from '../common/time.js';
import { compileJsonReader, compileJsonWriter, ConversionFailure, JsonNumberText, jsonTooDeep, parseJson, tooDeep } from './formats/convert-value.js';
import { RecordError, unexpectedFailure } from './formats/record-codec.js';
import type { BigDecimal } from '../common/decimal.js';
import { stringifyJson } from '../common/values.js';
import { isValidUtf8 } from './line-splitter.js';
import { LOOKUP_OPTIONS, lookupCache, lookupOptionProblems } from './option-values.js';

const OPTIONS: readonly OptionSpec[] = [
  { key: 'path', description: 'The SQLite database file (created when missing, for a sink).', required: true },
  { key: 'table-name', description: 'The table in that database (created when missing, for a sink).', required: true },
  ...LOOKUP_OPTIONS,
];

/** The table recording, per sink, the last checkpoint whose changes were applied. */
export const SINK_COMMITS_TABLE = '_eddy_sink_commits';
/**
 * The table recording, per sink, how fresh the table is: the checkpoint last applied (NULL without
 * checkpoints), the watermark of the sink's input then (epoch ms, NULL before any) and when it was written.
 * Written in the same transaction as the rows, so a reader's snapshot sees the rows and their freshness.
 */
export const SINK_PROGRESS_TABLE = '_eddy_sink_progress';
/** Rows per chunk of the source. */
const SCAN_CHUNK = 2000;

/** A value as SQLite stores it. */
type SqlValue = number | string | Buffer | bigint | null;

/** How one column is stored: its declared SQLite type, and conversions both ways. */
interface ColumnCodec {
  readonly name: string;
  readonly declared: string;
  /** Eddy value (not null) → SQLite value. */
  readonly toSql: (v: unknown) => SqlValue;
  /** SQLite value → Eddy value; throws a ConversionFailure when it does not fit. */
  readonly fromSql: (v: unknown) => unknown;
  /** SQLite value → JSON-safe value (for the redo log in a checkpoint), and back. */
  readonly toLog: (v: SqlValue) => unknown;
  readonly fromLog: (v: unknown) => SqlValue;
}

const same = <T>(v: T): T => v;

/**
 * The SQLite storage of each Eddy type. Numbers keep their affinity (INTEGER, REAL, NUMERIC); BOOLEAN is
 * INTEGER 0/1; TIMESTAMP, DATE and TIME are TEXT in Eddy's canonical form (`2024-01-02 03:04:05.678`,
 * TIMESTAMP_LTZ in UTC with a `Z`), which sorts in time order and SQLite's date functions read; BYTES is a
 * BLOB; ARRAY, MAP and ROW are JSON TEXT.
 */
function columnCodec(field: Field): ColumnCodec {
  const type = field.type;
  const reader = compileJsonReader(type);
  const base = { name: field.name, toLog: same as (v: SqlValue) => unknown, fromLog: same as (v: unknown) => SqlValue };
  const fromSql = (v: unknown) => reader(typeof v === 'bigint' ? Number(v) : v);
  switch (type.name) {
    case 'BOOLEAN':
      return {
        ...base,
        declared: 'INTEGER',
        toSql: (v) => (v ? 1 : 0),
        fromSql: (v) => (v === null ? reader(null) : typeof v === 'number' || typeof v === 'bigint' ? Number(v) !== 0 : reader(v)),
      };
    case 'BIGINT':
      // 64-bit INTEGER both ways: a bigint beyond 2^53 (read with safeIntegers, see exactIntegers). JSON has
      // no bigint: text in the redo log.
      return {
        ...base,
        declared: 'INTEGER',
        toSql: (v) => v as number | bigint,
        // A REAL stored in the column is taken as the integer it holds.
        fromSql: (v) => reader(typeof v === 'number' && Number.isInteger(v) && !Number.isSafeInteger(v) && Math.abs(v) <= 2 ** 64 ? BigInt(v) : v),
        toLog: (v) => (typeof v === 'bigint' ? v.toString() : v),
        fromLog: (v) => (typeof v === 'string' ? BigInt(v) : (v as SqlValue)),
      };
    case 'TINYINT':
    case 'SMALLINT':
    case 'INT':
    case 'INTERVAL_DAY_TIME':
    case 'INTERVAL_YEAR_MONTH':
      // SQLite is dynamically typed: an INTEGER column may hold text or a real; the reader checks it.
      return { ...base, declared: 'INTEGER', toSql: (v) => v as number, fromSql };
    case 'FLOAT':
    case 'DOUBLE':
      return {
        ...base,
        declared: 'REAL',
        toSql: (v) => v as number,
        fromSql,
        // JSON has no Infinity: written as text in the redo log.
        toLog: (v) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v),
        fromLog: (v) => (typeof v === 'string' ? Number(v) : (v as SqlValue)),
      };
    case 'DECIMAL':
      // A big DECIMAL (more digits than a double holds) is its text in a BLOB, which NUMERIC affinity keeps
      // as it is (TEXT would be converted to a REAL and rounded); text in the redo log.
      return {
        ...base,
        declared: 'NUMERIC',
        toSql: (v) => (typeof v === 'number' ? v : Buffer.from((v as BigDecimal).decimal)),
        fromSql: (v) => reader(Buffer.isBuffer(v) ? new JsonNumberText(v.toString('latin1')) : v),
        toLog: (v) => (Buffer.isBuffer(v) ? v.toString('latin1') : v),
        fromLog: (v) => (typeof v === 'string' ? Buffer.from(v, 'latin1') : (v as SqlValue)),
      };
    case 'STRING':
      return { ...base, declared: 'TEXT', toSql: (v) => v as string, fromSql: (v) => (Buffer.isBuffer(v) ? blobText(v) : reader(v)) };
    case 'BYTES':
      return {
        ...base,
        declared: 'BLOB',
        toSql: (v) => Buffer.from(v as Uint8Array),
        fromSql: (v) => (Buffer.isBuffer(v) ? new Uint8Array(v) : typeof v === 'string' ? new Uint8Array(Buffer.from(v, 'utf8')) : reader(v)),
        toLog: (v) => (Buffer.isBuffer(v) ? v.toString('base64') : v),
        fromLog: (v) => (typeof v === 'string' ? Buffer.from(v, 'base64') : (v as SqlValue)),
      };
    case 'TIMESTAMP':
      return { ...base, declared: 'TEXT', toSql: (v) => formatTimestamp(v as number), fromSql };
    case 'TIMESTAMP_LTZ':
      return { ...base, declared: 'TEXT', toSql: (v) => formatTimestamp(v as number) + 'Z', fromSql };
    case 'DATE':
      return { ...base, declared: 'TEXT', toSql: (v) => formatDate(v as number), fromSql };
    case 'TIME':
      return { ...base, declared: 'TEXT', toSql: (v) => formatTime(v as number), fromSql };
    case 'ARRAY':
    case 'MAP':
    case 'ROW': {
      const writer = compileJsonWriter(type);
      return {
        ...base,
        declared: 'TEXT',
        toSql: (v) => stringifyJson(writer(v)),
        fromSql: (v) => (typeof v === 'string' ? reader(parseJsonText(v)) : reader(v)),
      };
    }
    default:
      return { ...base, declared: '', toSql: () => null, fromSql: () => null };
  }
}

/**
 * Whether a read of these columns needs SQLite's integers as bigints (better-sqlite3's safeIntegers): a
 * BIGINT, or a DECIMAL stored as an INTEGER, may lie beyond 2^53.
 */
function exactIntegers(schema: readonly Field[]): boolean {
  return schema.some((f) => f.type.name === 'BIGINT' || f.type.name === 'DECIMAL');
}

/** The CREATE TABLE statement of the sqlite sink's table: columns in their storage types, and the key. */
export function createTableSql(table: string, schema: readonly Field[], keyIndex: readonly number[] | undefined, ifNotExists = false): string {
  const columns = schema.map((f) => {
    const declared = columnCodec(f).declared;
    return `${quote(f.name)}${declared ? ' ' + declared : ''}${f.type.nullable ? '' : ' NOT NULL'}`;
  });
  if (keyIndex?.length) columns.push(`PRIMARY KEY (${keyIndex.map((k) => quote(schema[k]!.name)).join(', ')})`);
  return `CREATE TABLE ${ifNotExists ? 'IF NOT EXISTS ' : ''}${quote(table)} (${columns.join(', ')})`;
}

/** A BLOB read as STRING: its UTF-8 text, or an `invalid-utf8` failure. */
function blobText(v: Buffer): string {
  if (!isValidUtf8(v)) throw new ConversionFailure('invalid-utf8', `the BLOB x'${v.subarray(0, 20).toString('hex')}' is not valid UTF-8 text`);
  return v.toString('utf8');
}

function parseJsonText(text: string): unknown {
  if (jsonTooDeep(text)) throw tooDeep();
  try {
    return parseJson(text);
  } catch {
    throw new ConversionFailure('wrong-type', `expected JSON text, got ${JSON.stringify(text.slice(0, 40))}`);
  }
}

/** A SQL identifier, quoted. */
function quote(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

function openDatabase(ctx: ConnectorContext, path: string, mustExist: boolean): Database.Database {
  try {
    if (!mustExist) mkdirSync(dirname(path), { recursive: true });
    const db = new Database(path, { fileMustExist: mustExist, timeout: 10_000 });
    // The sink sets WAL (persistent in the file), so readers never block its commits; a reader changes nothing.
    if (!mustExist) db.pragma('journal_mode = WAL');
    return db;
  } catch (e) {
    throw new EddyError({
      code: mustExist ? ErrorCode.FILE_NOT_FOUND : ErrorCode.IO_FAILED,
      message: `Table \`${ctx.tableName}\`: cannot open the SQLite database '${path}': ${(e as Error).message}`,
      hint: "check the table's 'path' option",
    });
  }
}

/** The columns of an existing SQLite table (name → primary-key position, 0 when not in the key), or undefined. */
function tableColumns(db: Database.Database, table: string): Map<string, number> | undefined {
  const rows = db.prepare(`PRAGMA table_info(${quote(table)})`).all() as { name: string; pk: number }[];
  return rows.length === 0 ? undefined : new Map(rows.map((r) => [r.name, r.pk]));
}

function sqlError(ctx: ConnectorContext, what: string, e: unknown): EddyError {
  return e instanceof EddyError ? e : new EddyError({ code: ErrorCode.IO_FAILED, message: `Table \`${ctx.tableName}\`: ${what}: ${(e as Error).message}` });
}

/** One buffered change, as SQLite values: an upsert (or insert) of a whole row, or a delete by key. */
type Change = { readonly op: 'u'; readonly values: SqlValue[] } | { readonly op: 'd'; readonly key: SqlValue[] };

/**
 * What the sqlite sink's `preCommit` returns and `commit` applies: the changes since the previous
 * checkpoint (a redo log, stored in the job's checkpoint). `changes` entries are `['u', ...row]` (upsert or
 * insert, all columns) or `['d', ...key]` (delete by the primary key), values JSON-safe (BLOBs as base64).
 */
export interface SqliteSinkCommit {
  readonly table: string;
  readonly checkpoint: number;
  readonly changes: readonly (readonly unknown[])[];
  /** The input's watermark at the checkpoint: a number, 'Infinity' (input ended), or null (none yet). */
  readonly watermark?: number | 'Infinity' | null;
}

/**
 * The `sqlite` sink. It writes table `table-name` of the database `path` (both created when missing; the
 * database in WAL mode). With a PRIMARY KEY it upserts: +I and +U replace the row with the same key
 * (INSERT OR REPLACE), -U and -D delete it (a -U followed by its +U is one replacement). Without a key it
 * only accepts inserts, and fails on any other change.
 *
 * Exactly-once by two-phase commit with a redo log. `write` buffers the changes (by key, the last change of
 * a key wins); `preCommit(id)` hands them out as plain JSON, which the job stores in its checkpoint, and
 * empties the buffer; `commit(info)` applies them in one SQLite transaction that also records the checkpoint
 * id in `_eddy_sink_commits` (sink = the job's sink id), and does nothing if that id, or a later one, is already
 * recorded. A restored sink commits its restored info in `open()`, completing a commit a crash interrupted.
 * Nothing reaches the table except through `commit`, so output after the last checkpoint is never visible.
 *
 * Without checkpoints (`ctx.checkpointing` unset and no `preCommit` yet), `flush` writes the buffered
 * changes directly (at-least-once). A fresh (not restored) start forgets the sink's recorded checkpoint,
 * since a new job numbers its checkpoints from 1 again; rows already in the table are kept.
 */
export class SqliteSinkWriter implements SinkWriter {
  private readonly path: string;
  private readonly table: string;
  private readonly codecs: ColumnCodec[];
  /** Positions of the primary-key columns; undefined without a key. */
  private readonly keyIndex: number[] | undefined;
  private db: Database.Database | undefined;
  private upsertStmt: Database.Statement | undefined;
  private deleteStmt: Database.Statement | undefined;
  /** Buffered changes by key (with a primary key), or in order (without). */
  private readonly byKey = new Map<string, Change>();
  private inserts: SqlValue[][] = [];
  /** True once output is held back for commits (checkpointing, or after a first preCommit). */
  private twoPhase: boolean;
  /** This sink's row in `_eddy_sink_commits` (the job's sink id, or the table name). */
  private readonly commitKey: string;
  /** The latest watermark of the sink's input. */
  private currentWatermark = -Infinity;
  private progressStmt: Database.Statement | undefined;
  private flushedWatermark = -Infinity;

  constructor(
    private readonly ctx: ConnectorContext,
    /** Called right after changes were applied to the table (in the same synchronous step as the commit). */
    private readonly onApplied?: (checkpoint: number | null) => void,
  ) {
    this.path = ctx.options['path'] ?? '';
    this.table = ctx.options['table-name'] ?? '';
    this.commitKey = ctx.sinkId ?? this.table;
    this.codecs = ctx.schema.map(columnCodec);
    // An empty key (a materialized view of a global aggregate) means the table holds at most one row.
    const pk = ctx.primaryKey;
    this.keyIndex = pk?.map((name) => {
      const i = ctx.schema.findIndex((f) => f.name === name);
      if (i < 0) {
        throw new EddyError({ code: ErrorCode.INVALID_STATEMENT, message: `Table \`${ctx.tableName}\`: primary key column \`${name}\` is not among the sink's columns` });
      }
      return i;
    });
    this.twoPhase = ctx.checkpointing === true || (ctx.restored !== undefined && ctx.restored !== null);
  }

  async open(): Promise<void> {
    const restored = this.ctx.restored === null ? undefined : this.ctx.restored;
    if (restored !== undefined) this.checkCommit(restored);
    const db = openDatabase(this.ctx, this.path, false);
    this.db = db;
    try {
      db.pragma('synchronous = FULL');
      db.exec(`CREATE TABLE IF NOT EXISTS ${SINK_COMMITS_TABLE} (sink TEXT PRIMARY KEY, checkpoint INTEGER NOT NULL)`);
      db.exec(`CREATE TABLE IF NOT EXISTS ${SINK_PROGRESS_TABLE} (sink TEXT PRIMARY KEY, checkpoint INTEGER, watermark REAL, written_at INTEGER NOT NULL)`);
      this.progressStmt = db.prepare(`INSERT OR REPLACE INTO ${SINK_PROGRESS_TABLE} (sink, checkpoint, watermark, written_at) VALUES (?, ?, ?, ?)`);
      this.prepareTable(db);
      if (restored === undefined) db.prepare(`DELETE FROM ${SINK_COMMITS_TABLE} WHERE sink = ?`).run(this.commitKey);
    } catch (e) {
      throw sqlError(this.ctx, `cannot prepare SQLite table '${this.table}' in '${this.path}'`, e);
    }
    if (restored !== undefined) {
      await this.commit(restored);
      // The job goes on from this checkpoint, numbering the next ones after it — even when it is an older
      // savepoint than the last commit recorded here, whose later numbers now mean different input.
      db.prepare(`INSERT OR REPLACE INTO ${SINK_COMMITS_TABLE} (sink, checkpoint) VALUES (?, ?)`).run(this.commitKey, this.checkCommit(restored).checkpoint);
    }
  }

  write(batch: ChangeBatch): void {
    const { rows, kinds } = batch;
    const key = this.keyIndex;
    for (let i = 0; i < rows.length; i++) {
      const kind = kinds[i]!;
      const row = rows[i]!;
      if (key === undefined) {
        if (kind !== INSERT) {
          throw new EddyError({
            code: ErrorCode.UPDATING_INTO_APPEND_ONLY,
            message: `Table \`${this.ctx.tableName}\`: the sqlite sink got a ${ROW_KIND_NAMES[kind]} change, but the table has no PRIMARY KEY to apply it by`,
            hint: 'declare the PRIMARY KEY of the result, e.g. PRIMARY KEY (id) NOT ENFORCED, so updates and deletes replace rows by it',
          });
        }
        this.inserts.push(this.toSql(row));
        continue;
      }
      const keyValues = key.map((k) => this.sqlValue(k, row[k]));
      const id = JSON.stringify(keyValues.map((v, j) => this.codecs[key[j]!]!.toLog(v)));
      if (kind === INSERT || kind === UPDATE_AFTER) this.byKey.set(id, { op: 'u', values: this.toSql(row) });
      else if (kind === UPDATE_BEFORE || kind === DELETE) this.byKey.set(id, { op: 'd', key: keyValues });
    }
  }

  /** Without checkpoints, writes the buffered changes to the table; with them, output waits for `commit`. */
  async flush(): Promise<void> {
    if (this.twoPhase || !this.db) return;
    const changes = this.takeChanges();
    if (changes.length === 0 && this.currentWatermark === this.flushedWatermark) return;
    this.flushedWatermark = this.currentWatermark;
    try {
      this.db.transaction(() => {
        this.apply(changes);
        this.recordProgress(null, this.currentWatermark);
      })();
    } catch (e) {
      throw sqlError(this.ctx, `cannot write to SQLite table '${this.table}'`, e);
    }
    this.onApplied?.(null);
  }

  /** Hands out the changes since the last checkpoint (plain JSON) and empties the buffer. */
  async preCommit(checkpointId: number): Promise<SqliteSinkCommit> {
    this.twoPhase = true;
    const changes = this.takeChanges().map((c) => (c.op === 'u' ? ['u', ...this.logValues(c.values, undefined)] : ['d', ...this.logValues(c.key, this.keyIndex)]));
    const wm = this.currentWatermark;
    return { table: this.table, checkpoint: checkpointId, changes, watermark: wm === Infinity ? 'Infinity' : Number.isFinite(wm) ? wm : null };
  }

  watermark(watermark: number): void {
    if (watermark > this.currentWatermark) this.currentWatermark = watermark;
  }

  /** Records the table's freshness (in the caller's transaction). */
  private recordProgress(checkpoint: number | null, watermark: number | null): void {
    this.progressStmt!.run(this.commitKey, checkpoint, watermark !== null && watermark > -Infinity ? watermark : null, Date.now());
  }

  /** Applies a checkpoint's changes, once: skipped when `_eddy_sink_commits` records it (or a later one). */
  async commit(info: unknown): Promise<void> {
    const commit = this.checkCommit(info);
    const db = this.db;
    if (!db) throw new Error(`sqlite sink of ${this.ctx.tableName}: commit before open`);
    const changes: Change[] = commit.changes.map((entry) =>
      entry[0] === 'u'
        ? { op: 'u', values: this.fromLog(entry.slice(1), undefined) }
        : { op: 'd', key: this.fromLog(entry.slice(1), this.keyIndex) },
    );
    let applied = false;
    try {
      db.transaction(() => {
        const done = db.prepare(`SELECT checkpoint FROM ${SINK_COMMITS_TABLE} WHERE sink = ?`).get(this.commitKey) as { checkpoint: number } | undefined;
        if (done !== undefined && done.checkpoint >= commit.checkpoint) return;
        applied = true;
        this.apply(changes);
        db.prepare(`INSERT OR REPLACE INTO ${SINK_COMMITS_TABLE} (sink, checkpoint) VALUES (?, ?)`).run(this.commitKey, commit.checkpoint);
        const wm = commit.watermark;
        this.recordProgress(commit.checkpoint, wm === 'Infinity' ? Infinity : typeof wm === 'number' ? wm : null);
      }).immediate();
    } catch (e) {
      throw sqlError(this.ctx, `cannot commit to SQLite table '${this.table}'`, e);
    }
    if (applied) this.onApplied?.(commit.checkpoint);
  }

  /** Without checkpoints, writes what is buffered; with them, uncommitted changes are dropped (a restore replays them). */
  async close(): Promise<void> {
    if (!this.db) return;
    try {
      await this.flush();
    } finally {
      this.byKey.clear();
      this.inserts = [];
      this.db.close();
      this.db = undefined;
    }
  }

  /** Creates the table when missing; checks an existing one has the columns (and the key) written. */
  private prepareTable(db: Database.Database): void {
    const schema = this.ctx.schema;
    const existing = tableColumns(db, this.table);
    if (existing === undefined) {
      db.exec(createTableSql(this.table, schema, this.keyIndex));
    } else {
      const missing = schema.filter((f) => !existing.has(f.name)).map((f) => f.name);
      if (missing.length > 0) {
        throw new EddyError({
          code: ErrorCode.INVALID_STATEMENT,
          message: `Table \`${this.ctx.tableName}\`: SQLite table '${this.table}' in '${this.path}' has no column ${missing.map((m) => `'${m}'`).join(', ')}`,
          hint: 'write to a new table, or add the columns to the existing one',
        });
      }
      if (this.keyIndex?.length && !this.hasUniqueKey(db, existing)) {
        throw new EddyError({
          code: ErrorCode.INVALID_STATEMENT,
          message: `Table \`${this.ctx.tableName}\`: SQLite table '${this.table}' in '${this.path}' has no PRIMARY KEY or UNIQUE index on (${this.keyIndex.map((k) => schema[k]!.name).join(', ')}), so rows cannot be replaced by key`,
          hint: 'write to a new table (it is created with the key), or add a UNIQUE index on the key columns',
        });
      }
    }
    const names = schema.map((f) => quote(f.name));
    this.upsertStmt = db.prepare(
      `${this.keyIndex?.length ? 'INSERT OR REPLACE' : 'INSERT'} INTO ${quote(this.table)} (${names.join(', ')}) VALUES (${names.map(() => '?').join(', ')})`,
    );
    if (this.keyIndex) {
      // With an empty key the table holds one row at most: a delete (or a replacement) removes all rows.
      const where = this.keyIndex.length ? ` WHERE ${this.keyIndex.map((k) => `${names[k]} IS ?`).join(' AND ')}` : '';
      this.deleteStmt = db.prepare(`DELETE FROM ${quote(this.table)}${where}`);
    }
  }

  private hasUniqueKey(db: Database.Database, columns: Map<string, number>): boolean {
    const want = new Set(this.keyIndex!.map((k) => this.ctx.schema[k]!.name));
    const sameSet = (names: string[]) => names.length === want.size && names.every((n) => want.has(n));
    if (sameSet([...columns].filter(([, pk]) => pk > 0).map(([n]) => n))) return true;
    const indexes = db.prepare(`PRAGMA index_list(${quote(this.table)})`).all() as { name: string; unique: number }[];
    return indexes.some(
      (ix) => ix.unique === 1 && sameSet((db.prepare(`PRAGMA index_info(${quote(ix.name)})`).all() as { name: string }[]).map((c) => c.name)),
    );
  }

  private apply(changes: readonly Change[]): void {
    const singleRow = this.keyIndex?.length === 0;
    for (const c of changes) {
      if (c.op === 'u') {
        if (singleRow) this.deleteStmt!.run();
        this.upsertStmt!.run(c.values);
      } else this.deleteStmt!.run(c.key);
    }
  }

  private takeChanges(): Change[] {
    if (this.keyIndex === undefined) {
      const changes: Change[] = this.inserts.map((values) => ({ op: 'u', values }));
      this.inserts = [];
      return changes;
    }
    const changes = [...this.byKey.values()];
    this.byKey.clear();
    return changes;
  }

  private sqlValue(column: number, v: unknown): SqlValue {
    return v === null || v === undefined ? null : this.codecs[column]!.toSql(v);
  }

  private toSql(row: Row): SqlValue[] {
    const out = new Array<SqlValue>(this.codecs.length);
    for (let c = 0; c < this.codecs.length; c++) out[c] = this.sqlValue(c, row[c]);
    return out;
  }

  /** JSON-safe values of a row (`columns` undefined) or of the key columns. */
  private logValues(values: readonly SqlValue[], columns: readonly number[] | undefined): unknown[] {
    return values.map((v, i) => (v === null ? null : this.codecs[columns ? columns[i]! : i]!.toLog(v)));
  }

  private fromLog(values: readonly unknown[], columns: readonly number[] | undefined): SqlValue[] {
    return values.map((v, i) => (v === null ? null : this.codecs[columns ? columns[i]! : i]!.fromLog(v)));
  }

  /** Checks commit information (from preCommit, or restored from a checkpoint) fits this sink. */
  private checkCommit(info: unknown): SqliteSinkCommit {
    const c = info as Partial<SqliteSinkCommit> | null;
    const width = this.codecs.length;
    const keyWidth = this.keyIndex?.length ?? -1;
    const ok =
      typeof c === 'object' &&
      c !== null &&
      Number.isInteger(c.checkpoint) &&
      Array.isArray(c.changes) &&
      c.changes.every((e) => Array.isArray(e) && ((e[0] === 'u' && e.length === width + 1) || (e[0] === 'd' && e.length === keyWidth + 1)));
    if (!ok) {
      throw new EddyError({
        code: ErrorCode.INVALID_STATEMENT,
        message: `Table \`${this.ctx.tableName}\`: the checkpointed commit of the sqlite sink does not match its columns: ${JSON.stringify(info)?.slice(0, 100)}`,
        hint: 'start the job without restoring its state',
      });
    }
    if (c.table !== this.table) {
      throw new EddyError({
        code: ErrorCode.INVALID_STATEMENT,
        message: `Table \`${this.ctx.tableName}\`: the checkpoint was taken writing SQLite table '${c.table}', but the sink now writes '${this.table}'`,
        hint: "restore with the table's original 'table-name', or start the job without restoring its state",
      });
    }
    return c as SqliteSinkCommit;
  }
}

/**
 * Where the sqlite source stands: the rowid of the last row returned (Number.MIN_SAFE_INTEGER before any:
 * rowids may be zero or negative, e.g. in a table whose INTEGER PRIMARY KEY is the rowid).
 */
export interface SqlitePosition {
  readonly rowid: number;
}

/**
 * The `sqlite` source: a bounded scan of table `table-name` in rowid order, in chunks, converting the stored
 * values back to the columns' types (as the sink stores them; INTEGER epoch milliseconds are accepted for
 * timestamps too). Columns are found by name. `position()` is the last rowid returned; restored from it,
 * the scan continues after it. A table WITHOUT ROWID cannot be read.
 *
 * SQLite is dynamically typed, so a stored value may not fit its column (text in an INTEGER column, an
 * integer out of the column's range, NULL in a NOT NULL column): the row is reported with `ctx.badRecord`
 * (kind `wrong-type`, `numeric-overflow` or `missing-not-null`, position `<table>@<rowid>`, raw the stored
 * values as JSON) and, unless the error policy fails the job, the scan goes on with the next row.
 *
 * Pushed-down filters (`ctx.filters`) become a WHERE clause, so a lookup by key reads through the index.
 * The scan reads one snapshot of the table (a read transaction spans its chunks), so rows committed by a
 * writer meanwhile never mix in. Given a `shared` connection (a pull query's snapshot: a read transaction
 * the caller holds), the source reads through it and leaves it open.
 */
export class SqliteSourceReader implements SourceReader {
  readonly bounded = true;
  private readonly path: string;
  private readonly table: string;
  private readonly codecs: ColumnCodec[];
  private db: Database.Database | undefined;
  private stmt: Database.Statement | undefined;
  private lastRowid = Number.MIN_SAFE_INTEGER;
  private done = false;
  private filterValues: SqlValue[] = [];

  constructor(
    private readonly ctx: ConnectorContext,
    private readonly shared?: Database.Database,
  ) {
    this.path = ctx.options['path'] ?? '';
    this.table = ctx.options['table-name'] ?? '';
    this.codecs = ctx.schema.map(columnCodec);
    const r = ctx.restored as Partial<SqlitePosition> | undefined | null;
    if (r !== undefined && r !== null) {
      if (typeof r !== 'object' || !Number.isInteger(r.rowid)) {
        throw new EddyError({
          code: ErrorCode.INVALID_STATEMENT,
          message: `Table \`${ctx.tableName}\`: the checkpointed position of the sqlite source is not readable: ${JSON.stringify(r).slice(0, 100)}`,
          hint: 'start the job without restoring its state',
        });
      }
      this.lastRowid = r.rowid!;
    }
  }

  async open(): Promise<void> {
    const db = this.shared ?? openDatabase(this.ctx, this.path, true);
    this.db = db;
    const columns = tableColumns(db, this.table);
    if (columns === undefined) {
      throw new EddyError({
        code: ErrorCode.FILE_NOT_FOUND,
        message: `Table \`${this.ctx.tableName}\`: SQLite table '${this.table}' does not exist in '${this.path}'`,
        hint: "check the table's 'table-name' option",
      });
    }
    const missing = this.ctx.schema.filter((f) => !columns.has(f.name)).map((f) => f.name);
    if (missing.length > 0) {
      throw new EddyError({
        code: ErrorCode.INVALID_STATEMENT,
        message: `Table \`${this.ctx.tableName}\`: SQLite table '${this.table}' in '${this.path}' has no column ${missing.map((m) => `'${m}'`).join(', ')}`,
      });
    }
    const names = this.ctx.schema.map((f) => quote(f.name));
    const filters = (this.ctx.filters ?? []).filter((f) => this.ctx.schema.some((c) => c.name === f.column));
    this.filterValues = filters.map((f) => this.codecs[this.ctx.schema.findIndex((c) => c.name === f.column)]!.toSql(f.value));
    const where = filters.map((f) => ` AND ${quote(f.column)} ${f.op} ?`).join('');
    try {
      this.stmt = db
        .prepare(`SELECT rowid AS "_eddy_rowid"${names.map((n) => ', ' + n).join('')} FROM ${quote(this.table)} WHERE rowid > ?${where} ORDER BY rowid LIMIT ${SCAN_CHUNK}`)
        .raw(true)
        .safeIntegers(exactIntegers(this.ctx.schema));
    } catch (e) {
      throw sqlError(this.ctx, `cannot read SQLite table '${this.table}' (a table WITHOUT ROWID cannot be read)`, e);
    }
  }

  position(): SqlitePosition {
    return { rowid: this.lastRowid };
  }

  /** Ends the scan, and the read transaction that made its chunks one snapshot. */
  private endSnapshot(): void {
    this.done = true;
    if (this.db && this.db !== this.shared && this.db.inTransaction) this.db.exec('COMMIT');
  }

  async next(): Promise<SourceChunk | null> {
    if (this.done || !this.stmt) return null;
    // The chunks of one scan read one snapshot: a read transaction from the first chunk to the last.
    if (this.db !== this.shared && !this.db!.inTransaction) this.db!.exec('BEGIN');
    const raw = this.stmt.all(this.lastRowid, ...this.filterValues) as unknown[][];
    const rows: Row[] = [];
    const stored: unknown[][] = [];
    const width = this.codecs.length;
    for (const r of raw) {
      const row = new Array<unknown>(width);
      let bad = false;
      for (let c = 0; c < width && !bad; c++) {
        const codec = this.codecs[c]!;
        try {
          row[c] = codec.fromSql(r[c + 1]);
        } catch (e) {
          // Anything a column's reader throws is a bad record, never a failed job under skip / dead-letter.
          bad = true;
          const label = `column \`${codec.name}\` (${typeToString(this.ctx.schema[c]!.type)})`;
          const failure = e instanceof ConversionFailure ? new RecordError(e.kind, `${label}: ${e.message}`) : unexpectedFailure(label, e);
          this.ctx.badRecord({ kind: failure.kind, message: failure.message, position: `${this.table}@${Number(r[0])}`, raw: this.storedText(r) });
        }
      }
      if (bad) continue;
      rows.push(row);
      stored.push(r);
    }
    if (raw.length > 0) this.lastRowid = Number(raw[raw.length - 1]![0]);
    const ended = raw.length < SCAN_CHUNK;
    if (ended) this.endSnapshot();
    return new SqliteChunk(this.table, rows, stored, ended, (r) => this.storedText(r));
  }

  /** A row as SQLite stores it, as JSON text by column name (BLOBs as `x'..'` hex), for bad-record reports. */
  private storedText(r: readonly unknown[]): string {
    const out: Record<string, unknown> = {};
    this.codecs.forEach((codec, c) => {
      const v = r[c + 1];
      out[codec.name] = Buffer.isBuffer(v) ? `x'${v.toString('hex')}'` : v;
    });
    // Integers read as bigints (safeIntegers) are written with their digits.
    return stringifyJson(out);
  }

  async close(): Promise<void> {
    this.done = true;
    if (this.db !== this.shared) this.db?.close();
    this.db = undefined;
    this.stmt = undefined;
  }
}

/** A chunk of the sqlite source: describes row i by `table@rowid` and its stored values. */
class SqliteChunk implements SourceChunk {
  readonly splitEnded?: boolean;
  // Private fields: not enumerable, so a chunk still compares equal to `{ split, rows, splitEnded }`.
  readonly #stored: readonly (readonly unknown[])[];
  readonly #text: (r: readonly unknown[]) => string;

  constructor(
    readonly split: string,
    readonly rows: Row[],
    stored: readonly (readonly unknown[])[],
    ended: boolean,
    text: (r: readonly unknown[]) => string,
  ) {
    if (ended) this.splitEnded = true;
    this.#stored = stored;
    this.#text = text;
  }

  describe(i: number): { readonly position: string; readonly raw: string } {
    const r = this.#stored[i]!;
    return { position: `${this.split}@${Number(r[0])}`, raw: this.#text(r) };
  }
}

/**
 * The `sqlite` connector, reading the database at `path` through `shared` (a connection holding a read
 * transaction: a pull query's consistent snapshot) instead of opening its own.
 */
export function sqliteSnapshotConnector(path: string, shared: Database.Database): ConnectorFactory {
  return {
    ...sqliteConnector,
    createSource: (ctx) => new SqliteSourceReader(ctx, ctx.options['path'] === path ? shared : undefined),
  };
}

/** Column codecs by schema, and prepared statements by connection, for repeated synchronous reads. */
const codecCache = new WeakMap<readonly Field[], ColumnCodec[]>();
const statementCache = new WeakMap<Database.Database, Map<string, Database.Statement>>();

function cached(db: Database.Database, sql: string, raw = false): Database.Statement {
  let prepared = statementCache.get(db);
  if (!prepared) statementCache.set(db, (prepared = new Map()));
  let stmt = prepared.get(sql);
  if (!stmt) prepared.set(sql, (stmt = raw ? db.prepare(sql).raw(true) : db.prepare(sql)));
  return stmt;
}

/** Whether the database has a table of that name. */
export function hasTable(db: Database.Database, table: string): boolean {
  return cached(db, `SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?`).get(table) !== undefined;
}

/** What a sink's table reflects, as of the reader's snapshot (see {@link SINK_PROGRESS_TABLE}). */
export interface SinkProgress {
  /** The last checkpoint applied; null when the job does not checkpoint. */
  readonly checkpoint: number | null;
  /** The input's watermark then (epoch ms; Infinity once the input ended); null before any. */
  readonly watermark: number | null;
  /** When the table was last written (epoch ms). */
  readonly writtenAt: number;
}

/** The progress a sink (by its sink id) recorded with its rows, or undefined when it has written none. */
export function readSinkProgress(db: Database.Database, sinkId: string): SinkProgress | undefined {
  if (!hasTable(db, SINK_PROGRESS_TABLE)) return undefined;
  const row = cached(db, `SELECT checkpoint, watermark, written_at FROM ${SINK_PROGRESS_TABLE} WHERE sink = ?`).get(sinkId) as
    | { checkpoint: number | null; watermark: number | null; written_at: number }
    | undefined;
  return row && { checkpoint: row.checkpoint, watermark: row.watermark, writtenAt: row.written_at };
}

/** Drops a sink's table and forgets the sink's commits and progress (in the caller's transaction). */
export function dropSinkTable(db: Database.Database, table: string, sinkId: string): void {
  db.exec(`DROP TABLE IF EXISTS ${quote(table)}`);
  for (const t of [SINK_COMMITS_TABLE, SINK_PROGRESS_TABLE]) {
    if (hasTable(db, t)) db.prepare(`DELETE FROM ${t} WHERE sink = ?`).run(sinkId);
  }
}

/**
 * Reads a table synchronously — one statement, so one consistent snapshot — converting the stored values
 * to the columns' types; only rows matching `filters` when given (with the table's indexes). A value that
 * does not fit fails with an EddyError.
 */
export function readSqliteTable(db: Database.Database, table: string, schema: readonly Field[], filters: readonly ScanFilter[] = []): Row[] {
  let codecs = codecCache.get(schema);
  if (!codecs) codecCache.set(schema, (codecs = schema.map(columnCodec)));
  const used = filters.filter((f) => schema.some((c) => c.name === f.column));
  const where = used.length ? ` WHERE ${used.map((f) => `${quote(f.column)} ${f.op} ?`).join(' AND ')}` : '';
  const sql = `SELECT ${schema.map((f) => quote(f.name)).join(', ')} FROM ${quote(table)}${where}`;
  const stmt = cached(db, sql, true).safeIntegers(exactIntegers(schema));
  const values = used.map((f) => codecs[schema.findIndex((c) => c.name === f.column)]!.toSql(f.value));
  const raw = stmt.all(...values) as unknown[][];
  return raw.map((r) =>
    codecs.map((codec, c) => {
      try {
        return codec.fromSql(r[c]);
      } catch (e) {
        if (!(e instanceof ConversionFailure)) throw e;
        throw new EddyError({ code: ErrorCode.IO_FAILED, message: `SQLite table '${table}': column \`${codec.name}\`: ${e.message}` });
      }
    }),
  );
}

/**
 * The `sqlite` lookup reader (a lookup join's right side): each lookup is one SELECT by the key columns, so
 * it uses the table's indexes and sees the rows committed at that moment. Values are converted as the
 * source converts them; a stored value that does not fit its column fails the lookup.
 */
export class SqliteLookupReader implements LookupReader {
  readonly cache;
  private db: Database.Database | undefined;
  private readonly table: string;

  constructor(private readonly ctx: LookupContext) {
    this.table = ctx.options['table-name'] ?? '';
    this.cache = lookupCache(ctx.options);
  }

  open(): void {
    const db = openDatabase(this.ctx, this.ctx.options['path'] ?? '', true);
    const columns = tableColumns(db, this.table);
    const missing = columns === undefined ? [] : this.ctx.schema.filter((f) => !columns.has(f.name)).map((f) => f.name);
    if (columns === undefined || missing.length > 0) {
      db.close();
      throw new EddyError({
        code: columns === undefined ? ErrorCode.FILE_NOT_FOUND : ErrorCode.INVALID_STATEMENT,
        message: `Table \`${this.ctx.tableName}\`: ${columns === undefined ? `SQLite table '${this.table}' does not exist` : `SQLite table '${this.table}' has no column ${missing.map((m) => `'${m}'`).join(', ')}`} in '${this.ctx.options['path']}'`,
        hint: "check the table's 'path' and 'table-name' options",
      });
    }
    this.db = db;
  }

  lookup(key: readonly unknown[]): Row[] {
    if (!this.db) throw new Error('the sqlite lookup reader is not open');
    try {
      return readSqliteTable(this.db, this.table, this.ctx.schema, this.ctx.keys.map((column, i) => ({ column, op: '=', value: key[i] })));
    } catch (e) {
      throw sqlError(this.ctx, `lookup in SQLite table '${this.table}' failed`, e);
    }
  }

  close(): void {
    this.db?.close();
    this.db = undefined;
  }
}

/** The `sqlite` connector factory. */
export const sqliteConnector: ConnectorFactory = {
  identifier: 'sqlite',
  description: 'A table of a SQLite database: an exactly-once upsert sink (by the PRIMARY KEY) and a bounded source.',
  options: OPTIONS,
  // Updates need a PRIMARY KEY; without one the sink fails at run time on the first non-insert change.
  sinkChangelogMode: 'all',
  // It reads the rows the table holds, then ends: queries over sqlite tables (and views) are pulled.
  sourceReadsSnapshot: true,
  createSource: (ctx) => new SqliteSourceReader(ctx),
  createSink: (ctx) => new SqliteSinkWriter(ctx),
  createLookup: (ctx) => new SqliteLookupReader(ctx),
  checkOptions: lookupOptionProblems,
};

