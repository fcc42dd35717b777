/** The parser's nesting checks: on a statement's tokens before parsing, and on its syntax tree after. */
import type { IToken } from 'chevrotain';
import type { Diagnostic, Span } from '../common/errors.js';
import { MAX_NESTING_DEPTH, MAX_TREE_DEPTH, TOO_MANY_NESTING_LEVELS, TOO_MANY_TREE_LEVELS, nestedTooDeeply } from '../common/nesting-limits.js';
import { tokenSpan } from './ast-builder-expressions.js';
import * as L from './lexer.js';

/**
 * Checks one statement's tokens before they are parsed: the first `(`, `[` or `CASE` that opens level
 * {@link MAX_NESTING_DEPTH} + 1 is reported. (An `END` closes a CASE only while one is open, so the END of
 * a statement set does not count.)
 */
export function tokenNestingDiagnostic(tokens: readonly IToken[]): Diagnostic | undefined {
  let depth = 0;
  let cases = 0;
  for (const t of tokens) {
    const type = t.tokenType;
    if (type === L.LParen || type === L.LBracket || type === L.Case) {
      if (type === L.Case) cases++;
      if (++depth > MAX_NESTING_DEPTH) return nestedTooDeeply(TOO_MANY_NESTING_LEVELS, tokenSpan(t));
    } else if (type === L.RParen || type === L.RBracket || (type === L.End && cases > 0)) {
      if (type === L.End) cases--;
      if (depth > 0) depth--;
    }
  }
  return undefined;
}

/**
 * Checks a syntax tree's depth (nodes are the objects with a `kind`), without recursion. The first node found
 * at level {@link MAX_TREE_DEPTH} + 1 is reported with its span.
 */
export function treeDepthDiagnostic(root: object): Diagnostic | undefined {
  const stack: { value: unknown; depth: number }[] = [{ value: root, depth: 0 }];
  while (stack.length > 0) {
    const { value, depth } = stack.pop()!;
    if (Array.isArray(value)) {
      for (const v of value) if (v !== null && typeof v === 'object') stack.push({ value: v, depth });
      continue;
    }
    const node = value as Record<string, unknown>;
    const level = typeof node['kind'] === 'string' ? depth + 1 : depth;
    if (level > MAX_TREE_DEPTH) return nestedTooDeeply(TOO_MANY_TREE_LEVELS, node['span'] as Span | undefined);
    for (const key in node) {
      if (key === 'span') continue;
      const v = node[key];
      if (v !== null && typeof v === 'object') stack.push({ value: v, depth: level });
    }
  }
  return undefined;
}
