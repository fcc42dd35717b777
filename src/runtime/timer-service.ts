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

/** The state table holding an operator's timers (key: a timer's id → the timer; see {@link TimerService}). */
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
 * A timer's id, its key in the table: the time itself for a timer of the whole operator (key null, no
 * namespace: the common case, kept cheap), else a string that encodes time, key and namespace one-to-one
 * (`time;` then the key, then the namespace unless it is ''; numbers as `String` gives them, strings
 * length-prefixed).
 */
function timerId(time: number, key: StateKey, namespace: Namespace): StateKey {
  if (namespace === '') return key === null ? time : `${time};${part(key)}`;
  return `${time};${part(key)}${part(namespace)}`;
}

function part(v: StateKey): string {
  switch (typeof v) {
    case 'string':
      return `s${v.length}:${v}`;
    case 'number':
      return `n${v};`;
    case 'boolean':
      return v ? 'T' : 'F';
    default:
      return '~';
  }
}

/**
 * What the table holds per timer: for an operator timer 0 (its id is its time); for a timer with a key and
 * no namespace the key (the time starts its id); else `[time, key, namespace]`.
 */
type StoredTimer = StateKey | [time: number, key: StateKey, namespace: Namespace];

/** The time of the timer stored as `timer` under `id`. */
function timeOf(id: StateKey, timer: StoredTimer): number {
  if (typeof id === 'number') return id;
  return Array.isArray(timer) ? timer[0] : Number((id as string).slice(0, (id as string).indexOf(';')));
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
 * - State (checkpointed with the operator's): the table {@link TIMERS_TABLE} (key: the timer's id — its time
 *   for an operator timer, else time, key and namespace encoded in a string — no namespace; value: 0, the
 *   key, or `[time, key, namespace]`), from which fired and deleted timers are removed, and the value
 *   {@link WATERMARK_VALUE}. Derived, rebuilt when the service is created (in the operator's `open()`, from
 *   the restored table): a min-heap of (time, id). A deleted timer stays in the heap and is skipped when
 *   popped (the table no longer has it), which is cheaper than removing it.
 * - One service per operator: the names are fixed.
 */
export class TimerService {
  private readonly timers: StateTable<StoredTimer>;
  private readonly mark: ValueState<number>;
  private readonly late: Counter;
  private readonly lateness: number;
  private current: number;
  private readonly heap = new TimerHeap<StateKey>(idBefore);

  constructor(ctx: Pick<OperatorContext, 'state' | 'counter'>, options: TimerServiceOptions = {}) {
    this.timers = ctx.state.table<StoredTimer>(TIMERS_TABLE, VALUE_CODEC);
    this.mark = ctx.state.value<number>(WATERMARK_VALUE, VALUE_CODEC);
    this.late = ctx.counter(CounterNames.lateRecordsDropped);
    this.lateness = options.allowedLateness ?? 0;
    this.current = this.mark.get() ?? MIN_WATERMARK;
    for (const [id, timer] of this.timers.namespace('')) this.heap.push(timeOf(id, timer), id);
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
    const id = timerId(time, key, namespace);
    if (this.timers.get(id) !== undefined) return;
    this.timers.put(id, typeof id === 'number' ? 0 : namespace === '' ? key : [time, key, namespace]);
    this.heap.push(time, id);
  }

  /** Deletes the timer (time, key, namespace) if it exists. */
  delete(time: number, key: StateKey = null, namespace: Namespace = ''): void {
    this.timers.delete(timerId(time, key, namespace));
  }

  /** Whether the timer (time, key, namespace) is registered. */
  has(time: number, key: StateKey = null, namespace: Namespace = ''): boolean {
    return this.timers.get(timerId(time, key, namespace)) !== undefined;
  }

  /** The times that have timers, ascending, each once (for tests and status displays; walks every timer). */
  times(): number[] {
    const times = new Set<number>();
    for (const [id, timer] of this.timers.namespace('')) times.add(timeOf(id, timer));
    return [...times].sort((a, b) => a - b);
  }

  /** The smallest time that has a timer, or undefined. */
  nextTime(): number | undefined {
    while (this.heap.size > 0) {
      if (this.timers.get(this.heap.peekKey()!) !== undefined) return this.heap.peek();
      this.heap.pop();
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
    while (heap.size > 0 && heap.peek()! <= watermark) {
      const time = heap.peek()!;
      const id = heap.pop()!;
      const timer = this.timers.get(id);
      if (timer === undefined) continue; // deleted, or already fired (registered again after a delete)
      this.timers.delete(id);
      if (typeof id === 'number') onTimer(time, null, '');
      else if (Array.isArray(timer)) onTimer(time, timer[1], timer[2]);
      else onTimer(time, timer, '');
    }
    return true;
  }
}

/** Of two timers at the same time, whether the one with id `a` comes strictly before the one with id `b`. */
function idBefore(a: StateKey, b: StateKey): boolean {
  // At one time, a number id is the time itself: the operator's timer, first.
  if (typeof a === 'number') return typeof b !== 'number';
  return typeof b !== 'number' && (a as string) < (b as string);
}
