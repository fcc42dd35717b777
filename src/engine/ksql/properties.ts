/**
 * ksqlDB's WITH properties: checked (unknown names with a suggestion, values typed as ksqlDB requires) and read
 * into what the lowering needs. Every problem is positioned at the property it is about.
 */
import type * as ast from '../../parser/ast.js';
import { EddyError, ErrorCode, didYouMean, type Diagnostic, type Span } from '../../common/errors.js';
import { KSQL_PROPERTIES, KSQL_UNSUPPORTED_PROPERTIES } from '../../parser/ksql-properties.js';

/** ksqlDB's formats and the Eddy format each maps to. */
export const KSQL_FORMATS: Readonly<Record<string, string>> = { JSON: 'json', DELIMITED: 'csv', KAFKA: 'kafka', AVRO: 'avro' };
/** Formats ksqlDB has and Eddy does not, with why. */
const UNSUPPORTED_FORMATS: Readonly<Record<string, string>> = {
  JSON_SR: 'it needs a Schema Registry',
  PROTOBUF: 'it needs a Schema Registry',
  PROTOBUF_NOSR: 'Eddy has no Protobuf format',
  NONE: 'Eddy needs a key format for key columns (leave KEY_FORMAT out for a stream without key columns)',
};

/** Properties whose value is a number (written without quotes). */
const NUMERIC = new Set(['PARTITIONS', 'REPLICAS']);

/** The checked properties of a CREATE STREAM / TABLE [AS SELECT]. */
export interface KsqlProperties {
  /** Upper-case key → value, as written. */
  readonly values: Readonly<Record<string, string>>;
  readonly topic?: string;
  /** Eddy format names (json, csv, kafka, avro). */
  readonly keyFormat?: string;
  readonly valueFormat?: string;
  readonly partitions?: number;
  readonly replicas?: number;
  readonly timestamp?: { readonly column: string; readonly span: Span };
  readonly timestampFormat?: string;
  readonly valueDelimiter?: string;
  readonly window?: { readonly type: 'TUMBLING' | 'HOPPING' | 'SESSION'; readonly sizeMs?: number };
  /** Where each property is written (its value), for later errors. */
  readonly spans: Readonly<Record<string, Span>>;
}

/** Whether an option's value was written as a string literal: `stmt`'s text tells. */
export function quotedIn(stmt: ast.StatementBase): (o: ast.TableOption) => boolean {
  return (o) => stmt.text.charAt(o.valueSpan.start - stmt.span.start) === "'";
}

