/**
 * The keyed event-time timer service: timers fire in time order as the watermark advances, once each, with
 * registrations and deletions honoured; the late-row check counts; and timers and watermark survive a
 * checkpoint and restore (compared with a plain model of the timers over random operations).
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { MAX_WATERMARK, MIN_WATERMARK } from '../../src/runtime/changelog.js';
import { Counter } from '../../src/runtime/metrics.js';
import { SqliteStateStore } from '../../src/runtime/state/sqlite-state-store.js';
import { StateBackend } from '../../src/runtime/state/state-backend.js';
import type { Namespace, StateKey } from '../../src/runtime/state/state-types.js';
import { TimerService, type TimerServiceOptions } from '../../src/runtime/timer-service.js';
import { tempDir } from './operators/checkpoint-run.js';

type Fired = [number, StateKey, Namespace];

/** A service on `backend` (a fresh in-memory one by default), with its lateRecordsDropped counter. */
function service(backend = new StateBackend(), options?: TimerServiceOptions): { timers: TimerService; late: Counter } {
  const late = new Counter('lateRecordsDropped');
  const timers = new TimerService({ state: backend.forOperator('op'), counter: () => late }, options);
  return { timers, late };
}

/** Timers in a canonical order, to compare sets of them. */
function sortFired(fired: readonly Fired[]): Fired[] {
  const text = (f: Fired) => JSON.stringify([f[0], String(f[1]), typeof f[1], f[2], typeof f[2]]);
  return [...fired].sort((a, b) => (text(a) < text(b) ? -1 : text(a) > text(b) ? 1 : 0));
}

/** Advances to `watermark`, returning the timers that fired, in order. */
function advance(timers: TimerService, watermark: number): Fired[] {
  const fired: Fired[] = [];
  timers.advance(watermark, (t, k, ns) => fired.push([t, k, ns]));
  return fired;
}

