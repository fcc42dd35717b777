/**
 * Statements Postgres clients send that are about the session rather than data: `SET client_encoding`,
 * `SHOW TimeZone`, `BEGIN`/`COMMIT`, `SELECT version()`, and queries on the system catalogs. They are
 * answered here, before Eddy's parser sees them; everything else is Eddy SQL.
 *
 * The rule that keeps the two apart: Eddy's own `SET 'key' = 'value'` quotes its key, while a Postgres
 * parameter (`SET DateStyle TO ISO`) is a bare name; Eddy's SHOW takes TABLES/VIEWS/FUNCTIONS/JOBS/...
 */
import { isValidTimeZone, T } from '../index.js';
import { stripComments } from './sql-text.js';
import type { Outcome } from './statement-outcome.js';

/** The Postgres version the server reports to clients, and what `SELECT version()` says. */
export const PG_SERVER_VERSION = '14.0';

/** A connection's Postgres parameters (names lower-case) and who it is. */
export interface PgSession {
  readonly parameters: Map<string, string>;
  readonly user: string;
  readonly database: string;
  readonly processId: number;
  readonly eddyVersion: string;
}

/** Parameters announced with ParameterStatus at startup, and again whenever SET changes them. */
export const REPORTED_PARAMETERS = ['server_version', 'server_encoding', 'client_encoding', 'application_name', 'DateStyle', 'IntervalStyle', 'integer_datetimes', 'TimeZone', 'standard_conforming_strings', 'is_superuser', 'session_authorization'] as const;

/** Default values of the Postgres parameters a session starts with. */
export function defaultParameters(user: string, applicationName = ''): Map<string, string> {
  return new Map([
    ['server_version', PG_SERVER_VERSION],
    ['server_encoding', 'UTF8'],
    ['client_encoding', 'UTF8'],
    ['application_name', applicationName],
    ['datestyle', 'ISO, MDY'],
    ['intervalstyle', 'postgres'],
    ['integer_datetimes', 'on'],
    ['timezone', 'UTC'],
    ['standard_conforming_strings', 'on'],
    ['is_superuser', 'off'],
    ['session_authorization', user],
    ['search_path', '"$user", public'],
    ['transaction_isolation', 'read committed'],
    ['extra_float_digits', '1'],
    ['max_identifier_length', '63'],
  ]);
}

/** What answering a compatibility statement gives: an outcome, or an error to report. */
export type CompatAnswer =
  | { readonly kind: 'outcome'; readonly outcome: Outcome; readonly parameterStatus?: readonly [string, string] }
  | { readonly kind: 'error'; readonly sqlstate: string; readonly message: string; readonly hint?: string };

/** Eddy's SHOW subjects: `SHOW TABLES` etc. stay Eddy statements. */
const EDDY_SHOW = /^(TABLES|VIEWS|MATERIALIZED|FUNCTIONS|JOBS|CREATE|STREAMS|QUERIES|TOPICS|CATALOGS|DATABASES|COLUMNS|CURRENT|PROPERTIES|VARIABLES)$/i;

/** Names of the system catalogs clients query for metadata (psql's `\d`, BI tools' schema browsers). */
const CATALOG = /\b(pg_catalog\s*\.|information_schema\s*\.|pg_(class|namespace|type|attribute|proc|database|settings|roles|user|tables|views|index|description|am|extension|stat_activity)\b|::\s*regclass\b|::\s*regtype\b)/i;

function command(tag: string, message = tag): CompatAnswer {
  return { kind: 'outcome', outcome: { kind: 'command', tag, message } };
}

function single(column: string, value: string): CompatAnswer {
  return { kind: 'outcome', outcome: { kind: 'rows', tag: 'SELECT 1', columns: [{ name: column, type: T.string() }], rows: [[value]] } };
}

/** The canonical spelling of a reported parameter (`DateStyle`), or the name as given. */
function displayName(lower: string): string {
  return REPORTED_PARAMETERS.find((p) => p.toLowerCase() === lower) ?? lower;
}

/** A SET value: quotes removed, list items joined as Postgres shows them. */
function setValue(raw: string): string {
  return raw
    .split(',')
    .map((part) => {
      const t = part.trim();
      return /^'.*'$/s.test(t) ? t.slice(1, -1).replace(/''/g, "'") : /^".*"$/s.test(t) ? t.slice(1, -1) : t;
    })
    .join(', ');
}

