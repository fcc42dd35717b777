/**
 * What the table and changelog result modes show, kept apart from rendering:
 * - {@link ResultTable} materializes a changelog into the current result: rows keyed by the upsert key
 *   when the query has one (an update replaces its row in place), else by value (a retraction removes one
 *   equal row, and the update that follows takes its place). Insert-only results append. When there are
 *   more than `maxRows` rows, the oldest are dropped (Flink's FIFO) and counted, so memory stays bounded.
 * - {@link ChangelogBuffer} keeps the last `maxRows` changes with their kinds.
 */
import type { ChangeBatch, Field, Row, RowKind } from '../src/index.js';
import { formatValue } from '../src/index.js';

const INSERT = 0;
const UPDATE_BEFORE = 1;
const UPDATE_AFTER = 2;

export interface ResultChangelog {
  readonly kind: 'insert-only' | 'updating';
  readonly upsertKey?: readonly number[];
}

export class ResultTable {
  /** Rows by position; undefined where a row was removed (compacted now and then). */
  private slots: (Row | undefined)[] = [];
  /** Row identity (key or value) → positions holding it. */
  private index = new Map<string, number[]>();
  private live = 0;
  /** The oldest position that may hold a row (FIFO eviction starts here). */
  private head = 0;
  /** Where the last retracted row was, so the +U that follows a -U keeps the row's place. */
  private retractedAt?: number;
  /** Rows dropped because the table was full. */
  evicted = 0;
  /** Changes applied; increases on every batch (views re-render when it changes). */
  version = 0;

  constructor(
    private readonly changelog: ResultChangelog,
    readonly maxRows: number,
  ) {}

  private identity(row: Row): string {
    const key = this.changelog.upsertKey;
    return JSON.stringify(key && key.length > 0 ? key.map((i) => row[i]) : row, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
  }

  apply(batch: ChangeBatch): void {
    for (let i = 0; i < batch.rows.length; i++) this.applyOne(batch.kinds[i] as RowKind, batch.rows[i]!);
    this.version++;
  }

  private applyOne(kind: RowKind, row: Row): void {
    const keyed = (this.changelog.upsertKey?.length ?? 0) > 0;
    const id = this.identity(row);
    if (kind === INSERT || kind === UPDATE_AFTER) {
      const at = this.index.get(id);
      if (keyed && at && at.length > 0) {
        this.slots[at[0]!] = row;
      } else if (kind === UPDATE_AFTER && this.retractedAt !== undefined && this.slots[this.retractedAt] === undefined) {
        this.place(this.retractedAt, id, row);
      } else {
        this.place(this.slots.length, id, row);
      }
      this.retractedAt = undefined;
      while (this.live > this.maxRows) this.evictOldest();
      return;
    }
    // -U / -D. With an upsert key, a -U is always followed by the +U of its key, which replaces the row.
    if (keyed && kind === UPDATE_BEFORE) return;
    const at = this.index.get(id);
    const pos = at?.pop();
    if (pos === undefined) return; // already evicted
    if (at!.length === 0) this.index.delete(id);
    this.slots[pos] = undefined;
    this.live--;
    this.retractedAt = kind === UPDATE_BEFORE ? pos : undefined;
    this.maybeCompact();
  }

  private place(pos: number, id: string, row: Row): void {
    this.slots[pos] = row;
    const at = this.index.get(id);
    if (at) at.push(pos);
    else this.index.set(id, [pos]);
    this.live++;
  }

  private evictOldest(): void {
    while (this.head < this.slots.length && this.slots[this.head] === undefined) this.head++;
    const row = this.slots[this.head];
    if (row === undefined) return;
    const id = this.identity(row);
    const at = this.index.get(id)!;
    at.splice(at.indexOf(this.head), 1);
    if (at.length === 0) this.index.delete(id);
    this.slots[this.head] = undefined;
    this.live--;
    this.evicted++;
  }

  private maybeCompact(): void {
    const holes = this.slots.length - this.live;
    if (holes < 1024 || holes < this.live) return;
    const rows = this.rows();
    this.slots = [];
    this.index.clear();
    this.live = 0;
    this.head = 0;
    this.retractedAt = undefined;
    for (const r of rows) this.place(this.slots.length, this.identity(r), r);
  }

  /** Number of rows in the result. */
  get size(): number {
    return this.live;
  }

  /** The rows, in the order they first appeared. */
  rows(): Row[] {
    const out: Row[] = [];
    for (let i = this.head; i < this.slots.length; i++) {
      const r = this.slots[i];
      if (r !== undefined) out.push(r);
    }
    return out;
  }
}

/** The last changes of a changelog, for the changelog result mode. */
export class ChangelogBuffer {
  private readonly items: { kind: RowKind; row: Row }[] = [];
  /** Changes received in all. */
  total = 0;
  version = 0;

  constructor(readonly maxRows: number) {}

  apply(batch: ChangeBatch): void {
    for (let i = 0; i < batch.rows.length; i++) this.items.push({ kind: batch.kinds[i] as RowKind, row: batch.rows[i]! });
    this.total += batch.rows.length;
    if (this.items.length > this.maxRows) this.items.splice(0, this.items.length - this.maxRows);
    this.version++;
  }

  /** Changes dropped from the front because the buffer was full. */
  get evicted(): number {
    return this.total - this.items.length;
  }

  get changes(): readonly { kind: RowKind; row: Row }[] {
    return this.items;
  }
}

/** Formats a row's cells as text. */
export function formatRow(schema: readonly Field[], row: Row, timeZone: string): string[] {
  return schema.map((f, i) => formatValue(row[i], f.type, timeZone));
}
