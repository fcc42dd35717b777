/**
 * The `canal-json` format (Flink's): each record is a Canal change message `{"data": [..], "old": [..], "type":
 * "INSERT" | "UPDATE" | "DELETE", "database": .., "table": ..}` holding one or more rows, read as changes of the
 * table's rows and written from them.
 *
 * Reading: INSERT is a +I per row of `data`; UPDATE is, per row i, -U of the row before (`old[i]` holds the fields
 * that changed, the others are those of `data[i]`) then +U of `data[i]`; DELETE is a -D per row of `data`. A DDL
 * message (`"type": "CREATE"`, or `"isDdl": true`) is no record, nor one whose database or table is not included
 * (`canal-json.database.include`, `canal-json.table.include`: regular expressions the whole name must match).
 * Writing (Flink's serialization): +I and +U as `{"data":[{..}],"type":"INSERT"}`, -U and -D as `"DELETE"`.
 */
import type { FormatFactory, OptionSpec } from '../../runtime/connector.js';
import { DELETE, INSERT, UPDATE_AFTER, UPDATE_BEFORE, type Row, type RowKind } from '../../runtime/changelog.js';
import type { Schema } from '../../common/types.js';
import { EddyError, ErrorCode } from '../../common/errors.js';
import { lookupField } from './convert-value.js';
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

const FORMAT = 'canal-json';

/** Options of the `canal-json` format (Flink's keys). */
export const CANAL_JSON_OPTIONS: readonly OptionSpec[] = [
  ...changelogJsonOptions(FORMAT),
  { key: 'canal-json.database.include', description: 'Read only messages of the databases whose whole name matches this regular expression (read only).' },
  { key: 'canal-json.table.include', description: 'Read only messages of the tables whose whole name matches this regular expression (read only).' },
];

/** The `canal-json` format factory: its records are changes (retractions). */
export const canalJsonFormat: FormatFactory = {
  identifier: FORMAT,
  options: CANAL_JSON_OPTIONS,
  changelogMode: 'retract',
  checkSchema: (_schema, options) =>
    ['canal-json.database.include', 'canal-json.table.include'].flatMap((key) => {
      const problem = patternProblem(options[key]);
      return problem === undefined ? [] : [{ key, message: `Option '${key}' is not a valid regular expression: ${problem}` }];
    }),
};

function patternProblem(pattern: string | undefined): string | undefined {
  if (pattern === undefined) return undefined;
  try {
    new RegExp(pattern, 'u');
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}

/** A regular expression the whole text must match (Java's `Matcher.matches`), or undefined for none. */
function wholeMatch(pattern: string | undefined): RegExp | undefined {
  if (pattern === undefined) return undefined;
  try {
    return new RegExp(`^(?:${pattern})$`, 'u');
  } catch (e) {
    throw new EddyError({ code: ErrorCode.INVALID_OPTION, message: `Invalid regular expression '${pattern}': ${(e as Error).message}` });
  }
}

/** Creates a decoder of Canal messages into changes of `schema`'s rows. */
export function createCanalJsonDecoder(schema: Schema, options: Readonly<Record<string, string>> = {}): RecordDecoder {
  const database = wholeMatch(options['canal-json.database.include']);
  const table = wholeMatch(options['canal-json.table.include']);
  const readImage = compileRowImageReader(schema);
  const rowsOf = (message: Record<string, unknown>, field: 'data' | 'old', type: string): Record<string, unknown>[] | RecordError => {
    const v = message[field];
    if (!Array.isArray(v)) return new RecordError('invalid-change', `the "${field}" of a ${type} message must be an array of row objects, got ${v === undefined ? 'nothing' : JSON.stringify(v)?.slice(0, 40)}`);
    const bad = v.findIndex((r) => !isObject(r));
    if (bad >= 0) return new RecordError('invalid-change', `"${field}"[${bad}] of a ${type} message is not a JSON object`);
    return v as Record<string, unknown>[];
  };
  const decodeText = (text: string): DecodedChanges | RecordError | null => {
    const message = parseJsonObject(text);
    if (message instanceof RecordError) return message;
    if (database && !(typeof message['database'] === 'string' && database.test(message['database']))) return null;
    if (table && !(typeof message['table'] === 'string' && table.test(message['table']))) return null;
    const type = message['type'];
    if (type === 'CREATE' || message['isDdl'] === true) return null; // a DDL event: no rows
    if (type === undefined || type === null) return new RecordError('invalid-change', 'the message has no "type" (a Canal message has "data", "old" and "type")');
    if (type !== 'INSERT' && type !== 'UPDATE' && type !== 'DELETE') {
      return new RecordError('invalid-change', `unknown "type" ${JSON.stringify(type)}; a Canal change is "INSERT", "UPDATE" or "DELETE"`);
    }
    const data = rowsOf(message, 'data', type);
    if (data instanceof RecordError) return data;
    const out: DecodedChanges = { rows: [], kinds: [] };
    if (type === 'UPDATE') {
      const old = rowsOf(message, 'old', type);
      if (old instanceof RecordError) return old;
      if (old.length !== data.length) return new RecordError('invalid-change', `an UPDATE message has ${data.length} rows in "data" but ${old.length} in "old"`);
      for (let i = 0; i < data.length; i++) {
        const after = readImage(data[i]!, `"data"[${i}]`);
        if (after instanceof RecordError) return after;
        // `old` holds the fields that changed; a column it lacks had the value it has after.
        const changed = old[i]!;
        const image: Record<string, unknown> = {};
        for (const f of schema) {
          const v = lookupField(changed, f.name);
          image[f.name] = v === undefined ? lookupField(data[i]!, f.name) : v;
        }
        const before = readImage(image, `"old"[${i}]`);
        if (before instanceof RecordError) return before;
        out.rows.push(before, after);
        out.kinds.push(UPDATE_BEFORE, UPDATE_AFTER);
      }
      return out;
    }
    const kind = type === 'INSERT' ? INSERT : DELETE;
    for (let i = 0; i < data.length; i++) {
      const row = readImage(data[i]!, `"data"[${i}]`);
      if (row instanceof RecordError) return row;
      out.rows.push(row);
      out.kinds.push(kind);
    }
    return out;
  };
  return {
    decode: () => changesOnly(FORMAT),
    decodeText: () => changesOnly(FORMAT),
    decodeChanges(message: SourceMessage): DecodedChanges | RecordError | null {
      const text = valueText(message.value);
      if (text === null || text instanceof RecordError) return text;
      return decodeText(text);
    },
  };
}

/** Creates an encoder writing changes of `schema`'s rows as Canal messages of one row (Flink's serialization). */
export function createCanalJsonEncoder(schema: Schema, options: Readonly<Record<string, string>> = {}): RecordEncoder {
  // `canal-json.database.include` / `table.include` filter what is read; a table written to may have them too.
  const writeImage = compileRowImageWriter(schema, timestampStandard(options, FORMAT));
  const encodeChange = (kind: RowKind, row: Row): string =>
    `{"data":[${writeImage(row)}],"type":"${kind === INSERT || kind === UPDATE_AFTER ? 'INSERT' : 'DELETE'}"}`;
  return { encode: (row) => encodeChange(INSERT, row), encodeChange };
}
