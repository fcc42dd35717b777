/**
 * The keyed event-time timer service of the time-driven operators (window, session window, temporal sort;
 * next interval and temporal joins, MATCH_RECOGNIZE `WITHIN`, ksqlDB grace periods): timers by time, key and
 * namespace, fired in time order as the watermark advances, the operator's current watermark, and the one
 * place that decides whether a row came too late (and counts it).
 */
import { MIN_WATERMARK } from './changelog.js';
import { CounterNames, type Counter } from './metrics.js';
import type { OperatorContext } from './operator.js';
import type { Namespace, StateKey, StateTable, ValueState } from './state/state-types.js';
import { TimerHeap } from './min-heap.js';
import { VALUE_CODEC } from './operators/state-codecs.js';

/** The state table holding an operator's timers (see {@link StoredTimes}). */
const TIMERS_TABLE = 'timers';
/** The value state holding an operator's current watermark. */
const WATERMARK_VALUE = 'watermark';

/** How a {@link TimerService} treats rows behind the watermark. */
export interface TimerServiceOptions {
  /**
   * How far behind the watermark (ms) a row's time may be and still be accepted (default 0): a row at time
   * `t` is late when `t + allowedLateness <= watermark`.
   */
  readonly allowedLateness?: number;
}

/** Called for each timer that fires: its time, key and namespace. */
export type TimerCallback = (time: number, key: StateKey, namespace: Namespace) => void;

/**
 * What the table holds, by namespace (see {@link TimerService}):
 * - `''`: the operator's own timers (key null, no namespace), under their time (value 0);
 * - {@link KEYED}: the timers of a key without a namespace, under the key: their time, or their times
 *   ascending when the key has several (most keys have one timer, and a number keeps it cheap);
 * - the timers of a key in the timer namespace `n`: the same, in the table namespace `n` itself when it is a
 *   number, or `':' + n` when it is a string (so no string namespace collides with '' or {@link KEYED}).
 */
type StoredTimes = number | number[];

/** The table namespace of keyed timers without a namespace. */
const KEYED = 'k';

/** A heap entry's payload: the key of a keyed timer without a namespace, or key and namespace. */
type TimerRef = StateKey | NamespacedTimer;

/** A heap entry of a timer with a namespace (rare: kept as an object, the common cases are bare keys). */
interface NamespacedTimer {
  readonly key: StateKey;
  readonly ns: Namespace;
  /** The table namespace its times live in. */
  readonly tableNs: Namespace;
}

/**
 * One operator's event-time timers and watermark.
 *
 * - A timer is (time, key, namespace): `key` says whose timer it is (a group key, or null for a timer of the
 *   whole operator, such as a window end), `namespace` what it is for when a key has several kinds (default
 *   ''). Registering a timer twice keeps one; a deleted or fired timer is gone.
 * - A timer at `time` fires once the watermark reaches it (`time <= watermark`; a window ending at `end`
 *   registers `end - 1`, its `window_time`). {@link advance} fires every due timer in ascending time; timers
 *   of one time in a fixed order (the operator's own timer first, then by key and namespace), the same in a
 *   run restored from a checkpoint. A callback may register timers; those already due fire in the same
 *   advance.
 * - Late rows: {@link dropLate} is the one check, `time + allowedLateness <= watermark`; each late row it
 *   finds is counted in the operator's `lateRecordsDropped` counter. A row is late exactly when a timer at
 *   its time would already have fired.
 * - State (checkpointed with the operator's): the table {@link TIMERS_TABLE} (see {@link StoredTimes}: the
 *   operator's timers under their time; a key's timers under the key, by kind in a namespace; no string
 *   built per timer), from which fired and deleted timers are removed, and the value
 *   {@link WATERMARK_VALUE}. Derived, rebuilt when the service is created (in the operator's `open()`, from
 *   the restored table): a min-heap of (time, key[, namespace]). A deleted timer stays in the heap and is
 *   skipped when popped (the table no longer has it), which is cheaper than removing it.
 * - One service per operator: the names are fixed.
 */
export class TimerService {
  private readonly timers: StateTable<StoredTimes | 0>;
  private readonly mark: ValueState<number>;
  private readonly late: Counter;
  private readonly lateness: number;
  private current: number;
  private readonly heap = new TimerHeap<TimerRef>(refBefore);
  /** The table namespace of each string timer namespace used so far (`':' + ns`, made once). */
  private readonly tableNamespaces = new Map<string, string>();

