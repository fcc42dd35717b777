/** The `csv` format: one record per line, fields by position, RFC 4180 quoting. */
import type { OptionSpec, FormatFactory } from '../../runtime/connector.js';
import type { Row } from '../../runtime/changelog.js';
import { typeToString, type Schema } from '../../common/types.js';
import { EddyError, ErrorCode } from '../../common/errors.js';
import { ConversionFailure, compileTextReader, compileTextWriter } from './convert-value.js';
import { RecordError, unexpectedFailure, valueTextDecoder, type RecordDecoder, type RecordEncoder } from './record-codec.js';
import { isTrue } from '../option-values.js';

const BOOLEAN = ['true', 'false'];

/** Options of the `csv` format (Flink's keys). */
export const CSV_OPTIONS: readonly OptionSpec[] = [
  { key: 'csv.field-delimiter', description: "The field delimiter, one character ('\\t' for a tab).", defaultValue: ',' },
  { key: 'csv.quote-character', description: 'The character enclosing quoted fields.', defaultValue: '"' },
  { key: 'csv.disable-quote-character', description: 'Read and write fields without quoting.', defaultValue: 'false', values: BOOLEAN },
  { key: 'csv.allow-comments', description: "Skip lines starting with '#'.", defaultValue: 'false', values: BOOLEAN },
  {
    key: 'csv.ignore-parse-errors',
    description: "Flink's switch for bad records: 'true' means 'errors.policy' = 'skip' (dropped and counted).",
    defaultValue: 'false',
    values: BOOLEAN,
  },
  { key: 'csv.null-literal', description: 'Text read and written as NULL (by default an empty unquoted field is NULL).' },
];

/** The `csv` format factory. */
export const csvFormat: FormatFactory = { identifier: 'csv', options: CSV_OPTIONS };

interface CsvSyntax {
  readonly delimiter: string;
  /** Undefined when quoting is disabled. */
  readonly quote: string | undefined;
  readonly nullLiteral: string | undefined;
}

function oneCharacter(options: Readonly<Record<string, string>>, key: string, fallback: string): string {
  const raw = options[key];
  if (raw === undefined) return fallback;
  const text = raw === '\\t' ? '\t' : raw;
  if (text.length !== 1) {
    throw new EddyError({ code: ErrorCode.INVALID_OPTION, message: `Option '${key}' must be a single character, got '${raw}'` });
  }
  return text;
}

function syntaxOf(options: Readonly<Record<string, string>>): CsvSyntax {
  return {
    delimiter: oneCharacter(options, 'csv.field-delimiter', ','),
    quote: isTrue(options, 'csv.disable-quote-character') ? undefined : oneCharacter(options, 'csv.quote-character', '"'),
    nullLiteral: options['csv.null-literal'],
  };
}

/** A CSV line split into fields; `quoted[i]` tells whether field i was quoted. */
interface SplitLine {
  readonly fields: string[];
  readonly quoted: boolean[];
}

/** Splits one line into fields (RFC 4180: `""` inside a quoted field is a quote); a string is an error. */
export function splitCsvLine(line: string, delimiter: string, quote: string | undefined): SplitLine | string {
  const fields: string[] = [];
  const quoted: boolean[] = [];
  let i = 0;
  for (;;) {
    if (quote !== undefined && line[i] === quote) {
      let text = '';
      let j = i + 1;
      for (;;) {
        const close = line.indexOf(quote, j);
        if (close < 0) return `unterminated quoted field starting at column ${i + 1}`;
        text += line.slice(j, close);
        if (line[close + 1] === quote) {
          text += quote;
          j = close + 2;
        } else {
          j = close + 1;
          break;
        }
      }
      if (j < line.length && line[j] !== delimiter) return `unexpected character after the closing quote at column ${j + 1}`;
      fields.push(text);
      quoted.push(true);
      if (j >= line.length) break;
      i = j + 1;
    } else {
      const end = line.indexOf(delimiter, i);
      fields.push(end < 0 ? line.slice(i) : line.slice(i, end));
      quoted.push(false);
      if (end < 0) break;
      i = end + 1;
    }
  }
  return { fields, quoted };
}

/**
 * Creates a decoder of CSV lines for `schema`: field i is column i, and the field count must match. An
 * empty unquoted field (or the `csv.null-literal` text) is NULL; an empty field of a non-STRING column too.
 * ARRAY, ROW and MAP columns are read from JSON text in the field.
 */
export function createCsvDecoder(schema: Schema, options: Readonly<Record<string, string>> = {}): RecordDecoder {
  const { delimiter, quote, nullLiteral } = syntaxOf(options);
  const allowComments = isTrue(options, 'csv.allow-comments');
  const columns = schema.map((f) => ({
    label: `column \`${f.name}\` (${typeToString(f.type)})`,
    isString: f.type.name === 'STRING',
    read: compileTextReader(f.type),
  }));
  return valueTextDecoder((text: string): Row | RecordError | null => {
    if (allowComments && text.startsWith('#')) return null;
    if (text.trim() === '' && columns.length !== 1) return new RecordError('empty', 'the record is empty');
    const split = splitCsvLine(text, delimiter, quote);
    if (typeof split === 'string') return new RecordError('invalid-csv', `invalid CSV: ${split}`);
    if (split.fields.length !== columns.length) {
      return new RecordError('invalid-csv', `expected ${columns.length} fields, found ${split.fields.length}`);
    }
    const row = new Array<unknown>(columns.length);
    for (let i = 0; i < columns.length; i++) {
      const c = columns[i]!;
      const field = split.fields[i]!;
      const isNull = split.quoted[i] ? field === '' && !c.isString : field === '' || field === nullLiteral;
      try {
        row[i] = c.read(isNull ? null : field);
      } catch (e) {
        if (e instanceof ConversionFailure) return new RecordError(e.kind, `${c.label}: ${e.message}`);
        return unexpectedFailure(c.label, e);
      }
    }
    return row;
  });
}

/**
 * Creates an encoder writing a row as one CSV line. NULL is written as the null literal (empty by default);
 * a field is quoted when it contains the delimiter, the quote, a line break, or would otherwise read back as
 * NULL (an empty string).
 */
export function createCsvEncoder(schema: Schema, options: Readonly<Record<string, string>> = {}): RecordEncoder {
  const { delimiter, quote, nullLiteral } = syntaxOf(options);
  const nullText = nullLiteral ?? '';
  const writers = schema.map((f) => compileTextWriter(f.type));
  const doubled = quote === undefined ? '' : quote + quote;
  const needsQuote = (s: string): boolean =>
    s === '' || s === nullText || s.includes(delimiter) || s.includes(quote!) || s.includes('\n') || s.includes('\r');
  return {
    encode(row: Row): string {
      let out = '';
      for (let i = 0; i < writers.length; i++) {
        if (i > 0) out += delimiter;
        const v = row[i];
        if (v === null || v === undefined) {
          out += nullText;
          continue;
        }
        const s = writers[i]!(v);
        out += quote !== undefined && needsQuote(s) ? quote + s.split(quote).join(doubled) + quote : s;
      }
      return out;
    },
  };
}
