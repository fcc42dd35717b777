/**
 * What the JSON changelog formats (`debezium-json`, `canal-json`) share: reading a message's JSON, reading a
 * row image (an object of column values) into a row of the table's columns, and writing a row as an object.
 */
import type { Row } from '../../runtime/changelog.js';
import { typeToString, type Schema } from '../../common/types.js';
import { ConversionFailure, compileJsonReader, jsonTooDeep, lookupField, parseJson, tooDeep } from './convert-value.js';
import { createJsonEncoder } from './json-format.js';
import { RecordError, unexpectedFailure } from './record-codec.js';
import type { TimestampStandard } from './convert-value.js';

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** A message's value as text: null for a tombstone, a RecordError for bytes that are not UTF-8. */
export function valueText(value: string | Uint8Array | null): string | RecordError | null {
  if (value === null || typeof value === 'string') return value;
  try {
    return strictUtf8.decode(value);
  } catch {
    return new RecordError('invalid-utf8', 'the record is not valid UTF-8');
  }
}

/** Parses a message as a JSON object (long numbers keep their digits), or says why it is not one. */
export function parseJsonObject(text: string): Record<string, unknown> | RecordError {
  if (jsonTooDeep(text)) return new RecordError('too-deep', tooDeep().message);
  let parsed: unknown;
  try {
    parsed = parseJson(text, true);
  } catch (e) {
    if (text.trim() === '') return new RecordError('empty', 'the record is empty');
    return new RecordError('invalid-json', `invalid JSON: ${(e as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return new RecordError('invalid-json', `expected a JSON object, got ${parsed === null ? 'null' : Array.isArray(parsed) ? 'an array' : typeof parsed}`);
  }
  return parsed as Record<string, unknown>;
}

/** Reads a row image (a JSON object of column values) into a row; `what` names the image in messages (`"after"`). */
export type RowImageReader = (image: Record<string, unknown>, what: string) => Row | RecordError;

/** Compiles a reader of row images for `schema`: each column takes the field of its name (absent: NULL). */
export function compileRowImageReader(schema: Schema): RowImageReader {
  const columns = schema.map((f) => ({ name: f.name, label: `column \`${f.name}\` (${typeToString(f.type)})`, read: compileJsonReader(f.type) }));
  return (image, what) => {
    const row = new Array<unknown>(columns.length);
    for (let i = 0; i < columns.length; i++) {
      const c = columns[i]!;
      try {
        row[i] = c.read(lookupField(image, c.name));
      } catch (e) {
        if (e instanceof ConversionFailure) return new RecordError(e.kind, `${what}: ${c.label}: ${e.message}`);
        return unexpectedFailure(`${what}: ${c.label}`, e);
      }
    }
    return row;
  };
}

/** True for a JSON object (not null, not an array). */
export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Compiles a writer of a row as a JSON object's text, as the `json` format writes it. */
export function compileRowImageWriter(schema: Schema, standard: TimestampStandard): (row: Row) => string {
  const encoder = createJsonEncoder(schema, { 'json.timestamp-format.standard': standard });
  return (row) => encoder.encode(row);
}

/** The `<format>.timestamp-format.standard` option's value. */
export function timestampStandard(options: Readonly<Record<string, string>>, format: string): TimestampStandard {
  return options[`${format}.timestamp-format.standard`]?.trim().toUpperCase() === 'ISO-8601' ? 'ISO-8601' : 'SQL';
}

/** Flink's `<format>.timestamp-format.standard` and `<format>.ignore-parse-errors` options of a JSON changelog format. */
export function changelogJsonOptions(format: string): { key: string; description: string; defaultValue: string; values: string[] }[] {
  return [
    {
      key: `${format}.ignore-parse-errors`,
      description: "Flink's switch for bad records: 'true' means 'errors.policy' = 'skip' (dropped and counted).",
      defaultValue: 'false',
      values: ['true', 'false'],
    },
    {
      key: `${format}.timestamp-format.standard`,
      description: "How TIMESTAMP values are written: 'SQL' (yyyy-MM-dd HH:mm:ss.SSS) or 'ISO-8601' (yyyy-MM-ddTHH:mm:ss.SSS); both are read.",
      defaultValue: 'SQL',
      values: ['SQL', 'ISO-8601'],
    },
  ];
}

/** A decoder's `decode`/`decodeText` for a changelog format, which only `decodeChanges` can read. */
export function changesOnly(format: string): RecordError {
  return new RecordError('invalid-change', `a '${format}' record is a change, and this source reads only inserts`);
}