/** Checks ksqlDB properties (`quoted` tells whether a value was a string literal). Throws every problem at once. */
export function readKsqlProperties(options: readonly ast.TableOption[], quoted: (o: ast.TableOption) => boolean): KsqlProperties {
  const problems: Diagnostic[] = [];
  const values: Record<string, string> = {};
  const spans: Record<string, Span> = {};
  for (const o of options) {
    const key = o.key;
    if (values[key] !== undefined) {
      problems.push({ code: ErrorCode.INVALID_OPTION, message: `Property ${key} is given twice`, span: o.keySpan });
      continue;
    }
    if (KSQL_UNSUPPORTED_PROPERTIES[key] !== undefined) {
      problems.push({ code: ErrorCode.UNSUPPORTED, message: `Property ${key} is not supported: ${KSQL_UNSUPPORTED_PROPERTIES[key]}`, span: o.keySpan, hint: 'remove it' });
      continue;
    }
    if (KSQL_PROPERTIES[key] === undefined) {
      problems.push({
        code: ErrorCode.UNKNOWN_OPTION,
        message: `Unknown property ${key}`,
        span: o.keySpan,
        hint: didYouMean(key, Object.keys(KSQL_PROPERTIES)) ?? `ksqlDB's properties here: ${Object.keys(KSQL_PROPERTIES).join(', ')}`,
      });
      continue;
    }
    if (NUMERIC.has(key)) {
      if (quoted(o) || !/^\d+$/.test(o.value) || Number(o.value) < 1) {
        problems.push({ code: ErrorCode.INVALID_OPTION, message: `${key} takes a whole number of at least 1, not ${quoted(o) ? `'${o.value}'` : o.value}`, span: o.valueSpan, hint: `${key} = ${o.value.replace(/\D/g, '') || '1'}` });
        continue;
      }
    } else if (!quoted(o)) {
      problems.push({ code: ErrorCode.INVALID_OPTION, message: `${key} takes a string, not ${o.value}`, span: o.valueSpan, hint: `${key} = '${o.value}'` });
      continue;
    }
    values[key] = o.value;
    spans[key] = o.valueSpan;
  }
  const format = (key: string): string | undefined => {
    const v = values[key];
    if (v === undefined) return undefined;
    const upper = v.toUpperCase();
    if (KSQL_FORMATS[upper] !== undefined) return KSQL_FORMATS[upper];
    const why = UNSUPPORTED_FORMATS[upper];
    problems.push({
      code: ErrorCode.UNKNOWN_FORMAT,
      message: why ? `Format ${upper} is not supported: ${why}` : `Unknown format '${v}'`,
      span: spans[key]!,
      hint: why ? undefined : (didYouMean(upper, Object.keys(KSQL_FORMATS)) ?? `one of: ${Object.keys(KSQL_FORMATS).join(', ')}`),
    });
    return undefined;
  };
  if (values['FORMAT'] !== undefined) {
    for (const k of ['KEY_FORMAT', 'VALUE_FORMAT']) {
      if (values[k] !== undefined) problems.push({ code: ErrorCode.INVALID_OPTION, message: `FORMAT sets both KEY_FORMAT and VALUE_FORMAT: give FORMAT or ${k}, not both`, span: spans[k]! });
    }
  }
  const both = format('FORMAT');
  const keyFormat = both ?? format('KEY_FORMAT');
  const valueFormat = both ?? format('VALUE_FORMAT');
  if (values['TIMESTAMP_FORMAT'] !== undefined && values['TIMESTAMP'] === undefined) {
    problems.push({ code: ErrorCode.INVALID_OPTION, message: 'TIMESTAMP_FORMAT needs TIMESTAMP (the column it reads)', span: spans['TIMESTAMP_FORMAT']! });
  }
  let valueDelimiter: string | undefined;
  if (values['VALUE_DELIMITER'] !== undefined) {
    const d = values['VALUE_DELIMITER'];
    valueDelimiter = d.toUpperCase() === 'TAB' ? '\t' : d.toUpperCase() === 'SPACE' ? ' ' : d;
    if ([...valueDelimiter].length !== 1) {
      problems.push({ code: ErrorCode.INVALID_OPTION, message: `VALUE_DELIMITER is one character (or TAB, SPACE), not '${d}'`, span: spans['VALUE_DELIMITER']! });
    }
    if (valueFormat !== undefined && valueFormat !== 'csv') {
      problems.push({ code: ErrorCode.INVALID_OPTION, message: 'VALUE_DELIMITER is for VALUE_FORMAT DELIMITED', span: spans['VALUE_DELIMITER']! });
    }
  }
  let window: KsqlProperties['window'];
  if (values['WINDOW_TYPE'] !== undefined) {
    const type = values['WINDOW_TYPE'].toUpperCase();
    if (type !== 'TUMBLING' && type !== 'HOPPING' && type !== 'SESSION') {
      problems.push({ code: ErrorCode.INVALID_OPTION, message: `WINDOW_TYPE is TUMBLING, HOPPING or SESSION, not '${values['WINDOW_TYPE']}'`, span: spans['WINDOW_TYPE']! });
    } else {
      let sizeMs: number | undefined;
      if (values['WINDOW_SIZE'] !== undefined) {
        sizeMs = parseKsqlDuration(values['WINDOW_SIZE']);
        if (sizeMs === undefined) problems.push({ code: ErrorCode.INVALID_OPTION, message: `WINDOW_SIZE is a duration such as '10 SECONDS', not '${values['WINDOW_SIZE']}'`, span: spans['WINDOW_SIZE']! });
      }
      if (type !== 'SESSION' && values['WINDOW_SIZE'] === undefined) {
        problems.push({ code: ErrorCode.MISSING_OPTION, message: `WINDOW_TYPE ${type} needs WINDOW_SIZE`, span: spans['WINDOW_TYPE']! });
      }
      if (type === 'SESSION' && values['WINDOW_SIZE'] !== undefined) {
        problems.push({ code: ErrorCode.INVALID_OPTION, message: 'A SESSION window has no WINDOW_SIZE', span: spans['WINDOW_SIZE']! });
      }
      window = { type, ...(sizeMs === undefined ? {} : { sizeMs }) };
    }
  } else if (values['WINDOW_SIZE'] !== undefined) {
    problems.push({ code: ErrorCode.INVALID_OPTION, message: 'WINDOW_SIZE needs WINDOW_TYPE', span: spans['WINDOW_SIZE']! });
  }
  if (problems.length > 0) throw new EddyError(problems);
  return {
    values,
    spans,
    ...(values['KAFKA_TOPIC'] === undefined ? {} : { topic: values['KAFKA_TOPIC'] }),
    ...(keyFormat === undefined ? {} : { keyFormat }),
    ...(valueFormat === undefined ? {} : { valueFormat }),
    ...(values['PARTITIONS'] === undefined ? {} : { partitions: Number(values['PARTITIONS']) }),
    ...(values['REPLICAS'] === undefined ? {} : { replicas: Number(values['REPLICAS']) }),
    ...(values['TIMESTAMP'] === undefined ? {} : { timestamp: { column: values['TIMESTAMP'], span: spans['TIMESTAMP']! } }),
    ...(values['TIMESTAMP_FORMAT'] === undefined ? {} : { timestampFormat: values['TIMESTAMP_FORMAT'] }),
    ...(valueDelimiter === undefined ? {} : { valueDelimiter }),
    ...(window === undefined ? {} : { window }),
  };
}

const UNIT_MS: Readonly<Record<string, number>> = {
  MILLISECOND: 1, SECOND: 1000, MINUTE: 60_000, HOUR: 3_600_000, DAY: 86_400_000,
};

/** `'10 SECONDS'` → 10000; undefined when it is not `<n> <unit>`. */
export function parseKsqlDuration(text: string): number | undefined {
  const m = /^\s*(\d+)\s+([A-Za-z]+?)S?\s*$/.exec(text);
  if (!m) return undefined;
  const unit = UNIT_MS[m[2]!.toUpperCase()];
  return unit === undefined ? undefined : Number(m[1]) * unit;
}