/** Answers a statement that is about the Postgres session, or returns undefined for Eddy SQL. */
export function compatAnswer(statement: string, session: PgSession): CompatAnswer | undefined {
  const text = stripComments(statement).replace(/;\s*$/, '').trim();

  const setTimeZone = /^SET\s+(?:SESSION\s+|LOCAL\s+)?TIME\s+ZONE\s+(.+)$/is.exec(text);
  const set = setTimeZone ? ['', 'timezone', setTimeZone[1]!] : /^SET\s+(?:SESSION\s+|LOCAL\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*(?:=|\bTO\b)\s*(.+)$/is.exec(text);
  if (set) {
    const name = set[1]!.toLowerCase();
    let value = setValue(set[2]!);
    if (/^(DEFAULT|LOCAL)$/i.test(value)) value = defaultParameters(session.user).get(name) ?? '';
    if (name === 'client_encoding' && !/^(utf-?8|unicode)$/i.test(value)) {
      return { kind: 'error', sqlstate: '22023', message: `Eddy sends and receives UTF8 only; client_encoding '${value}' is not supported`, hint: "SET client_encoding = 'UTF8'" };
    }
    if (name === 'client_encoding') value = 'UTF8';
    if (name === 'timezone' && !isValidTimeZone(value)) {
      return { kind: 'error', sqlstate: '22023', message: `invalid value for parameter "TimeZone": "${value}"` };
    }
    session.parameters.set(name, value);
    const reported = REPORTED_PARAMETERS.some((p) => p.toLowerCase() === name);
    return { kind: 'outcome', outcome: { kind: 'command', tag: 'SET', message: 'SET' }, parameterStatus: reported ? [displayName(name), value] : undefined };
  }

  const reset = /^RESET\s+(ALL|[A-Za-z_][A-Za-z0-9_]*)$/i.exec(text);
  if (reset) {
    const defaults = defaultParameters(session.user, session.parameters.get('application_name'));
    const name = reset[1]!.toLowerCase();
    if (name === 'all') for (const [k, v] of defaults) session.parameters.set(k, v);
    else if (defaults.has(name)) session.parameters.set(name, defaults.get(name)!);
    else session.parameters.delete(name);
    return command('RESET');
  }
  if (/^DISCARD\s+(ALL|PLANS|SEQUENCES|TEMP|TEMPORARY)$/i.test(text)) return command(text.toUpperCase().replace(/\s+/g, ' '));

  const show = /^SHOW\s+([A-Za-z_][A-Za-z0-9_]*)$/i.exec(text) ?? /^SHOW\s+(TIME\s+ZONE|TRANSACTION\s+ISOLATION\s+LEVEL)$/i.exec(text);
  if (show && !EDDY_SHOW.test(show[1]!)) {
    const name = show[1]!.toLowerCase().replace(/\s+/g, ' ');
    const key = name === 'time zone' ? 'timezone' : name === 'transaction isolation level' ? 'transaction_isolation' : name;
    if (key === 'all') {
      const rows = [...session.parameters].map(([k, v]) => [displayName(k), v]);
      return { kind: 'outcome', outcome: { kind: 'rows', tag: 'SHOW', columns: [{ name: 'name', type: T.string() }, { name: 'setting', type: T.string() }], rows } };
    }
    const value = session.parameters.get(key);
    if (value === undefined) return { kind: 'error', sqlstate: '42704', message: `unrecognized configuration parameter "${show[1]}"`, hint: 'SET lists the Eddy settings' };
    return single(key, value);
  }

  if (/^(BEGIN|START\s+TRANSACTION)(\s+(WORK|TRANSACTION|ISOLATION\s+LEVEL\s+[A-Z ]+|READ\s+(ONLY|WRITE)))*$/i.test(text)) return command('BEGIN');
  if (/^(COMMIT|END)(\s+(WORK|TRANSACTION))?$/i.test(text)) return command('COMMIT');
  if (/^(ROLLBACK|ABORT)(\s+(WORK|TRANSACTION))?$/i.test(text)) return command('ROLLBACK');
  if (/^DEALLOCATE\b/i.test(text)) return command('DEALLOCATE');

  const fn = /^SELECT\s+(version|current_database|current_schema|current_user|session_user|user|pg_backend_pid)\s*(\(\s*\))?(?:\s+AS\s+("?)([A-Za-z_][A-Za-z0-9_]*)\3)?$/i.exec(text);
  if (fn) {
    const name = fn[1]!.toLowerCase();
    const hasParens = fn[2] !== undefined;
    // Postgres spells some without parentheses (current_user) and the others only with them.
    const bare = ['current_user', 'session_user', 'user'].includes(name);
    if (hasParens !== !bare) return undefined;
    const column = fn[4] ?? (name === 'user' ? 'current_user' : name);
    const values: Record<string, string> = {
      version: `PostgreSQL ${PG_SERVER_VERSION} (Eddy ${session.eddyVersion}, a streaming SQL engine)`,
      current_database: session.database,
      current_schema: 'public',
      current_user: session.user,
      session_user: session.user,
      user: session.user,
      pg_backend_pid: String(session.processId),
    };
    if (name === 'pg_backend_pid') {
      return { kind: 'outcome', outcome: { kind: 'rows', tag: 'SELECT 1', columns: [{ name: column, type: T.int() }], rows: [[session.processId]] } };
    }
    return single(column, values[name]!);
  }

  if (CATALOG.test(text)) {
    return {
      kind: 'error',
      sqlstate: '0A000',
      message: 'Eddy has no Postgres system catalogs (pg_catalog, information_schema)',
      hint: 'SHOW TABLES lists tables and views, DESCRIBE <name> their columns',
    };
  }
  return undefined;
}
