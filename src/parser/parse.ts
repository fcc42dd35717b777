/** Parser entry points: split a script into statements, parse each, report every error with its position. */
import type { IToken } from 'chevrotain';
import { EddyError, ErrorCode, joinSpans, type Diagnostic } from '../common/errors.js';
import type { Expr, ParseResult, Statement } from './ast.js';
import { AstBuilder } from './ast-builder.js';
import { tokenSpan, type BuildContext } from './ast-builder-expressions.js';
import { sqlParser } from './grammar.js';
import * as L from './lexer.js';
import { nestedTooDeeply } from '../common/nesting-limits.js';
import { tokenNestingDiagnostic, treeDepthDiagnostic } from './nesting.js';
import { lexingDiagnostics, syntaxDiagnostics, unterminatedDiagnostic, type StartRule } from './parse-errors.js';

const builder = new AstBuilder();

/** One statement's tokens and the text region it owns (up to and including its `;`). */
interface Chunk {
  readonly tokens: IToken[];
  readonly regionStart: number;
  readonly regionEnd: number;
}

interface Lexed {
  readonly tokens: IToken[];
  readonly diagnostics: Diagnostic[];
}

function lex(text: string): Lexed {
  const result = L.sqlLexer.tokenize(text);
  const diagnostics = lexingDiagnostics(result.errors, text);
  const tokens: IToken[] = [];
  for (const t of result.tokens) {
    const d = unterminatedDiagnostic(t, text);
    if (d === undefined) tokens.push(t);
    else diagnostics.push(d);
  }
  diagnostics.sort((a, b) => a.span!.start - b.span!.start);
  return { tokens, diagnostics };
}

/** True when `tokens[i]` is the BEGIN of `EXECUTE STATEMENT SET BEGIN` or `BEGIN STATEMENT SET`. */
function beginsStatementSet(tokens: IToken[], i: number): boolean {
  if (tokens[i]!.tokenType !== L.Begin) return false;
  const is = (j: number, t: typeof L.Begin) => tokens[j]?.tokenType === t;
  return (is(i + 1, L.Statement) && is(i + 2, L.SetKw)) || (is(i - 1, L.SetKw) && is(i - 2, L.Statement));
}

/**
 * Splits tokens at top-level `;`. Inside a statement set (`BEGIN ... END`) the `;` between INSERTs does not
 * split; END closes the set unless it closes a CASE.
 */
function splitStatements(tokens: IToken[], textLength: number): Chunk[] {
  const chunks: Chunk[] = [];
  let current: IToken[] = [];
  let regionStart = 0;
  let inSet = false;
  let caseDepth = 0;
  tokens.forEach((t, i) => {
    if (!inSet && beginsStatementSet(tokens, i)) {
      inSet = true;
      caseDepth = 0;
    } else if (inSet && t.tokenType === L.Case) {
      caseDepth++;
    } else if (inSet && t.tokenType === L.End) {
      if (caseDepth > 0) caseDepth--;
      else inSet = false;
    }
    if (t.tokenType === L.Semicolon && !inSet) {
      chunks.push({ tokens: current, regionStart, regionEnd: t.startOffset + 1 });
      current = [];
      regionStart = t.startOffset + 1;
    } else {
      current.push(t);
    }
  });
  chunks.push({ tokens: current, regionStart, regionEnd: textLength });
  return chunks.filter((c) => c.tokens.length > 0);
}

function parameterIndexes(tokens: IToken[]): Map<number, number> {
  const map = new Map<number, number>();
  for (const t of tokens) if (t.tokenType === L.Question) map.set(t.startOffset, map.size + 1);
  return map;
}

/** Parses one chunk with `rule`; returns the node or the diagnostics. */
function parseChunk<T>(rule: StartRule, tokens: IToken[], text: string): { value?: T; diagnostics: Diagnostic[] } {
  const tooDeep = tokenNestingDiagnostic(tokens);
  if (tooDeep) return { diagnostics: [tooDeep] };
  sqlParser.input = tokens;
  const cst = guardStack(tokens, () => (rule === 'statement' ? sqlParser.statement() : sqlParser.expression()));
  if ('diagnostic' in cst) return { diagnostics: [cst.diagnostic] };
  const errors = sqlParser.errors;
  if (errors.length > 0) return { diagnostics: syntaxDiagnostics(rule, errors, tokens, text) };
  const context: BuildContext = { text, parameters: parameterIndexes(tokens), dollarParameters: tokens.some((t) => t.tokenType === L.DollarParameter), diagnostics: [] };
  const value = guardStack(tokens, () => builder.build<T>(cst.value, context));
  if ('diagnostic' in value) return { diagnostics: [value.diagnostic] };
  if (context.diagnostics.length > 0) return { diagnostics: context.diagnostics };
  const deep = treeDepthDiagnostic(value.value as object);
  if (deep) return { diagnostics: [deep] };
  return { value: value.value, diagnostics: [] };
}

/**
 * Runs a recursive step of the parse. The nesting limits keep ordinary SQL far from the stack's end, but a
 * construct they do not count (thousands of prefix operators: `NOT NOT ... x`, `- - ... 1`) could still
 * reach it: a stack overflow is then reported as the same "nested too deeply" error, at the statement.
 */
