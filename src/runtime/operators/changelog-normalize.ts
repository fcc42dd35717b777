/**
 * ChangelogNormalize (Flink's): turns an upsert stream (an upsert-kafka topic: each row the new value of its
 * key, deletes by key, no -U) into a full changelog of retractions, by keeping the last row of each key.
 *
 * - +I or +U of a key not held: +I of the row. Of a held key: nothing when the row equals the held one (a
 *   duplicate), else -U of the held row and +U of the new one. The row becomes the key's row.
 * - -D (or -U) of a held key: -D of the held row (a tombstone carries only the key; the retraction carries the
 *   whole row), and the key is forgotten. Of a key not held: nothing (Flink drops it too).
 * - Watermarks pass on unchanged.
 * - State: the table `rows` (primary key → the last row; idle keys leave after `table.exec.state.ttl`).
 *
 * For example, with key `id`: +U(1,a) → +I(1,a); +U(1,b) → -U(1,a) +U(1,b); +U(1,b) → nothing;
 * -D(1,null) → -D(1,b); -D(2,null) → nothing.
 */
import { BatchBuilder, DELETE, INSERT, UPDATE_AFTER, UPDATE_BEFORE, isAccumulate, type ChangeBatch, type Row } from '../changelog.js';
import type { OperatorContext, StreamOperator } from '../operator.js';
import type { StateTable } from '../state/state-types.js';
import { keySelector, rowsEqual, type KeySelector } from '../keys.js';
import { describeColumns } from './aggregate-call.js';
import { VALUE_CODEC } from './state-codecs.js';

/** Configuration of a {@link ChangelogNormalize}. */
export interface ChangelogNormalizeConfig {
  /** The primary key columns of the input rows. */
  readonly keys: readonly number[];
}

/** Turns an upsert stream into retractions by keeping the last row per key (see the file comment). */
export class ChangelogNormalize implements StreamOperator {
  readonly kind = 'ChangelogNormalize';
  private ctx!: OperatorContext;
  private rows!: StateTable<Row>;
  private readonly selector: KeySelector;

  constructor(readonly config: ChangelogNormalizeConfig) {
    this.selector = keySelector(config.keys);
  }

  open(ctx: OperatorContext): void {
    this.ctx = ctx;
    this.rows = ctx.state.table<Row>('rows', VALUE_CODEC, { ttl: true });
  }

  processBatch(batch: ChangeBatch): void {
    const out = new BatchBuilder();
    const { rows, kinds } = batch;
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i]!;
      const key = this.selector.key(row);
      const held = this.rows.get(key);
      if (isAccumulate(kinds[i]!)) {
        if (held === undefined) out.add(INSERT, row);
        else {
          if (rowsEqual(held, row)) continue;
          out.add(UPDATE_BEFORE, held);
          out.add(UPDATE_AFTER, row);
        }
        this.rows.put(key, row);
      } else if (held !== undefined) {
        out.add(DELETE, held);
        this.rows.delete(key);
      }
    }
    const result = out.take();
    if (result) this.ctx.output.emit(result);
  }

  processWatermark(watermark: number): void {
    this.ctx.output.emitWatermark(watermark);
  }

  endInput(): void {
    this.ctx.output.end();
  }

  explain(): string {
    return `ChangelogNormalize(key=[${describeColumns(this.config.keys)}])`;
  }
}
