/**
 * Lexical help for SQL text arriving over the wire: splitting a simple-protocol query string into its
 * statements (with their offsets, so error positions point into the text the client sent), and counting a
 * prepared statement's `$1`-style parameters (their values never go into the text: see pg-parameters.ts).
 *
 * Both scan the text the way Eddy's lexer does — `'strings'` with `''` escapes, `` `quoted` `` identifiers,
 * `--` and `/* *\/` comments — plus Postgres's `"quoted"` identifiers, so a `;` or `$1` inside any of them
 * is left alone.
 */

import { scanCode, statementEnds, stripComments as stripSqlComments } from '../index.js';

/** One statement of a query string. */
export interface StatementText {
  /** The statement, without the `;` that ends it. */
  readonly text: string;
  /** Where `text` starts in the whole query string (UTF-16 offset). */
  readonly offset: number;
}

/** Postgres clients quote identifiers with `"` too: a `;` or `$1` inside them is text as well. */
const PG_QUOTES = "'`\"";

/** The text without comments, trimmed (see the parser's stripComments), with Postgres's quotes. */
export function stripComments(sql: string): string {
  return stripSqlComments(sql, PG_QUOTES);
}

/**
 * Splits a query string at its top-level `;`s. Pieces holding only blanks and comments are dropped, so an
 * empty result means an empty query. A statement set (`BEGIN STATEMENT SET; INSERT ...; END`, or
 * `EXECUTE STATEMENT SET BEGIN ... END`) stays one statement, as Eddy parses it.
 */
export function splitStatements(sql: string): StatementText[] {
  const cuts = statementEnds(sql, PG_QUOTES);
  const pieces: StatementText[] = [];
  let start = 0;
  for (const end of [...cuts, sql.length]) {
    const raw = sql.slice(start, end);
    const lead = raw.length - raw.trimStart().length;
    const text = raw.trim();
    if (stripComments(text) !== '') pieces.push({ text, offset: start + lead });
    start = end + 1;
  }
  const merged: StatementText[] = [];
  for (let i = 0; i < pieces.length; i++) {
    const piece = pieces[i]!;
    const words = stripComments(piece.text);
    if (/^(BEGIN\s+STATEMENT\s+SET|EXECUTE\s+STATEMENT\s+SET\s+BEGIN\b)/i.test(words)) {
      // Up to and including the END piece (or the rest, so that Eddy reports the missing END).
      let j = i;
      while (j + 1 < pieces.length && !/^END$/i.test(stripComments(pieces[j]!.text))) j++;
      const last = pieces[j]!;
      merged.push({ text: sql.slice(piece.offset, last.offset + last.text.length), offset: piece.offset });
      i = j;
    } else merged.push(piece);
  }
  return merged;
}

/** The highest `$n` in the text outside strings, quoted names and comments (0 when it has no parameters). */
export function countParameters(sql: string): number {
  let max = 0;
  let skipUntil = -1;
  scanCode(
    sql,
    (i) => {
      if (i < skipUntil || sql[i] !== '$') return;
      // `a$1` is a name, as Eddy's lexer reads it.
      if (i > 0 && /[A-Za-z0-9_$]/.test(sql[i - 1]!)) return;
      const m = /^\$(\d+)/.exec(sql.slice(i, i + 12));
      if (!m) return;
      skipUntil = i + m[0].length;
      max = Math.max(max, Number(m[1]));
    },
    PG_QUOTES,
  );
  return max;
}
