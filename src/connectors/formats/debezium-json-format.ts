/**
 * The `debezium-json` format (Flink's): each record is a Debezium change event `{"before": ..., "after": ...,
 * "op": ...}` (inside `"payload"` with `debezium-json.schema-include`), read as changes of the table's rows and
 * written from them.
 *
 * Reading: op `c` (create) and `r` (snapshot read) are +I of `after`; `u` is -U of `before` then +U of `after`;
 * `d` is -D of `before`. Writing (Flink's serialization): +I and +U as `{"before":null,"after":{..},"op":"c"}`,
 * -U and -D as `{"before":{..},"after":null,"op":"d"}`.
 */
import type { FormatFactory, OptionSpec } from '../../runtime/connector.js';
import { DELETE, INSERT, UPDATE_AFTER, UPDATE_BEFORE, type Row, type RowKind } from '../../runtime/changelog.js';
import type { Schema } from '../../common/types.js';
import { EddyError, ErrorCode } from '../../common/errors.js';
import { isTrue } from '../option-values.js';
import {
  changelogJsonOptions,
  changesOnly,
  compileRowImageReader,
  compileRowImageWriter,
  isObject,
  parseJsonObject,
  timestampStandard,
  valueText,
} from './changelog-json.js';
import { RecordError, type DecodedChanges, type RecordDecoder, type RecordEncoder, type SourceMessage } from './record-codec.js';

const FORMAT = 'debezium-json';

/** Options of the `debezium-json` format (Flink's keys). */
export const DEBEZIUM_JSON_OPTIONS: readonly OptionSpec[] = [
  {
    key: 'debezium-json.schema-include',
    description: "The messages carry Debezium's schema: the event is the message's \"payload\" (Kafka Connect's JsonConverter with schemas.enable). Read only.",
    defaultValue: 'false',
    values: ['true', 'false'],
  },
  ...changelogJsonOptions(FORMAT),
];

/** The `debezium-json` format factory: its records are changes (retractions). */
export const debeziumJsonFormat: FormatFactory = { identifier: FORMAT, options: DEBEZIUM_JSON_OPTIONS, changelogMode: 'retract' };

/** Creates a decoder of Debezium change events into changes of `schema`'s rows. */
export function createDebeziumJsonDecoder(schema: Schema, options: Readonly<Record<string, string>> = {}): RecordDecoder {
  const schemaInclude = isTrue(options, 'debezium-json.schema-include');
  const readImage = compileRowImageReader(schema);
  const image = (event: Record<string, unknown>, field: 'before' | 'after', op: string): Row | RecordError => {
    const v = event[field];
    if (v === null || v === undefined) {
      const hint = field === 'before' && op === 'u' ? ' (a Postgres table needs REPLICA IDENTITY FULL for Debezium to send it)' : '';
      return new RecordError('invalid-change', `the "${field}" of a change with "op" = "${op}" is missing${hint}`);
    }
    if (!isObject(v)) return new RecordError('invalid-change', `"${field}" must be a JSON object, got ${JSON.stringify(v)?.slice(0, 40)}`);
    return readImage(v, `"${field}"`);
  };
  const decodeText = (text: string): DecodedChanges | RecordError => {
    const root = parseJsonObject(text);
    if (root instanceof RecordError) return root;
    let event = root;
    if (schemaInclude) {
      if (!isObject(root['payload'])) {
        return new RecordError('invalid-change', `'debezium-json.schema-include' is true, but the message has no "payload" object`);
      }
      event = root['payload'];
    }
    const op = event['op'];
    if (op === undefined || op === null) {
      const wrapped = !schemaInclude && isObject(root['payload']) && 'schema' in root;
      return new RecordError(
        'invalid-change',
        wrapped ? `the message has no "op": it has "schema" and "payload" (set 'debezium-json.schema-include' = 'true')` : 'the message has no "op" (a Debezium change event has "before", "after" and "op")',
      );
    }
    if (typeof op !== 'string') return new RecordError('invalid-change', `unknown "op" ${JSON.stringify(op)}; a Debezium change is "c", "r", "u" or "d"`);
    switch (op) {
      case 'c':
      case 'r': {
        const after = image(event, 'after', op);
        return after instanceof RecordError ? after : { rows: [after], kinds: [INSERT] };
      }
      case 'u': {
        const before = image(event, 'before', op);
        if (before instanceof RecordError) return before;
        const after = image(event, 'after', op);
        return after instanceof RecordError ? after : { rows: [before, after], kinds: [UPDATE_BEFORE, UPDATE_AFTER] };
      }
      case 'd': {
        const before = image(event, 'before', op);
        return before instanceof RecordError ? before : { rows: [before], kinds: [DELETE] };
      }
      default:
        return new RecordError('invalid-change', `unknown "op" ${JSON.stringify(op)}; a Debezium change is "c", "r", "u" or "d"`);
    }
  };
  return {
    decode: () => changesOnly(FORMAT),
    decodeText: () => changesOnly(FORMAT),
    decodeChanges(message: SourceMessage): DecodedChanges | RecordError | null {
      const text = valueText(message.value);
      if (text === null || text instanceof RecordError) return text; // a tombstone (Debezium sends one after a delete)
      return decodeText(text);
    },
  };
}

/** Creates an encoder writing changes of `schema`'s rows as Debezium change events (Flink's serialization). */
export function createDebeziumJsonEncoder(schema: Schema, options: Readonly<Record<string, string>> = {}): RecordEncoder {
  if (isTrue(options, 'debezium-json.schema-include')) {
    throw new EddyError({
      code: ErrorCode.INVALID_OPTION,
      message: "'debezium-json.schema-include' = 'true' is only read: Eddy does not write Debezium schemas",
      hint: "remove 'debezium-json.schema-include' from the table written to",
    });
  }
  const writeImage = compileRowImageWriter(schema, timestampStandard(options, FORMAT));
  const encodeChange = (kind: RowKind, row: Row): string =>
    kind === INSERT || kind === UPDATE_AFTER ? `{"before":null,"after":${writeImage(row)},"op":"c"}` : `{"before":${writeImage(row)},"after":null,"op":"d"}`;
  return { encode: (row) => encodeChange(INSERT, row), encodeChange };
}
