/**
 * The in-memory state table behind every backend: nested maps (namespace → key → value) on the hot path.
 * When the job checkpoints, it also records which entries changed since the last checkpoint, so only those
 * are written.
 */
import type { Namespace, StateKey, StateTable, ValueCodec, ValueState } from './state-types.js';

const DELETED = Symbol('deleted');

/** Receives a table's changes at a checkpoint. */
export interface ChangeSink {
  deleteNamespace(ns: Namespace): void;
  upsert(ns: Namespace, key: StateKey, data: unknown): void;
  delete(ns: Namespace, key: StateKey): void;
}

const EMPTY = new Map<StateKey, unknown>();

export class KeyedStateTable<V> implements StateTable<V> {
  private readonly data = new Map<Namespace, Map<StateKey, V>>();
  private count = 0;
  private readonly dirty = new Map<Namespace, Map<StateKey, V | typeof DELETED>>();
  private readonly droppedNamespaces = new Set<Namespace>();

  /**
   * @param tracking whether changes are recorded for checkpoints (false for jobs without checkpoints, so
   *   the hot path does no bookkeeping)
   */
  constructor(
    readonly name: string,
    readonly codec: ValueCodec<V>,
    private readonly tracking: boolean,
  ) {}

  get size(): number {
    return this.count;
  }

  get(key: StateKey, ns: Namespace = ''): V | undefined {
    return this.data.get(ns)?.get(key);
  }

  put(key: StateKey, value: V, ns: Namespace = ''): void {
    let m = this.data.get(ns);
    if (!m) {
      m = new Map();
      this.data.set(ns, m);
    }
    const before = m.size;
    m.set(key, value);
    if (m.size !== before) this.count++;
    if (this.tracking) this.mark(ns, key, value);
  }

  delete(key: StateKey, ns: Namespace = ''): void {
    const m = this.data.get(ns);
    if (!m || !m.delete(key)) return;
    this.count--;
    if (m.size === 0) this.data.delete(ns);
    if (this.tracking) this.mark(ns, key, DELETED);
  }

  namespace(ns: Namespace): IterableIterator<[StateKey, V]> {
    return (this.data.get(ns) ?? (EMPTY as Map<StateKey, V>)).entries();
  }

  deleteNamespace(ns: Namespace): void {
    const m = this.data.get(ns);
    if (m) {
      this.count -= m.size;
      this.data.delete(ns);
    }
    if (this.tracking) {
      this.dirty.delete(ns);
      this.droppedNamespaces.add(ns);
    }
  }

  namespaces(): IterableIterator<Namespace> {
    return this.data.keys();
  }

  private mark(ns: Namespace, key: StateKey, value: V | typeof DELETED): void {
    let d = this.dirty.get(ns);
    if (!d) {
      d = new Map();
      this.dirty.set(ns, d);
    }
    d.set(key, value);
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
      for (const [key, value] of entries) {
        if (value === DELETED) sink.delete(ns, key);
        else sink.upsert(ns, key, this.codec.encode(value));
      }
    }
    this.dirty.clear();
  }

  /** Writes every entry (a full snapshot, e.g. a savepoint of a job without a state store). */
  writeAllTo(sink: ChangeSink): void {
    for (const [ns, m] of this.data) for (const [key, value] of m) sink.upsert(ns, key, this.codec.encode(value));
  }

  /** Adds a restored entry (not marked as changed). */
  load(ns: Namespace, key: StateKey, data: unknown): void {
    let m = this.data.get(ns);
    if (!m) {
      m = new Map();
      this.data.set(ns, m);
    }
    if (!m.has(key)) this.count++;
    m.set(key, this.codec.decode(data));
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
    return { data: this.current === undefined ? null : this.codec.encode(this.current) };
  }

  load(data: unknown): void {
    this.current = data === null ? undefined : this.codec.decode(data);
  }
}
