/**
 * Finds where statements end in shell input: at a `;` outside string literals, backquoted names and
 * comments. The editor submits its buffer only when it ends a statement, so multi-line input is natural.
 */

/** Lexical state while scanning SQL text. */
export type ScanState = 'code' | 'string' | 'quoted' | 'line-comment' | 'block-comment';

/**
 * Scans `text` up to `end` and returns the state there, with the position where the current string or
 * quoted name started (for completion inside `'...'`).
 */
export function scanTo(text: string, end = text.length): { state: ScanState; openedAt: number } {
  let state: ScanState = 'code';
  let openedAt = -1;
  for (let i = 0; i < end; i++) {
    const c = text[i]!;
    switch (state) {
      case 'code':
        if (c === "'") (state = 'string'), (openedAt = i);
        else if (c === '`') (state = 'quoted'), (openedAt = i);
        else if (c === '-' && text[i + 1] === '-' && i + 1 < end) (state = 'line-comment'), (openedAt = i), i++;
        else if (c === '/' && text[i + 1] === '*' && i + 1 < end) (state = 'block-comment'), (openedAt = i), i++;
        break;
      case 'string':
        // A doubled quote is an escaped quote: the scan leaves and re-enters the string, which is the same.
        if (c === "'") state = 'code';
        break;
      case 'quoted':
        if (c === '`') state = 'code';
        break;
      case 'line-comment':
        if (c === '\n') state = 'code';
        break;
      case 'block-comment':
        if (c === '*' && text[i + 1] === '/' && i + 1 < end) (state = 'code'), i++;
        break;
    }
  }
  return { state, openedAt };
}

/** Complete statements (each with its `;`) and the text after the last one. */
export interface SplitResult {
  readonly statements: readonly string[];
  /** For each statement, the offset just after its `;`. */
  readonly ends: readonly number[];
  readonly rest: string;
}

/** Splits text at statement-ending semicolons. */
export function splitStatements(text: string): SplitResult {
  const statements: string[] = [];
  const ends: number[] = [];
  let start = 0;
  let state: ScanState = 'code';
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    switch (state) {
      case 'code':
        if (c === ';') {
          const stmt = text.slice(start, i + 1).trim();
          if (!isBlank(stmt.slice(0, -1))) {
            statements.push(stmt);
            ends.push(i + 1);
          }
          start = i + 1;
        } else if (c === "'") state = 'string';
        else if (c === '`') state = 'quoted';
        else if (c === '-' && text[i + 1] === '-') (state = 'line-comment'), i++;
        else if (c === '/' && text[i + 1] === '*') (state = 'block-comment'), i++;
        break;
      case 'string':
        if (c === "'") state = 'code';
        break;
      case 'quoted':
        if (c === '`') state = 'code';
        break;
      case 'line-comment':
        if (c === '\n') state = 'code';
        break;
      case 'block-comment':
        if (c === '*' && text[i + 1] === '/') (state = 'code'), i++;
        break;
    }
  }
  return { statements, ends, rest: text.slice(start) };
}

/** True when `text` holds nothing but whitespace and comments. */
export function isBlank(text: string): boolean {
  return text.replace(/--[^\n]*/g, '').replace(/\/\*[\s\S]*?\*\//g, '').trim() === '';
}

/** Commands the shell handles itself, before the SQL parser sees the input. */
export type ShellCommand = 'help' | 'quit';

/** `HELP`, `QUIT` or `EXIT` alone (case-insensitive, `;` optional), else undefined. */
export function shellCommand(text: string): ShellCommand | undefined {
  const m = /^\s*(help|\\h|\?|quit|exit|\\q)\s*;?\s*$/i.exec(text);
  if (!m) return undefined;
  const word = m[1]!.toLowerCase();
  if (word === 'help' || word === '\\h' || word === '?') return 'help';
  return 'quit';
}

/** True when pressing Enter should run the buffer: it is a shell command or ends a statement. */
export function isSubmittable(text: string): boolean {
  if (shellCommand(text)) return true;
  const { statements, rest } = splitStatements(text);
  return statements.length > 0 && isBlank(rest);
}
