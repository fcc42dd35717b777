/**
 * The state API operators use. An operator keeps everything that changes while it runs in named state
 * tables (key → value, optionally grouped by a namespace such as a window's end) and value states (one
 * value), obtained from its context. The backend decides where they live: in memory only, or in memory
 * with their changes written to SQLite at every checkpoint and read back on restore.
 *
 * Rules for operators:
 * - Values may be mutable objects, but a changed value must be `put` again (that is what marks it for the
 *   next checkpoint).
 * - Anything derived (indexes such as a heap of window ends) is rebuilt in `open()` from the tables, which
 *   already hold the restored state then.
 * - Keys are the values `keySelector` produces (string, number, boolean or null); namespaces are numbers or
 *   strings. Both must survive a JSON round trip.
 */
import type { PackWriter } from './packed.js';

/** A key of a state table. */
export type StateKey = string | number | boolean | null;

/** A namespace of a state table (e.g. a window end); '' when the table has none. */
export type Namespace = string | number;

/** Converts a state value to plain JSON-able data and back (accumulators use AggregateImpl.serialize). */
export interface ValueCodec<V> {
  encode(value: V): unknown;
  decode(data: unknown): V;
  /**
   * Optional fast path for checkpoints: writes exactly the bytes `w.value(encode(value))` would, without
   * building the intermediate data (a checkpoint may encode every entry of a large table).
   */
  write?(w: PackWriter, value: V): void;
}

/** A codec for values that already are plain JSON-able data. */
export const JSON_CODEC: ValueCodec<any> = { encode: (v) => v, decode: (d) => d };

/** Key → value state, optionally partitioned into namespaces. */
export interface StateTable<V> {
  get(key: StateKey, ns?: Namespace): V | undefined;
  put(key: StateKey, value: V, ns?: Namespace): void;
  delete(key: StateKey, ns?: Namespace): void;
  /** The entries of one namespace, in insertion order. */
  namespace(ns: Namespace): IterableIterator<[StateKey, V]>;
  /** Removes a whole namespace (e.g. a window that fired). */
  deleteNamespace(ns: Namespace): void;
  /** The namespaces that hold entries. */
  namespaces(): IterableIterator<Namespace>;
  /** Number of entries held in memory (with a store, evicted entries are not counted). */
  readonly size: number;
  /**
   * False when the table records nothing per write (no store, no TTL, no memory budget: a job without a
   * state directory): a value got from the table and changed in place needs no `put` then, and operators
   * may skip it on their hot paths. Absent means true.
   */
  readonly tracksWrites?: boolean;
}

/** A single value (an operator's watermark, a sequence number). */
export interface ValueState<V> {
  get(): V | undefined;
  set(value: V): void;
}

/** How an operator wants a table kept. */
export interface TableRequest {
  /**
   * Entries idle longer than the job's `table.exec.state.ttl` may be removed (Flink's idle state retention):
   * for state that would otherwise grow forever (non-windowed aggregates). Window state is removed by the
   * watermark instead and does not ask for it.
   */
  readonly ttl?: boolean;
  /**
   * The table may track changes in the values themselves ({@link InPlaceTracked}) instead of in a map of its
   * own: cheaper for large tables whose entries change all the time (a non-windowed aggregate rewrites most
   * of its groups between two checkpoints). Each value must then be an object of its own, under one key of
   * one table, created with `changedIn: 0`.
   */
  readonly inPlace?: boolean;
}

/**
 * A value of a table with in-place change tracking (see {@link TableRequest.inPlace}). The table owns
 * `changedIn`: the period (between two checkpoints) in which the value was last put.
 */
export interface InPlaceTracked {
  changedIn: number;
}

/** What an operator's context offers: its own tables, named per operator. */
export interface OperatorState {
  /** The table `name` of this operator, created on first use (restored when the job restores). */
  table<V>(name: string, codec?: ValueCodec<V>, request?: TableRequest): StateTable<V>;
  /** The value state `name` of this operator. */
  value<V>(name: string, codec?: ValueCodec<V>): ValueState<V>;
  /** True when this operator's state was restored from a checkpoint. */
  readonly restored: boolean;
}