describe('TimerService', () => {
  it('fires due timers in ascending time, once each', () => {
    const { timers } = service();
    timers.register(20, 'b');
    timers.register(10, 'a');
    timers.register(20, 'a');
    timers.register(15);
    timers.register(30, 'c');
    expect(timers.nextTime()).toBe(10);
    expect(advance(timers, 20)).toEqual([
      [10, 'a', ''],
      [15, null, ''],
      [20, 'a', ''],
      [20, 'b', ''],
    ]);
    expect(timers.watermark).toBe(20);
    expect(timers.times()).toEqual([30]);
    expect(advance(timers, 25)).toEqual([]);
    expect(advance(timers, MAX_WATERMARK)).toEqual([[30, 'c', '']]);
    expect(timers.nextTime()).toBeUndefined();
  });

  it('fires a timer when the watermark reaches its time exactly', () => {
    const { timers } = service();
    timers.register(9, 'k');
    expect(advance(timers, 8)).toEqual([]);
    expect(advance(timers, 9)).toEqual([[9, 'k', '']]);
  });

  it('keeps one timer per (time, key, namespace); namespaces of one key and time are separate timers', () => {
    const { timers } = service();
    timers.register(5, 'k');
    timers.register(5, 'k');
    timers.register(5, 'k', 'left');
    timers.register(5, 'k', 'left');
    timers.register(5, 'k', 7);
    expect(timers.has(5, 'k', 'left')).toBe(true);
    expect(timers.has(5, 'k', 'right')).toBe(false);
    expect(sortFired(advance(timers, 5))).toEqual(
      sortFired([
        [5, 'k', ''],
        [5, 'k', 'left'],
        [5, 'k', 7],
      ]),
    );
    expect(timers.has(5, 'k')).toBe(false);
  });

  it('deletes timers, one namespace at a time; deleting an unknown timer does nothing', () => {
    const { timers } = service();
    timers.register(5, 'k', 'x');
    timers.register(5, 'k', 'y');
    timers.register(6, 'j');
    timers.delete(5, 'k', 'x');
    timers.delete(5, 'k', 'nope');
    timers.delete(7, 'j');
    timers.delete(6, 'j');
    expect(timers.times()).toEqual([5]);
    expect(advance(timers, 10)).toEqual([[5, 'k', 'y']]);
    // A time whose timers were all deleted fires nothing, and registering it again works.
    timers.register(12, 'k');
    timers.delete(12, 'k');
    expect(timers.nextTime()).toBeUndefined();
    timers.register(12, 'k');
    expect(advance(timers, 12)).toEqual([[12, 'k', '']]);
  });

  it('fires timers of one time in one order, whatever order they came in, also after a restore', () => {
    const timers: Fired[] = [
      [7, null, ''],
      [7, 'b', ''],
      [7, 'a', ''],
      [7, 'a', 'x'],
      [7, 'a', 2],
      [7, 3, ''],
      [7, true, ''],
      [7, Number.NaN, ''],
      [7, '', ''],
      [7, 'a|b', ''],
      [7, 'a', '|b'],
    ];
    const orders = new Set<string>();
    fc.assert(
      fc.property(fc.shuffledSubarray(timers, { minLength: timers.length }), fc.boolean(), (shuffled, restore) => {
        const { dir, remove } = tempDir();
        const store = new SqliteStateStore(join(dir, 'state.sqlite'));
        try {
          let backend = new StateBackend(store);
          let t = service(backend).timers;
          for (const [time, key, ns] of shuffled) t.register(time, key, ns);
          if (restore) {
            store.commit({ id: 1, time: 1, sources: {}, sinks: {} }, () => backend.writeChanges());
            backend = new StateBackend(store, true);
            t = service(backend).timers;
          }
          const fired = advance(t, 7);
          // Every timer once (the key NaN and the key null are different keys)...
          expect(fired).toHaveLength(timers.length);
          expect(sortFired(fired)).toEqual(sortFired(timers));
          // ... the operator's own timer first.
          expect(fired[0]).toEqual([7, null, '']);
          orders.add(JSON.stringify(fired.map(([, k, ns]) => [String(k), ns])));
        } finally {
          store.close();
          remove();
        }
      }),
      { numRuns: 30 },
    );
    expect(orders.size).toBe(1);
  });

  it('does nothing for a watermark that does not advance', () => {
    const { timers } = service();
    expect(timers.watermark).toBe(MIN_WATERMARK);
    timers.register(3);
    expect(timers.advance(5, () => {})).toBe(true);
    timers.register(4); // behind the watermark: fires at the next advance
    expect(timers.advance(5, () => expect.unreachable())).toBe(false);
    expect(timers.advance(2, () => expect.unreachable())).toBe(false);
    expect(timers.watermark).toBe(5);
    expect(advance(timers, 6)).toEqual([[4, null, '']]);
  });

  it('fires, in the same advance, timers a callback registers that are already due', () => {
    const { timers } = service();
    timers.register(10, 'a');
    const fired: Fired[] = [];
    timers.advance(20, (t, k, ns) => {
      fired.push([t, k, ns]);
      if (k === 'a') {
        timers.register(10, 'again'); // due now, at the same time
        timers.register(15, 'b'); // due now
        timers.register(25, 'c'); // not due
      }
    });
    expect(fired).toEqual([
      [10, 'a', ''],
      [10, 'again', ''],
      [15, 'b', ''],
    ]);
    expect(timers.times()).toEqual([25]);
  });

  it('decides lateness in one place and counts each late row', () => {
    const { timers, late } = service();
    expect(timers.dropLate(-1e15)).toBe(false); // nothing is late before the first watermark
    timers.advance(10, () => {});
    expect(timers.dropLate(10)).toBe(true);
    expect(timers.dropLate(9)).toBe(true);
    expect(timers.dropLate(11)).toBe(false);
    expect(late.value).toBe(2);
  });

  it('accepts rows within the allowed lateness', () => {
    const { timers, late } = service(new StateBackend(), { allowedLateness: 5 });
    timers.advance(10, () => {});
    expect(timers.dropLate(6)).toBe(false);
    expect(timers.dropLate(5)).toBe(true);
    expect(late.value).toBe(1);
  });

  it('restores its timers and watermark from a checkpoint: fired and deleted timers stay gone', () => {
    const { dir, remove } = tempDir();
    const path = join(dir, 'state.sqlite');
    try {
      let store = new SqliteStateStore(path);
      let backend = new StateBackend(store);
      const first = service(backend).timers;
      first.register(10, 'a');
      first.register(20, 'b', 'x');
      first.register(20, 'b', 'y');
      first.register(30, null);
      first.register(40, 7);
      first.delete(20, 'b', 'y');
      expect(advance(first, 10)).toEqual([[10, 'a', '']]);
      store.commit({ id: 1, time: 1, sources: {}, sinks: {} }, () => backend.writeChanges());
      first.register(50, 'lost'); // after the checkpoint: lost with the crash
      store.close();
      store = new SqliteStateStore(path);
      backend = new StateBackend(store, true);
      const { timers, late } = service(backend);
      expect(timers.watermark).toBe(10);
      expect(timers.dropLate(10)).toBe(true);
      expect(late.value).toBe(1);
      expect(timers.times()).toEqual([20, 30, 40]);
      expect(advance(timers, MAX_WATERMARK)).toEqual([
        [20, 'b', 'x'],
        [30, null, ''],
        [40, 7, ''],
      ]);
      store.close();
    } finally {
      remove();
    }
  });

  it('fires what a plain model of the timers says, across random operations and restores', () => {
    type Op =
      | { kind: 'register' | 'delete'; time: number; key: StateKey; ns: Namespace }
      | { kind: 'advance'; by: number }
      | { kind: 'restore' };
    const timer = fc.record({
      time: fc.integer({ min: 0, max: 60 }),
      key: fc.constantFrom<StateKey>(null, 'a', 'b', 3),
      ns: fc.constantFrom<Namespace>('', 'x', 1),
    });
    const op: fc.Arbitrary<Op> = fc.oneof(
      { weight: 5, arbitrary: timer.map((t) => ({ kind: 'register' as const, ...t })) },
      { weight: 2, arbitrary: timer.map((t) => ({ kind: 'delete' as const, ...t })) },
      { weight: 2, arbitrary: fc.integer({ min: -2, max: 15 }).map((by) => ({ kind: 'advance' as const, by })) },
      { weight: 1, arbitrary: fc.constant({ kind: 'restore' as const }) },
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
        const { dir, remove } = tempDir();
        const path = join(dir, 'state.sqlite');
        let store = new SqliteStateStore(path);
        let backend = new StateBackend(store);
        let timers = service(backend).timers;
        let checkpoint = 0;
        // The model: the set of pending timers (by their identity) and the watermark.
        const id = (t: number, k: StateKey, ns: Namespace) => JSON.stringify([t, k, ns]);
        const model = new Map<string, Fired>();
        let watermark = 0;
        timers.advance(0, () => {});
        try {
          for (const o of ops) {
            if (o.kind === 'register') {
              timers.register(o.time, o.key, o.ns);
              model.set(id(o.time, o.key, o.ns), [o.time, o.key, o.ns]);
            } else if (o.kind === 'delete') {
              timers.delete(o.time, o.key, o.ns);
              model.delete(id(o.time, o.key, o.ns));
            } else if (o.kind === 'advance') {
              const to = watermark + o.by;
              const fired = advance(timers, to);
              if (to <= watermark) {
                expect(fired).toEqual([]);
                continue;
              }
              watermark = to;
              const due = [...model.values()].filter(([t]) => t <= to);
              for (const [t, k, ns] of due) model.delete(id(t, k, ns));
              // Ascending time; the order within a time is registration order (checked above), not modelled.
              expect(fired.map(([t]) => t)).toEqual(due.map(([t]) => t).sort((a, b) => a - b));
              expect(new Set(fired.map(([t, k, ns]) => id(t, k, ns)))).toEqual(new Set(due.map(([t, k, ns]) => id(t, k, ns))));
            } else {
              const b = backend;
              store.commit({ id: ++checkpoint, time: checkpoint, sources: {}, sinks: {} }, () => b.writeChanges());
              store.close();
              store = new SqliteStateStore(path);
              backend = new StateBackend(store, true);
              timers = service(backend).timers;
              expect(timers.watermark).toBe(watermark);
            }
            for (const [t, k, ns] of model.values()) expect(timers.has(t, k, ns)).toBe(true);
            expect(timers.times()).toEqual([...new Set([...model.values()].map(([t]) => t))].sort((a, b) => a - b));
          }
        } finally {
          store.close();
          remove();
        }
      }),
      { numRuns: 60 },
    );
  });
});
