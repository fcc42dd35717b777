/**
 * SQL cursors over the Postgres protocol: `DECLARE name CURSOR FOR <query>`, `FETCH [FORWARD] [n | ALL]
 * [FROM | IN] name`, `CLOSE name | ALL`. This is how psql streams with `\set FETCH_COUNT n`: it sends
 * `BEGIN`, `DECLARE _psql_cursor NO SCROLL CURSOR FOR <query>`, then `FETCH FORWARD n FROM _psql_cursor`
 * until a FETCH returns fewer than n rows, printing each batch as it comes, then `CLOSE` and `COMMIT`. A
 * push query's rows thus appear while it runs (each FETCH waits for its n rows, or the query's end).
 *
 * Cursors belong to the connection and end with the transaction (`COMMIT`, `ROLLBACK`, `END`, `ABORT`), as
 * cursors without HOLD do in Postgres; closing one (or the connection) cancels its query. Cursors scroll
 * forward only.
 */
import { EddyError, ErrorCode, type Field } from '../index.js';
import { PgError } from './pg-errors.js';
import { stripComments } from './sql-text.js';

/** Rows a cursor's query returns, taken as FETCH asks (pg-wire's RowSource). */
export interface CursorRows {
  readonly columns: readonly Field[];
  next(max: number): Promise<{ rows: readonly (readonly unknown[])[]; done: boolean }>;
  cancel(): Promise<void>;
}

/** What a cursor statement gives the connection: a command, or a FETCH's rows (at most its count). */
export type CursorResult = { readonly kind: 'command'; readonly tag: string } | { readonly kind: 'rows'; readonly source: CursorRows; readonly tag: 'FETCH' };

/** Starts a statement of the connection: a command (refused for a cursor), or its rows. */
export type StartQuery = (text: string) => Promise<{ readonly kind: 'command' } | { readonly kind: 'rows'; readonly source: CursorRows }>;

const NAME = String.raw`("(?:[^"]|"")+"|[A-Za-z_][A-Za-z0-9_$]*)`;
const DECLARE = new RegExp(String.raw`^(\s*DECLARE\s+${NAME}\s+(?:BINARY\s+)?(?:(?:ASENSITIVE|INSENSITIVE)\s+)?(?:(?:NO\s+)?SCROLL\s+)?CURSOR\s+(?:(?:WITH|WITHOUT)\s+HOLD\s+)?FOR\s)`, 'i');
const FETCH = new RegExp(String.raw`^FETCH(?:\s+(FORWARD|NEXT))?(?:\s+(ALL|\d+))?(?:\s+(?:FROM|IN))?\s+${NAME}$`, 'i');
const CLOSE = new RegExp(String.raw`^CLOSE\s+(ALL|${NAME})$`, 'i');
const TRANSACTION_END = /^(COMMIT|END|ROLLBACK|ABORT)(\s+(WORK|TRANSACTION))?$/i;

/** A cursor name as Postgres folds it: quoted names as written, others lower-cased. */
function cursorName(raw: string): string {
  return raw.startsWith('"') ? raw.slice(1, -1).replace(/""/g, '"') : raw.toLowerCase();
}

/** Statements a cursor may run: those that return rows and change nothing. */
const QUERY = /^[\s(]*(SELECT|WITH|VALUES|SHOW|DESCRIBE|DESC|EXPLAIN)\b/i;

function notAQuery(): PgError {
  return new PgError({ severity: 'ERROR', code: '42601', message: 'DECLARE CURSOR can only be used with a query that returns rows', detail: ErrorCode.PG_UNSUPPORTED });
}

function noCursor(name: string): PgError {
  return new PgError({ severity: 'ERROR', code: '34000', message: `cursor "${name}" does not exist` });
}

/** An error of the query inside a DECLARE, its positions moved to count from the DECLARE's start. */
function shifted(err: unknown, by: number): unknown {
  if (!(err instanceof EddyError) || by === 0) return err;
  const moved = new EddyError(
    err.diagnostics.map((d) => (d.span ? { ...d, span: { ...d.span, start: d.span.start + by, end: d.span.end + by } } : d)),
    err.source,
  );
  return moved;
}

/** The open cursors of one connection. */
export class PgCursors {
  private readonly open = new Map<string, CursorRows>();

  /**
   * Runs `text` when it is a cursor statement (undefined otherwise). A transaction's end (COMMIT,
   * ROLLBACK) closes every cursor and is left to the caller to answer.
   */
  async run(text: string, start: StartQuery): Promise<CursorResult | undefined> {
    const declare = DECLARE.exec(text);
    if (declare) return this.declare(cursorName(declare[2]!), text.slice(declare[1]!.length), declare[1]!.length, start);
    const bare = stripComments(text).replace(/;\s*$/, '').trim();
    if (TRANSACTION_END.test(bare)) {
      await this.closeAll();
      return undefined;
    }
    const fetch = FETCH.exec(bare);
    if (fetch) return this.fetch(cursorName(fetch[3]!), fetch[2] === undefined ? 1 : /^all$/i.test(fetch[2]) ? 0 : Number(fetch[2]));
    const close = CLOSE.exec(bare);
    if (close) {
      if (/^all$/i.test(close[1]!)) await this.closeAll();
      else {
        const name = cursorName(close[1]!);
        const cursor = this.open.get(name);
        if (!cursor) throw noCursor(name);
        this.open.delete(name);
        await cursor.cancel();
      }
      return { kind: 'command', tag: 'CLOSE CURSOR' };
    }
    return undefined;
  }

  private async declare(name: string, query: string, offset: number, start: StartQuery): Promise<CursorResult> {
    if (this.open.has(name)) throw new PgError({ severity: 'ERROR', code: '42P03', message: `cursor "${name}" already exists` });
    // Checked before running: a statement with effects (SET, INSERT, CREATE) must not run at all.
    if (!QUERY.test(stripComments(query))) throw notAQuery();
    let started;
    try {
      started = await start(query);
    } catch (err) {
      throw shifted(err, offset);
    }
    if (started.kind !== 'rows') throw notAQuery();
    this.open.set(name, started.source);
    return { kind: 'command', tag: 'DECLARE CURSOR' };
  }

  /** `FETCH n`: the next n rows (0: all), waiting for them or the query's end. */
  private fetch(name: string, count: number): CursorResult {
    const cursor = this.open.get(name);
    if (!cursor) throw noCursor(name);
    let left = count;
    let ended = false;
    const source: CursorRows = {
      columns: cursor.columns,
      async next(max: number) {
        if (ended || (count > 0 && left === 0)) return { rows: [], done: true };
        const want = count > 0 ? (max > 0 ? Math.min(max, left) : left) : max;
        const { rows, done } = await cursor.next(want);
        left -= rows.length;
        ended = done;
        return { rows, done: done || (count > 0 && left === 0) };
      },
      // Cancelling a FETCH (psql's Ctrl-C) cancels the cursor's query.
      cancel: () => cursor.cancel(),
    };
    return { kind: 'rows', source, tag: 'FETCH' };
  }

  /** Closes every cursor, cancelling their queries (a transaction's end, a closed connection). */
  async closeAll(): Promise<void> {
    const cursors = [...this.open.values()];
    this.open.clear();
    await Promise.allSettled(cursors.map((c) => c.cancel()));
  }
}
