/**
 * A row of the table's physical columns to a Kafka record's key and value, by the table's {@link RecordLayout}:
 * the key (key format) holds the key columns, named without `key.fields-prefix`; the value (value format) the
 * value columns. No key format: the key is null. A windowed key (`key.window.type`) is the key format's bytes
 * followed by WINDOWSTART (8 bytes big-endian; SESSION: WINDOWEND, then WINDOWSTART), as Kafka Streams writes it.
 */
import { INSERT, type Row, type RowKind } from '../../runtime/changelog.js';
import { EddyError, ErrorCode } from '../../common/errors.js';
import { toBigInt, type Int64 } from '../../common/int64.js';
import { createEncoder, type RecordEncoder } from '../formats/index.js';
import type { RecordLayout } from './record-layout.js';

export class RowToRecord {
  private readonly valueEncoder: RecordEncoder;
  private readonly keyEncoder: RecordEncoder | undefined;
  /** Every column in the value, in order: the row is encoded as it is (no copy). */
  private readonly wholeRow: boolean;

  constructor(
    private readonly layout: RecordLayout,
    width: number,
  ) {
    this.valueEncoder = createEncoder(layout.valueFormat, layout.valueSchema, layout.valueOptions);
    if (layout.keyFormat !== undefined) this.keyEncoder = createEncoder(layout.keyFormat, layout.keySchema, layout.keyOptions);
    this.wholeRow = layout.valueColumns.length === width;
  }

  /** The record key: text, or bytes for a binary key format and for windowed keys; null without a key format. */
  key(row: Row): string | Buffer | null {
    const encoder = this.keyEncoder;
    if (!encoder) return null;
    const values = this.layout.keyColumns.map((c) => row[c]);
    const window = this.layout.window;
    if (window === undefined) {
      if (!encoder.encodeBytes) return encoder.encode(values);
      const bytes = encoder.encodeBytes(values);
      return bytes === null ? null : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    }
    const bytes = encoder.encodeBytes ? encoder.encodeBytes(values) : Buffer.from(encoder.encode(values), 'utf8');
    const start = row[window.startColumn];
    const end = row[window.endColumn];
    if (start === null || start === undefined || (window.type === 'SESSION' && (end === null || end === undefined))) {
      throw new EddyError({
        code: ErrorCode.INVALID_STATEMENT,
        message: `A windowed key needs its window: ${window.type === 'SESSION' ? 'WINDOWSTART and WINDOWEND are' : 'WINDOWSTART is'} NULL`,
      });
    }
    const suffix = Buffer.alloc(window.type === 'SESSION' ? 16 : 8);
    if (window.type === 'SESSION') {
      suffix.writeBigInt64BE(toBigInt(end as Int64), 0);
      suffix.writeBigInt64BE(toBigInt(start as Int64), 8);
    } else {
      suffix.writeBigInt64BE(toBigInt(start as Int64), 0);
    }
    return bytes === null || bytes === undefined ? suffix : Buffer.concat([bytes, suffix]);
  }

  /** True when two keys made by {@link key} are the same bytes or text. */
  static sameKey(a: string | Buffer | null, b: string | Buffer | null): boolean {
    if (a === null || b === null || typeof a === 'string' || typeof b === 'string') return a === b;
    return a.equals(b);
  }

  /** True when the value format writes every kind of change (debezium-json, canal-json). */
  get writesChanges(): boolean {
    return this.valueEncoder.encodeChange !== undefined;
  }

  /** The value of a change of `kind` (an insert unless the value format is a changelog format); bytes for binary formats. */
  value(row: Row, kind: RowKind = INSERT): string | Buffer | null {
    const values = this.wholeRow ? row : this.layout.valueColumns.map((c) => row[c]);
    const encoder = this.valueEncoder;
    if (encoder.encodeBytes) {
      const bytes = encoder.encodeBytes(values);
      return bytes === null ? null : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    }
    return kind === INSERT || !encoder.encodeChange ? encoder.encode(values) : encoder.encodeChange(kind, values);
  }
}
