/**
 * The `raw` format (Flink's): a record is the value of the table's one column, as it is — the bytes of a BYTES
 * column, or the text of a STRING column in `raw.charset`. A null record (a Kafka tombstone) is a NULL value, and
 * a NULL value is written as a null record.
 */
import type { FormatFactory, OptionSpec } from '../../runtime/connector.js';
import type { Row } from '../../runtime/changelog.js';
import { typeToString, type Schema } from '../../common/types.js';
import { EddyError, ErrorCode } from '../../common/errors.js';
import { RecordError, type RecordDecoder, type RecordEncoder, type SourceMessage } from './record-codec.js';

/** The charsets `raw.charset` may name (Java's names, as Flink takes them), and Node's encoding of each. */
const CHARSETS: Record<string, 'utf8' | 'latin1' | 'ascii' | 'utf16le' | 'utf16be'> = {
  'UTF-8': 'utf8',
  'US-ASCII': 'ascii',
  'ISO-8859-1': 'latin1',
  'UTF-16LE': 'utf16le',
  'UTF-16BE': 'utf16be',
};

/** Options of the `raw` format (Flink's keys). */
export const RAW_OPTIONS: readonly OptionSpec[] = [
  { key: 'raw.charset', description: 'The charset of a STRING column\'s text.', defaultValue: 'UTF-8', values: Object.keys(CHARSETS) },
  {
    key: 'raw.endianness',
    description: "The byte order of numeric values (Flink's); Eddy's raw columns are STRING or BYTES, which it does not change.",
    defaultValue: 'big-endian',
    values: ['big-endian', 'little-endian'],
  },
];

/** The table must have one physical column, of type STRING or BYTES. */
function schemaProblem(schema: Schema): string | undefined {
  if (schema.length !== 1) return `The 'raw' format reads and writes one column, but the table has ${schema.length}: ${schema.map((f) => f.name).join(', ') || '(none)'}`;
  const t = schema[0]!.type;
  if (t.name !== 'STRING' && t.name !== 'BYTES') {
    return `The 'raw' format reads and writes a STRING or BYTES column, but \`${schema[0]!.name}\` is ${typeToString(t)} (Flink's raw numeric types are not supported)`;
  }
  return undefined;
}

/** The `raw` format factory. */
export const rawFormat: FormatFactory = {
  identifier: 'raw',
  options: RAW_OPTIONS,
  checkSchema(schema) {
    const problem = schemaProblem(schema);
    return problem === undefined ? [] : [{ key: 'format', message: problem, hint: 'declare one column: `value STRING` (text) or `value BYTES`; use a computed column or a view to parse it' }];
  },
};

function checkedSchema(schema: Schema): void {
  const problem = schemaProblem(schema);
  if (problem !== undefined) throw new EddyError({ code: ErrorCode.INVALID_OPTION, message: problem });
}

function charsetOf(options: Readonly<Record<string, string>>): (typeof CHARSETS)[string] {
  const name = (options['raw.charset'] ?? 'UTF-8').trim().toUpperCase();
  const charset = CHARSETS[name];
  if (!charset) throw new EddyError({ code: ErrorCode.INVALID_OPTION, message: `Unknown 'raw.charset' '${name}'; supported: ${Object.keys(CHARSETS).join(', ')}` });
  return charset;
}

/** Swaps the bytes of each 16-bit unit (UTF-16BE <-> UTF-16LE). */
function swap16(bytes: Uint8Array): Buffer {
  const out = Buffer.from(bytes);
  for (let i = 0; i + 1 < out.length; i += 2) {
    const b = out[i]!;
    out[i] = out[i + 1]!;
    out[i + 1] = b;
  }
  return out;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });
const utf8 = new TextEncoder();

/** Creates a decoder reading a record as the table's one STRING or BYTES column. */
export function createRawDecoder(schema: Schema, options: Readonly<Record<string, string>> = {}): RecordDecoder {
  checkedSchema(schema);
  const charset = charsetOf(options);
  const bytesColumn = schema[0]!.type.name === 'BYTES';
  const notNull = !schema[0]!.type.nullable;
  const nullValue = (): Row | RecordError =>
    notNull ? new RecordError('missing-not-null', `column \`${schema[0]!.name}\` is NOT NULL, but the record is null`) : [null];
  const text = (bytes: Uint8Array): string | RecordError => {
    switch (charset) {
      case 'utf8':
        try {
          return strictUtf8.decode(bytes);
        } catch {
          return new RecordError('invalid-utf8', 'the record is not valid UTF-8');
        }
      case 'utf16be':
        if (bytes.length % 2 !== 0) return new RecordError('wrong-type', 'a UTF-16 record has an odd number of bytes');
        return swap16(bytes).toString('utf16le');
      case 'utf16le':
        if (bytes.length % 2 !== 0) return new RecordError('wrong-type', 'a UTF-16 record has an odd number of bytes');
        return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString(charset);
      default:
        return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString(charset);
    }
  };
  return {
    // A line of a file: only a UTF-8 STRING column reads it as it is.
    binary: bytesColumn || charset !== 'utf8',
    decodeText: (line: string) => (bytesColumn ? [utf8.encode(line)] : [line]),
    decode(message: SourceMessage): Row | RecordError {
      const v = message.value;
      if (v === null) return nullValue();
      if (bytesColumn) return [typeof v === 'string' ? utf8.encode(v) : new Uint8Array(v)];
      if (typeof v === 'string') return [v];
      const s = text(v);
      return s instanceof RecordError ? s : [s];
    },
  };
}

/** Creates an encoder writing the table's one STRING or BYTES column as a record's bytes. */
export function createRawEncoder(schema: Schema, options: Readonly<Record<string, string>> = {}): RecordEncoder {
  checkedSchema(schema);
  const charset = charsetOf(options);
  const bytesColumn = schema[0]!.type.name === 'BYTES';
  const bytes = (v: unknown): Uint8Array | null => {
    if (v === null || v === undefined) return null;
    if (bytesColumn) return v as Uint8Array;
    const s = String(v);
    return charset === 'utf16be' ? swap16(Buffer.from(s, 'utf16le')) : Buffer.from(s, charset);
  };
  return {
    binary: bytesColumn || charset !== 'utf8',
    encode(row: Row): string {
      const v = row[0];
      if (v === null || v === undefined) return '';
      const s = String(v);
      if (/[\r\n]/.test(s)) {
        throw new EddyError({
          code: ErrorCode.INVALID_STATEMENT,
          message: `The 'raw' format cannot write a value with a line break to a file of lines: ${JSON.stringify(s.slice(0, 60))}`,
          hint: "write to Kafka, or use the 'json' or 'csv' format, which quote line breaks",
        });
      }
      return s;
    },
    encodeBytes: (row) => bytes(row[0]),
  };
}
