/** The formats Eddy reads and writes, and the one place decoders and encoders are created by name. */
import type { FormatFactory } from '../../runtime/connector.js';
import type { Schema } from '../../common/types.js';
import { EddyError, ErrorCode, didYouMean } from '../../common/errors.js';
import { createCsvDecoder, createCsvEncoder, csvFormat } from './csv-format.js';
import { createJsonDecoder, createJsonEncoder, jsonFormat } from './json-format.js';
import { avroFormat, createAvroDecoder, createAvroEncoder } from './avro-format.js';
import { canalJsonFormat, createCanalJsonDecoder, createCanalJsonEncoder } from './canal-json-format.js';
import { createDebeziumJsonDecoder, createDebeziumJsonEncoder, debeziumJsonFormat } from './debezium-json-format.js';
import { createKafkaDecoder, createKafkaEncoder, kafkaFormat } from './kafka-format.js';
import { createRawDecoder, createRawEncoder, rawFormat } from './raw-format.js';
import type { RecordDecoder, RecordEncoder } from './record-codec.js';

export {
  RecordError,
  requireTextRecords,
  valueTextDecoder,
  type DecodedChanges,
  type MessageHeader,
  type RecordDecoder,
  type RecordEncoder,
  type RecordErrorKind,
  type SourceMessage,
} from './record-codec.js';

/** Every built-in format. */
export const FORMATS: readonly FormatFactory[] = [jsonFormat, csvFormat, debeziumJsonFormat, canalJsonFormat, rawFormat, avroFormat, kafkaFormat];

type Options = Readonly<Record<string, string>>;

const CODECS: Record<string, { decoder(s: Schema, o: Options, columnsRead?: readonly number[]): RecordDecoder; encoder(s: Schema, o: Options): RecordEncoder }> = {
  json: { decoder: createJsonDecoder, encoder: createJsonEncoder },
  csv: { decoder: createCsvDecoder, encoder: createCsvEncoder },
  'debezium-json': { decoder: createDebeziumJsonDecoder, encoder: createDebeziumJsonEncoder },
  'canal-json': { decoder: createCanalJsonDecoder, encoder: createCanalJsonEncoder },
  raw: { decoder: createRawDecoder, encoder: createRawEncoder },
  avro: { decoder: createAvroDecoder, encoder: createAvroEncoder },
  kafka: { decoder: createKafkaDecoder, encoder: createKafkaEncoder },
};

function codec(format: string): (typeof CODECS)[string] {
  const c = CODECS[format.toLowerCase()];
  if (c) return c;
  throw new EddyError({
    code: ErrorCode.UNKNOWN_FORMAT,
    message: `Unknown format '${format}'; available formats: ${Object.keys(CODECS).join(', ')}`,
    hint: didYouMean(format, Object.keys(CODECS)),
  });
}

/**
 * Creates the decoder of `format` for `schema`; `options` are the table's WITH options (format keys prefixed).
 * `columnsRead` (indexes into `schema`), when given, are the columns the query reads: the decoder may leave
 * the others NULL when that saves work (never changing which records are bad).
 */
export function createDecoder(format: string, schema: Schema, options: Options, columnsRead?: readonly number[]): RecordDecoder {
  return codec(format).decoder(schema, options, columnsRead);
}

/** Creates the encoder of `format` for `schema`. */
export function createEncoder(format: string, schema: Schema, options: Options): RecordEncoder {
  return codec(format).encoder(schema, options);
}
