/**
 * The error policy of a source: what happens to a record that cannot be read or processed.
 *
 * - `fail` (default): the job stops with an error naming the table, the position, the kind and the text.
 * - `skip`: the record is dropped and counted (Flink's `json.ignore-parse-errors` /
 *   `csv.ignore-parse-errors` = 'true' mean this).
 * - `dead-letter`: counted, and written to the dead-letter table (source, position, kind, message, raw
 *   record, time), where SQL can query it.
 *
 * Nothing is silent: every bad record is counted per kind (`badRecords.<kind>`) and in total.
 */
import { EddyError, ErrorCode } from '../common/errors.js';
import type { Row } from './changelog.js';
import type { BadRecord } from './connector.js';
import { badRecordCounter, CounterNames, type Counter } from './metrics.js';

export type ErrorPolicy = 'fail' | 'skip' | 'dead-letter';

/** The columns of a dead-letter table, in this order. */
export const DEAD_LETTER_COLUMNS = ['source', 'location', 'kind', 'message', 'raw', 'ts'] as const;

/** The policy a table's options ask for. */
export function errorPolicyOf(options: Readonly<Record<string, string>>): ErrorPolicy {
  const policy = options['errors.policy']?.toLowerCase();
  if (policy === 'skip' || policy === 'dead-letter' || policy === 'fail') return policy;
  // The value format's switch (`json.x`, or `value.json.x` with Kafka's `value.format`), or the key format's (`key.json.x`).
  const value = (options['value.format'] ?? options['format'])?.toLowerCase();
  const key = options['key.format']?.toLowerCase();
  const switches = [value && `${value}.ignore-parse-errors`, value && `value.${value}.ignore-parse-errors`, key && `key.${key}.ignore-parse-errors`];
  if (switches.some((k) => k && options[k]?.toLowerCase() === 'true')) return 'skip';
  return 'fail';
}

const MAX_TEXT = 100;

/** The record as text for messages and the dead-letter table (bytes that are not UTF-8 as escapes). */
export function rawText(raw: string | Uint8Array): string {
  if (typeof raw === 'string') return raw;
  let out = '';
  for (const b of raw) out += b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : `\\x${b.toString(16).padStart(2, '0')}`;
  return out;
}

function truncate(text: string): string {
  return text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT)}...` : text;
}

export class BadRecordHandler {
  private readonly total: Counter;
  private readonly deadLettered: Counter;
  private readonly byKind = new Map<string, Counter>();

  /**
   * @param source the table the records come from (for messages and the dead-letter table)
   * @param deadLetter where `dead-letter` writes a record's row (columns as DEAD_LETTER_COLUMNS)
   */
  constructor(
    readonly source: string,
    readonly policy: ErrorPolicy,
    private readonly counter: (name: string) => Counter,
    private readonly deadLetter?: (row: Row) => void,
  ) {
    this.total = counter(CounterNames.badRecordsSkipped);
    this.deadLettered = counter(CounterNames.badRecordsDeadLettered);
  }

  /** Applies the policy to one bad record: throws for `fail`, else counts (and dead-letters) it. */
  report(record: BadRecord): void {
    const text = rawText(record.raw);
    if (this.policy === 'fail') {
      throw new EddyError({
        code: ErrorCode.BAD_RECORD,
        message: `Bad record in \`${this.source}\` at ${record.position} (${record.kind}): ${record.message}; record: ${truncate(text)}`,
        ...(record.span === undefined ? {} : { span: record.span }),
        hint: `to go on past bad records, add 'errors.policy' = 'skip' (they are counted) or 'dead-letter' (they are kept in a table) to the WITH options of \`${this.source}\``,
      });
    }
    let kind = this.byKind.get(record.kind);
    if (!kind) this.byKind.set(record.kind, (kind = this.counter(badRecordCounter(record.kind))));
    kind.inc();
    this.total.inc();
    if (this.policy === 'dead-letter' && this.deadLetter) {
      this.deadLettered.inc();
      this.deadLetter([this.source, record.position, record.kind, record.message, text, Date.now()]);
    }
  }
}
