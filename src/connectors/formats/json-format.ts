/** The `json` format: one JSON object per record, fields matched to columns by name. */
import type { OptionSpec, FormatFactory } from '../../runtime/connector.js';
import type { Row } from '../../runtime/changelog.js';
import { typeToString, type Schema } from '../../common/types.js';
import { ConversionFailure, compileJsonReader, compileJsonWriter, jsonParserFor, jsonTooDeep, lookupField, parseJson, ROUNDED_NUMBER, tooDeep, type TimestampStandard } from './convert-value.js';
import { stringifyJson } from '../../common/values.js';
import { RecordError, unexpectedFailure, valueTextDecoder, type RecordDecoder, type RecordEncoder } from './record-codec.js';
import { isTrue } from '../option-values.js';
import { JsonBytesDecoder } from './json-bytes.js';

const BOOLEAN = ['true', 'false'];

/** Options of the `json` format (Flink's keys). */
export const JSON_OPTIONS: readonly OptionSpec[] = [
  {
    key: 'json.ignore-parse-errors',
    description: "Flink's switch for bad records: 'true' means 'errors.policy' = 'skip' (dropped and counted).",
    defaultValue: 'false',
    values: BOOLEAN,
  },
  {
    key: 'json.fail-on-missing-field',
    description: 'Fail on a record that lacks a column instead of reading it as NULL.',
    defaultValue: 'false',
    values: BOOLEAN,
  },
  {
    key: 'json.timestamp-format.standard',
    description: "How TIMESTAMP values are written: 'SQL' (yyyy-MM-dd HH:mm:ss.SSS) or 'ISO-8601' (yyyy-MM-ddTHH:mm:ss.SSS).",
    defaultValue: 'SQL',
    values: ['SQL', 'ISO-8601'],
  },
];

/** The `json` format factory. */
export const jsonFormat: FormatFactory = { identifier: 'json', options: JSON_OPTIONS };

/**
 * Creates a decoder of JSON lines for `schema`. Each column takes the object's field of the same name
 * (exact match first, then case-insensitive); a missing field is NULL unless `json.fail-on-missing-field`.
 * Records given as bytes go through {@link JsonBytesDecoder} first, which may leave the nullable STRING
 * columns not in `columnsRead` (when given) NULL.
 */
export function createJsonDecoder(schema: Schema, options: Readonly<Record<string, string>> = {}, columnsRead?: readonly number[]): RecordDecoder {
  const failOnMissing = isTrue(options, 'json.fail-on-missing-field');
  const columns = schema.map((f) => ({ name: f.name, label: `column \`${f.name}\` (${typeToString(f.type)})`, read: compileJsonReader(f.type) }));
  const parse = jsonParserFor(schema.map((f) => f.type));
  const decode = (text: string, parseJson: (text: string) => unknown): Row | RecordError => {
    let parsed: unknown;
    if (jsonTooDeep(text)) return new RecordError('too-deep', tooDeep().message);
    try {
      parsed = parseJson(text);
    } catch (e) {
      if (text.trim() === '') return new RecordError('empty', 'the record is empty');
      return new RecordError('invalid-json', `invalid JSON: ${(e as Error).message}`);
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      return new RecordError('invalid-json', `expected a JSON object, got ${parsed === null ? 'null' : Array.isArray(parsed) ? 'an array' : typeof parsed}`);
    }
    const obj = parsed as Record<string, unknown>;
    const row = new Array<unknown>(columns.length);
    for (let i = 0; i < columns.length; i++) {
      const c = columns[i]!;
      const value = lookupField(obj, c.name);
      if (value === undefined && failOnMissing) return new RecordError('missing-field', `${c.label} is missing`);
      try {
        row[i] = c.read(value);
      } catch (e) {
        if (e instanceof ConversionFailure) return new RecordError(e.kind, `${c.label}: ${e.message}`);
        // A BIGINT that JSON.parse rounded: the line again, its long numbers read as text (rare: ids beyond 2^53).
        if (e === ROUNDED_NUMBER && parseJson !== parseExact) return decode(text, parseExact);
        return unexpectedFailure(c.label, e);
      }
    }
    return row;
  };
  const fast = JsonBytesDecoder.create(
    schema,
    columns.map((c) => c.read),
    parse,
    parse !== JSON.parse,
    failOnMissing,
    columnsRead,
  );
  return valueTextDecoder((text: string): Row | RecordError => decode(text, parse), fast ? (bytes, start, end) => fast.decode(bytes, start, end) : undefined);
}

/** JSON.parse keeping long numbers' text (integer digits; see parseJson). */
const parseExact = (text: string): unknown => parseJson(text, false);

const EXACT_TEXT = new Set(['BIGINT', 'DECIMAL', 'ARRAY', 'MAP', 'ROW']);

/**
 * Creates an encoder writing a row as one JSON object, fields in column order: TIMESTAMP as
 * `yyyy-MM-dd HH:mm:ss.SSS` (or ISO-8601 per `json.timestamp-format.standard`), DATE as `yyyy-MM-dd`,
 * BIGINT and DECIMAL as numbers with their exact digits, NULL as `null`.
 */
export function createJsonEncoder(schema: Schema, options: Readonly<Record<string, string>> = {}): RecordEncoder {
  const standard: TimestampStandard = options['json.timestamp-format.standard']?.toUpperCase() === 'ISO-8601' ? 'ISO-8601' : 'SQL';
  const columns = schema.map((f, i) => ({
    prefix: (i === 0 ? '{' : ',') + JSON.stringify(f.name) + ':',
    write: compileJsonWriter(f.type, standard),
    // BIGINT and DECIMAL values beyond a double's (and nested values that may hold them) keep their digits.
    stringify: EXACT_TEXT.has(f.type.name) ? stringifyJson : JSON.stringify,
  }));
  return {
    encode(row: Row): string {
      if (columns.length === 0) return '{}';
      let out = '';
      for (let i = 0; i < columns.length; i++) {
        const c = columns[i]!;
        out += c.prefix + c.stringify(c.write(row[i]));
      }
      return out + '}';
    },
  };
}
