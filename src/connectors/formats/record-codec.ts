/**
 * What a format is made of: a decoder turning one message (a file's line, a Kafka record: value, key,
 * headers, timestamp, position) into a row, an encoder turning a row into one record's text, and the error
 * a decoder reports for a record it cannot read (the source reports it with `ConnectorContext.badRecord`,
 * and the runtime applies the table's error policy).
 */
import type { Row, RowKind } from '../../runtime/changelog.js';
import type { BadRecordKind } from '../../runtime/connector.js';
import { EddyError, ErrorCode } from '../../common/errors.js';

/** Why a record could not be decoded (the kinds a decoder finds; a file source adds `too-large`, `invalid-utf8`). */
export type RecordErrorKind = Extract<
  BadRecordKind,
  'invalid-json' | 'invalid-csv' | 'wrong-type' | 'missing-field' | 'missing-not-null' | 'numeric-overflow' | 'invalid-utf8' | 'empty' | 'too-deep' | 'out-of-range' | 'invalid-change' | 'invalid-avro'
>;

/**
 * A record a decoder could not read. Returned, not thrown: bad records can be frequent under
 * `errors.policy` = 'skip', and a plain object costs no stack trace.
 */
export class RecordError {
  constructor(
    readonly kind: RecordErrorKind,
    readonly message: string,
  ) {}
}

/** A message header: a name and its value, as Kafka carries them (a name may repeat). */
export interface MessageHeader {
  readonly key: string;
  readonly value: string | Uint8Array | null;
}

/**
 * One message as a source receives it, and a decoder reads it. A line of a file is a message with only a
 * `value` (text); a Kafka record carries its value and key (bytes, null for a tombstone), headers, its
 * timestamp, partition and offset. Formats that read only the value (json, csv) ignore the rest; key formats,
 * `upsert-kafka` and `debezium-json` read the key and the metadata columns from it.
 */
export interface SourceMessage {
  /** The payload: text, bytes (UTF-8 for the text formats), or null (a Kafka tombstone). */
  readonly value: string | Uint8Array | null;
  readonly key?: string | Uint8Array | null;
  readonly headers?: readonly MessageHeader[];
  /** Epoch milliseconds (Kafka's CreateTime or LogAppendTime). */
  readonly timestamp?: number;
  readonly partition?: number;
  /** A Kafka offset, a 64-bit integer as decimal text (as Kafka clients give it). */
  readonly offset?: string;
}

/**
 * Decodes one message into a row of the schema's columns. Returns null for a message that is not a record
 * at all and is skipped silently (a CSV comment line, a tombstone for a format that reads only values).
 */
export interface RecordDecoder {
  decode(message: SourceMessage): Row | RecordError | null;
  /**
   * The same as `decode({ value: text })`, without the message object: the hot path of sources whose
   * messages are text values only (a file's lines).
   */
  decodeText(text: string): Row | RecordError | null;
  /**
   * A fast path for a message given as bytes (a file's line: `bytes[start, end)`, without its terminator):
   * the row, or undefined when the record is left to `decodeText` (of the bytes as UTF-8 text), which then
   * decodes it or reports what is wrong with it. Never an error of its own: whatever it returns is what
   * `decodeText` would return. Present for formats that have one (`json`).
   */
  decodeBytes?(bytes: Buffer, start: number, end: number): Row | undefined;
  /**
   * Present for a format whose records are changes (`debezium-json`, `canal-json`): the changes one message
   * holds, in order (an update is a -U and a +U; a canal message holds several rows). A source calls it instead
   * of `decode` when present, and emits the rows with their kinds (`SourceChunk.kinds`). Null: no record (a
   * tombstone, a DDL event, a message of another table).
   */
  decodeChanges?(message: SourceMessage): DecodedChanges | RecordError | null;
  /**
   * True for a format whose records are bytes, not text (`avro`, `raw` of a BYTES column): a source of lines of
   * text (a file) cannot read it.
   */
  readonly binary?: boolean;
}

/** The changes decoded from one message: `kinds[i]` is the kind of `rows[i]`. */
export interface DecodedChanges {
  readonly rows: Row[];
  readonly kinds: RowKind[];
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * A decoder of a format that reads only a message's value, as text, with `decodeText`: bytes are decoded
 * as UTF-8 (`invalid-utf8` when they are not), and a null value (a tombstone) is no record. With
 * `decodeBytes` (see {@link RecordDecoder.decodeBytes}), bytes are given to it first.
 */
export function valueTextDecoder(
  decodeText: (text: string) => Row | RecordError | null,
  decodeBytes?: (bytes: Buffer, start: number, end: number) => Row | undefined,
): RecordDecoder {
  return {
    decodeText,
    ...(decodeBytes ? { decodeBytes } : {}),
    decode(message: SourceMessage): Row | RecordError | null {
      const value = message.value;
      if (value === null) return null;
      if (typeof value === 'string') return decodeText(value);
      if (decodeBytes) {
        const bytes = Buffer.isBuffer(value) ? value : Buffer.from(value.buffer, value.byteOffset, value.byteLength);
        const row = decodeBytes(bytes, 0, bytes.length);
        if (row !== undefined) return row;
      }
      let text: string;
      try {
        text = strictUtf8.decode(value);
      } catch {
        return new RecordError('invalid-utf8', 'the record is not valid UTF-8');
      }
      return decodeText(text);
    },
  };
}

/**
 * The RecordError for anything a column's reader threw other than a ConversionFailure (a decoder must never
 * throw: every record it cannot read is a bad record under the source's error policy).
 */
export function unexpectedFailure(label: string, err: unknown): RecordError {
  const message = (err as Error | undefined)?.message ?? String(err);
  if (err instanceof RangeError && /call stack/i.test(message)) return new RecordError('too-deep', `${label}: the value is nested too deeply to read`);
  return new RecordError('wrong-type', `${label}: cannot be read (${message})`);
}

/** Encodes a row of the schema's columns as one record's text (without a line terminator). */
export interface RecordEncoder {
  encode(row: Row): string;
  /**
   * Present for a format whose records are changes (`debezium-json`, `canal-json`): the record of a change of
   * any kind (`encode` is that of an insert). A sink given updates uses it; without it, a sink takes inserts only.
   */
  encodeChange?(kind: RowKind, row: Row): string;
  /**
   * Present for a format whose records are bytes (`avro`, `raw`): the record's bytes. A sink of messages
   * (Kafka) uses it when present; with `binary` set, `encode` cannot be used (a file of lines cannot hold them).
   */
  encodeBytes?(row: Row): Uint8Array | null;
  readonly binary?: boolean;
}

/**
 * Fails for a decoder or encoder of bytes (`binary`): a file of lines holds text records only. `what` names the
 * format for the message (`'avro'`).
 */
export function requireTextRecords(codec: { readonly binary?: boolean }, format: string, tableName: string): void {
  if (!codec.binary) return;
  throw new EddyError({
    code: ErrorCode.INVALID_OPTION,
    message: `Table \`${tableName}\`: the '${format}' format's records are bytes here, and the filesystem connector reads and writes lines of text`,
    hint: "use Kafka for binary records, or a text format ('json', 'csv', 'raw' of a UTF-8 STRING column) for files",
  });
}
