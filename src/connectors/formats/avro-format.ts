/**
 * The `avro` format (Flink's): a record is one row as Avro binary (no container file, no schema registry), of the
 * schema derived from the table's columns (Flink's mapping, see avro-schema.ts) or given by `avro.schema`, which
 * must then match the columns (field names and order, types; nullable columns are unions with "null").
 */
import type { FormatFactory, OptionSpec } from '../../runtime/connector.js';
import type { Row } from '../../runtime/changelog.js';
import type { Schema } from '../../common/types.js';
import { EddyError, ErrorCode } from '../../common/errors.js';
import { AvroDataError, AvroReader, AvroWriter } from './avro-binary.js';
import { compileRecordFields, readFields, writeFields, AvroValueError, type AvroValueCodec } from './avro-codec.js';
import { AvroSchemaError, avroSchemaOf, parseAvroSchema, type AvroType } from './avro-schema.js';
import { RecordError, unexpectedFailure, type RecordDecoder, type RecordEncoder, type SourceMessage } from './record-codec.js';

const utf8 = new TextEncoder();

/** Options of the `avro` format. */
export const AVRO_OPTIONS: readonly OptionSpec[] = [
  {
    key: 'avro.schema',
    description: "The Avro schema (JSON) of the records: a record whose fields are the table's columns, in order. Absent: derived from the columns (Flink's mapping).",
  },
];

/** The record codecs of a table (the schema's fields matched to its columns); throws AvroSchemaError. */
function recordFields(schema: Schema, options: Readonly<Record<string, string>>): AvroValueCodec[] {
  const text = options['avro.schema'];
  const avro: AvroType = text === undefined ? avroSchemaOf(schema) : parseAvroSchema(text);
  if (avro.kind !== 'record') throw new AvroSchemaError(`the schema must be a record (a field per column), not ${avro.kind}`);
  return compileRecordFields(avro, schema, 'the row');
}

function schemaProblem(schema: Schema, options: Readonly<Record<string, string>>): string | undefined {
  try {
    recordFields(schema, options);
    return undefined;
  } catch (e) {
    if (e instanceof AvroSchemaError) return e.message;
    throw e;
  }
}

/** The `avro` format factory; the schema is checked against the columns at CREATE TABLE. */
export const avroFormat: FormatFactory = {
  identifier: 'avro',
  options: AVRO_OPTIONS,
  checkSchema(schema, options) {
    const problem = schemaProblem(schema, options);
    if (problem === undefined) return [];
    const given = options['avro.schema'] !== undefined;
    return [{ key: given ? 'avro.schema' : 'format', message: `${given ? "'avro.schema'" : 'The Avro schema of the columns'}: ${problem}`, hint: given ? 'make the schema a record with a field per column, in order, of matching types (nullable columns as ["null", type])' : undefined }];
  },
};

function codecs(schema: Schema, options: Readonly<Record<string, string>>): AvroValueCodec[] {
  try {
    return recordFields(schema, options);
  } catch (e) {
    if (e instanceof AvroSchemaError) throw new EddyError({ code: ErrorCode.INVALID_OPTION, message: `Avro schema: ${e.message}` });
    throw e;
  }
}

/** Creates a decoder of Avro binary records into rows of `schema`. */
export function createAvroDecoder(schema: Schema, options: Readonly<Record<string, string>> = {}): RecordDecoder {
  const fields = codecs(schema, options);
  const decodeBytes = (bytes: Uint8Array): Row | RecordError => {
    const r = new AvroReader(bytes);
    try {
      const row = readFields(fields, r);
      if (!r.atEnd()) return new RecordError('invalid-avro', `${r.remaining()} bytes are left after the record (is the schema the writer's?)`);
      return row;
    } catch (e) {
      if (e instanceof AvroDataError) return new RecordError('invalid-avro', `invalid Avro: ${e.message}`);
      return unexpectedFailure('the record', e);
    }
  };
  return {
    binary: true,
    decodeText: (text: string) => decodeBytes(utf8.encode(text)),
    decode(message: SourceMessage): Row | RecordError | null {
      const v = message.value;
      if (v === null) return null; // a tombstone
      return decodeBytes(typeof v === 'string' ? utf8.encode(v) : v);
    },
  };
}

/** Creates an encoder writing rows of `schema` as Avro binary records. */
export function createAvroEncoder(schema: Schema, options: Readonly<Record<string, string>> = {}): RecordEncoder {
  const fields = codecs(schema, options);
  const encodeBytes = (row: Row): Uint8Array => {
    const w = new AvroWriter();
    try {
      writeFields(fields, w, row);
    } catch (e) {
      if (e instanceof AvroValueError) throw new EddyError({ code: ErrorCode.INVALID_STATEMENT, message: `Cannot write the row as Avro: ${e.message}` });
      throw e;
    }
    return w.bytes();
  };
  return {
    binary: true,
    encode(): string {
      throw new EddyError({ code: ErrorCode.INVALID_STATEMENT, message: "The 'avro' format writes bytes, not lines of text", hint: "write Avro to Kafka, or use 'json' or 'csv' for files" });
    },
    encodeBytes,
  };
}
