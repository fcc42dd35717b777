/**
 * What a format is made of: a decoder turning one record's text into a row, an encoder doing the reverse,
 * and the error a decoder reports for a record it cannot read (the source reports it with
 * `ConnectorContext.badRecord`, and the runtime applies the table's error policy).
 */
import type { Row } from '../../runtime/changelog.js';
import type { BadRecordKind } from '../../runtime/connector.js';

/** Why a record could not be decoded (the kinds a decoder finds; a file source adds `too-large`, `invalid-utf8`). */
export type RecordErrorKind = Extract<
  BadRecordKind,
  'invalid-json' | 'invalid-csv' | 'wrong-type' | 'missing-field' | 'missing-not-null' | 'numeric-overflow' | 'invalid-utf8' | 'empty'
>;

/**
 * A record a decoder could not read. Returned, not thrown: bad records can be frequent under
 * `errors.policy` = 'skip', and a plain object costs no stack trace.
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
