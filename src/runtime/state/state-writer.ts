/**
 * The write side of the SQLite state store: a batch of operations (encoded by {@link OpWriter}) applied to
 * the store's write connection, and the worker thread that owns that connection in a running job.
 *
 * Why a worker: a checkpoint of a large, fast-changing state rewrites tens of thousands of entries, several
 * microseconds each in SQLite. On the main thread that would hold the whole pipeline. So the main thread
 * only encodes the changed entries into one buffer and hands it over (transferred, not copied); the worker
 * writes them and commits the checkpoint's transaction, and the job completes the checkpoint (sinks
 * commit) when the worker reports the commit durable.
 *
 * The applier is plain JavaScript kept as source text ({@link APPLIER_SOURCE}), so that the same code runs in
 * the worker (started from that text, which works the same from `dist/` and from the TypeScript sources in
 * tests) and, for stores without a worker, on the main thread.
 *
 * Batch format (little endian; "bytes" = u32 length + that many bytes, already encoded by packed.ts):
 *   1 UPSERT   varint table, bytes ns, bytes key, f64 time, bytes value
 *   2 DELETE   varint table, bytes ns, bytes key
 *   3 DROP_NS  varint table, bytes ns
 *   4 EXPIRE   varint table, f64 before
 *   5 VALUE    varint name length + UTF-8 name, bytes value
 *   6 TABLE    varint table, varint name length + UTF-8 name
 */
import { Worker } from 'node:worker_threads';
import { createRequire } from 'node:module';
import type Database from 'better-sqlite3';
import { PackWriter } from './packed.js';
import type { Namespace, StateKey, ValueCodec } from './state-types.js';

export const OP_UPSERT = 1;
export const OP_DELETE = 2;
export const OP_DROP_NS = 3;
export const OP_EXPIRE = 4;
export const OP_VALUE = 5;
export const OP_TABLE = 6;

/** Encodes operations into a batch. */
export class OpWriter extends PackWriter {
  /** Operations since the last {@link take}. */
  count = 0;
  /** The bytes an upsert of table {@link prefixTable} and namespace {@link prefixNs} starts with. */
  private prefix = Buffer.alloc(0);
  private prefixTable = -1;
  private prefixNs: Namespace | undefined;

  /** Reserves a u32 length in front of what follows; {@link endBytes} fills it in. */
  private startBytes(): number {
    this.ensure(4);
    const at = this.pos;
    this.pos += 4;
    return at;
  }

  private endBytes(at: number): void {
    this.putU32(this.pos - at - 4, at);
  }

  /** A namespace or key, behind its byte length. */
  private keyField(k: Namespace | StateKey): void {
    const at = this.startBytes();
    this.key(k);
    this.endBytes(at);
  }

  upsert(tbl: number, ns: Namespace, key: StateKey, data: unknown, time: number): void {
    const at = this.upsertUpToValue(tbl, ns, key, time);
    this.value(data);
    this.endBytes(at);
  }

  /** As {@link upsert} with `codec.encode(value)`, but encoded straight into the batch when the codec can. */
  upsertValue<V>(tbl: number, ns: Namespace, key: StateKey, value: V, codec: ValueCodec<V>, time: number): void {
    const at = this.upsertUpToValue(tbl, ns, key, time);
    if (codec.write) codec.write(this, value);
    else this.value(codec.encode(value));
    this.endBytes(at);
  }

  /** An upsert up to its value, whose length is then filled in by {@link endBytes} at the returned offset. */
  private upsertUpToValue(tbl: number, ns: Namespace, key: StateKey, time: number): number {
    this.count++;
    // A checkpoint writes runs of upserts of one table and namespace: their first bytes are copied.
    if (tbl !== this.prefixTable || ns !== this.prefixNs) {
      const at = this.pos;
      this.u8(OP_UPSERT);
      this.varint(tbl);
      this.keyField(ns);
      this.prefix = Buffer.from(this.buf.subarray(at, this.pos));
      this.prefixTable = tbl;
      this.prefixNs = ns;
    } else {
      const prefix = this.prefix;
      const n = prefix.length;
      this.ensure(n);
      const b = this.buf;
      const p = this.pos;
      for (let i = 0; i < n; i++) b[p + i] = prefix[i]!;
      this.pos = p + n;
    }
    if (typeof key === 'number') {
      // Most keys of large tables (one numeric GROUP BY column): the key's length fits its first byte.
      let p = this.pos;
      const k = p;
      p = this.numberAt(k + 4, key === 0 ? 0 : key); // -0 is the key 0 (see PackWriter.key)
      const b = this.buf;
      b[k] = p - k - 4;
      b[k + 1] = 0;
      b[k + 2] = 0;
      b[k + 3] = 0;
      p = this.f64At(p, time);
      this.pos = p;
      return this.startBytes();
    }
    this.keyField(key);
    this.f64(time);
    return this.startBytes();
  }

