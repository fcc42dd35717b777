/** Turns lexer and parser failures into Eddy diagnostics: readable expected-token lists and typo hints. */
import { EOF, tokenMatcher, type ILexingError, type IRecognitionException, type IToken, type TokenType } from 'chevrotain';
import { ErrorCode, spanOf, type Diagnostic, type Span } from '../common/errors.js';
import { sqlParser } from './grammar.js';
import { QUERY_HINTS_UNSUPPORTED } from './hints.js';
import * as L from './lexer.js';

/** Rules the error reporter may start content assist from. */
export type StartRule = 'statement' | 'expression';

const MAX_EXPECTED = 10;

/** Tokens that can start an expression; when most are expected they collapse into `expression`. */
const EXPRESSION_START: ReadonlySet<TokenType> = new Set([
  L.NumberLiteral, L.StringLiteral, L.True, L.False, L.Null, L.Question, L.DollarParameter, L.Interval, L.Case, L.Cast, L.TryCast,
  L.Extract, L.Trim, L.Substring, L.Position, L.Floor, L.Ceil, L.Ceiling, L.Exists, L.CurrentTimestamp,
  L.CurrentDate, L.CurrentTime, L.Localtimestamp, L.Localtime, L.LParen, L.Left, L.Right, L.Identifier,
  L.QuotedIdentifier, L.Timestamp, L.TimestampLtz, L.DateKw, L.Time, L.Minus, L.Plus, L.Not,
]);

/** Tokens that continue an expression; listed only when nothing else could come next. */
const OPERATORS: ReadonlySet<TokenType> = new Set([
  L.Plus, L.Minus, L.Star, L.Slash, L.Percent, L.Concat, L.Equals, L.NotEquals, L.Less, L.LessEquals, L.Greater,
  L.GreaterEquals, L.And, L.Or, L.Is, L.In, L.Not, L.Like, L.Similar, L.Between, L.Dot, L.LParen, L.Over, L.Filter,
]);

/** How a token type is shown in "expected one of". */
function labelOf(t: TokenType): string {
  if (t === L.Identifier || t === L.QuotedIdentifier) return 'identifier';
  return t.LABEL ?? t.name;
}

/** True for keyword token types (reserved or not). */
function isKeyword(t: TokenType): boolean {
  return t.LABEL !== undefined && /^[A-Z_]+$/.test(t.LABEL) && t !== L.Identifier;
}

/** The token types that could follow `prefix`, in grammar order, without duplicates. */
export function nextTokenTypes(rule: StartRule, prefix: IToken[]): TokenType[] {
  if (prefix.length > 2000) return [];
  try {
    const paths = sqlParser.computeContentAssist(rule, prefix);
    return [...new Set(paths.map((p) => p.nextTokenType))];
  } catch {
    return [];
  }
}

/** Units listed when a time unit is expected (the plural spellings are accepted too). */
const UNIT_LABELS = ['SECOND', 'MINUTE', 'HOUR', 'DAY', 'WEEK', 'MONTH', 'YEAR'];

/** Readable, short "expected" list; `inType` shows a name as `type` (inside a data type). */
export function describeExpected(types: TokenType[], inType = false): string[] {
  let list = types;
  const hasOperator = list.some((t) => OPERATORS.has(t) && !EXPRESSION_START.has(t));
  const startsExpression = list.includes(L.NumberLiteral) && list.includes(L.StringLiteral) && list.includes(L.Case);
  const out: string[] = [];
  if (hasOperator && !startsExpression) {
    const rest = list.filter((t) => !OPERATORS.has(t));
    if (rest.length === 0) return ['operator'];
    list = rest;
  }
  for (const t of list) {
    const labels =
      t === L.TimeUnitToken
        ? UNIT_LABELS
        : [startsExpression && EXPRESSION_START.has(t) ? 'expression' : inType && t === L.Identifier ? 'type' : labelOf(t)];
    for (const label of labels) if (!out.includes(label)) out.push(label);
  }
  return out.length > MAX_EXPECTED ? [...out.slice(0, MAX_EXPECTED), '…'] : out;
}

