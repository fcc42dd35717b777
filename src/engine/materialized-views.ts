/**
 * Materialized views: a query's result kept as a SQLite table by a job, in the session's `views.db`.
 *
 * - The view's job writes through the `sqlite` sink (upsert by the result's unique key), so the table
 *   changes only when a checkpoint commits (exactly-once), in one transaction with the view's freshness
 *   row (`_eddy_sink_progress`). A reader's snapshot therefore never sees half a checkpoint.
 * - Pull queries read through pooled read-only connections, each query in one read transaction.
 * - Push queries (`EMIT CHANGES`) take the table's current rows, then receive every change the job
 *   applies — published right after its commit, in the same synchronous step, so nothing is missed or seen
 *   twice.
 */
import Database from 'better-sqlite3';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Field } from '../common/types.js';
import type { TableDef } from '../planner/catalog.js';
import type { ChangeBatch, Row } from '../runtime/changelog.js';
import type { ConnectorContext, ConnectorFactory, SinkWriter } from '../runtime/connector.js';
import { createTableSql, dropSinkTable, hasTable, readSinkProgress, readSqliteTable, sqliteConnector, SqliteSinkWriter } from '../connectors/sqlite.js';
import type { JobHandle } from './job-handle.js';
import type { ViewChangesOpened, ViewFreshness } from './pull-query.js';

/** A materialized view of the session. */
export interface MaterializedView {
  readonly name: string;
  /** Its storage: a `sqlite` table in views.db, keyed by the result's unique key. */
  readonly table: TableDef;
  /** The columns identifying a row (undefined: an append-only result). */
  readonly key?: readonly string[];
  readonly job: JobHandle;
  /** The sink's id in `_eddy_sink_progress` (the job key and the table). */
  readonly sinkId: string;
  /**
   * Subscribes to the changes the view's job applies and reads the table's current rows, as one step (see
   * FeedRunner): nothing is missed or seen twice.
   */
  readonly changes: (onChange: (batch: ChangeBatch) => void) => ViewChangesOpened | Promise<ViewChangesOpened>;
  readonly statement: string;
}

/** Subscribers to the changes a view's job applied. */
export class ChangeFeed {
  private readonly subscribers = new Set<(batch: ChangeBatch) => void>();

  subscribe(fn: (batch: ChangeBatch) => void): () => void {
    this.subscribers.add(fn);
    return () => void this.subscribers.delete(fn);
  }

  publish(batch: ChangeBatch): void {
    for (const fn of this.subscribers) fn(batch);
  }
}

/**
 * The sqlite sink of a view's job, publishing what it applies: batches written since the previous
 * checkpoint are held per checkpoint, and published when that checkpoint's commit has been applied
 * (without checkpoints: when a flush applied them).
 */
export function publishingSqliteConnector(feed: ChangeFeed): ConnectorFactory {
  return {
    ...sqliteConnector,
    createSink: (ctx: ConnectorContext): SinkWriter => {
      let pending: ChangeBatch[] = [];
      const byCheckpoint = new Map<number, ChangeBatch[]>();
      const sink = new SqliteSinkWriter(ctx, (checkpoint) => {
        const batches = checkpoint === null ? pending : (byCheckpoint.get(checkpoint) ?? []);
        if (checkpoint === null) pending = [];
        for (const b of batches) feed.publish(b);
      });
      // Batches are kept whether or not anyone listens: a push query that starts between two checkpoints
      // reads the table as of the first, and must then get everything the second applies.
      return {
        open: () => sink.open(),
        write(batch) {
          sink.write(batch);
          pending.push(batch);
        },
        flush: () => sink.flush(),
        close: () => sink.close(),
        async preCommit(id) {
          byCheckpoint.set(id, pending);
          pending = [];
          return sink.preCommit(id);
        },
        async commit(info) {
          await sink.commit(info);
          // Applied (and published) or already applied before: either way, done with it and older ones.
          const id = (info as { checkpoint: number }).checkpoint;
          for (const k of [...byCheckpoint.keys()]) if (k <= id) byCheckpoint.delete(k);
        },
        watermark: (wm) => sink.watermark(wm),
      };
    },
  };
}

/** The session's views database: where views live, and read-only connections for pull queries. */
export class ViewStore {
  private readonly idle: Database.Database[] = [];
  private readonly all: Database.Database[] = [];

  constructor(readonly path: string) {}

  /** Runs `fn` in one read transaction (a consistent snapshot) on a pooled connection. */
  async snapshot<T>(fn: (db: Database.Database) => Promise<T>): Promise<T> {
    const db = this.idle.pop() ?? this.open();
    db.exec('BEGIN');
    try {
      return await fn(db);
    } finally {
      db.exec('COMMIT');
      this.idle.push(db);
    }
  }

  /** Runs `fn` synchronously in one read transaction (a consistent snapshot) on a pooled connection. */
  snapshotSync<T>(fn: (db: Database.Database) => T): T {
    return this.withReader((db) => {
      db.exec('BEGIN');
      try {
        return fn(db);
      } finally {
        db.exec('COMMIT');
      }
    });
  }

  /** A connection for a synchronous read (one statement is one snapshot). */
  withReader<T>(fn: (db: Database.Database) => T): T {
    const db = this.idle.pop() ?? this.open();
    try {
      return fn(db);
    } finally {
      this.idle.push(db);
    }
  }

  private open(): Database.Database {
    const db = new Database(this.path, { readonly: true, fileMustExist: true, timeout: 10_000 });
    this.all.push(db);
    return db;
  }

  /** How fresh a view is, as of `db`'s snapshot. */
  freshness(db: Database.Database, view: MaterializedView): ViewFreshness {
    const p = readSinkProgress(db, view.sinkId);
    return {
      view: view.name,
      ...(p?.checkpoint != null ? { checkpoint: p.checkpoint } : {}),
      ...(p?.watermark != null ? { watermark: p.watermark } : {}),
      ...(p ? { committedAt: p.writtenAt } : {}),
    };
  }

  /** The rows of a view's table now. */
  readAll(table: string, schema: readonly Field[]): Row[] {
    if (!existsSync(this.path)) return [];
    return this.withReader((db) => (hasTable(db, table) ? readSqliteTable(db, table, schema) : []));
  }

  /**
   * Prepares a view's table before its job starts, so pull queries find it at once: with `fresh`, drops
   * what an earlier view of that name left (rows and commit records); creates the table when missing.
   */
  prepareTable(table: string, sinkId: string, schema: readonly Field[], keyIndex: readonly number[] | undefined, fresh: boolean): void {
    mkdirSync(dirname(this.path), { recursive: true });
    this.write((db) => {
      if (fresh) dropSinkTable(db, table, sinkId);
      db.exec(createTableSql(table, schema, keyIndex, true));
    });
  }

  /** Removes a dropped view's table and its commit records. */
  dropTable(table: string, sinkId: string): void {
    if (existsSync(this.path)) this.write((db) => dropSinkTable(db, table, sinkId));
  }

  private write(fn: (db: Database.Database) => void): void {
    const db = new Database(this.path, { timeout: 10_000 });
    try {
      db.pragma('journal_mode = WAL');
      db.transaction(() => fn(db)).immediate();
    } finally {
      db.close();
    }
  }

  close(): void {
    for (const db of this.all) db.close();
    this.all.length = 0;
    this.idle.length = 0;
  }
}
