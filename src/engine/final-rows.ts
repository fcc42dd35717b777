/**
 * Collapses a changelog into the rows it ends with: +I/+U add a row, -U/-D remove one equal row. This is
 * how a pull query, or a bounded query (all sources finished), becomes an ordinary result set.
 *
 * Rows keep the position of their first insertion, and a +U takes the place of the -U just before it, so
 * an updated group stays where it was (and an ordered query stays ordered).
 */
import { isAccumulate, UPDATE_AFTER, UPDATE_BEFORE, type ChangeBatch } from '../runtime/changelog.js';
import type { QueryHandle } from './query-handle.js';

/** A stable text key for a row, equal for rows whose values are equal. */
function rowKey(row: readonly unknown[]): string {
  return JSON.stringify(row, (_k, v: unknown) => {
    if (typeof v === 'number') return Number.isNaN(v) ? 'NaN:' : Number.isFinite(v) ? v : `${v}:`;
    if (typeof v === 'string') return `s:${v}`;
    if (typeof v === 'bigint') return `n:${v}`;
    if (v instanceof Uint8Array) return `b:${Buffer.from(v).toString('hex')}`;
    if (v instanceof Map) return ['m', ...v.entries()];
    if (v === undefined) return null;
    return v;
  });
}

export class FinalRows {
  /** Rows in order; removed ones are `undefined` until {@link rows} compacts. */
  private slots: (readonly unknown[] | undefined)[] = [];
  /** Slot indexes of the live rows, per row key (equal rows may repeat). */
  private readonly byKey = new Map<string, number[]>();
  /** Where the last -U removed a row, for the +U that follows it. */
  private pendingSlot: number | undefined;

  apply(batch: ChangeBatch): void {
    for (let i = 0; i < batch.rows.length; i++) {
      const row = batch.rows[i]!;
      const kind = batch.kinds[i]!;
      const key = rowKey(row);
      if (isAccumulate(kind)) {
        let slot: number;
        if (kind === UPDATE_AFTER && this.pendingSlot !== undefined) {
          slot = this.pendingSlot;
          this.slots[slot] = row;
        } else {
          slot = this.slots.push(row) - 1;
        }
        this.pendingSlot = undefined;
        const list = this.byKey.get(key);
        if (list) list.push(slot);
        else this.byKey.set(key, [slot]);
      } else {
        const list = this.byKey.get(key);
        const slot = list?.pop();
        if (list && list.length === 0) this.byKey.delete(key);
        if (slot !== undefined) this.slots[slot] = undefined;
        this.pendingSlot = kind === UPDATE_BEFORE ? slot : undefined;
      }
    }
  }

  /** The rows that remain, in order. */
  rows(): (readonly unknown[])[] {
    return this.slots.filter((r): r is readonly unknown[] => r !== undefined);
  }
}

/** Runs a bounded query to its end and returns its final rows (see QueryHandle.finalRows). */
export async function collectFinalRows(query: QueryHandle): Promise<(readonly unknown[])[]> {
  return query.finalRows();
}