/** Optimal-string-alignment distance (a swap of two neighbours counts as one edit), case-insensitive. */
function typoDistance(a: string, b: string): number {
  const s = a.toUpperCase();
  const t = b.toUpperCase();
  const d: number[][] = Array.from({ length: s.length + 1 }, (_, i) => [i, ...new Array<number>(t.length).fill(0)]);
  for (let j = 1; j <= t.length; j++) d[0]![j] = j;
  for (let i = 1; i <= s.length; i++) {
    for (let j = 1; j <= t.length; j++) {
      const cost = s[i - 1] === t[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && s[i - 1] === t[j - 2] && s[i - 2] === t[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[s.length]![t.length]!;
}

/** The expected keyword a word is probably a typo of. */
function keywordTypo(word: string, expected: TokenType[]): string | undefined {
  if (word.length < 2) return undefined;
  let best: string | undefined;
  let bestDistance = Infinity;
  const candidates = expected.flatMap((t) =>
    t === L.TimeUnitToken ? Object.keys(L.TIME_UNIT_SPELLINGS) : isKeyword(t) ? [t.LABEL!] : [],
  );
  for (const kw of candidates) {
    if (kw.toUpperCase() === word.toUpperCase()) return undefined; // the keyword itself, not a typo of one
    const dist = typoDistance(word, kw);
    if (dist < bestDistance) {
      best = kw;
      bestDistance = dist;
    }
  }
  return bestDistance <= Math.max(1, Math.floor(word.length / 3)) ? best : undefined;
}

function isPlainWord(t: IToken | undefined): t is IToken {
  return t !== undefined && tokenMatcher(t, L.Identifier) && t.tokenType !== L.QuotedIdentifier;
}

function describeToken(t: IToken): string {
  const image = t.image.length > 30 ? `${t.image.slice(0, 27)}...` : t.image;
  if (t.tokenType === L.StringLiteral) return `string ${image}`;
  return `'${image}'`;
}

/** Where an unmatched `(` before `end` is, if any. */
function unclosedParen(tokens: IToken[], end: number): IToken | undefined {
  const open: IToken[] = [];
  for (let i = 0; i < end; i++) {
    const t = tokens[i]!;
    if (t.tokenType === L.LParen) open.push(t);
    else if (t.tokenType === L.RParen) open.pop();
  }
  return open[open.length - 1];
}

function tokenSpan(t: IToken): Span {
  return { start: t.startOffset, end: (t.endOffset ?? t.startOffset) + 1, line: t.startLine ?? 1, column: t.startColumn ?? 1 };
}

/**
 * Converts the parser's errors for one statement (its tokens) into diagnostics: one per distinct position,
 * stopping at the end of input. Each says what was found, what would have been accepted and, for a likely
 * typo of a keyword, which keyword was meant.
 */
export function syntaxDiagnostics(rule: StartRule, errors: IRecognitionException[], tokens: IToken[], text: string): Diagnostic[] {
  const indexOf = new Map<number, number>(tokens.map((t, i) => [t.startOffset, i]));
  const out: Diagnostic[] = [];
  let last = -Infinity;
  for (const e of errors) {
    const atEnd = e.token.tokenType === EOF || Number.isNaN(e.token.startOffset);
    const index = atEnd ? tokens.length : indexOf.get(e.token.startOffset) ?? tokens.length;
    // Errors right after another one are usually its echo while the parser recovers.
    if (index <= last + 2) continue;
    last = index;
    const ruleStack = e.context?.ruleStack ?? [];
    const d = diagnose(rule, tokens, index, text, ruleStack[ruleStack.length - 1] === 'dataType');
    if (!out.some((o) => o.span?.start === d.span?.start)) out.push(d);
    if (atEnd) break;
  }
  return out;
}

function diagnose(rule: StartRule, tokens: IToken[], index: number, text: string, inType: boolean): Diagnostic {
  const expected = nextTokenTypes(rule, tokens.slice(0, index));
  const describeExpected$ = (types: TokenType[]) => describeExpected(types, inType);
  const token = tokens[index];
  const prev = tokens[index - 1];
  if (token === undefined) {
    const end = prev === undefined ? 0 : (prev.endOffset ?? prev.startOffset) + 1;
    const span = spanOf(text, end, end);
    return withHint({ code: ErrorCode.UNEXPECTED_END, message: 'Unexpected end of input', span, expected: describeExpected$(expected) }, tokens, index, expected);
  }
  if (token.tokenType === L.Hint) return misplacedHint(token);
  const base = { code: ErrorCode.UNEXPECTED_TOKEN, message: `Unexpected ${describeToken(token)}`, span: tokenSpan(token) };
  if (isPlainWord(token)) {
    const kw = keywordTypo(token.image, expected);
    if (kw !== undefined) return { ...base, expected: describeExpected$(expected), hint: `did you mean \`${kw}\`?` };
  }
  // `SELECT a FORM t`: FORM was read as an alias, so the error surfaces one word late. Blame the typo.
  if (isPlainWord(prev) && prev.image.length >= 3) {
    const before = nextTokenTypes(rule, tokens.slice(0, index - 1));
    const kw = keywordTypo(prev.image, before);
    if (kw !== undefined) {
      return {
        code: ErrorCode.UNEXPECTED_TOKEN,
        message: `Unexpected ${describeToken(prev)}`,
        span: tokenSpan(prev),
        expected: describeExpected$(before.filter((t) => t !== L.Identifier)),
        hint: `did you mean \`${kw}\`?`,
      };
    }
  }
  return withHint({ ...base, expected: describeExpected$(expected) }, tokens, index, expected);
}

/** A hint comment (`/*+ ... *\/`) where Eddy takes none: named, with where hints may go. */
function misplacedHint(token: IToken): Diagnostic {
  const name = /^\/\*\+\s*([A-Za-z_]\w*)/.exec(token.image)?.[1] ?? '';
  const shown = token.image.length > 60 ? `${token.image.slice(0, 57)}...` : token.image;
  if (name.toUpperCase() === 'OPTIONS') {
    return {
      code: ErrorCode.UNEXPECTED_TOKEN,
      message: `An OPTIONS hint is not allowed here: \`${shown}\``,
      span: tokenSpan(token),
      hint: 'write it right after the table name, before any alias: `FROM t /*+ OPTIONS(...) */ AS a`, `INSERT INTO t /*+ OPTIONS(...) */ SELECT ...`',
    };
  }
  return {
    code: ErrorCode.UNEXPECTED_TOKEN,
    message: `Hint \`${name}\` is not supported: \`${shown}\``,
    span: tokenSpan(token),
    hint: `Eddy takes one hint, OPTIONS('key' = 'value', ...) right after a table name or an INSERT target; ${QUERY_HINTS_UNSUPPORTED}`,
  };
}

function withHint(d: Diagnostic, tokens: IToken[], index: number, expected: TokenType[]): Diagnostic {
  const token = tokens[index];
  const prev = tokens[index - 1];
  if (expected.includes(L.RParen) && (token === undefined || describeExpected(expected).length === 1)) {
    const open = unclosedParen(tokens, index);
    if (open !== undefined) return { ...d, hint: `the '(' at line ${open.startLine}, column ${open.startColumn} is not closed` };
  }
  if (token !== undefined && expected.includes(L.Comma) && EXPRESSION_START.has(token.tokenType)) {
    if (isPlainWord(prev) && tokens[index - 2]?.tokenType !== L.As) {
      return { ...d, hint: `is a ',' missing? \`${prev.image}\` was read as an alias of what comes before it` };
    }
    return { ...d, hint: `is a ',' missing before ${describeToken(token)}?` };
  }
  return d;
}

/** Diagnostics for the lexer's errors (characters that start no token). */
export function lexingDiagnostics(errors: ILexingError[], text: string): Diagnostic[] {
  return errors.map((e) => {
    const chars = text.slice(e.offset, e.offset + e.length);
    const hint =
      chars.startsWith('"')
        ? "write strings in single quotes ('text') and names in backquotes (`name`)"
        : undefined;
    return {
      code: ErrorCode.UNRECOGNIZED_CHARACTER,
      message: `Unrecognized character${e.length > 1 ? 's' : ''} '${chars}'`,
      span: spanOf(text, e.offset, e.offset + e.length),
      ...(hint === undefined ? {} : { hint }),
    };
  });
}

/** The diagnostic for a token that was never closed (string, quoted name, block comment), or undefined. */
export function unterminatedDiagnostic(t: IToken, text: string): Diagnostic | undefined {
  const what =
    t.tokenType === L.UnterminatedString
      ? ['string', "'"]
      : t.tokenType === L.UnterminatedQuotedIdentifier
        ? ['quoted identifier', '`']
        : t.tokenType === L.UnterminatedComment
          ? ['comment', '*/']
          : undefined;
  if (what === undefined) return undefined;
  return {
    code: ErrorCode.UNTERMINATED,
    message: `Unterminated ${what[0]}`,
    span: spanOf(text, t.startOffset, (t.endOffset ?? t.startOffset) + 1),
    hint: `add the closing ${what[1]}`,
  };
}
