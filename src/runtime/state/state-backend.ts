/**
 * Hands each operator its state tables and values, and writes their changes at checkpoints. Without a
 * store (a job with no state directory) everything stays in memory and nothing is tracked. With one, each
 * table keeps at most `maxEntries` entries in memory and reads the rest from the store.
 */
import { KeyedStateTable, TrackedValueState } from './keyed-state-table.js';
import type { SqliteStateStore } from './sqlite-state-store.js';
import { JSON_CODEC, type OperatorState, type StateTable, type TableRequest, type ValueCodec, type ValueState } from './state-types.js';

/** Limits of a backend. */
export interface StateBackendOptions {
  /** Most entries one table keeps in memory when there is a store (`state.cache.max-entries`). */
  readonly maxEntries?: number;
  /** Idle state retention for tables that ask for it (`table.exec.state.ttl`), in ms. */
  readonly ttlMs?: number;
  /** The clock for TTL (tests fix it). */
  readonly now?: () => number;
}

/** A state table or value an operator's plan node declares (the runtime's view of a StateDescriptor). */
export interface DeclaredState {
  readonly name: string;
  readonly kind: 'table' | 'value';
}

export class StateBackend {
  private readonly tables = new Map<string, KeyedStateTable<unknown>>();
  private readonly values = new Map<string, TrackedValueState<unknown>>();

  /**
   * @param store where state is kept durably (none: memory only)
   * @param restoring whether the store holds a checkpoint to restore from
   */
  constructor(
    readonly store?: SqliteStateStore,
    readonly restoring = false,
    private readonly options: StateBackendOptions = {},
  ) {
    // What the tables handed over for a commit is readable from the store once that commit is durable.
    store?.onCommitted((epoch) => {
      for (const t of this.tables.values()) t.committed(epoch);
    });
  }

  /**
   * The state of operator `operator` (its tables and values are named `<operator>/<name>`). With
   * `declared` (what the operator's plan node declares: see src/planner/state-declarations.ts), opening a
   * table or value that is not declared, or declared as the other kind, is an error: what EXPLAIN shows and
   * the restore fingerprint hashes is what the operator keeps.
   */
  forOperator(operator: string, declared?: readonly DeclaredState[]): OperatorState {
    const check = (name: string, kind: 'table' | 'value') => {
      if (declared && !declared.some((d) => d.name === name && d.kind === kind)) {
        const list = declared.map((d) => `${d.kind} ${d.name}`).join(', ') || 'none';
        throw new Error(`operator ${operator} opened the ${kind} '${name}', which its plan node does not declare (declared: ${list})`);
      }
    };
    return {
      restored: this.restoring,
      table: <V>(name: string, codec: ValueCodec<V> = JSON_CODEC, request: TableRequest = {}) => {
        check(name, 'table');
        return this.table<V>(`${operator}/${name}`, codec, request);
      },
      value: <V>(name: string, codec: ValueCodec<V> = JSON_CODEC) => {
        check(name, 'value');
        return this.value<V>(`${operator}/${name}`, codec);
      },
    };
  }


  private table<V>(fullName: string, codec: ValueCodec<V>, request: TableRequest): StateTable<V> {
    let t = this.tables.get(fullName) as KeyedStateTable<V> | undefined;
    if (!t) {
      const store = this.store;
      const cold = store
        ? {
            reader: store.coldReader(fullName),
            writer: store.changeSink(fullName),
            expire: (before: number) => store.expire(fullName, before),
            get epoch() {
              return store.epoch;
            },
          }
        : undefined;
      t = new KeyedStateTable<V>(fullName, codec, store !== undefined, cold, this.restoring, {
        maxEntries: this.options.maxEntries,
        ttlMs: request.ttl ? this.options.ttlMs : undefined,
        now: this.options.now,
        inPlace: request.inPlace,
      });
      this.tables.set(fullName, t as KeyedStateTable<unknown>);
    }
    return t;
  }

  /**
   * Brings every table back within its memory budget. The job calls it between chunks, when no operator
   * holds an entry it has not put back.
   */
  maintain(): void {
    for (const t of this.tables.values()) t.evictIfNeeded();
    this.store?.flushWrites();
  }

  /** Removes state idle longer than the TTL from the tables that asked for it. */
  expire(now?: number): void {
    for (const t of this.tables.values()) t.expire(now);
    this.store?.flushWrites();
  }

  /** True when evicted changes waiting for a commit grew large: the job should checkpoint soon. */
  get needsCommit(): boolean {
    for (const t of this.tables.values()) if (t.needsCommit) return true;
    return false;
  }

  /** Whether any table asked for a TTL that is set. */
  get hasTtl(): boolean {
    return this.options.ttlMs !== undefined;
  }

  private value<V>(fullName: string, codec: ValueCodec<V>): ValueState<V> {
    let v = this.values.get(fullName) as TrackedValueState<V> | undefined;
    if (!v) {
      v = new TrackedValueState<V>(fullName, codec, this.store !== undefined);
      const stored = this.store && this.restoring ? this.store.value(fullName) : undefined;
      if (stored) v.load(stored.data);
      this.values.set(fullName, v as TrackedValueState<unknown>);
    }
    return v;
  }

  /** Writes every change since the last checkpoint to the store (call inside the store's commit). */
  writeChanges(): void {
    const store = this.store;
    if (!store) return;
    for (const t of this.tables.values()) if (t.changed) t.flushTo(store.changeSink(t.name), store.epoch);
    for (const v of this.values.values()) {
      const change = v.takeChange();
      if (change) store.writeValue(v.name, change.data);
    }
  }

  /** Writes all state (not just changes) into another store, for a savepoint of a memory-only job. */
  writeAllTo(target: SqliteStateStore): void {
    for (const t of this.tables.values()) t.writeAllTo(target.changeSink(t.name));
    for (const v of this.values.values()) target.writeValue(v.name, v.encoded());
  }

  /** Number of entries over all tables (for metrics and tests). */
  get entries(): number {
    let n = 0;
    for (const t of this.tables.values()) n += t.size;
    return n;
  }
}