  constructor(ctx: Pick<OperatorContext, 'state' | 'counter'>, options: TimerServiceOptions = {}) {
    this.timers = ctx.state.table<StoredTimes | 0>(TIMERS_TABLE, VALUE_CODEC);
    this.mark = ctx.state.value<number>(WATERMARK_VALUE, VALUE_CODEC);
    this.late = ctx.counter(CounterNames.lateRecordsDropped);
    this.lateness = options.allowedLateness ?? 0;
    this.current = this.mark.get() ?? MIN_WATERMARK;
    for (const tableNs of [...this.timers.namespaces()]) {
      if (tableNs === '') {
        for (const [time] of this.timers.namespace('')) this.heap.push(time as number, null);
        continue;
      }
      const ns = tableNs === KEYED ? '' : typeof tableNs === 'number' ? tableNs : tableNs.slice(1);
      for (const [key, stored] of this.timers.namespace(tableNs)) {
        const ref: TimerRef = ns === '' ? key : { key, ns, tableNs };
        if (typeof stored === 'number') this.heap.push(stored, ref);
        else for (const time of stored) this.heap.push(time, ref);
      }
    }
  }

  /** The current watermark (MIN_WATERMARK before the first). */
  get watermark(): number {
    return this.current;
  }

  /**
   * True when a row at `time` is late (`time + allowedLateness <= watermark`), and then counts it in
   * `lateRecordsDropped`: the caller drops the row.
   */
  dropLate(time: number): boolean {
    if (time + this.lateness > this.current) return false;
    this.late.inc();
    return true;
  }

  /** Registers the timer (time, key, namespace); nothing changes if it exists. `time` must be finite. */
  register(time: number, key: StateKey = null, namespace: Namespace = ''): void {
    if (namespace === '') {
      if (key === null) {
        if (this.timers.get(time) !== undefined) return;
        this.timers.put(time, 0);
        this.heap.push(time, null);
      } else if (this.add(time, key, KEYED)) this.heap.push(time, key);
      return;
    }
    const tableNs = this.tableNamespace(namespace);
    if (this.add(time, key, tableNs)) this.heap.push(time, { key, ns: namespace, tableNs });
  }

  /** Deletes the timer (time, key, namespace) if it exists. */
  delete(time: number, key: StateKey = null, namespace: Namespace = ''): void {
    if (namespace === '' && key === null) this.timers.delete(time);
    else this.remove(time, key, namespace === '' ? KEYED : this.tableNamespace(namespace));
  }

  /** Whether the timer (time, key, namespace) is registered. */
  has(time: number, key: StateKey = null, namespace: Namespace = ''): boolean {
    if (namespace === '' && key === null) return this.timers.get(time) !== undefined;
    return holds(this.timers.get(key, namespace === '' ? KEYED : this.tableNamespace(namespace)), time);
  }

  /** The times that have timers, ascending, each once (for tests and status displays; walks every timer). */
  times(): number[] {
    const times = new Set<number>();
    for (const tableNs of this.timers.namespaces()) {
      for (const [key, stored] of this.timers.namespace(tableNs)) {
        if (tableNs === '') times.add(key as number);
        else if (typeof stored === 'number') times.add(stored);
        else for (const time of stored) times.add(time);
      }
    }
    return [...times].sort((a, b) => a - b);
  }

  /** The smallest time that has a timer, or undefined. */
  nextTime(): number | undefined {
    const heap = this.heap;
    while (heap.size > 0) {
      if (this.live(heap.peek()!, heap.peekKey()!)) return heap.peek();
      heap.pop();
    }
    return undefined;
  }

  /**
   * Moves the watermark to `watermark` and fires every timer with `time <= watermark`, in order (see the
   * class comment), calling `onTimer` for each. Returns false, and does nothing, when the watermark does
   * not advance.
   */
  advance(watermark: number, onTimer: TimerCallback): boolean {
    if (!(watermark > this.current)) return false;
    this.current = watermark;
    this.mark.set(watermark);
    const heap = this.heap;
    const timers = this.timers;
    while (heap.size > 0 && heap.peek()! <= watermark) {
      const time = heap.peek()!;
      const ref = heap.pop()!;
      // A timer no longer in the table was deleted, or fired already (registered twice after a delete).
      if (ref === null) {
        if (timers.get(time) === undefined) continue;
        timers.delete(time);
        onTimer(time, null, '');
      } else if (typeof ref !== 'object') {
        if (this.remove(time, ref, KEYED)) onTimer(time, ref, '');
      } else if (this.remove(time, ref.key, ref.tableNs)) onTimer(time, ref.key, ref.ns);
    }
    return true;
  }

