/** Where a source with `errors.policy` = 'dead-letter' sends bad records, as the session resolves it. */
import Database from 'better-sqlite3';
import { existsSync, mkdirSync } from 'node:fs';
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
 * The default table's key: a bad record is identified by its source table and its position there. Every
 * materialized view (and INSERT job) reading a source reads it on its own, so two views over one source
 * meet the same bad record twice: keyed, it is recorded once (the second write replaces the first).
 */
const DEAD_LETTER_KEY = ['source', 'location'];

/**
 * A default dead-letter table written before it had a key: its duplicates (same source and location) are
 * removed, keeping the newest, and the key becomes a unique index, so the sink can replace by it.
 */
function keyDefaultTable(path: string): void {
  if (!existsSync(path)) return;
  const db = new Database(path, { timeout: 10_000 });
  try {
    const table = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'dead_letters'").get();
    const keyed = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = 'dead_letters_record'").get();
    const hasPk = (db.prepare("SELECT COUNT(*) AS n FROM pragma_table_info('dead_letters') WHERE pk > 0").get() as { n: number }).n > 0;
    if (!table || keyed || hasPk) return;
    db.transaction(() => {
      db.exec('DELETE FROM dead_letters WHERE rowid NOT IN (SELECT MAX(rowid) FROM dead_letters GROUP BY source, location)');
      db.exec('CREATE UNIQUE INDEX dead_letters_record ON dead_letters (source, location)');
    }).immediate();
  } finally {
    db.close();
  }
}

/**
 * Where a source with `errors.policy` = 'dead-letter' sends bad records: the sink table named by
 * `errors.dead-letter.table` (with the columns source, location, kind, message, raw, ts), or by default a
 * `dead_letters` table in `dead-letters.db` in the state directory (or the current directory), keyed by
 * (source, location) so that a bad record is recorded once however many jobs read it. Undefined for
 * sources with another policy.
 */
export function deadLetterTarget(session: SessionContext, table: TableDef): DeadLetterTarget | undefined {
  if (errorPolicyOf(table.options) !== 'dead-letter') return undefined;
  const named = table.options['errors.dead-letter.table'];
  if (!named) {
    const path = join(session.stateDir ?? '.', 'dead-letters.db');
    if (session.stateDir) mkdirSync(session.stateDir, { recursive: true });
    keyDefaultTable(path);
    return { name: 'dead_letters', factory: session.connector('sqlite')!, options: { connector: 'sqlite', path, 'table-name': 'dead_letters' }, schema: DEAD_LETTER_SCHEMA, primaryKey: DEAD_LETTER_KEY };
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
