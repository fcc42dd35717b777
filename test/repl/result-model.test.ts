/** Materializing changelogs for the table and changelog result modes. */
import { describe, expect, it } from 'vitest';
import { ChangelogBuffer, ResultTable } from '../../repl/result-model.js';

const I = 0;
const UB = 1;
const UA = 2;
const D = 3;
const batch = (...changes: [number, unknown[]][]) => ({ kinds: changes.map((c) => c[0]) as never, rows: changes.map((c) => c[1]) });

describe('ResultTable', () => {
  it('appends insert-only rows', () => {
    const t = new ResultTable({ kind: 'insert-only' }, 100);
    t.apply(batch([I, ['a', 1]], [I, ['a', 1]], [I, ['b', 2]]));
    expect(t.rows()).toEqual([['a', 1], ['a', 1], ['b', 2]]);
    expect(t.size).toBe(3);
  });

  it('replaces a row in place on an update of its upsert key', () => {
    const t = new ResultTable({ kind: 'updating', upsertKey: [0] }, 100);
    t.apply(batch([I, ['a', 1]], [I, ['b', 1]]));
    t.apply(batch([UB, ['a', 1]], [UA, ['a', 2]], [I, ['c', 1]]));
    expect(t.rows()).toEqual([['a', 2], ['b', 1], ['c', 1]]);
    t.apply(batch([D, ['b', 1]]));
    expect(t.rows()).toEqual([['a', 2], ['c', 1]]);
  });

  it('without a key, a -U removes one equal row and the +U that follows takes its place', () => {
    const t = new ResultTable({ kind: 'updating' }, 100);
    t.apply(batch([I, ['x', 1]], [I, ['y', 5]], [I, ['x', 1]]));
    t.apply(batch([UB, ['y', 5]], [UA, ['y', 6]]));
    expect(t.rows()).toEqual([['x', 1], ['y', 6], ['x', 1]]);
    t.apply(batch([D, ['x', 1]]));
    expect(t.rows()).toEqual([['x', 1], ['y', 6]]);
    t.apply(batch([D, ['nope', 0]])); // a retraction of an unknown row changes nothing
    expect(t.size).toBe(2);
  });

  it('keeps at most maxRows, dropping the oldest and counting them', () => {
    const t = new ResultTable({ kind: 'insert-only' }, 3);
    for (let i = 1; i <= 5; i++) t.apply(batch([I, [i]]));
    expect(t.rows()).toEqual([[3], [4], [5]]);
    expect(t.evicted).toBe(2);
    const k = new ResultTable({ kind: 'updating', upsertKey: [0] }, 2);
    k.apply(batch([I, ['a', 1]], [I, ['b', 1]], [I, ['c', 1]]));
    k.apply(batch([UB, ['a', 1]], [UA, ['a', 2]])); // 'a' was dropped: it comes back as a new row
    expect(k.rows()).toEqual([['c', 1], ['a', 2]]);
    expect(k.evicted).toBe(2);
  });

  it('stays correct across compaction of many removed rows', () => {
    const t = new ResultTable({ kind: 'updating', upsertKey: [0] }, 100_000);
    for (let i = 0; i < 5000; i++) t.apply(batch([I, [i, 'v']]));
    for (let i = 0; i < 4990; i++) t.apply(batch([D, [i, 'v']]));
    t.apply(batch([UB, [4995, 'v']], [UA, [4995, 'w']]));
    expect(t.rows().map((r) => r[0])).toEqual([4990, 4991, 4992, 4993, 4994, 4995, 4996, 4997, 4998, 4999]);
    expect(t.rows()[5]).toEqual([4995, 'w']);
  });
});

describe('ChangelogBuffer', () => {
  it('keeps the last changes with their kinds and counts all', () => {
    const c = new ChangelogBuffer(2);
    c.apply(batch([I, ['a']], [UB, ['a']], [UA, ['b']]));
    expect(c.changes).toEqual([
      { kind: UB, row: ['a'] },
      { kind: UA, row: ['b'] },
    ]);
    expect(c.total).toBe(3);
    expect(c.evicted).toBe(1);
  });
});
