/**
 * Errors and diagnostics: every problem Eddy reports carries a code, a message and, when it comes from SQL
 * text, the span of the text it is about. One renderer prints them all.
 */
import { ErrorCode } from './error-codes.js';

export { ErrorCode } from './error-codes.js';

/** A range of source text: offsets are 0-based and `end` is exclusive; lines and columns are 1-based. */
export interface Span {
  readonly start: number;
  readonly end: number;
  readonly line: number;
  readonly column: number;
}

/** One problem found in SQL text or at run time. */
export interface Diagnostic {
  readonly code: ErrorCode;
  readonly message: string;
  /** Where in the statement text the problem is, when known. */
  readonly span?: Span;
  /** A suggestion, e.g. "did you mean `window_start`?" */
  readonly hint?: string;
  /** Tokens or names that would have been accepted at this point (parse errors). */
  readonly expected?: readonly string[];
}

/** The source a span refers to, for rendering. */
export interface SourceText {
  readonly text: string;
  /** A file name or label such as `<shell>`; printed in the `-->` line. */
  readonly name?: string;
}

/**
 * The one error type Eddy throws for user-facing problems. It holds one or more diagnostics (a parse of a
 * script reports all its errors at once); `message` is the first one's message.
 */
export class EddyError extends Error {
  readonly diagnostics: readonly Diagnostic[];
  source?: SourceText;
  /** Where the error happened besides its span, innermost first (the RUN SCRIPT that ran a failing script). */
  readonly notes: string[] = [];

  constructor(diagnostics: Diagnostic | readonly Diagnostic[], source?: SourceText) {
    const list = Array.isArray(diagnostics) ? (diagnostics as readonly Diagnostic[]) : [diagnostics as Diagnostic];
    super(list.length > 0 ? list[0]!.message : 'unknown error');
    this.name = 'EddyError';
    this.diagnostics = list;
    this.source = source;
  }

  /** The code of the first diagnostic. */
  get code(): ErrorCode {
    return this.diagnostics[0]!.code;
  }

  /** Renders every diagnostic with source context (see {@link renderDiagnostic}). */
  render(options: RenderOptions = {}): string {
    return this.diagnostics.map((d) => renderDiagnostic(d, this.source, options)).join('\n\n') + this.notes.map((n) => `\n  = note: ${n}`).join('');
  }
}

/** Shorthand to throw a single diagnostic. */
export function fail(code: ErrorCode, message: string, span?: Span, hint?: string): never {
  throw new EddyError({ code, message, span, hint });
}

export interface RenderOptions {
  /** Colour the output with ANSI escapes (off by default, and off when NO_COLOR is set). */
  readonly color?: boolean;
}

/**
 * Renders a diagnostic in the style of rustc:
 *
 * ```
 * error[EDDY-P001]: Unexpected token 'FORM'; expected one of: FROM, ','
 *  --> job.sql:3:10
 *   |
 * 3 | SELECT a FORM t
 *   |          ^^^^
 *   = hint: did you mean `FROM`?
 * ```
 *
 * Carets run under the whole span; a span over several lines is underlined on its first line to the end
 * of that line.
 */
export function renderDiagnostic(d: Diagnostic, source?: SourceText, options: RenderOptions = {}): string {
  const color = options.color === true && !process.env['NO_COLOR'];
  const red = (s: string) => (color ? `\x1b[1;31m${s}\x1b[0m` : s);
  const blue = (s: string) => (color ? `\x1b[1;34m${s}\x1b[0m` : s);
  const out: string[] = [`${red(`error[${d.code}]`)}: ${d.message}`];
  if (d.span && source) {
    const lines = source.text.split('\n');
    const lineText = (lines[d.span.line - 1] ?? '').replace(/\r$/, '');
    const gutter = String(d.span.line).length;
    const pad = ' '.repeat(gutter);
    out.push(`${pad}${blue('-->')} ${source.name ?? '<input>'}:${d.span.line}:${d.span.column}`);
    out.push(`${pad} ${blue('|')}`);
    out.push(`${blue(String(d.span.line))} ${blue('|')} ${lineText}`);
    const lineStart = d.span.start - (d.span.column - 1);
    const lineEnd = lineStart + lineText.length;
    const width = Math.max(1, Math.min(d.span.end, lineEnd) - d.span.start);
    out.push(`${pad} ${blue('|')} ${' '.repeat(d.span.column - 1)}${red('^'.repeat(width))}`);
  } else if (d.span) {
    out.push(` --> line ${d.span.line}, column ${d.span.column}`);
  }
  if (d.expected && d.expected.length > 0) out.push(`${' '.repeat(2)}= expected one of: ${d.expected.join(', ')}`);
  if (d.hint) out.push(`${' '.repeat(2)}= hint: ${d.hint}`);
  return out.join('\n');
}

/** Computes the span covering [start, end) of `text` (line and column of `start`). */
export function spanOf(text: string, start: number, end: number): Span {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < start && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { start, end, line, column: start - lineStart + 1 };
}

/** The smallest span covering both. */
export function joinSpans(a: Span, b: Span): Span {
  const first = a.start <= b.start ? a : b;
  return { start: first.start, end: Math.max(a.end, b.end), line: first.line, column: first.column };
}

/** Levenshtein distance, case-insensitive. */
export function editDistance(a: string, b: string): number {
  const s = a.toLowerCase();
  const t = b.toLowerCase();
  const prev = new Array<number>(t.length + 1);
  for (let j = 0; j <= t.length; j++) prev[j] = j;
  for (let i = 1; i <= s.length; i++) {
    let diag = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= t.length; j++) {
      const up = prev[j]!;
      prev[j] = Math.min(up + 1, prev[j - 1]! + 1, diag + (s[i - 1] === t[j - 1] ? 0 : 1));
      diag = up;
    }
  }
  return prev[t.length]!;
}

/**
 * The candidate closest to `name` when it is close enough to be a likely typo (distance at most a third of
 * the length, at least 1; a case-only difference always counts), else undefined.
 */
export function closestMatch(name: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    if (c.toLowerCase() === name.toLowerCase()) return c;
    const d = editDistance(name, c);
    if (d < bestDistance) {
      bestDistance = d;
      best = c;
    }
  }
  const limit = Math.max(1, Math.floor(name.length / 3));
  return bestDistance <= limit ? best : undefined;
}

/** "did you mean `x`?" for the closest candidate, or undefined. */
export function didYouMean(name: string, candidates: Iterable<string>): string | undefined {
  const m = closestMatch(name, candidates);
  return m === undefined ? undefined : `did you mean \`${m}\`?`;
}
