/**
 * What a format is made of: a decoder turning one record's text into a row, an encoder doing the reverse,
 * and the error a decoder reports for a record it cannot read (the source applies its error policy).
 */
import type { Row } from '../../runtime/changelog.js';

/** Why a record could not be decoded. */
export type RecordErrorKind =
  | 'invalid-json'
  | 'invalid-csv'
  | 'wrong-type'
  | 'missing-field'
  | 'missing-not-null'
  | 'empty';

/**
 * A record a decoder could not read. Returned, not thrown: bad records can be frequent under
 * `ignore-parse-errors`, and a plain object costs no stack trace.
 */
export class RecordError {
  constructor(
    readonly kind: RecordErrorKind,
    readonly message: string,
  ) {}
}

/**
 * Decodes one record (a line of a file, a Kafka message value) into a row of the schema's columns.
 * Returns null for text that is not a record at all and is skipped silently (a CSV comment line).
 */
export interface RecordDecoder {
  decode(text: string): Row | RecordError | null;
}

/** Encodes a row of the schema's columns as one record's text (without a line terminator). */
export interface RecordEncoder {
  encode(row: Row): string;
}
