/**
 * The input editor's buffer: text and a cursor, changed only by pure functions (one per editing key), so
 * every editing behaviour is tested without a terminal. Lines are separated by `\n`.
 */

export interface EditorState {
  readonly text: string;
  /** Offset into `text`, 0..text.length. */
  readonly cursor: number;
}

export const EMPTY_EDITOR: EditorState = { text: '', cursor: 0 };

/** A buffer holding `text` with the cursor at its end. */
export function editorWith(text: string): EditorState {
  return { text, cursor: text.length };
}

const isWordChar = (c: string | undefined) => c !== undefined && /[A-Za-z0-9_$]/.test(c);

export function insertText(s: EditorState, t: string): EditorState {
  return { text: s.text.slice(0, s.cursor) + t + s.text.slice(s.cursor), cursor: s.cursor + t.length };
}

export function backspace(s: EditorState): EditorState {
  if (s.cursor === 0) return s;
  return { text: s.text.slice(0, s.cursor - 1) + s.text.slice(s.cursor), cursor: s.cursor - 1 };
}

export function deleteForward(s: EditorState): EditorState {
  if (s.cursor >= s.text.length) return s;
  return { text: s.text.slice(0, s.cursor) + s.text.slice(s.cursor + 1), cursor: s.cursor };
}

export function moveLeft(s: EditorState): EditorState {
  return { ...s, cursor: Math.max(0, s.cursor - 1) };
}

export function moveRight(s: EditorState): EditorState {
  return { ...s, cursor: Math.min(s.text.length, s.cursor + 1) };
}

/** The start of the word before the cursor (skipping non-word characters first), as readline's Alt-b. */
function wordStartBefore(text: string, cursor: number): number {
  let i = cursor;
  while (i > 0 && !isWordChar(text[i - 1])) i--;
  while (i > 0 && isWordChar(text[i - 1])) i--;
  return i;
}

/** The end of the word after the cursor, as readline's Alt-f. */
function wordEndAfter(text: string, cursor: number): number {
  let i = cursor;
  while (i < text.length && !isWordChar(text[i])) i++;
  while (i < text.length && isWordChar(text[i])) i++;
  return i;
}

export function wordLeft(s: EditorState): EditorState {
  return { ...s, cursor: wordStartBefore(s.text, s.cursor) };
}

export function wordRight(s: EditorState): EditorState {
  return { ...s, cursor: wordEndAfter(s.text, s.cursor) };
}

/** Deletes the word before the cursor (Ctrl-W, Alt-Backspace). */
export function deleteWordBack(s: EditorState): EditorState {
  const start = wordStartBefore(s.text, s.cursor);
  return { text: s.text.slice(0, start) + s.text.slice(s.cursor), cursor: start };
}

/** Deletes the word after the cursor (Alt-d). */
export function deleteWordForward(s: EditorState): EditorState {
  const end = wordEndAfter(s.text, s.cursor);
  return { text: s.text.slice(0, s.cursor) + s.text.slice(end), cursor: s.cursor };
}

function lineStartOf(text: string, cursor: number): number {
  return text.lastIndexOf('\n', cursor - 1) + 1;
}

function lineEndOf(text: string, cursor: number): number {
  const nl = text.indexOf('\n', cursor);
  return nl === -1 ? text.length : nl;
}

/** Home / Ctrl-A: the start of the current line. */
export function lineStart(s: EditorState): EditorState {
  return { ...s, cursor: lineStartOf(s.text, s.cursor) };
}

/** End / Ctrl-E: the end of the current line. */
export function lineEnd(s: EditorState): EditorState {
  return { ...s, cursor: lineEndOf(s.text, s.cursor) };
}

/** Ctrl-K: deletes to the end of the line (or the line break when already there). */
export function killToLineEnd(s: EditorState): EditorState {
  const end = lineEndOf(s.text, s.cursor);
  const to = end === s.cursor && end < s.text.length ? end + 1 : end;
  return { text: s.text.slice(0, s.cursor) + s.text.slice(to), cursor: s.cursor };
}

/** Ctrl-U: deletes to the start of the line. */
export function killToLineStart(s: EditorState): EditorState {
  const start = lineStartOf(s.text, s.cursor);
  return { text: s.text.slice(0, start) + s.text.slice(s.cursor), cursor: start };
}

/** The cursor's line and column (both from 0). */
export function cursorPosition(s: EditorState): { line: number; column: number } {
  const before = s.text.slice(0, s.cursor);
  const line = before.split('\n').length - 1;
  return { line, column: s.cursor - lineStartOf(s.text, s.cursor) };
}

/**
 * Up: the same column on the line above; undefined on the first line (the shell then goes back in
 * history).
 */
export function moveUp(s: EditorState): EditorState | undefined {
  const start = lineStartOf(s.text, s.cursor);
  if (start === 0) return undefined;
  const column = s.cursor - start;
  const prevStart = lineStartOf(s.text, start - 1);
  return { ...s, cursor: Math.min(prevStart + column, start - 1) };
}

/** Down: the same column on the line below; undefined on the last line (history forward). */
export function moveDown(s: EditorState): EditorState | undefined {
  const end = lineEndOf(s.text, s.cursor);
  if (end === s.text.length) return undefined;
  const column = s.cursor - lineStartOf(s.text, s.cursor);
  const nextEnd = lineEndOf(s.text, end + 1);
  return { ...s, cursor: Math.min(end + 1 + column, nextEnd) };
}

/** Replaces [from, to) with `text`, leaving the cursor after it (completion). */
export function replaceRange(s: EditorState, from: number, to: number, text: string): EditorState {
  return { text: s.text.slice(0, from) + text + s.text.slice(to), cursor: from + text.length };
}
