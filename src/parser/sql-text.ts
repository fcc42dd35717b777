/**
 * Lexical scanning of SQL text without parsing it: where string literals, quoted names and comments are,
 * so that front-ends (the shell, the servers) can split input at `;`, find parameter markers, or tell
 * where the cursor is — the same way the lexer reads them: `'strings'` with `''` escapes, `` `names` ``,
 * `--` comments to the end of the line (`\n` or `\r`) and `/* *\/` comments.
 */

/** What is around a position of SQL text. */
export type ScanState = 'code' | 'string' | 'quoted' | 'line-comment' | 'block-comment';

/** Eddy's quote characters; the Postgres server adds `"` (its quoted identifiers). */
const EDDY_QUOTES = "'`";

/** A run starting at `i` that is not code: a quoted run or a comment, with its end and whether it is closed. */
function runAt(sql: string, i: number, quotes: string): { kind: ScanState; end: number; closed: boolean } | undefined {
  const c = sql[i]!;
  if (quotes.includes(c)) {
    let j = i + 1;
    while (j < sql.length) {
      if (sql[j] !== c) j++;
      else if (sql[j + 1] === c) j += 2;
      else return { kind: c === "'" ? 'string' : 'quoted', end: j + 1, closed: true };
    }
    return { kind: c === "'" ? 'string' : 'quoted', end: sql.length, closed: false };
  }
  if (c === '-' && sql[i + 1] === '-') {
    const m = /[\r\n]/.exec(sql.slice(i));
    return { kind: 'line-comment', end: m ? i + m.index : sql.length, closed: m !== null };
  }
  if (c === '/' && sql[i + 1] === '*') {
    const close = sql.indexOf('*/', i + 2);
    return { kind: 'block-comment', end: close < 0 ? sql.length : close + 2, closed: close >= 0 };
  }
  return undefined;
}

/** Calls `visit(index)` for each character outside string literals, quoted names and comments. */
export function scanCode(sql: string, visit: (index: number) => void, quotes = EDDY_QUOTES): void {
  let i = 0;
  while (i < sql.length) {
    const run = runAt(sql, i, quotes);
    if (run) i = run.end;
    else visit(i++);
  }
}

/**
 * The state at `end` of `text` (read up to there only), with where the open string, name or comment
 * started (-1 in code): e.g. completion inside `'...'`.
 */
export function scanStateAt(text: string, end = text.length): { state: ScanState; openedAt: number } {
  const sql = text.slice(0, end);
  let i = 0;
  while (i < sql.length) {
    const run = runAt(sql, i, EDDY_QUOTES);
    if (!run) i++;
    else if (run.closed) i = run.end;
    else return { state: run.kind, openedAt: i };
  }
  return { state: 'code', openedAt: -1 };
}

/** The offsets of the `;`s that end statements (those outside strings, names and comments). */
export function statementEnds(sql: string, quotes = EDDY_QUOTES): number[] {
  const ends: number[] = [];
  scanCode(sql, (i) => sql[i] === ';' && ends.push(i), quotes);
  return ends;
}

/** The text without comments (each replaced by a blank), trimmed: for recognizing a statement by its words. */
export function stripComments(sql: string, quotes = EDDY_QUOTES): string {
  let out = '';
  let i = 0;
  while (i < sql.length) {
    const run = runAt(sql, i, quotes);
    if (!run) out += sql[i++];
    else {
      out += run.kind === 'line-comment' || run.kind === 'block-comment' ? ' ' : sql.slice(i, run.end);
      i = run.end;
    }
  }
  return out.trim();
}
