/**
 * The `kafka` format: ksqlDB's KAFKA format, which is Kafka's own primitive serializers. A record is the value of
 * one column: STRING as UTF-8 text, INT as 4 bytes big-endian, BIGINT as 8 bytes big-endian, DOUBLE as an 8-byte
 * IEEE 754 double big-endian, BYTES as they are. A null record (a tombstone, or no key) is NULL, and NULL is
 * written as a null record. Other column types are refused when the table is created, as ksqlDB refuses them.
 */
import type { FormatFactory } from '../../runtime/connector.js';
import type { Row } from '../../runtime/changelog.js';
import { canonicalInt, toBigInt, type Int64 } from '../../common/int64.js';
import { typeToString, type Field, type Schema } from '../../common/types.js';
import { EddyError, ErrorCode } from '../../common/errors.js';
import { RecordError, type RecordDecoder, type RecordEncoder, type SourceMessage } from './record-codec.js';

/** The column types the format reads and writes, and the byte length of the fixed-width ones. */
const WIDTH: Readonly<Record<string, number | undefined>> = { STRING: undefined, BYTES: undefined, INT: 4, BIGINT: 8, DOUBLE: 8 };

const SUPPORTED = 'STRING, INT, BIGINT, DOUBLE or BYTES';

/**
 * Why `schema` (the columns one record holds: the key's or the value's) cannot use the format, or undefined.
 * `role` names them in the message ('key', 'value', or 'record').
 */
export function kafkaFormatProblem(schema: Schema, role: string): string | undefined {
  if (schema.length !== 1) {
    return `The 'kafka' format holds one column in a record ${role}, but the ${role} has ${schema.length}: ${schema.map((f) => f.name).join(', ') || '(none)'}`;
  }
  const t = schema[0]!.type;
  if (!Object.hasOwn(WIDTH, t.name)) {
    return `The 'kafka' format cannot hold \`${schema[0]!.name}\` ${typeToString(t)}: it reads and writes a ${SUPPORTED} column (Kafka's primitive serializers, as ksqlDB's KAFKA format)`;
  }
  return undefined;
}

/** The `kafka` format factory. On kafka and upsert-kafka tables the record layout checks the key and value columns. */
export const kafkaFormat: FormatFactory = {
  identifier: 'kafka',
  options: [],
  checkSchema(schema, options) {
    const connector = options['connector'];
    if (connector === 'kafka' || connector === 'upsert-kafka') return [];
    const problem = kafkaFormatProblem(schema, 'record');
    return problem === undefined ? [] : [{ key: 'format', message: problem }];
  },
};

function checked(schema: Schema): Field {
  const problem = kafkaFormatProblem(schema, 'record');
  if (problem !== undefined) throw new EddyError({ code: ErrorCode.INVALID_OPTION, message: problem });
  return schema[0]!;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });
const utf8 = new TextEncoder();

/** A BIGINT read from 8 bytes: a number within ±2^53, else a bigint (as every BIGINT in Eddy). */
function readInt64(bytes: Buffer): Int64 {
  return canonicalInt(bytes.readBigInt64BE(0));
}

/** Creates a decoder reading a record as the table's one column. */
export function createKafkaDecoder(schema: Schema): RecordDecoder {
  const field = checked(schema);
  const type = field.type.name;
  const width = WIDTH[type];
  const nullValue = (): Row | RecordError =>
    field.type.nullable ? [null] : new RecordError('missing-not-null', `column \`${field.name}\` is NOT NULL, but the record is null`);
  const read = (bytes: Buffer): unknown | RecordError => {
    if (width !== undefined && bytes.length !== width) {
      return new RecordError('wrong-type', `a ${type} record has ${width} bytes, got ${bytes.length}`);
    }
    switch (type) {
      case 'INT':
        return bytes.readInt32BE(0);
      case 'BIGINT':
        return readInt64(bytes);
      case 'DOUBLE':
        return bytes.readDoubleBE(0);
      case 'BYTES':
        return new Uint8Array(bytes);
      default:
        try {
          return strictUtf8.decode(bytes);
        } catch {
          return new RecordError('invalid-utf8', 'the record is not valid UTF-8');
        }
    }
  };
  return {
    binary: type !== 'STRING',
    decodeText: (line: string) => (type === 'STRING' ? [line] : new RecordError('wrong-type', `a ${type} record is bytes, not text`)),
    decode(message: SourceMessage): Row | RecordError {
      const v = message.value;
      if (v === null) return nullValue();
      if (typeof v === 'string' && type === 'STRING') return [v];
      const bytes = typeof v === 'string' ? Buffer.from(v, 'utf8') : Buffer.from(v.buffer, v.byteOffset, v.byteLength);
      const value = read(bytes);
      return value instanceof RecordError ? value : [value];
    },
  };
}

/** The bytes of one value of `type` (not null). */
function writeValue(type: string, v: unknown): Uint8Array {
  switch (type) {
    case 'INT': {
      const b = Buffer.alloc(4);
      b.writeInt32BE(v as number, 0);
      return b;
    }
    case 'BIGINT': {
      const b = Buffer.alloc(8);
      b.writeBigInt64BE(toBigInt(v as Int64), 0);
      return b;
    }
    case 'DOUBLE': {
      const b = Buffer.alloc(8);
      b.writeDoubleBE(v as number, 0);
      return b;
    }
    case 'BYTES':
      return v as Uint8Array;
    default:
      return utf8.encode(String(v));
  }
}

/** Creates an encoder writing the table's one column as a record's bytes. */
export function createKafkaEncoder(schema: Schema): RecordEncoder {
  const field = checked(schema);
  const type = field.type.name;
  return {
    binary: type !== 'STRING',
    encode(row: Row): string {
      const v = row[0];
      if (type !== 'STRING') throw new EddyError({ code: ErrorCode.INVALID_STATEMENT, message: `The 'kafka' format writes a ${type} column as bytes, which a file of lines cannot hold` });
      const s = v === null || v === undefined ? '' : String(v);
      if (/[\r\n]/.test(s)) {
        throw new EddyError({ code: ErrorCode.INVALID_STATEMENT, message: `The 'kafka' format cannot write a value with a line break to a file of lines: ${JSON.stringify(s.slice(0, 60))}` });
      }
      return s;
    },
    encodeBytes: (row) => (row[0] === null || row[0] === undefined ? null : writeValue(type, row[0])),
  };
}
