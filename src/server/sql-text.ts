/**
 * Lexical help for SQL text arriving over the wire: splitting a simple-protocol query string into its
 * statements (with their offsets, so error positions point into the text the client sent), and binding
 * `$1`-style parameters as SQL literals (Eddy's parser has no parameter markers of its own).
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

/** The highest `$n` in the text (0 when it has no parameters). */
export function countParameters(sql: string): number {
  let max = 0;
  forEachParameter(sql, (_start, _end, n) => {
    max = Math.max(max, n);
  });
  return max;
}

function forEachParameter(sql: string, visit: (start: number, end: number, n: number) => void): void {
  let skipUntil = -1;
  const atCode = (i: number) => {
    if (i < skipUntil || sql[i] !== '$') return;
    if (i > 0 && /[A-Za-z0-9_$]/.test(sql[i - 1]!)) return;
    const m = /^\$(\d+)/.exec(sql.slice(i, i + 12));
    if (!m) return;
    skipUntil = i + m[0].length;
    visit(i, skipUntil, Number(m[1]));
  };
  scanCode(sql, atCode, PG_QUOTES);
}

/** A bound parameter: text (text format) or bytes (binary format), or null. */
export type ParameterValue = string | Uint8Array | null;

/** Why a parameter could not be bound; `index` counts from 1. */
export class ParameterError extends Error {
  constructor(
    readonly index: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * SQL string literal: `'` doubled, and `${` written `$${` so that the engine's `${name}` variable
 * substitution leaves a bound value as it is.
 */
export function quoteString(text: string): string {
  return `'${text.replace(/'/g, "''").replace(/\$\{/g, () => '$${')}'`;
}

const INTEGER = /^\s*[+-]?\d+\s*$/;
const NUMBER = /^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$/;

/** A number literal, parenthesized when negative so that `x -$1` never becomes a `--` comment. */
function numberLiteral(text: string): string {
  const t = text.trim().replace(/^\+/, '');
  return t.startsWith('-') ? `(${t})` : t;
}

/** OIDs (see types.ts) that parameters may declare; others are bound as strings. */
const OID = { bool: 16, bytea: 17, int8: 20, int2: 21, int4: 23, text: 25, float4: 700, float8: 701, unknown: 705, varchar: 1043, date: 1082, time: 1083, timestamp: 1114, numeric: 1700 } as const;

/** Reads a binary-format parameter of a declared type as the text it stands for. */
function binaryToText(bytes: Uint8Array, oid: number, index: number): string {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const need = (n: number) => {
    if (buf.length !== n) throw new ParameterError(index, `binary parameter $${index} has ${buf.length} bytes; its type needs ${n}`);
  };
  switch (oid) {
    case OID.bool:
      need(1);
      return buf[0] ? 'true' : 'false';
    case OID.int2:
      need(2);
      return String(buf.readInt16BE(0));
    case OID.int4:
      need(4);
      return String(buf.readInt32BE(0));
    case OID.int8:
      need(8);
      return buf.readBigInt64BE(0).toString();
    case OID.float4:
      need(4);
      return String(buf.readFloatBE(0));
    case OID.float8:
      need(8);
      return String(buf.readDoubleBE(0));
    case OID.text:
    case OID.varchar:
    case OID.unknown:
    case 0:
      return buf.toString('utf8');
    default:
      throw new ParameterError(index, `binary format is not supported for parameter $${index} (type OID ${oid}); send it as text`);
  }
}

/**
 * The SQL literal for one parameter. With a declared type (Parse's parameter OIDs) the value is checked
 * and written as that type; untyped parameters (what most drivers send) become a number literal when
 * their text is a number and a string literal otherwise — `CAST($1 AS STRING)` makes `'42'` a string.
 */
export function parameterLiteral(value: ParameterValue, oid: number, index: number): string {
  if (value === null) return 'NULL';
  if (oid === OID.bytea) throw new ParameterError(index, `BYTES parameters are not supported ($${index})`);
  const text = value instanceof Uint8Array ? binaryToText(value, oid, index) : value;
  if (text.includes('\0')) throw new ParameterError(index, `parameter $${index} contains a NUL character`);
  switch (oid) {
    case OID.int2:
    case OID.int4:
    case OID.int8:
      if (!INTEGER.test(text)) throw new ParameterError(index, `invalid integer for parameter $${index}: ${quoteString(text)}`);
      return numberLiteral(text);
    case OID.float4:
    case OID.float8:
    case OID.numeric: {
      if (NUMBER.test(text)) return numberLiteral(text);
      const special = /^\s*([+-]?)(nan|infinity|inf)\s*$/i.exec(text);
      if (!special) throw new ParameterError(index, `invalid number for parameter $${index}: ${quoteString(text)}`);
      const name = special[2]!.toLowerCase() === 'nan' ? 'NaN' : `${special[1] === '-' ? '-' : ''}Infinity`;
      return `CAST('${name}' AS DOUBLE)`;
    }
    case OID.bool: {
      const t = text.trim().toLowerCase();
      if (['t', 'true', 'y', 'yes', 'on', '1'].includes(t)) return 'TRUE';
      if (['f', 'false', 'n', 'no', 'off', '0'].includes(t)) return 'FALSE';
      throw new ParameterError(index, `invalid boolean for parameter $${index}: ${quoteString(text)}`);
    }
    case OID.date:
      return `DATE ${quoteString(text.trim())}`;
    case OID.time:
      return `TIME ${quoteString(text.trim())}`;
    case OID.timestamp:
      return `TIMESTAMP ${quoteString(text.trim())}`;
    case 0:
    case OID.unknown:
      return NUMBER.test(text) ? numberLiteral(text) : quoteString(text);
    default:
      return quoteString(text);
  }
}

/** A statement with its parameters bound, and how to find an offset of it in the text before binding. */
export interface BoundText {
  readonly text: string;
  /** The offset in the unbound text of an offset in `text` (inside a literal: the `$n` it replaced). */
  originalOffset(offset: number): number;
}

/**
 * Replaces each `$n` outside strings, identifiers and comments with parameter n's literal. `types` holds
 * the OIDs the client declared (missing or 0: untyped). Throws {@link ParameterError} for a `$n` with no
 * value or a value that is not valid for its declared type.
 */
export function bindParameters(sql: string, values: readonly ParameterValue[], types: readonly number[] = []): BoundText {
  let out = '';
  let last = 0;
  /** Per replacement: where it starts in the output, its length there, where it was in the input. */
  const moves: { at: number; length: number; from: number; fromEnd: number }[] = [];
  forEachParameter(sql, (start, end, n) => {
    if (n < 1 || n > values.length) throw new ParameterError(n, `there is no parameter $${n} (${values.length} bound)`);
    out += sql.slice(last, start);
    const literal = parameterLiteral(values[n - 1]!, types[n - 1] ?? 0, n);
    moves.push({ at: out.length, length: literal.length, from: start, fromEnd: end });
    out += literal;
    last = end;
  });
  return {
    text: out + sql.slice(last),
    originalOffset(offset: number): number {
      let delta = 0;
      for (const m of moves) {
        if (offset < m.at) break;
        if (offset < m.at + m.length) return m.from;
        delta = m.fromEnd - (m.at + m.length);
      }
      return offset + delta;
    },
  };
}
