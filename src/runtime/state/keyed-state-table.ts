/**
 * The state table behind every backend: nested maps (namespace → key → value) on the hot path.
 *
 * - With a store, it records which entries changed since the last checkpoint, so only those are written:
 *   in a change map (key → new value or deletion), or, for tables with in-place tracking, in the values
 *   themselves (each value notes the period it last changed in; a list holds the keys that changed, and
 *   the change map only deletions), which spares a map update per `put` and the map's garbage.
 * - Memory is bounded by `maxEntries`: past it, the least recently used entries are evicted between chunks
 *   (changed ones are written into the store's open transaction first), and a later read of an evicted key
 *   comes back from the store. Within a chunk the table may grow past the budget by that chunk's keys. After a restore nothing is loaded up front: every key starts "cold" and is read on first use,
 *   so recovery does not wait for the whole state to load.
 * - With a TTL (`table.exec.state.ttl`), entries not written for that long are removed by `expire`, in
 *   memory and in the store.
 * - What the table hands to the store (evicted entries, a checkpoint's changes) may not be readable from
 *   the store until the commit that carries it is durable (the store writes in a worker thread). Until
 *   then the table keeps it in "layers" (the checkpoint's change map itself, or the evicted entries'
 *   encoded data), and reads that miss memory look there, newest first, before the store.
 */
import type { InPlaceTracked, Namespace, StateKey, StateTable, ValueCodec, ValueState } from './state-types.js';

const DELETED = Symbol('deleted');

/** A change waiting for the next checkpoint: the entry's new value, or a deletion. */
type Change<V> = V | typeof DELETED;

/**
 * A flush walks a namespace's entries in map order instead of its change map's order when at least 1 in
 * SCAN_FROM of them changed. Without a memory budget a map's order is the order its entries were created
 * in, which is closer to their order in memory than the order they changed in, so fewer of them are cache
 * misses (bench/checkpoints.mjs, group-agg: the sources are held about 8% less per checkpoint).
 */
const SCAN_FROM = 4;

/** Receives a table's changes (at a checkpoint or on eviction). `time` is the entry's last write. */
export interface ChangeSink {
  deleteNamespace(ns: Namespace): void;
  upsert(ns: Namespace, key: StateKey, data: unknown, time?: number): void;
  delete(ns: Namespace, key: StateKey): void;
  /**
   * Optional fast path of `upsert(ns, key, codec.encode(value), time)`: the sink encodes the value itself
   * (see {@link ValueCodec.write}), without building the intermediate data.
   */
  upsertValue?<V>(ns: Namespace, key: StateKey, value: V, codec: ValueCodec<V>, time: number): void;
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
  /** The number of the commit that what is written now belongs to (see {@link KeyedStateTable.committed}; default 0). */
  readonly epoch?: number;
}

/** An evicted entry as handed to the store: its encoded value and last write time. */
class Encoded {
  constructor(
    readonly data: unknown,
    readonly time: number,
  ) {}
}

/**
 * Changes handed to the store for commit `epoch` and not known durable yet: namespaces dropped, then
 * entries (a value, an evicted entry's encoded data, or a deletion).
 */
interface Layer<V> {
  readonly epoch: number;
  readonly evicted: boolean;
  readonly dropped: Set<Namespace>;
  readonly entries: Map<Namespace, Map<StateKey, Change<V> | Encoded>>;
  /** Write times of the entries that are values (tables with a TTL). */
  readonly times?: Map<Namespace, Map<StateKey, number>>;
}

/** Options of a table. */
export interface TableOptions {
  /** Most entries kept in memory (default: unlimited). Only honoured with cold storage. */
  readonly maxEntries?: number;
  /** Entries not written for this many ms are removed by {@link KeyedStateTable.expire} (default: never). */
  readonly ttlMs?: number;
  /** The clock for TTL (tests fix it). */
  readonly now?: () => number;
  /** Track changes in the values (which must be {@link InPlaceTracked}); see TableRequest.inPlace. */
  readonly inPlace?: boolean;
}

const EMPTY = new Map<StateKey, unknown>();