  delete(tbl: number, ns: Namespace, key: StateKey): void {
    this.count++;
    this.u8(OP_DELETE);
    this.varint(tbl);
    this.keyField(ns);
    this.keyField(key);
  }

  dropNamespace(tbl: number, ns: Namespace): void {
    this.count++;
    this.u8(OP_DROP_NS);
    this.varint(tbl);
    this.keyField(ns);
  }

  expire(tbl: number, before: number): void {
    this.count++;
    this.u8(OP_EXPIRE);
    this.varint(tbl);
    this.f64(before);
  }

  writeValue(name: string, data: unknown): void {
    this.count++;
    this.u8(OP_VALUE);
    this.str(name);
    const at = this.startBytes();
    this.value(data);
    this.endBytes(at);
  }

  table(id: number, name: string): void {
    this.count++;
    this.u8(OP_TABLE);
    this.varint(id);
    this.str(name);
  }

  /**
   * Hands out the batch written so far as its own ArrayBuffer (transferable) and starts a new one. The
   * buffer is never from Node's shared pool (the writer allocates at least 64 KiB).
   */
  take(): { buffer: ArrayBuffer; length: number } {
    const out = { buffer: this.buf.buffer as ArrayBuffer, length: this.pos };
    if (this.buf.byteOffset !== 0 || this.buf.byteLength !== this.buf.buffer.byteLength) {
      // Not a whole ArrayBuffer of its own (cannot happen with allocUnsafe >= 64 KiB): copy.
      const copy = new ArrayBuffer(this.pos);
      new Uint8Array(copy).set(this.buf.subarray(0, this.pos));
      out.buffer = copy;
    }
    this.buf = Buffer.allocUnsafe(Math.max(1 << 16, Math.min(this.buf.length, 1 << 24)));
    this.pos = 0;
    this.count = 0;
    return out;
  }
}

/**
 * Source of `makeApplier(db)`: returns `{ apply(buf) }`, which runs a batch's operations on `db` (inside
 * the caller's transaction). Plain JavaScript: it runs in the worker too.
 */
export const APPLIER_SOURCE = String.raw`
function makeApplier(db) {
  // One row per statement: 16- and 64-row INSERTs were slower for this table. INSERT OR REPLACE rather than
  // ON CONFLICT DO UPDATE: the same result here (every column is written, the primary key is the only
  // constraint, no triggers), and less CPU per row. Measured with bench/state-store-micro.mjs.
  const upsert = db.prepare('INSERT OR REPLACE INTO eddy_entries (tbl, ns, k, v, t) VALUES (?, ?, ?, ?, ?)');
  const del = db.prepare('DELETE FROM eddy_entries WHERE tbl = ? AND ns = ? AND k = ?');
  const dropNs = db.prepare('DELETE FROM eddy_entries WHERE tbl = ? AND ns = ?');
  const expire = db.prepare('DELETE FROM eddy_entries WHERE tbl = ? AND t < ?');
  const value = db.prepare('INSERT INTO eddy_values (name, v) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET v = excluded.v');
  const table = db.prepare('INSERT OR IGNORE INTO eddy_tables (id, name) VALUES (?, ?)');
  // Runs of upserts longer than this are written in key order (see writeRun).
  const SORT_FROM = 16;
  return {
    apply(buf) {
      let pos = 0;
      const varint = () => {
        let n = 0, scale = 1;
        for (;;) {
          const b = buf[pos++];
          n += (b & 0x7f) * scale;
          if (b < 0x80) return n;
          scale *= 0x80;
        }
      };
      const bytes = () => {
        const n = buf.readUInt32LE(pos);
        pos += 4;
        const out = buf.subarray(pos, pos + n);
        pos += n;
        return out;
      };
      const text = () => {
        const n = varint();
        const s = buf.toString('utf8', pos, pos + n);
        pos += n;
        return s;
      };
      // The upsert whose fields start at pos (after its operation byte).
      const upsertAt = (at) => {
        pos = at;
        const tbl = varint();
        const ns = bytes();
        const k = bytes();
        const t = buf.readDoubleLE(pos);
        pos += 8;
        upsert.run(tbl, ns, k, bytes(), t);
      };
      // A run of consecutive upserts (any other operation may touch the same rows, so it ends a run) is
      // written in key order when it is long and of one table and namespace (the usual checkpoint): its
      // entries come in the order they changed, scattered over the table's b-tree, and SQLite writes them
      // with much less work in key order. The run is sorted natively, as numbers: the first 4 bytes of the
      // key (SQLite compares blobs bytewise), then the position, which keeps the order of one key's upserts.
      // That is not exactly the b-tree's order when keys share a longer prefix, but close enough.
      const writeRun = () => {
        const offsets = [];
        const keys = [];
        let sortable = true;
        let tbl0 = -1, ns0 = 0, nsLen0 = 0;
        while (pos < buf.length && buf[pos] === 1) {
          pos++; // the operation byte (an upsert)
          offsets.push(pos);
          const tbl = varint();
          const nsLen = buf.readUInt32LE(pos);
          const ns = pos + 4;
          if (tbl0 < 0) {
            tbl0 = tbl;
            ns0 = ns;
            nsLen0 = nsLen;
          } else if (sortable) {
            if (tbl !== tbl0 || nsLen !== nsLen0) sortable = false;
            else for (let i = 0; i < nsLen; i++) if (buf[ns + i] !== buf[ns0 + i]) sortable = false;
          }
          pos = ns + nsLen;
          const kLen = buf.readUInt32LE(pos);
          const k = pos + 4;
          const prefix = (kLen > 0 ? buf[k] * 0x1000000 : 0) + (kLen > 1 ? buf[k + 1] * 0x10000 : 0) + (kLen > 2 ? buf[k + 2] * 0x100 : 0) + (kLen > 3 ? buf[k + 3] : 0);
          keys.push(prefix * 0x100000 + keys.length);
          pos = k + kLen + 8;
          pos += 4 + buf.readUInt32LE(pos);
        }
        const end = pos;
        const n = offsets.length;
        if (n > SORT_FROM && n < 0x100000 && sortable) {
          const order = Float64Array.from(keys).sort();
          for (let j = 0; j < n; j++) upsertAt(offsets[order[j] % 0x100000]);
        } else {
          for (let j = 0; j < n; j++) upsertAt(offsets[j]);
        }
        pos = end;
      };
      while (pos < buf.length) {
        if (buf[pos] === 1) {
          writeRun();
          continue;
        }
        const op = buf[pos++];
        if (op === 2) {
          const tbl = varint();
          del.run(tbl, bytes(), bytes());
        } else if (op === 3) {
          const tbl = varint();
          dropNs.run(tbl, bytes());
        } else if (op === 4) {
          const tbl = varint();
          const before = buf.readDoubleLE(pos);
          pos += 8;
          expire.run(tbl, before);
        } else if (op === 5) {
          const name = text();
          value.run(name, bytes());
        } else if (op === 6) {
          const id = varint();
          table.run(id, text());
        } else {
          throw new Error('corrupt state batch: operation ' + op + ' at byte ' + (pos - 1));
        }
      }
    },
  };
}
`;

