// The embedded log's file: a SQLite database (WAL) holding topics, their partitions' records at consecutive offsets,
// consumer groups' committed offsets, and transactional producers with the records of their open transactions.
// The KafkaClient adapter over it is ./embedded-log.ts.
//
// - Several threads and processes may open one file: every write is one `BEGIN IMMEDIATE` transaction (writers take
//   turns, waiting up to the busy timeout), reads see a consistent snapshot, and no write holds a lock across an
//   await. One connection per file per thread is shared by every client of that thread (reference-counted).
// - Records of a transaction are staged apart and get their offsets when it commits, so a partition's records are
//   exactly the committed ones, in commit order: `read_committed` and `read_uncommitted` readers see the same, and
//   an open transaction never holds readers back (no last-stable-offset gap). Aborted records never get offsets.
// - A transactional id has a producer id and an epoch; registering the id again bumps the epoch and drops (aborts)
//   the open transaction of the older epoch, whose producer is then fenced: its next write fails.
// - Readers waiting for records are woken at once by writers of the same process (any thread: a BroadcastChannel
//   named after the file) and, for writers in other processes, by polling SQLite's data_version.

import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { BroadcastChannel } from 'node:worker_threads';
import type { KafkaHeader } from './client.js';

/** A record as the log stores it (offsets are numbers here: a log's offsets stay far below 2^53). */
export interface StoredRecord {
  readonly partition: number;
  readonly offset: number;
  readonly timestamp: number;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: readonly KafkaHeader[];
}

/** A record to append: its partition is chosen already. */
export interface AppendRecord {
  readonly topic: string;
  readonly partition: number;
  readonly timestamp: number;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: readonly KafkaHeader[];
}

/** A transactional id's registration: who may write its transactions now. */
export interface ProducerRow {
  readonly producerId: number;
  readonly epoch: number;
  /** `ready` (no transaction open), `open` (records staged), `committed` / `aborted` (how the last one ended). */
  readonly state: 'ready' | 'open' | 'committed' | 'aborted';
}

/** Thrown by the store for a topic that does not exist (the adapter turns it into KafkaUnknownTopicError). */
export class MissingTopic extends Error {
  constructor(readonly topic: string) {
    super(`topic '${topic}' does not exist`);
  }
}

