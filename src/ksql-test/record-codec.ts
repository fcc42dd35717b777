/**
 * Turns a test's records into Kafka record bytes and back, the way ksqlDB's formats write them:
 *
 * - KAFKA: Kafka's primitive serializers (STRING UTF-8, INT 4-byte big-endian, BIGINT 8-byte big-endian, DOUBLE
 *   8-byte IEEE big-endian); one column only.
 * - JSON: the JSON text (a single key column is the bare value, as ksqlDB writes unwrapped keys).
 * - DELIMITED: the text as given (comma-separated values).
 * - Windowed keys as Kafka Streams writes them: a time window's key is `key ++ start` (8 bytes big-endian, the end
 *   is start + the window's size), a session window's `key ++ end ++ start`.
 *
 * A format or type Eddy's runner cannot encode throws an {@link UnsupportedRecord}; a record that does not fit its
 * topic (a windowed topic's record without a window) throws a {@link RecordMismatch}.
 */
import type { DataType } from '../common/types.js';
import type { TestRecord, WindowData } from './test-case.js';

/** A column of a topic's key or value. */
export interface CodecColumn {
  readonly name: string;
  readonly type: DataType;
}

/** How a topic's records are written: what the stream or table over it says. */
export interface TopicFormat {
  readonly topic: string;
  /** The stream or table this comes from, for messages. */
  readonly source: string;
  /** ksqlDB's format names, upper-case: KAFKA, JSON, DELIMITED (anything else is not supported by the runner). */
  readonly keyFormat: string;
  readonly valueFormat: string;
  readonly keyColumns: readonly CodecColumn[];
  readonly valueColumns: readonly CodecColumn[];
  /** A windowed topic: the window kind, and the size of time windows in ms. */
  readonly window?: { readonly type: 'TUMBLING' | 'HOPPING' | 'SESSION'; readonly sizeMs?: number };
}

/** What a record's key and value are, decoded. */
export interface DecodedRecord {
  readonly key: unknown;
  readonly value: unknown;
  readonly window?: WindowData;
}

/** The runner cannot write or read this record's format or type: the test is unsupported, not failed. */
export class UnsupportedRecord extends Error {
  override readonly name = 'UnsupportedRecord';
}

/** The record does not fit its topic (the test is wrong, or the statements made a different topic). */
export class RecordMismatch extends Error {
  override readonly name = 'RecordMismatch';
}

const FORMATS = new Set(['KAFKA', 'JSON', 'DELIMITED']);

function checkFormat(format: string, part: 'key' | 'value', f: TopicFormat): void {
  if (!FORMATS.has(format)) throw new UnsupportedRecord(`topic '${f.topic}' (${f.source}): the ${part} format ${format} is not supported by eddy test`);
}

/** The key bytes of `record` on topic `f` (null for a null key of an unwindowed topic). */
export function encodeKey(f: TopicFormat, record: TestRecord): Buffer | null {
  checkFormat(f.keyFormat, 'key', f);
  const inner = record.key === null || record.key === undefined ? null : encodeData(f.keyFormat, f.keyColumns, record.key, 'key', f);
  if (!f.window) {
    if (record.window) throw new RecordMismatch(`topic '${f.topic}' is not windowed (${f.source}), but the record has a window`);
    return inner;
  }
  const w = record.window;
  if (!w) throw new RecordMismatch(`topic '${f.topic}' is windowed (${f.source}: ${f.window.type}), but the record has no "window"`);
  if ((w.type === 'session') !== (f.window.type === 'SESSION')) throw new RecordMismatch(`topic '${f.topic}' has ${f.window.type} windows, the record a ${w.type} window`);
  const key = inner ?? Buffer.alloc(0);
  return w.type === 'session' ? Buffer.concat([key, long(w.end), long(w.start)]) : Buffer.concat([key, long(w.start)]);
}

/** The value bytes of `record` on topic `f` (null: a tombstone). */
export function encodeValue(f: TopicFormat, record: TestRecord): Buffer | null {
  checkFormat(f.valueFormat, 'value', f);
  if (record.value === null || record.value === undefined) return null;
  return encodeData(f.valueFormat, f.valueColumns, record.value, 'value', f);
}

function encodeData(format: string, columns: readonly CodecColumn[], data: unknown, part: 'key' | 'value', f: TopicFormat): Buffer {
  switch (format) {
    case 'JSON':
      return Buffer.from(JSON.stringify(data), 'utf8');
    case 'DELIMITED':
      if (typeof data === 'object' && data !== null) throw new RecordMismatch(`topic '${f.topic}': a DELIMITED ${part} is text, got ${JSON.stringify(data)}`);
      return Buffer.from(String(data), 'utf8');
    default:
      return encodePrimitive(single(columns, part, f), data, f);
  }
}

