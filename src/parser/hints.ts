/**
 * The inside of a hint comment after a table name: `/*+ OPTIONS('key' = 'value', ...) *\/` (Flink's dynamic
 * table options). Any other hint name, or anything that is not `'key' = 'value'` pairs, is an error at its
 * position: a hint Eddy does not act on is never ignored.
 */
import type { IToken } from 'chevrotain';
import { ErrorCode, spanOf, type Diagnostic, type Span } from '../common/errors.js';
import type * as A from './ast.js';
import { stringValue, tokenSpan } from './ast-builder-expressions.js';
import * as L from './lexer.js';

/** What Eddy accepts in a hint, for the hints of errors about them. */
export const OPTIONS_HINT_USAGE = "a hint after a table name may only be OPTIONS('key' = 'value', ...), which overrides the table's WITH options for this statement";
/** Flink's query hints, which Eddy does not have. */
export const QUERY_HINTS_UNSUPPORTED = "Flink's query hints (BROADCAST, SHUFFLE_HASH, SHUFFLE_MERGE, NEST_LOOP, LOOKUP, STATE_TTL) are not supported by Eddy";

/** The parsed hint and the problems found in it (the hint is undefined when there are problems). */
export interface ParsedHint {
  readonly hint?: A.OptionsHint;
  readonly diagnostics: readonly Diagnostic[];
}

/**
 * Parses the hint token `hint` (from `text`, the whole script, for positions): one or more comma-separated
 * `OPTIONS(...)` hints, whose options are merged (a key given twice is an error).
 */
export function parseOptionsHint(hint: IToken, text: string): ParsedHint {
  const innerStart = hint.startOffset + 3;
  const inner = hint.image.slice(3, -2);
  const lexed = L.sqlLexer.tokenize(inner);
  // Tokens at their place in the script, so spans point into it.
  const at = (t: IToken): Span => spanOf(text, innerStart + t.startOffset, innerStart + (t.endOffset ?? t.startOffset) + 1);
  const hintSpan = tokenSpan(hint);
  const fail = (message: string, span: Span, extra?: string): ParsedHint => ({
    diagnostics: [{ code: ErrorCode.UNEXPECTED_TOKEN, message, span, hint: extra ?? OPTIONS_HINT_USAGE }],
  });
  if (lexed.errors.length > 0) {
    const e = lexed.errors[0]!;
    return fail(`Unrecognized character '${inner.slice(e.offset, e.offset + e.length)}' in a hint`, spanOf(text, innerStart + e.offset, innerStart + e.offset + e.length));
  }
  const tokens = lexed.tokens;
  const options: A.TableOption[] = [];
  let i = 0;
  const endSpan = spanOf(text, hint.startOffset + hint.image.length - 2, hint.startOffset + hint.image.length);
  const expect = (type: typeof L.LParen, what: string): IToken | ParsedHint => {
    const t = tokens[i];
    if (t === undefined) return fail(`Expected ${what} in the hint, found its end`, endSpan);
    if (t.tokenType !== type) return fail(`Expected ${what} in the hint, found '${t.image}'`, at(t));
    i++;
    return t;
  };
  for (;;) {
    const name = tokens[i];
    if (name === undefined) return fail('Expected a hint name, found the end of the hint', endSpan);
    if (name.image.toUpperCase() !== 'OPTIONS') {
      const isName = /^[A-Za-z_]\w*$/.test(name.image);
      return fail(
        isName ? `Unknown hint \`${name.image}\`` : `Expected a hint name, found '${name.image}'`,
        at(name),
        isName
          ? `${OPTIONS_HINT_USAGE}; ${QUERY_HINTS_UNSUPPORTED}`
          : undefined,
      );
    }
    i++;
    const open = expect(L.LParen, "'('");
    if ('diagnostics' in open) return open;
    const before = options.length;
    while (tokens[i]?.tokenType !== L.RParen) {
      if (options.length > before) {
        const comma = expect(L.Comma, "',' or ')'");
        if ('diagnostics' in comma) return comma;
      }
      const key = expect(L.StringLiteral, "an option key in single quotes ('path')");
      if ('diagnostics' in key) return key;
      const eq = expect(L.Equals, "'='");
      if ('diagnostics' in eq) return eq;
      const value = expect(L.StringLiteral, "an option value in single quotes ('value')");
      if ('diagnostics' in value) return value;
      const option: A.TableOption = {
        kind: 'TableOption',
        key: stringValue(key),
        value: stringValue(value),
        keySpan: at(key),
        valueSpan: at(value),
        span: spanOf(text, at(key).start, at(value).end),
      };
      if (options.some((o) => o.key === option.key)) {
        return fail(`Option '${option.key}' is given twice in the hint`, option.keySpan, 'give each option once');
      }
      options.push(option);
    }
    if (options.length === before) return fail('OPTIONS() has no options', at(tokens[i]!), "write OPTIONS('key' = 'value', ...)");
    i++; // ')'
    if (tokens[i] === undefined) break;
    const comma = expect(L.Comma, "',' or the end of the hint");
    if ('diagnostics' in comma) return comma;
  }
  return { hint: { kind: 'OptionsHint', options, span: hintSpan }, diagnostics: [] };
}
