/**
 * A Kafka record to a row of the table's physical columns, by the table's {@link RecordLayout}: the key columns
 * decoded from the record's key (key format), the value columns from its value (value format). With
 * `value.fields-include` = 'ALL' a key column is in both, and the value's wins (as in Flink).
 *
 * In upsert mode (`upsert-kafka`) a record with a value is an upsert (+U) of its key, and a record with a null
 * value (a tombstone) a delete (-D) of its key: a row holding only the key columns, the others NULL. Otherwise a
 * tombstone is no row.
 *
 * Windowed keys (`key.window.type`): the key is the key format's bytes followed by the window, as Kafka Streams'
 * TimeWindowedSerializer (start: 8 bytes big-endian) and SessionWindowedSerializer (end, then start) write it; the
 * window fills WINDOWSTART and WINDOWEND (a time window's end is its start + `key.window.size`).
 */
import { DELETE, INSERT, UPDATE_AFTER, type Row, type RowKind } from '../../runtime/changelog.js';
import type { Schema } from '../../common/types.js';
import { createDecoder, RecordError, type DecodedChanges, type RecordDecoder, type SourceMessage } from '../formats/index.js';
import { canonicalInt } from '../../common/int64.js';
import type { KeyWindow, RecordLayout } from './record-layout.js';

/** The window a windowed key ends with, and the key format's bytes before it. */
export interface WindowedKey {
  readonly key: Buffer;
  readonly start: number | bigint;
  readonly end: number | bigint;
}

/** Splits a windowed key into the key format's bytes and the window; a RecordError when it is too short. */
export function splitWindowedKey(bytes: Buffer, window: KeyWindow): WindowedKey | RecordError {
  const suffix = window.type === 'SESSION' ? 16 : 8;
  if (bytes.length < suffix) {
    return new RecordError('wrong-type', `a ${window.type} windowed key ends with ${suffix} bytes of window, but the key has ${bytes.length}`);
  }
  const at = bytes.length - suffix;
  const key = bytes.subarray(0, at);
  if (window.type === 'SESSION') return { key, end: canonicalInt(bytes.readBigInt64BE(at)), start: canonicalInt(bytes.readBigInt64BE(at + 8)) };
  const start = canonicalInt(bytes.readBigInt64BE(at));
  return { key, start, end: canonicalInt(BigInt(start) + BigInt(window.sizeMs ?? 0)) };
}

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

  /** True when every column comes from the value and every row is an insert: use {@link mapValue}. */
  get valueOnly(): boolean {
    return this.key === undefined && !this.upsert && this.value.decodeChanges === undefined;
  }

  /** {@link map} of a {@link valueOnly} layout: the value's row (an insert); null for no row (a tombstone). */
  mapValue(message: SourceMessage): Row | RecordError | null {
    return this.value.decode(message);
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
        let keyBytes: string | Uint8Array = key;
        const window = this.layout.window;
        if (window !== undefined) {
          const split = splitWindowedKey(typeof key === 'string' ? Buffer.from(key, 'utf8') : Buffer.from(key.buffer, key.byteOffset, key.byteLength), window);
          if (split instanceof RecordError) return { error: new RecordError(split.kind, `key: ${split.message}`), part: 'key' };
          row[window.startColumn] = split.start;
          row[window.endColumn] = split.end;
          keyBytes = split.key;
        }
        const decoded = this.key.decode({ value: keyBytes });
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
