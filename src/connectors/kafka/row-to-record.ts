/**
 * A row of the table's physical columns to a Kafka record's key and value, by the table's {@link RecordLayout}:
 * the key (key format) holds the key columns, named without `key.fields-prefix`; the value (value format) the
 * value columns. No key format: the key is null.
 */
import { INSERT, type Row, type RowKind } from '../../runtime/changelog.js';
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

  key(row: Row): string | null {
    return this.keyEncoder ? this.keyEncoder.encode(this.layout.keyColumns.map((c) => row[c])) : null;
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