function single(columns: readonly CodecColumn[], part: 'key' | 'value', f: TopicFormat): CodecColumn {
  if (columns.length !== 1) throw new UnsupportedRecord(`topic '${f.topic}' (${f.source}): the KAFKA ${part} format holds one column, the ${part} has ${columns.length}`);
  return columns[0]!;
}

function encodePrimitive(column: CodecColumn, data: unknown, f: TopicFormat): Buffer {
  const mismatch = () => new RecordMismatch(`topic '${f.topic}': ${JSON.stringify(data)} is not a ${column.type.name} (column ${column.name})`);
  switch (column.type.name) {
    case 'STRING':
      return Buffer.from(typeof data === 'string' ? data : JSON.stringify(data), 'utf8');
    case 'INT': {
      if (typeof data !== 'number' || !Number.isInteger(data)) throw mismatch();
      const b = Buffer.alloc(4);
      b.writeInt32BE(data);
      return b;
    }
    case 'BIGINT': {
      if (typeof data !== 'number' || !Number.isInteger(data)) throw mismatch();
      return long(data);
    }
    case 'DOUBLE': {
      if (typeof data !== 'number') throw mismatch();
      const b = Buffer.alloc(8);
      b.writeDoubleBE(data);
      return b;
    }
    default:
      throw new UnsupportedRecord(`topic '${f.topic}' (${f.source}): the KAFKA format of a ${column.type.name} column (${column.name}) is not supported`);
  }
}

function long(n: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigInt64BE(BigInt(n));
  return b;
}

/** A record read from topic `f`, decoded. */
export function decodeRecord(f: TopicFormat, key: Buffer | null, value: Buffer | null): DecodedRecord {
  checkFormat(f.keyFormat, 'key', f);
  checkFormat(f.valueFormat, 'value', f);
  let keyBytes = key;
  let window: WindowData | undefined;
  if (f.window && key !== null) {
    if (f.window.type === 'SESSION') {
      if (key.length < 16) throw new RecordMismatch(`topic '${f.topic}': a session-windowed key has at least 16 bytes, got ${key.length}`);
      window = { start: Number(key.readBigInt64BE(key.length - 8)), end: Number(key.readBigInt64BE(key.length - 16)), type: 'session' };
      keyBytes = key.subarray(0, key.length - 16);
    } else {
      if (key.length < 8) throw new RecordMismatch(`topic '${f.topic}': a time-windowed key has at least 8 bytes, got ${key.length}`);
      if (f.window.sizeMs === undefined) throw new UnsupportedRecord(`topic '${f.topic}' (${f.source}): the window size is unknown, so the window's end cannot be read`);
      const start = Number(key.readBigInt64BE(key.length - 8));
      window = { start, end: start + f.window.sizeMs, type: 'time' };
      keyBytes = key.subarray(0, key.length - 8);
    }
  }
  return {
    key: keyBytes === null ? null : decodeData(f.keyFormat, f.keyColumns, keyBytes, 'key', f),
    value: value === null ? null : decodeData(f.valueFormat, f.valueColumns, value, 'value', f),
    ...(window ? { window } : {}),
  };
}

function decodeData(format: string, columns: readonly CodecColumn[], bytes: Buffer, part: 'key' | 'value', f: TopicFormat): unknown {
  const text = () => bytes.toString('utf8');
  switch (format) {
    case 'JSON':
      try {
        return JSON.parse(text());
      } catch {
        throw new RecordMismatch(`topic '${f.topic}': the ${part} is not JSON: ${text().slice(0, 80)}`);
      }
    case 'DELIMITED': {
      // A single numeric column reads back as the number a test writes; anything else is the text.
      const t = text();
      const type = columns.length === 1 ? columns[0]!.type.name : undefined;
      if ((type === 'INT' || type === 'BIGINT' || type === 'DOUBLE') && t !== '' && Number.isFinite(Number(t))) return Number(t);
      return t;
    }
    default: {
      const column = single(columns, part, f);
      const width = { INT: 4, BIGINT: 8, DOUBLE: 8 }[column.type.name as 'INT'];
      if (width !== undefined && bytes.length !== width) throw new RecordMismatch(`topic '${f.topic}': a KAFKA ${column.type.name} ${part} has ${width} bytes, got ${bytes.length}`);
      switch (column.type.name) {
        case 'STRING':
          return text();
        case 'INT':
          return bytes.readInt32BE(0);
        case 'BIGINT':
          return Number(bytes.readBigInt64BE(0));
        case 'DOUBLE':
          return bytes.readDoubleBE(0);
        default:
          throw new UnsupportedRecord(`topic '${f.topic}' (${f.source}): the KAFKA format of a ${column.type.name} column (${column.name}) is not supported`);
      }
    }
  }
}
