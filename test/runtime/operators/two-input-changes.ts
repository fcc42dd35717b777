/** Random changelogs for two-input operators (joins), the steps that feed them, and their batch meaning. */
import { DELETE, INSERT, type Row, type RowKind, UPDATE_AFTER, UPDATE_BEFORE } from '../../../src/runtime/changelog.js';
import type { StreamOperator } from '../../../src/runtime/operator.js';
import type { Change, OperatorHarness } from '../operator-harness.js';
import type { Step } from './checkpoint-run.js';

/** Feeds changes to one input (0 = left, 1 = right) of the harness's operator; returns the changes they caused. */
export function feed(h: OperatorHarness<StreamOperator>, side: 0 | 1, ...changes: [RowKind, Row][]): Change[] {
  const before = h.changes.length;
  h.op.processBatch({ rows: changes.map((c) => c[1]), kinds: changes.map((c) => c[0]) }, side);
  return h.changes.slice(before);
}

/** Inserts of rows, for {@link feed}. */
export const ins = (...rows: Row[]): [RowKind, Row][] => rows.map((r) => [INSERT, r]);
/** Deletions of rows, for {@link feed}. */
export const del = (...rows: Row[]): [RowKind, Row][] => rows.map((r) => [DELETE, r]);

/** One change of one input. */
export interface SideChange {
  readonly side: 0 | 1;
  readonly kind: RowKind;
  readonly row: Row;
}

/**
 * Random changelogs for both sides: inserts of rows from a small domain (so keys match, rows repeat, some
 * keys are NULL; values too, with probability `nullValues`) and retractions of rows inserted before, in random
 * order across the sides.
 */
export function randomChanges(rng: () => number, n: number, nullValues = 0): SideChange[] {
  const live: [Row[], Row[]] = [[], []];
  const out: SideChange[] = [];
  for (let i = 0; i < n; i++) {
    const side = rng() < 0.5 ? 0 : 1;
    const rows = live[side];
    if (rows.length > 0 && rng() < 0.3) {
      const [row] = rows.splice(Math.floor(rng() * rows.length), 1);
      out.push({ side, kind: rng() < 0.5 ? DELETE : UPDATE_BEFORE, row: row! });
    } else {
      const key = rng() < 0.1 ? null : `k${Math.floor(rng() * 4)}`;
      const row: Row = [key, nullValues > 0 && rng() < nullValues ? null : Math.floor(rng() * 5)];
      rows.push(row);
      out.push({ side, kind: rng() < 0.8 ? INSERT : UPDATE_AFTER, row });
    }
  }
  return out;
}

/** Steps feeding `changes` in batches of 1..maxBatch consecutive changes of one side, with watermarks, then the ends. */
export function changeSteps<Op extends StreamOperator>(changes: readonly SideChange[], rng: () => number, maxBatch: number): Step<Op>[] {
  const steps: Step<Op>[] = [];
  for (let i = 0; i < changes.length; ) {
    const side = changes[i]!.side;
    let j = i;
    while (j < changes.length && j - i < maxBatch && changes[j]!.side === side) j++;
    const batch = changes.slice(i, j);
    i = j;
    steps.push((h) => h.op.processBatch({ rows: batch.map((c) => c.row), kinds: batch.map((c) => c.kind) }, side));
    const wm = i;
    steps.push((h) => h.op.processWatermark(wm, side));
  }
  steps.push((h) => h.op.endInput(0), (h) => h.op.endInput(1));
  return steps;
}

/** Applies a changelog to a multiset; fails on a retraction of a row that is not there. Sorted JSON. */
export function collapse(changes: readonly Change[]): string[] {
  const bag = new Map<string, number>();
  for (const c of changes) {
    const key = JSON.stringify(c.row);
    const n = (bag.get(key) ?? 0) + (c.kind === '+I' || c.kind === '+U' ? 1 : -1);
    if (n < 0) throw new Error(`${c.kind} of a row not in the result: ${key}`);
    if (n === 0) bag.delete(key);
    else bag.set(key, n);
  }
  return [...bag].flatMap(([k, n]) => new Array<string>(n).fill(k)).sort();
}

/** The rows of each side left after the changes (inserts minus retractions). */
export function finalInputs(changes: readonly SideChange[]): [Row[], Row[]] {
  const sides: [Row[], Row[]] = [[], []];
  for (const c of changes) {
    const rows = sides[c.side];
    if (c.kind === INSERT || c.kind === UPDATE_AFTER) rows.push(c.row);
    else rows.splice(rows.indexOf(c.row), 1);
  }
  return sides;
}
