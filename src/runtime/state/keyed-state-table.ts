/**
 * The state table behind every backend: nested maps (namespace → key → value) on the hot path.
 *
 * - With a store, it records which entries changed since the last checkpoint, so only those are written.
 * - Memory is bounded by `maxEntries`: past it, the least recently used entries are evicted between chunks
 *   (changed ones are written into the store's open transaction first), and a later read of an evicted key
 *   comes back from the store. Within a chunk the table may grow past the budget by that chunk's keys. After a restore nothing is loaded up front: every key starts "cold" and is read on first use,
 *   so recovery does not wait for the whole state to load.
 * - With a TTL (`table.exec.state.ttl`), entries not written for that long are removed by `expire`, in
 *   memory and in the store.
 */
import type { Namespace, StateKey, StateTable, ValueCodec, ValueState } from './state-types.js';

const DELETED = Symbol('deleted');

/** Receives a table's changes (at a checkpoint or on eviction). `time` is the entry's last write. */
export interface ChangeSink {
  deleteNamespace(ns: Namespace): void;
  upsert(ns: Namespace, key: StateKey, data: unknown, time?: number): void;
  delete(ns: Namespace, key: StateKey): void;
}

/** Reads entries that are not in memory. */
export interface ColdReader {
  get(ns: Namespace, key: StateKey): { data: unknown; time: number } | undefined;
  namespace(ns: Namespace): { key: StateKey; data: unknown; time: number }[];
  namespaces(): Namespace[];
}

/** Where a table keeps what does not fit in memory. */
export interface ColdStorage {
  readonly reader: ColdReader;
  readonly writer: ChangeSink;
  /** Removes stored entries last written before `before` (TTL). */
  expire(before: number): void;
}

/** Options of a table. */
export interface TableOptions {
  /** Most entries kept in memory (default: unlimited). Only honoured with cold storage. */
  readonly maxEntries?: number;
  /** Entries not written for this many ms are removed by {@link KeyedStateTable.expire} (default: never). */
  readonly ttlMs?: number;
  /** The clock for TTL (tests fix it). */
  readonly now?: () => number;
}

const EMPTY = new Map<StateKey, unknown>();

export class KeyedStateTable<V> implements StateTable<V> {
  private readonly data = new Map<Namespace, Map<StateKey, V>>();
  private count = 0;
  private readonly dirty = new Map<Namespace, Map<StateKey, V | typeof DELETED>>();
  private readonly droppedNamespaces = new Set<Namespace>();
  /** True once the store may hold entries that are not in memory (after a restore or an eviction). */
  private coldMayHave: boolean;
  private readonly maxEntries: number;
  private readonly ttlMs?: number;
  private readonly now: () => number;
  /** Last write time of each entry in memory, when a TTL is set. */
  private readonly writeTimes?: Map<Namespace, Map<StateKey, number>>;

  /**
   * @param tracking whether changes are recorded for checkpoints (false for jobs without a store, so the
   *   hot path does no bookkeeping)
   * @param cold where evicted and restored entries live (absent: memory only)
   * @param restored whether the store holds restored entries of this table
   */
  constructor(
    readonly name: string,
    readonly codec: ValueCodec<V>,
    private readonly tracking: boolean,
    private readonly cold?: ColdStorage,
    restored = false,
    options: TableOptions = {},
  ) {
    this.coldMayHave = cold !== undefined && restored;
    this.maxEntries = cold ? (options.maxEntries ?? Infinity) : Infinity;
    this.ttlMs = options.ttlMs;
    this.now = options.now ?? Date.now;
    if (this.ttlMs !== undefined) this.writeTimes = new Map();
  }

  /** Entries held in memory (evicted and not yet read restored entries are not counted). */
  get size(): number {
    return this.count;
  }

  get(key: StateKey, ns: Namespace = ''): V | undefined {
    const m = this.data.get(ns);
    if (m !== undefined) {
      const v = m.get(key);
      if (v !== undefined) {
        if (this.maxEntries !== Infinity) {
          // Move to the end: the first entries of the map are then the least recently used.
          m.delete(key);
          m.set(key, v);
        }
        return v;
      }
    }
    if (!this.coldMayHave || this.isDeletedInMemory(ns, key)) return undefined;
    const stored = this.cold!.reader.get(ns, key);
    if (stored === undefined) return undefined;
    const value = this.codec.decode(stored.data);
    this.insert(ns, key, value, stored.time);
    return value;
  }

  put(key: StateKey, value: V, ns: Namespace = ''): void {
    this.insert(ns, key, value, this.writeTimes ? this.now() : 0);
    if (this.tracking) this.mark(ns, key, value);
  }

  private insert(ns: Namespace, key: StateKey, value: V, time: number): void {
    let m = this.data.get(ns);
    if (!m) {
      m = new Map();
      this.data.set(ns, m);
    }
    const before = m.size;
    // With a budget, a written key moves to the end: the first entries are the least recently used.
    if (this.maxEntries !== Infinity) m.delete(key);
    m.set(key, value);
    if (m.size !== before) this.count++;
    if (this.writeTimes) {
      let t = this.writeTimes.get(ns);
      if (!t) this.writeTimes.set(ns, (t = new Map()));
      t.set(key, time);
    }
  }

  delete(key: StateKey, ns: Namespace = ''): void {
    const m = this.data.get(ns);
    if (m && m.delete(key)) {
      this.count--;
      if (m.size === 0) this.data.delete(ns);
      this.writeTimes?.get(ns)?.delete(key);
    } else if (!this.coldMayHave) return;
    if (this.tracking) this.mark(ns, key, DELETED);
  }

