/**
 * Syntax highlighting of the input: splits SQL text (complete or not) into coloured segments. Its own small
 * scanner, not the parser's lexer, because half-typed input (an open string, an unclosed comment) must
 * still colour sensibly; keywords come from the parser's keyword list.
 */
import { KEYWORDS } from '../src/index.js';

export type TokenKind = 'keyword' | 'function' | 'string' | 'number' | 'comment' | 'quoted' | 'variable' | 'name' | 'punct' | 'space';

export interface Segment {
  readonly text: string;
  readonly kind: TokenKind;
}

const KEYWORD_SET = new Set(KEYWORDS);

const RULES: readonly [RegExp, TokenKind][] = [
  [/^\s+/, 'space'],
  [/^--[^\n]*/, 'comment'],
  [/^\/\*(?:[\s\S]*?\*\/|[\s\S]*)/, 'comment'],
  [/^'(?:[^']|'')*'?/, 'string'],
  [/^`(?:[^`]|``)*`?/, 'quoted'],
  [/^\$\{[^}]*\}?/, 'variable'],
  [/^(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?/, 'number'],
  [/^[A-Za-z_][A-Za-z0-9_$]*/, 'name'],
];

/** Segments covering all of `text`, in order. */
export function highlight(text: string): Segment[] {
  const out: Segment[] = [];
  let i = 0;
  while (i < text.length) {
    const rest = text.slice(i);
    let matched: Segment | undefined;
    for (const [re, kind] of RULES) {
      const m = re.exec(rest);
      if (m && m[0].length > 0) {
        matched = { text: m[0], kind };
        break;
      }
    }
    if (!matched) matched = { text: rest[0]!, kind: 'punct' };
    if (matched.kind === 'name') {
      const after = text.slice(i + matched.text.length);
      if (/^\s*\(/.test(after) && !KEYWORD_SET.has(matched.text.toUpperCase())) matched = { ...matched, kind: 'function' };
      else if (KEYWORD_SET.has(matched.text.toUpperCase())) matched = { ...matched, kind: 'keyword' };
    }
    out.push(matched);
    i += matched.text.length;
  }
  return out;
}

/** Terminal colours per kind (ink colour names); plain names and punctuation keep the default colour. */
export const TOKEN_COLORS: Readonly<Partial<Record<TokenKind, string>>> = {
  keyword: 'blue',
  function: 'cyan',
  string: 'green',
  number: 'yellow',
  comment: 'gray',
  quoted: 'magenta',
  variable: 'magenta',
};

/** A piece of one display line: text, its token kind, and whether the cursor is on it. */
export interface LineSpan {
  readonly text: string;
  readonly kind: TokenKind;
  readonly cursor?: boolean;
}

/**
 * The input as display lines of highlighted spans, with the character under the cursor split out (a space
 * when the cursor is at the end of a line), so a view draws it inverted.
 */
export function editorLines(text: string, cursor: number): LineSpan[][] {
  const lines: LineSpan[][] = [[]];
  let offset = 0;
  const push = (t: string, kind: TokenKind, isCursor = false) => {
    if (t) lines[lines.length - 1]!.push(isCursor ? { text: t, kind, cursor: true } : { text: t, kind });
  };
  for (const seg of highlight(text)) {
    const parts = seg.text.split('\n');
    parts.forEach((part, i) => {
      if (i > 0) {
        if (offset === cursor) push(' ', 'space', true);
        offset++; // the line break
        lines.push([]);
      }
      const at = cursor - offset;
      if (at >= 0 && at < part.length) {
        push(part.slice(0, at), seg.kind);
        push(part[at]!, seg.kind, true);
        push(part.slice(at + 1), seg.kind);
      } else push(part, seg.kind);
      offset += part.length;
    });
  }
  if (cursor === text.length) push(' ', 'space', true);
  return lines;
}