/** The applier for a connection on this thread (stores without a worker). */
export function localApplier(db: Database.Database): { apply(buf: Buffer): void } {
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  const make = new Function(`${APPLIER_SOURCE}\nreturn makeApplier;`)() as (db: Database.Database) => { apply(buf: Buffer): void };
  return make(db);
}

/** The worker's program: opens the write connection and serves batches and commits, in order. */
const WORKER_SOURCE = String.raw`
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.sqlite);
${APPLIER_SOURCE}
const db = new Database(workerData.path);
db.pragma('journal_mode = WAL');
db.pragma('synchronous = ' + workerData.synchronous);
db.pragma('journal_size_limit = 67108864');
db.pragma('cache_size = -65536');
const applier = makeApplier(db);
const deleteCheckpoints = db.prepare('DELETE FROM eddy_checkpoint');
const insertCheckpoint = db.prepare('INSERT INTO eddy_checkpoint (id, time, data) VALUES (?, ?, ?)');
let broken;
const begin = () => { if (!db.inTransaction) db.exec('BEGIN'); };
const rollback = () => { if (db.inTransaction) db.exec('ROLLBACK'); };
parentPort.on('message', (m) => {
  try {
    if (m.type === 'write') {
      if (broken) return;
      begin();
      applier.apply(Buffer.from(m.buffer, 0, m.length));
    } else if (m.type === 'commit') {
      if (broken) throw broken;
      begin();
      applier.apply(Buffer.from(m.buffer, 0, m.length));
      deleteCheckpoints.run();
      insertCheckpoint.run(m.id, m.time, m.data);
      db.exec('COMMIT');
      parentPort.postMessage({ type: 'committed', seq: m.seq });
    } else if (m.type === 'reclaim') {
      if (!db.inTransaction && !broken) db.pragma('incremental_vacuum(' + m.pages + ')');
    } else if (m.type === 'close') {
      rollback();
      db.close();
      parentPort.postMessage({ type: 'closed' });
      parentPort.close();
    }
  } catch (err) {
    // The open transaction holds part of a batch: roll back to the last checkpoint; every later batch and
    // commit fails too (the job fails and restarts from that checkpoint).
    broken = broken || err;
    try { rollback(); } catch {}
    parentPort.postMessage({ type: 'failed', seq: m.seq, message: String(err && err.message || err) });
  }
});
`;

/** Starts the writer worker for the store file `path`. */
export function startWriterWorker(path: string, synchronous: string): Worker {
  const sqlite = createRequire(import.meta.url).resolve('better-sqlite3');
  return new Worker(WORKER_SOURCE, { eval: true, workerData: { path, synchronous, sqlite } });
}
