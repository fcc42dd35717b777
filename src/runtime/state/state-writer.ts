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
 * The applier (state-writer-applier.ts) is one module that runs both in the worker (state-writer-worker.ts)
 * and, for stores without a worker, on the main thread.
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
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type Database from 'better-sqlite3';
import { PackWriter } from './packed.js';
import { makeApplier, OP_DELETE, OP_DROP_NS, OP_EXPIRE, OP_TABLE, OP_UPSERT, OP_VALUE, type Applier } from './state-writer-applier.js';
import type { Namespace, StateKey, ValueCodec } from './state-types.js';


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

/** The applier for a connection on this thread (stores without a worker). */
export function localApplier(db: Database.Database): Applier {
  return makeApplier(db);
}

/** What the writer thread starts with. */
export interface WriterData {
  /** The store's file. */
  readonly path: string;
  readonly synchronous: string;
}

/** Messages to the writer thread. A batch is `length` bytes of `buffer` (transferred). */
export type ToWriter =
  | { readonly type: 'write'; readonly buffer: ArrayBuffer; readonly length: number }
  | { readonly type: 'commit'; readonly seq: number; readonly id: number; readonly time: number; readonly data: string; readonly buffer: ArrayBuffer; readonly length: number }
  | { readonly type: 'reclaim'; readonly pages: number }
  | { readonly type: 'close' };

/** Messages from the writer thread. */
export type FromWriter =
  | { readonly type: 'committed'; readonly seq: number }
  | { readonly type: 'failed'; readonly seq?: number; readonly message: string; readonly code?: string }
  | { readonly type: 'closed' };

/**
 * The writer thread's compiled module. Under the TypeScript sources (tests) this module is `.ts`, which a
 * worker cannot load: the worker then runs from the build (`npm test` builds first), as the job thread does
 * (job-thread.ts). From the package, it is the `.js` next to this one.
 */
function workerScript(): string {
  const here = fileURLToPath(import.meta.url);
  const file = here.endsWith('.ts')
    ? fileURLToPath(new URL('../../../dist/src/runtime/state/state-writer-worker.js', import.meta.url))
    : fileURLToPath(new URL('./state-writer-worker.js', import.meta.url));
  if (!existsSync(file)) throw new Error(`The state writer thread's script ${file} is missing: run \`npm run build\``);
  return file;
}

/** Starts the writer thread (state-writer-worker.ts) for the store file `path`. */
export function startWriterWorker(path: string, synchronous: string): Worker {
  const workerData: WriterData = { path, synchronous };
  return new Worker(workerScript(), { workerData });
}
