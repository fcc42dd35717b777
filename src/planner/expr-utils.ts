/**
 * Small passes over bound expressions used by the binder and the optimizer: a structural key for equality,
 * the input columns an expression reads, and rewriting its column references.
 */
import type { BoundExpr } from '../expr/bound-expr.js';
import { T, typeToString, withNullable } from '../common/types.js';

/** A string equal for structurally equal expressions (same columns, functions, literals, casts). */
export function exprKey(e: BoundExpr): string {
  switch (e.kind) {
    case 'InputRef':
      return `$${e.index}`;
    case 'LiteralValue':
      return `lit(${JSON.stringify(e.value)}:${typeToString(e.type)})`;
    case 'Call':
      return `${e.fn}${e.castTo ? `<${typeToString(e.castTo)}>` : ''}(${e.args.map(exprKey).join(',')})`;
    case 'AndExpr':
      return `AND(${e.args.map(exprKey).join(',')})`;
    case 'OrExpr':
      return `OR(${e.args.map(exprKey).join(',')})`;
    case 'NotExpr':
      return `NOT(${exprKey(e.operand)})`;
    case 'IsNullExpr':
      return `${e.negated ? 'ISNOTNULL' : 'ISNULL'}(${exprKey(e.operand)})`;
    case 'CaseWhen':
      return `CASE(${e.whens.map((w) => `${exprKey(w.when)}:${exprKey(w.then)}`).join(',')};${e.otherwise ? exprKey(e.otherwise) : ''})`;
    case 'InValues':
      return `${e.negated ? 'NOTIN' : 'IN'}(${exprKey(e.operand)};${e.list.map(exprKey).join(',')})`;
  }
}

/** The sub-expressions of a node. */
export function childrenOf(e: BoundExpr): readonly BoundExpr[] {
  switch (e.kind) {
    case 'InputRef':
    case 'LiteralValue':
      return [];
    case 'Call':
    case 'AndExpr':
    case 'OrExpr':
      return e.args;
    case 'NotExpr':
    case 'IsNullExpr':
      return [e.operand];
    case 'CaseWhen':
      return [...e.whens.flatMap((w) => [w.when, w.then]), ...(e.otherwise ? [e.otherwise] : [])];
    case 'InValues':
      return [e.operand, ...e.list];
  }
}

/** The input columns an expression reads. */
export function inputRefs(e: BoundExpr, into: Set<number> = new Set()): Set<number> {
  if (e.kind === 'InputRef') into.add(e.index);
  for (const c of childrenOf(e)) inputRefs(c, into);
  return into;
}

/** Rewrites every column reference with `fn` (which returns the replacement expression). */
export function replaceInputRefs(e: BoundExpr, fn: (ref: Extract<BoundExpr, { kind: 'InputRef' }>) => BoundExpr): BoundExpr {
  switch (e.kind) {
    case 'InputRef':
      return fn(e);
    case 'LiteralValue':
      return e;
    case 'Call':
      return { ...e, args: e.args.map((a) => replaceInputRefs(a, fn)) };
    case 'AndExpr':
    case 'OrExpr':
      return { ...e, args: e.args.map((a) => replaceInputRefs(a, fn)) };
    case 'NotExpr':
    case 'IsNullExpr':
      return { ...e, operand: replaceInputRefs(e.operand, fn) };
    case 'CaseWhen':
      return {
        ...e,
        whens: e.whens.map((w) => ({ when: replaceInputRefs(w.when, fn), then: replaceInputRefs(w.then, fn) })),
        otherwise: e.otherwise ? replaceInputRefs(e.otherwise, fn) : undefined,
      };
    case 'InValues':
      return { ...e, operand: replaceInputRefs(e.operand, fn), list: e.list.map((a) => replaceInputRefs(a, fn)) };
  }
}

/** True when the expression reads no column and every call in it is deterministic. */
export function isConstant(e: BoundExpr): boolean {
  if (e.kind === 'InputRef') return false;
  if (e.kind === 'Call' && !e.deterministic) return false;
  return childrenOf(e).every(isConstant);
}

/** The conjuncts of a condition: `a AND (b AND c)` gives [a, b, c]. */
export function conjuncts(e: BoundExpr): BoundExpr[] {
  return e.kind === 'AndExpr' ? e.args.flatMap(conjuncts) : [e];
}

/** The AND of conditions (the one condition itself when there is one, the literal TRUE when there are none). */
export function conjunction(parts: readonly BoundExpr[]): BoundExpr {
  if (parts.length === 0) return { kind: 'LiteralValue', value: true, type: withNullable(T.boolean(), false) };
  return parts.length === 1 ? parts[0]! : { kind: 'AndExpr', args: parts, type: withNullable(T.boolean(), parts.some((p) => p.type.nullable)) };
}

/** True when the expression is the literal TRUE. */
export function isTrue(e: BoundExpr): boolean {
  return e.kind === 'LiteralValue' && e.value === true;
}

/** True when no call in the expression is non-deterministic (it gives the same result for the same row). */
export function isDeterministic(e: BoundExpr): boolean {
  if (e.kind === 'Call' && !e.deterministic) return false;
  return childrenOf(e).every(isDeterministic);
}

/** The expression with every column reference moved by `offset` (to read the same columns of a wider or narrower row). */
export function shiftInputRefs(e: BoundExpr, offset: number): BoundExpr {
  return offset === 0 ? e : replaceInputRefs(e, (ref) => ({ ...ref, index: ref.index + offset }));
}