/** Thrown by the store when a producer's epoch is not its transactional id's current one. */
export class StaleEpoch extends Error {
  constructor(readonly transactionalId: string) {
    super(`the producer of '${transactionalId}' was fenced by a newer producer with the same transactional id`);
  }
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS elog_meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS elog_topics (name TEXT PRIMARY KEY, partitions INTEGER NOT NULL, configs TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS elog_partitions (
  topic TEXT NOT NULL, partition INTEGER NOT NULL, end_offset INTEGER NOT NULL,
  PRIMARY KEY (topic, partition)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS elog_records (
  topic TEXT NOT NULL, partition INTEGER NOT NULL, offset INTEGER NOT NULL,
  timestamp INTEGER NOT NULL, key BLOB, value BLOB, headers TEXT,
  PRIMARY KEY (topic, partition, offset)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS elog_producers (
  transactional_id TEXT PRIMARY KEY, producer_id INTEGER NOT NULL, epoch INTEGER NOT NULL, state TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS elog_pending (
  producer_id INTEGER NOT NULL, seq INTEGER NOT NULL, topic TEXT NOT NULL, partition INTEGER NOT NULL,
  timestamp INTEGER NOT NULL, key BLOB, value BLOB, headers TEXT,
  PRIMARY KEY (producer_id, seq));
CREATE TABLE IF NOT EXISTS elog_group_offsets (
  group_id TEXT NOT NULL, topic TEXT NOT NULL, partition INTEGER NOT NULL, offset INTEGER NOT NULL,
  PRIMARY KEY (group_id, topic, partition)) WITHOUT ROWID;
`;

/** How long a writer waits for another one's transaction before failing with SQLITE_BUSY. */
const BUSY_TIMEOUT_MS = 30_000;
/** How often a waiting reader looks for records written by other processes. */
export const POLL_MS = 50;

function encodeHeaders(headers: readonly KafkaHeader[]): string | null {
  return headers.length === 0 ? null : JSON.stringify(headers.map((h) => [h.key, h.value === null ? null : h.value.toString('base64')]));
}

function decodeHeaders(text: string | null): KafkaHeader[] {
  if (text === null) return [];
  return (JSON.parse(text) as [string, string | null][]).map(([key, value]) => ({ key, value: value === null ? null : Buffer.from(value, 'base64') }));
}

interface RecordRow {
  partition: number;
  offset: number;
  timestamp: number;
  key: Buffer | null;
  value: Buffer | null;
  headers: string | null;
}

/** One open file: its connection, prepared statements and waiters. Shared by the clients of one thread. */
export class LogFile {
  readonly path: string;
  private readonly db: Database.Database;
  private refs = 0;
  private readonly waiters = new Set<() => void>();
  private readonly channel: BroadcastChannel;
  private dataVersion: number;
  private readonly stmt;

  private constructor(path: string) {
    this.path = path;
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    this.db = new Database(path);
    try {
      this.db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
      this.db.pragma('journal_mode = WAL');
      this.db.pragma('synchronous = NORMAL');
      this.db.transaction(() => this.db.exec(SCHEMA)).immediate();
    } catch (e) {
      this.db.close();
      throw e;
    }
    const db = this.db;
    this.stmt = {
      topic: db.prepare('SELECT partitions, configs FROM elog_topics WHERE name = ?'),
      topics: db.prepare('SELECT name, partitions FROM elog_topics ORDER BY name'),
      insertTopic: db.prepare('INSERT INTO elog_topics (name, partitions, configs) VALUES (?, ?, ?)'),
      setPartitions: db.prepare('UPDATE elog_topics SET partitions = ? WHERE name = ?'),
      insertPartition: db.prepare('INSERT INTO elog_partitions (topic, partition, end_offset) VALUES (?, ?, 0)'),
      ends: db.prepare('SELECT partition, end_offset AS offset FROM elog_partitions WHERE topic = ? ORDER BY partition'),
      end: db.prepare('SELECT end_offset FROM elog_partitions WHERE topic = ? AND partition = ?').pluck(),
      setEnd: db.prepare('UPDATE elog_partitions SET end_offset = ? WHERE topic = ? AND partition = ?'),
      first: db.prepare('SELECT MIN(offset) FROM elog_records WHERE topic = ? AND partition = ?').pluck(),
      firstAt: db.prepare('SELECT MIN(offset) FROM elog_records WHERE topic = ? AND partition = ? AND timestamp >= ?').pluck(),
      insertRecord: db.prepare('INSERT INTO elog_records (topic, partition, offset, timestamp, key, value, headers) VALUES (?, ?, ?, ?, ?, ?, ?)'),
      records: db.prepare(
        'SELECT partition, offset, timestamp, key, value, headers FROM elog_records WHERE topic = ? AND partition = ? AND offset >= ? ORDER BY offset LIMIT ?',
      ),
      deleteTopic: [
        db.prepare('DELETE FROM elog_topics WHERE name = ?'),
        db.prepare('DELETE FROM elog_partitions WHERE topic = ?'),
        db.prepare('DELETE FROM elog_records WHERE topic = ?'),
        db.prepare('DELETE FROM elog_group_offsets WHERE topic = ?'),
        db.prepare('DELETE FROM elog_pending WHERE topic = ?'),
      ],
      producer: db.prepare('SELECT producer_id AS producerId, epoch, state FROM elog_producers WHERE transactional_id = ?'),
      insertProducer: db.prepare("INSERT INTO elog_producers (transactional_id, producer_id, epoch, state) VALUES (?, ?, 0, 'ready')"),
      bumpEpoch: db.prepare("UPDATE elog_producers SET epoch = epoch + 1, state = 'ready' WHERE transactional_id = ?"),
      setState: db.prepare('UPDATE elog_producers SET state = ? WHERE transactional_id = ?'),
      nextProducerId: db.prepare("INSERT INTO elog_meta (key, value) VALUES ('next_producer_id', 1) ON CONFLICT (key) DO UPDATE SET value = value + 1 RETURNING value").pluck(),
      pendingSeq: db.prepare('SELECT COALESCE(MAX(seq), 0) FROM elog_pending WHERE producer_id = ?').pluck(),
      insertPending: db.prepare('INSERT INTO elog_pending (producer_id, seq, topic, partition, timestamp, key, value, headers) VALUES (?, ?, ?, ?, ?, ?, ?, ?)'),
      pending: db.prepare('SELECT topic, partition, timestamp, key, value, headers FROM elog_pending WHERE producer_id = ? ORDER BY seq'),
      dropPending: db.prepare('DELETE FROM elog_pending WHERE producer_id = ?'),
      commitOffset: db.prepare(
        'INSERT INTO elog_group_offsets (group_id, topic, partition, offset) VALUES (?, ?, ?, ?) ON CONFLICT (group_id, topic, partition) DO UPDATE SET offset = excluded.offset',
      ),
      committed: db.prepare('SELECT partition, offset FROM elog_group_offsets WHERE group_id = ? AND topic = ? ORDER BY partition'),
      groups: db.prepare('SELECT DISTINCT group_id AS groupId, topic FROM elog_group_offsets ORDER BY group_id, topic'),
    };
    this.dataVersion = this.db.pragma('data_version', { simple: true }) as number;
    this.channel = new BroadcastChannel(`eddy-embedded-log:${path}`);
    this.channel.onmessage = () => this.wake();
    this.channel.unref();
  }

  /** The file at `path`, opened (and created with its schema) if this thread has not opened it yet. */
  static acquire(path: string): LogFile {
    const absolute = resolve(path);
    let file = OPEN.get(absolute);
    if (!file) {
      file = new LogFile(absolute);
      OPEN.set(absolute, file);
    }
    file.refs++;
    return file;
  }

  /** Gives back what `acquire` gave: the last release closes the connection. */
  release(): void {
    if (--this.refs > 0) return;
    OPEN.delete(this.path);
    this.channel.close();
    this.db.close();
    this.wake();
  }

  /** Runs `fn` in one write transaction (BEGIN IMMEDIATE), then wakes the readers waiting for records. */
  write<T>(fn: () => T): T {
    const result = this.db.transaction(fn).immediate();
    this.wake();
    this.channel.postMessage(0);
    return result;
  }

  /** Runs `fn` in one read transaction: a consistent snapshot. */
  read<T>(fn: () => T): T {
    return this.db.transaction(fn).deferred();
  }

  /**
   * Waits until a writer may have added records (a write of this process), another process committed (seen by
   * polling), or `ms` passed.
   */
  async waitForWrites(ms: number): Promise<void> {
    const deadline = Date.now() + ms;
    let wake!: () => void;
    const woken = new Promise<void>((r) => (wake = r));
    this.waiters.add(wake);
    try {
      while (Date.now() < deadline) {
        let timer: ReturnType<typeof setTimeout> | undefined;
        const tick = new Promise<'tick'>((r) => (timer = setTimeout(() => r('tick'), Math.min(POLL_MS, Math.max(0, deadline - Date.now())))));
        const why = await Promise.race([woken.then(() => 'woken' as const), tick]);
        clearTimeout(timer);
        if (why === 'woken' || !this.db.open) return;
        const version = this.db.pragma('data_version', { simple: true }) as number;
        if (version !== this.dataVersion) {
          // Another process wrote: every reader of this thread looks again.
          this.dataVersion = version;
          this.wake();
          return;
        }
      }
    } finally {
      this.waiters.delete(wake);
    }
  }

  private wake(): void {
    for (const w of [...this.waiters]) w();
  }

  // ---- topics ----

  /** A topic's partition count and configs; MissingTopic when there is no such topic. */
  topic(name: string): { partitions: number; configs: Record<string, string> } {
    const row = this.stmt.topic.get(name) as { partitions: number; configs: string } | undefined;
    if (!row) throw new MissingTopic(name);
    return { partitions: row.partitions, configs: JSON.parse(row.configs) as Record<string, string> };
  }

  topics(): { name: string; partitions: number }[] {
    return this.stmt.topics.all() as { name: string; partitions: number }[];
  }

  /** Creates a topic (in a write transaction); false when it exists already. */
  createTopic(name: string, partitions: number, configs: Readonly<Record<string, string>>): boolean {
    if (this.stmt.topic.get(name)) return false;
    this.stmt.insertTopic.run(name, partitions, JSON.stringify(configs));
    for (let p = 0; p < partitions; p++) this.stmt.insertPartition.run(name, p);
    return true;
  }

  /** Deletes a topic with its records, staged records and committed offsets (in a write transaction). */
  deleteTopic(name: string): void {
    this.topic(name);
    for (const s of this.stmt.deleteTopic) s.run(name);
  }

  /** Grows a topic to `partitions` (in a write transaction). */
  addPartitions(name: string, partitions: number): void {
    const { partitions: now } = this.topic(name);
    if (partitions <= now) throw new Error(`topic '${name}' has ${now} partitions already; a topic can only grow`);
    for (let p = now; p < partitions; p++) this.stmt.insertPartition.run(name, p);
    this.stmt.setPartitions.run(partitions, name);
  }

  // ---- offsets and records ----

  /** Each partition's end (the offset the next record gets), partitions in order. */
  ends(topic: string): { partition: number; offset: number }[] {
    this.topic(topic);
    return this.stmt.ends.all(topic) as { partition: number; offset: number }[];
  }

  /** The first offset of a partition (its end when it is empty). */
  first(topic: string, partition: number, end: number): number {
    return (this.stmt.first.get(topic, partition) as number | null) ?? end;
  }

  /** The first offset whose timestamp is at or after `timestamp` (the end when there is none). */
  firstAt(topic: string, partition: number, timestamp: number, end: number): number {
    return (this.stmt.firstAt.get(topic, partition, timestamp) as number | null) ?? end;
  }

  /** A partition's end offset; undefined when the topic has no such partition. */
  end(topic: string, partition: number): number | undefined {
    return this.stmt.end.get(topic, partition) as number | undefined;
  }

  /**
   * Records of a partition from `offset` on, in offset order: at most `maxRecords`, and no more than `maxBytes` of
   * keys and values (but always at least one record when there is one).
   */
  records(topic: string, partition: number, offset: number, maxRecords: number, maxBytes: number): StoredRecord[] {
    const out: StoredRecord[] = [];
    let bytes = 0;
    for (const row of this.stmt.records.iterate(topic, partition, offset, maxRecords) as IterableIterator<RecordRow>) {
      bytes += (row.key?.length ?? 0) + (row.value?.length ?? 0) + 16;
      if (out.length > 0 && bytes > maxBytes) break;
      out.push({ partition: row.partition, offset: row.offset, timestamp: row.timestamp, key: row.key, value: row.value, headers: decodeHeaders(row.headers) });
    }
    return out;
  }

  /** Appends records at the ends of their partitions (in a write transaction; partitions checked by the caller). */
  append(records: readonly AppendRecord[]): void {
    const ends = new Map<string, number>();
    for (const r of records) {
      const at = `${r.topic}\u0000${r.partition}`;
      let end = ends.get(at);
      if (end === undefined) {
        end = this.stmt.end.get(r.topic, r.partition) as number | undefined;
        if (end === undefined) throw new MissingTopic(r.topic);
      }
      this.stmt.insertRecord.run(r.topic, r.partition, end, r.timestamp, r.key, r.value, encodeHeaders(r.headers));
      ends.set(at, end + 1);
    }
    for (const [at, end] of ends) {
      const [topic, partition] = at.split('\u0000');
      this.stmt.setEnd.run(end, topic, Number(partition));
    }
  }

  // ---- consumer groups ----

  commitOffsets(groupId: string, offsets: readonly { topic: string; partition: number; offset: number }[]): void {
    for (const o of offsets) this.stmt.commitOffset.run(groupId, o.topic, o.partition, o.offset);
  }

  committedOffsets(groupId: string, topic: string): { partition: number; offset: number }[] {
    return this.stmt.committed.all(groupId, topic) as { partition: number; offset: number }[];
  }

  groups(): { groupId: string; topic: string }[] {
    return this.stmt.groups.all() as { groupId: string; topic: string }[];
  }

  // ---- transactional producers ----

  producer(transactionalId: string): ProducerRow | undefined {
    return this.stmt.producer.get(transactionalId) as ProducerRow | undefined;
  }

  /**
   * Registers a producer of `transactionalId` (in a write transaction): a new producer id with epoch 0, or the
   * next epoch of the id's producer id, whose open transaction (staged records) is dropped: aborted.
   */
  registerProducer(transactionalId: string): ProducerRow {
    const existing = this.producer(transactionalId);
    if (!existing) {
      const id = this.stmt.nextProducerId.get() as number;
      this.stmt.insertProducer.run(transactionalId, id);
    } else {
      this.stmt.dropPending.run(existing.producerId);
      if (existing.state === 'open') this.stmt.setState.run('aborted', transactionalId);
      this.stmt.bumpEpoch.run(transactionalId);
    }
    return this.producer(transactionalId)!;
  }

  /** A new producer id for an idempotent producer without a transactional id. */
  newProducerId(): number {
    return this.stmt.nextProducerId.get() as number;
  }

  /** Fails with StaleEpoch unless (`producerId`, `epoch`) is `transactionalId`'s current registration. */
  checkEpoch(transactionalId: string, producerId: number, epoch: number): ProducerRow {
    const row = this.producer(transactionalId);
    if (!row || row.producerId !== producerId || row.epoch !== epoch) throw new StaleEpoch(transactionalId);
    return row;
  }

  /** Stages records in `transactionalId`'s open transaction (in a write transaction, epoch checked by the caller). */
  stage(transactionalId: string, producerId: number, records: readonly AppendRecord[]): void {
    let seq = this.stmt.pendingSeq.get(producerId) as number;
    for (const r of records) {
      if (this.end(r.topic, r.partition) === undefined) throw new MissingTopic(r.topic);
      this.stmt.insertPending.run(producerId, ++seq, r.topic, r.partition, r.timestamp, r.key, r.value, encodeHeaders(r.headers));
    }
    this.stmt.setState.run('open', transactionalId);
  }

  /**
   * Ends `transactionalId`'s open transaction (in a write transaction, epoch checked by the caller): on commit its
   * staged records are appended, in the order they were sent; on abort they are dropped. A transaction with nothing
   * staged leaves no trace.
   */
  endTransaction(transactionalId: string, producerId: number, commit: boolean): void {
    const row = this.producer(transactionalId);
    if (row?.state !== 'open') return;
    if (commit) {
      const staged = this.stmt.pending.all(producerId) as (Omit<RecordRow, 'offset'> & { topic: string })[];
      // A topic deleted meanwhile took its staged records with it: what is left is appended.
      this.append(staged.map((r) => ({ topic: r.topic, partition: r.partition, timestamp: r.timestamp, key: r.key, value: r.value, headers: decodeHeaders(r.headers) })));
    }
    this.stmt.dropPending.run(producerId);
    this.stmt.setState.run(commit ? 'committed' : 'aborted', transactionalId);
  }
}

/** The files this thread has open, by absolute path. */
const OPEN = new Map<string, LogFile>();