  /** Whether the heap entry (time, ref) is a registered timer. */
  private live(time: number, ref: TimerRef): boolean {
    if (ref === null) return this.timers.get(time) !== undefined;
    if (typeof ref !== 'object') return holds(this.timers.get(ref, KEYED), time);
    return holds(this.timers.get(ref.key, ref.tableNs), time);
  }

  /** Adds `time` to the times of `key` in `tableNs`; false when it is there already. */
  private add(time: number, key: StateKey, tableNs: Namespace): boolean {
    const stored = this.timers.get(key, tableNs) as StoredTimes | undefined;
    if (stored === undefined) this.timers.put(key, time, tableNs);
    else if (typeof stored === 'number') {
      if (stored === time) return false;
      this.timers.put(key, stored < time ? [stored, time] : [time, stored], tableNs);
    } else {
      let at = 0;
      while (at < stored.length && stored[at]! < time) at++;
      if (stored[at] === time) return false;
      this.timers.put(key, [...stored.slice(0, at), time, ...stored.slice(at)], tableNs);
    }
    return true;
  }

  /** Removes `time` from the times of `key` in `tableNs`; false when it is not there. */
  private remove(time: number, key: StateKey, tableNs: Namespace): boolean {
    const stored = this.timers.get(key, tableNs) as StoredTimes | undefined;
    if (stored === time) {
      this.timers.delete(key, tableNs);
      return true;
    }
    if (stored === undefined || typeof stored === 'number') return false;
    const at = stored.indexOf(time);
    if (at < 0) return false;
    const rest = stored.filter((_, i) => i !== at);
    this.timers.put(key, rest.length === 1 ? rest[0]! : rest, tableNs);
    return true;
  }

  /** The table namespace of the timer namespace `ns` (not ''). */
  private tableNamespace(ns: Namespace): Namespace {
    if (typeof ns === 'number') return ns;
    let tableNs = this.tableNamespaces.get(ns);
    if (tableNs === undefined) this.tableNamespaces.set(ns, (tableNs = `:${ns}`));
    return tableNs;
  }
}

/** Whether the stored times hold `time`. */
function holds(stored: StoredTimes | 0 | undefined, time: number): boolean {
  return stored === time || (Array.isArray(stored) && stored.includes(time));
}

/**
 * Of two timers at the same time, whether the one of `a` comes strictly before the one of `b`: the
 * operator's own timer first, then by key, then by namespace ('' first); see {@link compareValues}.
 */
function refBefore(a: TimerRef, b: TimerRef): boolean {
  const aKey = a !== null && typeof a === 'object' ? a.key : a;
  const bKey = b !== null && typeof b === 'object' ? b.key : b;
  const byKey = compareValues(aKey, bKey);
  if (byKey !== 0) return byKey < 0;
  const aNs = a !== null && typeof a === 'object' ? a.ns : '';
  const bNs = b !== null && typeof b === 'object' ? b.ns : '';
  if (aNs === '' || bNs === '') return aNs === '' && bNs !== '';
  return compareValues(aNs, bNs) < 0;
}

const TYPE_RANK = { object: 0, boolean: 1, number: 2, string: 3 } as Record<string, number>;

/** A total order of keys and namespaces: null, booleans, numbers (NaN last), strings; by value within each. */
function compareValues(a: StateKey | Namespace, b: StateKey | Namespace): number {
  if (a === b) return 0;
  const ta = typeof a;
  const tb = typeof b;
  if (ta !== tb) return TYPE_RANK[ta]! - TYPE_RANK[tb]!;
  if (ta === 'number' && (Number.isNaN(a) || Number.isNaN(b))) return Number(Number.isNaN(a)) - Number(Number.isNaN(b));
  return (a as number | string | boolean) < (b as number | string | boolean) ? -1 : 1;
}
