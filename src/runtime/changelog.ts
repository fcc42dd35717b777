/**
 * Rows, row kinds and batches: the data operators exchange.
 *
 * Every stream is a changelog. A batch holds rows and, in a parallel array, the kind of change each row is
 * (+I insert, -U update-before, +U update-after, -D delete), as in Flink's RowKind. Rows are arrays of
 * values by column position (see src/common/types.ts for value representations).
 *
 * Ownership: a row is immutable once emitted; an operator never changes a row it received (it may be
 * shared by several consumers). Batches are not reused after `emit`.
 */

/** 0 = +I, 1 = -U, 2 = +U, 3 = -D. */
export type RowKind = 0 | 1 | 2 | 3;

export const INSERT: RowKind = 0;
export const UPDATE_BEFORE: RowKind = 1;
export const UPDATE_AFTER: RowKind = 2;
export const DELETE: RowKind = 3;

/** The short names Flink prints: `+I`, `-U`, `+U`, `-D`. */
export const ROW_KIND_NAMES: readonly string[] = ['+I', '-U', '+U', '-D'];

/** True for +I and +U (the row is added), false for -U and -D (the row is retracted). */
export function isAccumulate(kind: RowKind): boolean {
  return kind === INSERT || kind === UPDATE_AFTER;
}

/** A row: column values by position. */
export type Row = unknown[];

/** A batch of changes; `rows[i]` has kind `kinds[i]`. */
export interface ChangeBatch {
  readonly rows: Row[];
  readonly kinds: RowKind[];
}

/** A batch of inserts. */
export function insertBatch(rows: Row[]): ChangeBatch {
  return { rows, kinds: new Array<RowKind>(rows.length).fill(INSERT) };
}

/** Accumulates changes and hands them out as a batch. */
export class BatchBuilder {
  private rows: Row[] = [];
  private kinds: RowKind[] = [];

  add(kind: RowKind, row: Row): void {
    this.rows.push(row);
    this.kinds.push(kind);
  }

  get size(): number {
    return this.rows.length;
  }

  /** Returns the batch so far and starts a new one; undefined when empty. */
  take(): ChangeBatch | undefined {
    if (this.rows.length === 0) return undefined;
    const batch = { rows: this.rows, kinds: this.kinds };
    this.rows = [];
    this.kinds = [];
    return batch;
  }
}

/** The watermark before any record (nothing is late yet). */
export const MIN_WATERMARK = Number.NEGATIVE_INFINITY;
/** The watermark a finished (bounded) source emits: every window fires. */
export const MAX_WATERMARK = Number.POSITIVE_INFINITY;
