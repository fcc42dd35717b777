/** Binary min-heaps: the pending window ends and the timers of the window operators. */

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
 * A min-heap of (time, key) entries, ordered by time (ties in no particular order): timers whose owners
 * check on pop whether an entry is still current, so stale entries need no removal.
 */
export class TimerHeap<K> {
  private readonly times: number[] = [];
  private readonly keys: K[] = [];

  get size(): number {
    return this.times.length;
  }

  /** The smallest time, or undefined when empty. */
  peek(): number | undefined {
    return this.times[0];
  }

  push(time: number, key: K): void {
    const t = this.times;
    const k = this.keys;
    let i = t.length;
    t.push(time);
    k.push(key);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (t[parent]! <= time) break;
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
        const c = r < n && t[r]! < t[l]! ? r : l;
        if (t[c]! >= lastTime) break;
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