export class KeyedStateTable<V> implements StateTable<V> {
  private readonly data = new Map<Namespace, Map<StateKey, V>>();
  private count = 0;
  /** Changes since the last flush; with in-place tracking only the deletions (the rest is in the values). */
  private dirty = new Map<Namespace, Map<StateKey, Change<V>>>();
  private droppedNamespaces = new Set<Namespace>();
  /** Handed to the store, not yet durable there; oldest first. */
  private layers: Layer<V>[] = [];
  /** Stored entries last written before this were removed by a TTL expiry that may not be committed yet. */
  private expiredBefore = -Infinity;
  /** Evicted changed entries in {@link layers} (kept encoded until their commit is durable). */
  private evictedInFlight = 0;
  /**
   * Recency is tracked (each access moves the entry to the end of its map, which costs a delete and a set)
   * only once the table holds half its budget: below that nothing is evicted soon, and the order of
   * insertion is as good a guess.
   */
  private readonly lruFrom: number;
  /** The last namespace's maps (most tables use one namespace, or a few in turn). */
  private lastNs: Namespace | undefined;
  private lastData: Map<StateKey, V> | undefined;
  private lastDirty: Map<StateKey, Change<V>> | undefined;
  /** True once the store may hold entries that are not in memory (after a restore or an eviction). */
  private coldMayHave: boolean;
  private readonly maxEntries: number;
  private readonly ttlMs?: number;
  private readonly now: () => number;
  /** Last write time of each entry in memory, when a TTL is set. */
  private readonly writeTimes?: Map<Namespace, Map<StateKey, number>>;
  /** In-place tracking: the values note the {@link period} they last changed in. */
  private readonly inPlace: boolean;
  /** In-place tracking: the number of the current period (a flush ends one). */
  private period = 1;
  /** In-place tracking: the keys put in the current period, per namespace, in the order first put. */
  private changedKeys = new Map<Namespace, StateKey[]>();
  private lastChangedNs: Namespace | undefined;
  private lastChanged: StateKey[] | undefined;
  /** In-place tracking: [epoch, period] of the flushes whose commit is not durable yet, oldest first. */
  private inFlight: [number, number][] = [];
  /** In-place tracking: the last period whose changes the store holds durably. */
  private durablePeriod = 0;

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
    this.lruFrom = this.maxEntries / 2;
    this.ttlMs = options.ttlMs;
    this.now = options.now ?? Date.now;
    if (this.ttlMs !== undefined) this.writeTimes = new Map();
    this.inPlace = options.inPlace === true;
    this.tracksWrites = tracking || this.ttlMs !== undefined || this.maxEntries !== Infinity;
  }

  /** See {@link StateTable.tracksWrites}. */
  readonly tracksWrites: boolean;

  /** Entries held in memory (evicted and not yet read restored entries are not counted). */
  get size(): number {
    return this.count;
  }

  get(key: StateKey, ns: Namespace = ''): V | undefined {
    const m = ns === this.lastNs && this.lastData !== undefined ? this.lastData : this.data.get(ns);
    if (m !== undefined) {
      const v = m.get(key);
      if (v !== undefined) {
        if (this.count >= this.lruFrom) {
          // Move to the end: the first entries of the map are then the least recently used.
          m.delete(key);
          m.set(key, v);
        }
        return v;
      }
    }
    if (!this.coldMayHave || this.isDeletedInMemory(ns, key)) return undefined;
    const found = this.coldGet(ns, key);
    if (found === undefined) return undefined;
    this.insert(ns, key, found.value, found.time);
    return found.value;
  }

  /** An entry that is not in memory: from the layers (newest first), else from the store. */
  private coldGet(ns: Namespace, key: StateKey): { value: V; time: number } | undefined {
    let found: { value: V; time: number } | undefined;
    search: {
      for (let i = this.layers.length - 1; i >= 0; i--) {
        const layer = this.layers[i]!;
        const e = layer.entries.get(ns)?.get(key);
        if (e !== undefined) {
          if (e === DELETED) return undefined;
          found = e instanceof Encoded ? { value: this.codec.decode(e.data), time: e.time } : { value: e as V, time: layer.times?.get(ns)?.get(key) ?? 0 };
          break search;
        }
        if (layer.dropped.has(ns)) return undefined;
      }
      const stored = this.cold!.reader.get(ns, key);
      if (stored === undefined) return undefined;
      found = { value: this.codec.decode(stored.data), time: stored.time };
    }
    return found.time < this.expiredBefore ? undefined : found;
  }

  put(key: StateKey, value: V, ns: Namespace = ''): void {
    this.insert(ns, key, value, this.writeTimes ? this.now() : 0);
    if (!this.tracking) return;
    if (this.inPlace) this.markInPlace(ns, key, value as InPlaceTracked);
    else this.mark(ns, key, value);
  }

  /** In-place tracking: notes the period in the value, and the key in the period's list (once per value). */
  private markInPlace(ns: Namespace, key: StateKey, value: InPlaceTracked): void {
    // A deletion earlier in this period is undone by the put.
    if (this.dirty.size > 0) this.dirty.get(ns)?.delete(key);
    if (value.changedIn === this.period) return;
    value.changedIn = this.period;
    let list = ns === this.lastChangedNs ? this.lastChanged : undefined;
    if (list === undefined) {
      list = this.changedKeys.get(ns);
      if (!list) this.changedKeys.set(ns, (list = []));
      this.lastChangedNs = ns;
      this.lastChanged = list;
    }
    // A key is listed again only when a new value replaced one put earlier in the period.
    list.push(key);
  }

  private insert(ns: Namespace, key: StateKey, value: V, time: number): void {
    let m = ns === this.lastNs && this.lastData !== undefined ? this.lastData : this.data.get(ns);
    if (!m) {
      m = new Map();
      this.data.set(ns, m);
    }
    if (ns !== this.lastNs) {
      this.lastNs = ns;
      this.lastDirty = undefined;
    }
    this.lastData = m;
    const before = m.size;
    // With a budget, a written key moves to the end: the first entries are the least recently used.
    if (this.count >= this.lruFrom) m.delete(key);
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
      if (m.size === 0) this.removeData(ns);
      this.writeTimes?.get(ns)?.delete(key);
    } else if (!this.coldMayHave) return;
    if (this.tracking) this.mark(ns, key, DELETED);
  }

  namespace(ns: Namespace): IterableIterator<[StateKey, V]> {
    const m = this.data.get(ns) ?? (EMPTY as Map<StateKey, V>);
    if (!this.coldMayHave || this.droppedNamespaces.has(ns)) return m.entries();
    // Entries in memory win over handed-over ones, which win over stored ones (newest first); entries
    // deleted in memory are left out, and so is everything older than a drop of the namespace.
    const out: [StateKey, V][] = [...m.entries()];
    const seen = new Set<StateKey>(m.keys());
    for (let i = this.layers.length - 1; i >= 0; i--) {
      const layer = this.layers[i]!;
      for (const [key, e] of layer.entries.get(ns) ?? []) {
        if (seen.has(key)) continue;
        seen.add(key);
        if (e === DELETED || this.isDeletedInMemory(ns, key)) continue;
        if (e instanceof Encoded) {
          if (e.time >= this.expiredBefore) out.push([key, this.codec.decode(e.data)]);
        } else if ((layer.times?.get(ns)?.get(key) ?? 0) >= this.expiredBefore) out.push([key, e as V]);
      }
      if (layer.dropped.has(ns)) return out[Symbol.iterator]();
    }
    for (const row of this.cold!.reader.namespace(ns)) {
      if (!seen.has(row.key) && !this.isDeletedInMemory(ns, row.key) && row.time >= this.expiredBefore) out.push([row.key, this.codec.decode(row.data)]);
    }
    return out[Symbol.iterator]();
  }

  deleteNamespace(ns: Namespace): void {
    const m = this.data.get(ns);
    if (m) {
      this.count -= m.size;
      this.removeData(ns);
    }
    this.writeTimes?.delete(ns);
    if (this.tracking) {
      this.dirty.delete(ns);
      if (ns === this.lastNs) this.lastDirty = undefined;
      this.changedKeys.delete(ns);
      if (ns === this.lastChangedNs) this.lastChanged = undefined;
      this.droppedNamespaces.add(ns);
    }
  }

  private removeData(ns: Namespace): void {
    this.data.delete(ns);
    if (ns === this.lastNs) this.lastData = undefined;
  }

  namespaces(): IterableIterator<Namespace> {
    if (!this.coldMayHave) return this.data.keys();
    const all = new Set<Namespace>(this.data.keys());
    const dropped = new Set<Namespace>(this.droppedNamespaces);
    for (let i = this.layers.length - 1; i >= 0; i--) {
      const layer = this.layers[i]!;
      for (const [ns, entries] of layer.entries) if (!dropped.has(ns) && entries.size > 0) all.add(ns);
      for (const ns of layer.dropped) dropped.add(ns);
    }
    for (const ns of this.cold!.reader.namespaces()) if (!dropped.has(ns)) all.add(ns);
    return all.values();
  }

  private isDeletedInMemory(ns: Namespace, key: StateKey): boolean {
    return this.droppedNamespaces.has(ns) && !this.data.get(ns)?.has(key) ? true : this.dirty.get(ns)?.get(key) === DELETED;
  }

  private mark(ns: Namespace, key: StateKey, value: Change<V>): void {
    let d = ns === this.lastNs ? this.lastDirty : undefined;
    if (d === undefined) {
      d = this.dirty.get(ns);
      if (!d) {
        d = new Map();
        this.dirty.set(ns, d);
      }
      if (ns === this.lastNs) this.lastDirty = d;
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
    const layer = this.evictionLayer();
    // Dropped namespaces must reach the store before entries of a namespace of the same name do.
    for (const ns of this.droppedNamespaces) {
      writer.deleteNamespace(ns);
      layer.entries.delete(ns);
      layer.dropped.add(ns);
    }
    this.droppedNamespaces.clear();
    const target = Math.floor(this.maxEntries * 0.9);
    for (const [ns, m] of this.data) {
      const d = this.dirty.get(ns);
      const t = this.writeTimes?.get(ns);
      let evicted: Map<StateKey, Change<V> | Encoded> | undefined;
      for (const [key, value] of m) {
        if (this.count <= target) break;
        // With in-place tracking, also what changed in a period whose commit is not durable yet: that
        // flush did not keep the values (see flushTo), so the eviction layer must.
        if (this.inPlace ? (value as InPlaceTracked).changedIn > this.durablePeriod : d?.has(key)) {
          const data = this.codec.encode(value);
          const time = t?.get(key) ?? 0;
          writer.upsert(ns, key, data, time);
          if (!evicted) {
            evicted = layer.entries.get(ns);
            if (!evicted) layer.entries.set(ns, (evicted = new Map()));
          }
          evicted.set(key, new Encoded(data, time));
          this.evictedInFlight++;
          d?.delete(key);
        }
        m.delete(key);
        t?.delete(key);
        this.count--;
      }
      if (m.size === 0) this.removeData(ns);
      if (this.count <= target) break;
    }
    this.coldMayHave = true;
  }

  /** The layer that evicted entries go into now (one per commit). */
  private evictionLayer(): Layer<V> {
    const epoch = this.cold!.epoch ?? 0;
    const last = this.layers[this.layers.length - 1];
    if (last && last.evicted && last.epoch === epoch) return last;
    const layer: Layer<V> = { epoch, evicted: true, dropped: new Set(), entries: new Map() };
    this.layers.push(layer);
    return layer;
  }

  /** Forgets what was handed over for commits up to `epoch`: the store has it durably now. */
  committed(epoch: number): void {
    while (this.inFlight.length > 0 && this.inFlight[0]![0] <= epoch) this.durablePeriod = this.inFlight.shift()![1];
    if (this.layers.length === 0) return;
    let i = 0;
    while (i < this.layers.length && this.layers[i]!.epoch <= epoch) i++;
    if (i === 0) return;
    this.layers = this.layers.slice(i);
    this.evictedInFlight = 0;
    for (const layer of this.layers) if (layer.evicted) for (const m of layer.entries.values()) this.evictedInFlight += m.size;
  }

  /**
   * Whether evicted entries waiting for a commit take more room than they free (then a checkpoint should
   * come early: evicted changes stay in memory, encoded, until a commit makes them durable).
   */
  get needsCommit(): boolean {
    return this.evictedInFlight > this.maxEntries / 2;
  }

  /** Removes entries not written for the TTL, in memory and in the store. */
  expire(now = this.now()): void {
    if (this.ttlMs === undefined) return;
    const before = now - this.ttlMs;
    for (const [ns, times] of this.writeTimes!) {
      for (const [key, time] of times) if (time < before) this.delete(key, ns);
    }
    // Stored entries older than the TTL: a newer version in memory (if any) is written again later. Until
    // that removal is committed, reads treat such entries as gone.
    if (this.cold) {
      this.cold.expire(before);
      if (before > this.expiredBefore) this.expiredBefore = before;
    }
  }

  /** True when something changed since the last {@link flushTo}. */
  get changed(): boolean {
    return this.dirty.size > 0 || this.droppedNamespaces.size > 0 || this.changedKeys.size > 0;
  }

  /**
   * Writes the changes since the last checkpoint (namespace drops first, then entries) and starts tracking
   * anew. Until the commit of `epoch` (the one these changes go into) is durable, the changes stay
   * readable here (see {@link committed}).
   */
  flushTo(sink: ChangeSink, epoch: number = this.cold?.epoch ?? 0): void {
    if (this.inPlace) {
      this.flushInPlace(sink, epoch);
      return;
    }
    for (const ns of this.droppedNamespaces) sink.deleteNamespace(ns);
    let times: Map<Namespace, Map<StateKey, number>> | undefined;
    for (const [ns, entries] of this.dirty) {
      const t = this.writeTimes?.get(ns);
      let kept: Map<StateKey, number> | undefined;
      if (t) times ??= new Map();
      const timeOf = (key: StateKey): number => {
        const time = t?.get(key) ?? 0;
        if (times) {
          if (!kept) times.set(ns, (kept = new Map()));
          kept.set(key, time);
        }
        return time;
      };
      // Deletions first; then the changed entries (each changed entry that is not deleted is in memory).
      let changed = 0;
      for (const value of entries.values()) if (value !== DELETED) changed++;
      if (changed < entries.size) for (const [key, value] of entries) if (value === DELETED) sink.delete(ns, key);
      if (changed === 0) continue;
      const m = this.data.get(ns);
      if (m !== undefined && changed * SCAN_FROM >= m.size) {
        // Most entries changed: walk them in memory order (see SCAN_FROM).
        for (const [key, value] of m) if (entries.has(key)) writeValue(sink, ns, key, value, this.codec, timeOf(key));
      } else {
        for (const [key, value] of entries) if (value !== DELETED) writeValue(sink, ns, key, value as V, this.codec, timeOf(key));
      }
    }
    // The change map itself is the layer: its values are the ones just written, since an entry changed
    // later is put again (into the new map) before anything can read it from here.
    if (this.cold && (this.dirty.size > 0 || this.droppedNamespaces.size > 0)) {
      // (Nothing here needs a read from the store: an entry not in memory is one this table deleted,
      // unless it was evicted, and evicting sets coldMayHave.)
      this.layers.push({ epoch, evicted: false, dropped: this.droppedNamespaces, entries: this.dirty, times });
    }
    this.dirty = new Map();
    this.droppedNamespaces = new Set();
    this.lastDirty = undefined;
  }

  /**
   * {@link flushTo} with in-place tracking: namespace drops, deletions, then every value whose `changedIn`
   * is the period ending now. The layer kept until the commit is durable holds only the drops and the
   * deletions: an entry changed in the period is in memory, or was deleted (the newer change map says so),
   * or was evicted, and eviction keeps what changed since the last durable commit (see evictIfNeeded).
   */
  private flushInPlace(sink: ChangeSink, epoch: number): void {
    const period = this.period;
    for (const ns of this.droppedNamespaces) sink.deleteNamespace(ns);
    for (const [ns, entries] of this.dirty) for (const key of entries.keys()) sink.delete(ns, key);
    for (const [ns, keys] of this.changedKeys) {
      const m = this.data.get(ns);
      if (m === undefined) continue;
      const t = this.writeTimes?.get(ns);
      if (keys.length * SCAN_FROM >= m.size) {
        // Most entries changed: walk them in memory order (see SCAN_FROM).
        for (const [key, value] of m) {
          if ((value as InPlaceTracked).changedIn === period) writeValue(sink, ns, key, value, this.codec, t?.get(key) ?? 0);
        }
      } else {
        for (const key of keys) {
          const value = m.get(key);
          if (value !== undefined && (value as InPlaceTracked).changedIn === period) writeValue(sink, ns, key, value, this.codec, t?.get(key) ?? 0);
        }
      }
    }
    if (this.cold) {
      this.inFlight.push([epoch, period]);
      if (this.dirty.size > 0 || this.droppedNamespaces.size > 0) {
        this.layers.push({ epoch, evicted: false, dropped: this.droppedNamespaces, entries: this.dirty });
      }
    }
    this.period++;
    this.changedKeys = new Map();
    this.lastChanged = undefined;
    this.dirty = new Map();
    this.droppedNamespaces = new Set();
    this.lastDirty = undefined;
  }

  /** Writes every entry (a full snapshot, e.g. a savepoint of a job without a state store). */
  writeAllTo(sink: ChangeSink): void {
    for (const [ns, m] of this.data) {
      const t = this.writeTimes?.get(ns);
      for (const [key, value] of m) writeValue(sink, ns, key, value, this.codec, t?.get(key) ?? 0);
    }
  }

}

/** Writes an entry to `sink` from its value (encoded by the sink if it can, else by `codec.encode`). */
function writeValue<V>(sink: ChangeSink, ns: Namespace, key: StateKey, value: V, codec: ValueCodec<V>, time: number): void {
  if (sink.upsertValue) sink.upsertValue(ns, key, value, codec, time);
  else sink.upsert(ns, key, codec.encode(value), time);
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