function guardStack<T>(tokens: IToken[], step: () => T): { value: T } | { diagnostic: Diagnostic } {
  try {
    return { value: step() };
  } catch (e) {
    if (!(e instanceof RangeError) || !/call stack/i.test(e.message)) throw e;
    const span = joinSpans(tokenSpan(tokens[0]!), tokenSpan(tokens[tokens.length - 1]!));
    return { diagnostic: nestedTooDeeply('the parser ran out of stack (a long run of prefix operators such as NOT or -?)', span) };
  }
}

interface ScriptParse extends ParseResult {
  readonly chunks: readonly Chunk[];
}

function parseAll(text: string): ScriptParse {
  const lexed = lex(text);
  const chunks = splitStatements(lexed.tokens, text.length);
  const statements: Statement[] = [];
  const diagnostics: Diagnostic[] = [];
  for (const chunk of chunks) {
    const lexErrors = lexed.diagnostics.filter((d) => d.span!.start >= chunk.regionStart && d.span!.start < chunk.regionEnd);
    const result = parseChunk<Statement>('statement', chunk.tokens, text);
    if (lexErrors.length > 0) {
      // A dropped character or an unclosed string causes parse errors of its own (an early end of input,
      // a token out of place after it); only errors before it are independent.
      const firstBad = lexErrors[0]!.span!.start;
      const independent = (d: Diagnostic) => d.code !== ErrorCode.UNEXPECTED_END && (d.span === undefined || d.span.start < firstBad);
      diagnostics.push(...lexErrors, ...result.diagnostics.filter(independent));
    } else if (result.value !== undefined) {
      statements.push(result.value);
    } else {
      diagnostics.push(...result.diagnostics);
    }
  }
  // Lexing errors outside any statement (e.g. an unterminated comment after the last one).
  const covered = (d: Diagnostic) => chunks.some((c) => d.span!.start >= c.regionStart && d.span!.start < c.regionEnd);
  diagnostics.push(...lexed.diagnostics.filter((d) => !covered(d)));
  diagnostics.sort((a, b) => (a.span?.start ?? 0) - (b.span?.start ?? 0));
  return { statements, diagnostics, chunks };
}

/**
 * Parses a script: statements separated by `;` (the last `;` is optional). Never throws for bad SQL: every
 * problem is in `diagnostics`, and `statements` holds those statements that parsed cleanly. An error in one
 * statement does not stop the ones after it from being parsed and checked.
 */
export function parseScript(text: string, sourceName?: string): ParseResult {
  void sourceName;
  const { statements, diagnostics } = parseAll(text);
  return { statements, diagnostics };
}

/** Where one statement of a script lies (offsets into the script, up to and including its `;`). */
export interface StatementRegion {
  readonly start: number;
  readonly end: number;
  /** Its first two words, upper-case (`['DEFINE', 'X']`, `['RUN', 'SCRIPT']`): what it is, before it is parsed. */
  readonly leading: readonly string[];
}

/**
 * Splits a script into its statements' regions without parsing them, reading the text as it is: a
 * `${name}` reference is text like any other, so the regions can be found before variables are
 * substituted statement by statement (a DEFINE applies from the next statement on).
 */
export function statementRegions(text: string): StatementRegion[] {
  return splitStatements(lex(text).tokens, text.length).map((c) => ({
    start: c.regionStart,
    end: c.regionEnd,
    leading: c.tokens.slice(0, 2).map((t) => t.image.toUpperCase()),
  }));
}

/**
 * Parses exactly one statement (a trailing `;` is allowed). Throws an {@link EddyError} carrying every
 * diagnostic and the source, for rendering, when the text is not one valid statement.
 */
export function parseStatement(text: string, sourceName?: string): Statement {
  const source = sourceName === undefined ? { text } : { text, name: sourceName };
  const { statements, diagnostics, chunks } = parseAll(text);
  if (diagnostics.length > 0) throw new EddyError(diagnostics, source);
  if (chunks.length > 1) {
    const first = chunks[1]!.tokens[0]!;
    throw new EddyError(
      {
        code: ErrorCode.UNEXPECTED_TOKEN,
        message: `Expected one statement, found ${chunks.length}`,
        span: { start: first.startOffset, end: first.endOffset! + 1, line: first.startLine!, column: first.startColumn! },
        hint: 'run a script with parseScript, or remove the statements after the first',
      },
      source,
    );
  }
  const statement = statements[0];
  if (statement === undefined) {
    throw new EddyError({ code: ErrorCode.UNEXPECTED_END, message: 'Expected a statement, found none' }, source);
  }
  return statement;
}

/** Parses a single expression (for tests and tools). Throws an {@link EddyError} on any problem. */
export function parseExpression(text: string): Expr {
  const lexed = lex(text);
  const result = parseChunk<Expr>('expression', lexed.tokens, text);
  const diagnostics = [...lexed.diagnostics, ...result.diagnostics];
  if (diagnostics.length > 0 || result.value === undefined) throw new EddyError(diagnostics, { text });
  return result.value;
}
