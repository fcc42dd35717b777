/**
 * The applier of state batches: runs a batch of operations (encoded by `OpWriter`, state-writer.ts) on a
 * write connection, inside the caller's transaction. The same module runs in the checkpoint writer thread
 * (state-writer-worker.ts) and, for stores without a worker, on the main thread.
 *
 * It imports nothing at run time (better-sqlite3 only as a type), so that the worker loads no more than it
 * needs.
 */
import type Database from 'better-sqlite3';

/** Runs batches of operations on one connection. */
export interface Applier {
  /** Applies every operation of `buf`, in order (the caller owns the transaction). */
  apply(buf: Buffer): void;
}

/** What an applier may do differently (for bench/state-store-micro.mjs, which compares alternatives). */
export interface ApplierOptions {
  /** The upsert statement, with parameters (tbl, ns, k, v, t). */
  readonly upsertSql?: string;
  /** Runs of upserts longer than this are written in key order (Infinity: never). */
  readonly sortFrom?: number;
}

// Operation codes, as written by OpWriter (state-writer.ts re-exports them).
export const OP_UPSERT = 1;
export const OP_DELETE = 2;
export const OP_DROP_NS = 3;
export const OP_EXPIRE = 4;
export const OP_VALUE = 5;
export const OP_TABLE = 6;

/**
 * One row per statement: 16- and 64-row INSERTs were slower for this table. INSERT OR REPLACE rather than
 * ON CONFLICT DO UPDATE: the same result here (every column is written, the primary key is the only
 * constraint, no triggers), and less CPU per row. Measured with bench/state-store-micro.mjs.
 */
export const UPSERT_SQL = 'INSERT OR REPLACE INTO eddy_entries (tbl, ns, k, v, t) VALUES (?, ?, ?, ?, ?)';

/** Runs of upserts longer than this are written in key order (see writeRun in {@link makeApplier}). */
export const SORT_FROM = 16;

/** Largest run that is sorted: the position within the run is kept in the low 20 bits of the sort key. */
const MAX_SORTED_RUN = 0x100000;

/** An applier for the write connection `db`. */
export function makeApplier(db: Database.Database, options: ApplierOptions = {}): Applier {
  const upsert = db.prepare(options.upsertSql ?? UPSERT_SQL);
  const del = db.prepare('DELETE FROM eddy_entries WHERE tbl = ? AND ns = ? AND k = ?');
  const dropNs = db.prepare('DELETE FROM eddy_entries WHERE tbl = ? AND ns = ?');
  const expire = db.prepare('DELETE FROM eddy_entries WHERE tbl = ? AND t < ?');
  const value = db.prepare('INSERT INTO eddy_values (name, v) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET v = excluded.v');
  const table = db.prepare('INSERT OR IGNORE INTO eddy_tables (id, name) VALUES (?, ?)');
  const sortFrom = options.sortFrom ?? SORT_FROM;
  return {
    apply(buf: Buffer): void {
      let pos = 0;
      const varint = (): number => {
        let n = 0;
        let scale = 1;
        for (;;) {
          const b = buf[pos++]!;
          n += (b & 0x7f) * scale;
          if (b < 0x80) return n;
          scale *= 0x80;
        }
      };
      const bytes = (): Buffer => {
        const n = buf.readUInt32LE(pos);
        pos += 4;
        const out = buf.subarray(pos, pos + n);
        pos += n;
        return out;
      };
      const text = (): string => {
        const n = varint();
        const s = buf.toString('utf8', pos, pos + n);
        pos += n;
        return s;
      };
      // The upsert whose fields start at `at` (after its operation byte).
      const upsertAt = (at: number): void => {
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
      const writeRun = (): void => {
        const offsets: number[] = [];
        const keys: number[] = [];
        let sortable = true;
        let tbl0 = -1;
        let ns0 = 0;
        let nsLen0 = 0;
        while (pos < buf.length && buf[pos] === OP_UPSERT) {
          pos++; // the operation byte
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
          const prefix = (kLen > 0 ? buf[k]! * 0x1000000 : 0) + (kLen > 1 ? buf[k + 1]! * 0x10000 : 0) + (kLen > 2 ? buf[k + 2]! * 0x100 : 0) + (kLen > 3 ? buf[k + 3]! : 0);
          keys.push(prefix * MAX_SORTED_RUN + keys.length);
          pos = k + kLen + 8;
          pos += 4 + buf.readUInt32LE(pos);
        }
        const end = pos;
        const n = offsets.length;
        if (n > sortFrom && n < MAX_SORTED_RUN && sortable) {
          const order = Float64Array.from(keys).sort();
          for (let j = 0; j < n; j++) upsertAt(offsets[order[j]! % MAX_SORTED_RUN]!);
        } else {
          for (let j = 0; j < n; j++) upsertAt(offsets[j]!);
        }
        pos = end;
      };
      while (pos < buf.length) {
        if (buf[pos] === OP_UPSERT) {
          writeRun();
          continue;
        }
        const op = buf[pos++];
        if (op === OP_DELETE) {
          const tbl = varint();
          del.run(tbl, bytes(), bytes());
        } else if (op === OP_DROP_NS) {
          const tbl = varint();
          dropNs.run(tbl, bytes());
        } else if (op === OP_EXPIRE) {
          const tbl = varint();
          const before = buf.readDoubleLE(pos);
          pos += 8;
          expire.run(tbl, before);
        } else if (op === OP_VALUE) {
          const name = text();
          value.run(name, bytes());
        } else if (op === OP_TABLE) {
          const id = varint();
          table.run(id, text());
        } else {
          throw new Error(`corrupt state batch: operation ${op} at byte ${pos - 1}`);
        }
      }
    },
  };
}
