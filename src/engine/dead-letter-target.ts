/** Where a source with `errors.policy` = 'dead-letter' sends bad records, as the session resolves it. */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { T, type Field } from '../common/types.js';
import { EddyError, ErrorCode } from '../common/errors.js';
import { physicalColumns, type TableDef } from '../planner/catalog.js';
import type { DeadLetterTarget } from '../runtime/build-job.js';
import { DEAD_LETTER_COLUMNS, errorPolicyOf } from '../runtime/bad-records.js';
import type { SessionContext } from './session-context.js';

/** The columns of the default dead-letter table. */
const DEAD_LETTER_SCHEMA: readonly Field[] = [
  { name: 'source', type: T.string() },
  { name: 'location', type: T.string() },
  { name: 'kind', type: T.string() },
  { name: 'message', type: T.string() },
  { name: 'raw', type: T.string() },
  { name: 'ts', type: T.timestampLtz(3) },
];

/**
 * Where a source with `errors.policy` = 'dead-letter' sends bad records: the sink table named by
 * `errors.dead-letter.table` (with the columns source, location, kind, message, raw, ts), or by default a
 * `dead_letters` table in `dead-letters.db` in the state directory (or the current directory).
 * Undefined for sources with another policy.
 */
export function deadLetterTarget(session: SessionContext, table: TableDef): DeadLetterTarget | undefined {
  if (errorPolicyOf(table.options) !== 'dead-letter') return undefined;
  const named = table.options['errors.dead-letter.table'];
  if (!named) {
    const path = join(session.stateDir ?? '.', 'dead-letters.db');
    if (session.stateDir) mkdirSync(session.stateDir, { recursive: true });
    return { name: 'dead_letters', factory: session.connector('sqlite')!, options: { connector: 'sqlite', path, 'table-name': 'dead_letters' }, schema: DEAD_LETTER_SCHEMA };
  }
  const entry = session.catalog.get(named);
  const factory = entry.kind === 'table' ? session.connector(entry.options['connector']) : undefined;
  if (entry.kind !== 'table' || !factory?.createSink) {
    throw new EddyError({ code: ErrorCode.INVALID_OPTION, message: `The dead-letter table '${named}' of '${table.name}' must be a table that can be written to` });
  }
  const columns = physicalColumns(entry);
  const missing = DEAD_LETTER_COLUMNS.filter((c) => !columns.some((col) => col.name.toLowerCase() === c));
  if (missing.length > 0) {
    throw new EddyError({
      code: ErrorCode.INVALID_OPTION,
      message: `The dead-letter table '${named}' lacks the column${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`,
      hint: 'declare it as (source STRING, location STRING, kind STRING, message STRING, raw STRING, ts TIMESTAMP_LTZ(3))',
    });
  }
  return { name: entry.name, factory, options: entry.options, schema: columns.map((c) => ({ name: c.name, type: c.type })) };
}
