/**
 * Limits on how deeply SQL may nest. The parser, the binder, the optimizer, EXPLAIN and expression
 * compilation all recurse over the tree, so a statement nested deeply enough would overflow the stack; these
 * limits turn that into a positioned "nested too deeply" error, as SQLite's parser stack limit and
 * SQLITE_MAX_EXPR_DEPTH do. docs/sql.md (Limits) documents them. The parser checks both
 * (src/parser/nesting.ts); the binder and the expression compiler check the tree depth again.
 */
import { ErrorCode, type Diagnostic, type Span } from './errors.js';

/**
 * Most levels of parentheses, brackets and CASE that may be open at once. The parser spends about a dozen
 * grammar rules per level; 100 levels stay well within Node's default stack, about 150 do not.
 */
export const MAX_NESTING_DEPTH = 100;

/**
 * Most levels of a statement's syntax tree (and of a bound expression tree). Every operator of a chain such
 * as `a + b + c` is one level; long chains of AND and OR are balanced when they are built, so they do not
 * count one level per operator.
 */
export const MAX_TREE_DEPTH = 500;

/** What went past {@link MAX_NESTING_DEPTH}, for messages. */
export const TOO_MANY_NESTING_LEVELS = `more than ${MAX_NESTING_DEPTH} levels of parentheses, brackets or CASE`;
/** What went past {@link MAX_TREE_DEPTH}, for messages. */
export const TOO_MANY_TREE_LEVELS = `more than ${MAX_TREE_DEPTH} levels of operators and function calls`;

/** The diagnostic for nesting too deep (`detail`: what went past which limit) at `span`. */
export function nestedTooDeeply(detail: string, span: Span | undefined): Diagnostic {
  return {
    code: ErrorCode.NESTED_TOO_DEEPLY,
    message: `Nested too deeply: ${detail}`,
    span,
    hint: 'split it into simpler parts (a subquery, a view, or several statements); see "Limits" in docs/sql.md',
  };
}
