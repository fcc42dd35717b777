/**
 * A row of the table's physical columns to a Kafka record's key and value, by the table's {@link RecordLayout}:
 * the key (key format) holds the key columns, named without `key.fields-prefix`; the value (value format) the
 * value columns. No key format: the key is null.
 */
import type { Row } from '../../runtime/changelog.js';
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

  value(row: Row): string {
    return this.valueEncoder.encode(this.wholeRow ? row : this.layout.valueColumns.map((c) => row[c]));
  }
}