  namespace(ns: Namespace): IterableIterator<[StateKey, V]> {
    const m = this.data.get(ns) ?? (EMPTY as Map<StateKey, V>);
    if (!this.coldMayHave || this.droppedNamespaces.has(ns)) return m.entries();
    // Entries in memory win over stored ones; stored ones deleted in memory are left out.
    const out: [StateKey, V][] = [...m.entries()];
    for (const row of this.cold!.reader.namespace(ns)) {
      if (!m.has(row.key) && !this.isDeletedInMemory(ns, row.key)) out.push([row.key, this.codec.decode(row.data)]);
    }
    return out[Symbol.iterator]();
  }

  deleteNamespace(ns: Namespace): void {
    const m = this.data.get(ns);
    if (m) {
      this.count -= m.size;
      this.data.delete(ns);
    }
    this.writeTimes?.delete(ns);
    if (this.tracking) {
      this.dirty.delete(ns);
      this.droppedNamespaces.add(ns);
    }
  }

  namespaces(): IterableIterator<Namespace> {
    if (!this.coldMayHave) return this.data.keys();
    const all = new Set<Namespace>(this.data.keys());
    for (const ns of this.cold!.reader.namespaces()) if (!this.droppedNamespaces.has(ns)) all.add(ns);
    return all.values();
  }

  private isDeletedInMemory(ns: Namespace, key: StateKey): boolean {
    return this.droppedNamespaces.has(ns) && !this.data.get(ns)?.has(key) ? true : this.dirty.get(ns)?.get(key) === DELETED;
  }

  private mark(ns: Namespace, key: StateKey, value: V | typeof DELETED): void {
    let d = this.dirty.get(ns);
    if (!d) {
      d = new Map();
      this.dirty.set(ns, d);
    }
    d.set(key, value);
  }

  /**
   * Evicts least recently used entries (oldest namespaces first) down to 90% of the budget. Called only
   * between chunks (see StateBackend.maintain): during a batch an operator may hold entries it has not put
   * back yet, and evicting those would lose their changes.
   */
  evictIfNeeded(): void {
    if (this.count <= this.maxEntries) return;
    const writer = this.cold!.writer;
    // Dropped namespaces must reach the store before entries of a namespace of the same name do.
    for (const ns of this.droppedNamespaces) writer.deleteNamespace(ns);
    this.droppedNamespaces.clear();
    const target = Math.floor(this.maxEntries * 0.9);
    for (const [ns, m] of this.data) {
      const d = this.dirty.get(ns);
      const t = this.writeTimes?.get(ns);
      for (const [key, value] of m) {
        if (this.count <= target) break;
        if (d?.has(key)) {
          writer.upsert(ns, key, this.codec.encode(value), t?.get(key) ?? 0);
          d.delete(key);
        }
        m.delete(key);
        t?.delete(key);
        this.count--;
      }
      if (m.size === 0) this.data.delete(ns);
      if (this.count <= target) break;
    }
    this.coldMayHave = true;
  }

  /** Removes entries not written for the TTL, in memory and in the store. */
  expire(now = this.now()): void {
    if (this.ttlMs === undefined) return;
    const before = now - this.ttlMs;
    for (const [ns, times] of this.writeTimes!) {
      for (const [key, time] of times) if (time < before) this.delete(key, ns);
    }
    // Stored entries older than the TTL: a newer version in memory (if any) is written again later.
    if (this.cold) this.cold.expire(before);
  }

  /** True when something changed since the last {@link flushTo}. */
  get changed(): boolean {
    return this.dirty.size > 0 || this.droppedNamespaces.size > 0;
  }

  /** Writes the changes since the last checkpoint (namespace drops first, then entries) and forgets them. */
  flushTo(sink: ChangeSink): void {
    for (const ns of this.droppedNamespaces) sink.deleteNamespace(ns);
    this.droppedNamespaces.clear();
    for (const [ns, entries] of this.dirty) {
      const t = this.writeTimes?.get(ns);
      for (const [key, value] of entries) {
        if (value === DELETED) sink.delete(ns, key);
        else sink.upsert(ns, key, this.codec.encode(value), t?.get(key) ?? 0);
      }
    }
    this.dirty.clear();
  }

  /** Writes every entry (a full snapshot, e.g. a savepoint of a job without a state store). */
  writeAllTo(sink: ChangeSink): void {
    for (const [ns, m] of this.data) {
      const t = this.writeTimes?.get(ns);
      for (const [key, value] of m) sink.upsert(ns, key, this.codec.encode(value), t?.get(key) ?? 0);
    }
  }

}

/** A single value, with the same change tracking. */
export class TrackedValueState<V> implements ValueState<V> {
  private current: V | undefined;
  private isDirty = false;

  constructor(
    readonly name: string,
    readonly codec: ValueCodec<V>,
    private readonly tracking: boolean,
  ) {}

  get(): V | undefined {
    return this.current;
  }

  set(value: V): void {
    this.current = value;
    if (this.tracking) this.isDirty = true;
  }

  get changed(): boolean {
    return this.isDirty;
  }

  /** The encoded current value (null when unset). */
  encoded(): unknown {
    return this.current === undefined ? null : this.codec.encode(this.current);
  }

  /** The encoded value if it changed since the last call, else undefined. */
  takeChange(): { data: unknown } | undefined {
    if (!this.isDirty) return undefined;
    this.isDirty = false;
    return { data: this.encoded() };
  }

  load(data: unknown): void {
    this.current = data === null ? undefined : this.codec.decode(data);
  }
}
