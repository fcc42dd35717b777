/** Binary min-heaps: the pending window ends, buffered times, and the timer service's timers. */

/** A min-heap of numbers (duplicates allowed): a {@link TimerHeap} whose entries carry no key. */
export class MinHeap {
  private readonly heap = new TimerHeap<null>();

  get size(): number {
    return this.heap.size;
  }

  /** The smallest number, or undefined when empty. */
  peek(): number | undefined {
    return this.heap.peek();
  }

  push(value: number): void {
    this.heap.push(value, null);
  }

  /** Removes and returns the smallest number, or undefined when empty. */
  pop(): number | undefined {
    const value = this.heap.peek();
    this.heap.pop();
    return value;
  }
}

/**
 * A min-heap of (time, key) entries, ordered by time, and at one time by `before` when given (else in no
 * particular order): timers whose owners check on pop whether an entry is still current, so stale entries
 * need no removal.
 */
export class TimerHeap<K> {
  private readonly times: number[] = [];
  private readonly keys: K[] = [];

  /** @param before of two keys at one time, whether `a` comes strictly before `b` */
  constructor(private readonly before?: (a: K, b: K) => boolean) {}

  get size(): number {
    return this.times.length;
  }

  /** The smallest time, or undefined when empty. */
  peek(): number | undefined {
    return this.times[0];
  }

  /** The key of the first entry, or undefined when empty. */
  peekKey(): K | undefined {
    return this.keys[0];
  }

  push(time: number, key: K): void {
    const t = this.times;
    const k = this.keys;
    const before = this.before;
    let i = t.length;
    t.push(time);
    k.push(key);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const pt = t[parent]!;
      if (pt < time || (pt === time && !before?.(key, k[parent]!))) break;
      t[i] = t[parent]!;
      k[i] = k[parent]!;
      i = parent;
    }
    t[i] = time;
    k[i] = key;
  }

  /** Removes the entry with the smallest time and returns its key (call {@link peek} first for the time). */
  pop(): K | undefined {
    const t = this.times;
    const k = this.keys;
    if (t.length === 0) return undefined;
    const before = this.before;
    const top = k[0]!;
    const lastTime = t.pop()!;
    const lastKey = k.pop()!;
    const n = t.length;
    if (n > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= n) break;
        const r = l + 1;
        const c = r < n && (t[r]! < t[l]! || (t[r] === t[l] && before?.(k[r]!, k[l]!))) ? r : l;
        const ct = t[c]!;
        if (ct > lastTime || (ct === lastTime && !before?.(k[c]!, lastKey))) break;
        t[i] = t[c]!;
        k[i] = k[c]!;
        i = c;
      }
      t[i] = lastTime;
      k[i] = lastKey;
    }
    return top;
  }
}
