import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { DELETE, INSERT, UPDATE_AFTER, UPDATE_BEFORE, type Row, type RowKind } from '../../../src/runtime/changelog.js';
import { ChangelogNormalize } from '../../../src/runtime/operators/changelog-normalize.js';
import { ch, type Change, OperatorHarness } from '../operator-harness.js';
import { randomCuts, runRestored, runStraight, type Step } from './checkpoint-run.js';
import { mulberry32 } from './stream-gen.js';

// Rows are [id, name, amount]; the primary key is id.
const make = () => new ChangelogNormalize({ keys: [0] });
const batch = (...changes: [RowKind, Row][]) => ({ rows: changes.map((c) => c[1]), kinds: changes.map((c) => c[0]) });

/** The table an upsert stream leaves: per key, the last row upserted, unless deleted after — computed independently. */
function upsertTable(changes: readonly [RowKind, Row][]): Map<unknown, Row> {
  const table = new Map<unknown, Row>();
  for (const [kind, row] of changes) {
    if (kind === INSERT || kind === UPDATE_AFTER) table.set(row[0], row);
    else table.delete(row[0]);
  }
  return table;
}

/** Applies retractions to a multiset of rows; fails on a retraction of a row not held. */
function applyRetractions(changes: readonly Change[]): Map<string, number> {
  const held = new Map<string, number>();
  for (const c of changes) {
    const k = JSON.stringify(c.row);
    if (c.kind === '+I' || c.kind === '+U') held.set(k, (held.get(k) ?? 0) + 1);
    else {
      const n = held.get(k) ?? 0;
      expect(n, `retraction of ${k}, which is not held`).toBeGreaterThan(0);
      if (n === 1) held.delete(k);
      else held.set(k, n - 1);
    }
  }
  return held;
}

/** A random upsert stream: upserts of a few keys (often repeating a row), deletes by key carrying only the key. */
function upserts(rng: () => number, n: number): [RowKind, Row][] {
  const out: [RowKind, Row][] = [];
  for (let i = 0; i < n; i++) {
    const id = Math.floor(rng() * 5);
    const r = rng();
    if (r < 0.2) out.push([DELETE, [id, null, null]]);
    else out.push([r < 0.3 ? INSERT : UPDATE_AFTER, [id, `n${Math.floor(rng() * 2)}`, Math.floor(rng() * 3)]]);
  }
  return out;
}

function steps(changes: readonly [RowKind, Row][], rng: () => number): Step<ChangelogNormalize>[] {
  const out: Step<ChangelogNormalize>[] = [];
  for (let i = 0; i < changes.length; ) {
    const size = 1 + Math.floor(rng() * 6);
    const part = changes.slice(i, i + size);
    i += size;
    const wm = i * 10;
    out.push((h) => h.feed(batch(...part)), (h) => h.watermark(wm));
  }
  out.push((h) => h.finish());
  return out;
}

describe('ChangelogNormalize', () => {
  it('turns upserts into +I, -U/+U pairs and -D of the old row; drops duplicates and deletes of unknown keys', () => {
    const h = new OperatorHarness(make());
    expect(h.feed(batch([UPDATE_AFTER, [1, 'a', 10]]))).toEqual([ch('+I', [1, 'a', 10])]);
    expect(h.feed(batch([UPDATE_AFTER, [1, 'a', 20]], [INSERT, [2, 'b', 5]]))).toEqual([ch('-U', [1, 'a', 10]), ch('+U', [1, 'a', 20]), ch('+I', [2, 'b', 5])]);
    expect(h.feed(batch([UPDATE_AFTER, [1, 'a', 20]]))).toEqual([]); // the same row again: nothing
    expect(h.feed(batch([DELETE, [1, null, null]]))).toEqual([ch('-D', [1, 'a', 20])]); // a tombstone carries the key only
    expect(h.feed(batch([DELETE, [1, null, null]], [DELETE, [7, null, null]]))).toEqual([]); // unknown keys
    expect(h.feed(batch([UPDATE_AFTER, [1, 'c', 1]]))).toEqual([ch('+I', [1, 'c', 1])]); // a deleted key comes back as new
    expect(h.feed(batch([UPDATE_BEFORE, [2, 'b', 5]]))).toEqual([ch('-D', [2, 'b', 5])]); // -U retracts as -D does (Flink)
  });

  it('passes watermarks on and ends when its input ends', () => {
    const h = new OperatorHarness(make());
    h.watermark(100);
    expect(h.watermarks).toEqual([100]);
    expect(h.finish()).toEqual([]);
    expect(h.ended).toBe(true);
  });

  it('emits nothing for an empty input', () => {
    const h = new OperatorHarness(make());
    expect(h.feed(batch())).toEqual([]);
    expect(h.finish()).toEqual([]);
  });

  it('its retractions, applied, give the table the upserts leave (every retraction retracts a row it emitted)', () => {
    fc.assert(
      fc.property(fc.integer(), (seed) => {
        const rng = mulberry32(seed);
        const changes = upserts(rng, Math.floor(rng() * 200));
        const h = new OperatorHarness(make());
        for (const step of steps(changes, rng)) step(h);
        const expected = new Map<string, number>();
        for (const row of upsertTable(changes).values()) expected.set(JSON.stringify(row), 1);
        expect(applyRetractions(h.changes)).toEqual(expected);
        // -U is always followed by the +U of its key.
        h.changes.forEach((c, i) => {
          if (c.kind !== '-U') return;
          expect(h.changes[i + 1]?.kind).toBe('+U');
          expect(h.changes[i + 1]?.row[0]).toBe(c.row[0]);
        });
      }),
      { numRuns: 60 },
    );
  });

  it('gives the uninterrupted output when checkpointed and restored at random points', () => {
    fc.assert(
      fc.property(fc.integer(), (seed) => {
        const rng = mulberry32(seed);
        const s = steps(upserts(rng, Math.floor(rng() * 150)), rng);
        const straight = runStraight(make, s);
        const restored = runRestored(make, s, randomCuts(rng, s.length, 3), Math.floor(rng() * 3));
        expect(restored.changes).toEqual(straight.changes);
        expect(restored.watermarks).toEqual(straight.watermarks);
      }),
      { numRuns: 20 },
    );
  });

  it('explains itself with its key', () => {
    expect(make().explain()).toBe('ChangelogNormalize(key=[$0])');
  });
});
