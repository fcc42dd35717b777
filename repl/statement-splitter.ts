/**
 * Finds where statements end in shell input: at a `;` outside string literals, backquoted names and
 * comments. The editor submits its buffer only when it ends a statement, so multi-line input is natural.
 */
import { statementEnds, stripComments } from '../src/index.js';

export { scanStateAt as scanTo, type ScanState } from '../src/index.js';

/** Complete statements (each with its `;`) and the text after the last one. */
export interface SplitResult {
  readonly statements: readonly string[];
  /** For each statement, the offset just after its `;`. */
  readonly ends: readonly number[];
  readonly rest: string;
}

/** Splits text at statement-ending semicolons; statements of only blanks and comments are dropped. */
export function splitStatements(text: string): SplitResult {
  const statements: string[] = [];
  const ends: number[] = [];
  let start = 0;
  for (const semicolon of statementEnds(text)) {
    const stmt = text.slice(start, semicolon + 1).trim();
    if (!isBlank(stmt.slice(0, -1))) {
      statements.push(stmt);
      ends.push(semicolon + 1);
    }
    start = semicolon + 1;
  }
  return { statements, ends, rest: text.slice(start) };
}

/** True when `text` holds nothing but whitespace and comments. */
export function isBlank(text: string): boolean {
  return stripComments(text) === '';
}

/** Commands the shell handles itself, before the SQL parser sees the input. */
export type ShellCommand = 'help' | 'quit' | 'clear';

/** `HELP`, `QUIT`, `EXIT` or `CLEAR` alone (case-insensitive, `;` optional), else undefined. */
export function shellCommand(text: string): ShellCommand | undefined {
  const m = /^\s*(help|\\h|\?|quit|exit|\\q|clear)\s*;?\s*$/i.exec(text);
  if (!m) return undefined;
  const word = m[1]!.toLowerCase();
  if (word === 'help' || word === '\\h' || word === '?') return 'help';
  if (word === 'clear') return 'clear';
  return 'quit';
}

/** True when pressing Enter should run the buffer: it is a shell command or ends a statement. */
export function isSubmittable(text: string): boolean {
  if (shellCommand(text)) return true;
  const { statements, rest } = splitStatements(text);
  return statements.length > 0 && isBlank(rest);
}
