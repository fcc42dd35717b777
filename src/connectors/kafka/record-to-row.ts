/**
 * A Kafka record to a row of the table's physical columns, by the table's {@link RecordLayout}: the key columns
 * decoded from the record's key (key format), the value columns from its value (value format). With
 * `value.fields-include` = 'ALL' a key column is in both, and the value's wins (as in Flink).
 *
 * In upsert mode (`upsert-kafka`) a record with a value is an upsert (+U) of its key, and a record with a null
 * value (a tombstone) a delete (-D) of its key: a row holding only the key columns, the others NULL. Otherwise a
 * tombstone is no row.
 */
import { DELETE, INSERT, UPDATE_AFTER, type Row, type RowKind } from '../../runtime/changelog.js';
import type { Schema } from '../../common/types.js';
import { createDecoder, RecordError, type DecodedChanges, type RecordDecoder, type SourceMessage } from '../formats/index.js';
import type { RecordLayout } from './record-layout.js';

/** A record's row and its kind. */
export interface KindedRow {
  readonly row: Row;
  readonly kind: RowKind;
}

/** A record that could not become a row: the error, and which part of the record it is about. */
export interface RecordPartError {
  readonly error: RecordError;
  readonly part: 'key' | 'value';
}

export class RecordToRow {
  private readonly value: RecordDecoder;
  private readonly key: RecordDecoder | undefined;
  private readonly width: number;
  /** The key columns that are NOT NULL, for records without a key. */
  private readonly requiredKeyColumn: string | undefined;

  constructor(
    private readonly layout: RecordLayout,
    schema: Schema,
    private readonly upsert: boolean,
  ) {
    this.width = schema.length;
    this.value = createDecoder(layout.valueFormat, layout.valueSchema, layout.valueOptions);
    if (layout.keyFormat !== undefined) this.key = createDecoder(layout.keyFormat, layout.keySchema, layout.keyOptions);
    this.requiredKeyColumn = layout.keyColumns.map((i) => schema[i]!).find((f) => !f.type.nullable)?.name;
  }

  /** True when the value format is a changelog format (debezium-json, canal-json): use {@link mapChanges}. */
  get changelog(): boolean {
    return this.value.decodeChanges !== undefined && this.key === undefined && !this.upsert;
  }

  /** The changes a record of a changelog format holds (its value holds every column). */
  mapChanges(message: SourceMessage): DecodedChanges | RecordError | null {
    return this.value.decodeChanges!(message);
  }

  /** The row of `message`; null for no row (a tombstone of a table that is not an upsert table). */
  map(message: SourceMessage): KindedRow | RecordPartError | null {
    if (this.key === undefined && !this.upsert) {
      // Every column from the value, as decoded (the common case: no copy).
      const decoded = this.value.decode(message);
      if (decoded === null) return null;
      return decoded instanceof RecordError ? { error: decoded, part: 'value' } : { row: decoded, kind: INSERT };
    }
    if (message.value === null && !this.upsert) return null;
    const row = new Array<unknown>(this.width).fill(null);
    if (this.key !== undefined) {
      const key = message.key ?? null;
      if (key === null) {
        if (this.requiredKeyColumn !== undefined) {
          return { error: new RecordError('missing-not-null', `the record has no key, and key column \`${this.requiredKeyColumn}\` is NOT NULL`), part: 'key' };
        }
      } else {
        const decoded = this.key.decode({ value: key });
        if (decoded instanceof RecordError) return { error: new RecordError(decoded.kind, `key: ${decoded.message}`), part: 'key' };
        if (decoded !== null) this.layout.keyColumns.forEach((c, i) => (row[c] = decoded[i]));
      }
    }
    if (message.value === null) return { row, kind: DELETE };
    const decoded = this.value.decode(message);
    if (decoded === null) return null;
    if (decoded instanceof RecordError) return { error: decoded, part: 'value' };
    this.layout.valueColumns.forEach((c, i) => (row[c] = decoded[i]));
    return { row, kind: this.upsert ? UPDATE_AFTER : INSERT };
  }
}
