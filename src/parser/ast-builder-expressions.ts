/** CST → AST for expressions and data types (the statement half is in ast-builder.ts). */
import type { CstChildrenDictionary, CstElement, CstNode, IToken } from 'chevrotain';
import { ErrorCode, joinSpans, type Diagnostic, type Span } from '../common/errors.js';
import type { DataType } from '../common/types.js';
import type * as A from './ast.js';
import { resolveDataType } from './data-type.js';
import { sqlParser } from './grammar.js';
import { QuotedIdentifier, TIME_UNIT_SPELLINGS } from './lexer.js';

/** The children of a CST node. */
export type Ctx = CstChildrenDictionary;

/** Tokens under `key`. */
export function toks(ctx: Ctx, key: string): IToken[] {
  return (ctx[key] ?? []) as IToken[];
}
/** The first token under `key`. */
export function tok(ctx: Ctx, key: string): IToken | undefined {
  return ctx[key]?.[0] as IToken | undefined;
}
/** Sub-nodes under `key`. */
export function nodes(ctx: Ctx, key: string): CstNode[] {
  return (ctx[key] ?? []) as CstNode[];
}
/** The first sub-node under `key`. */
export function node(ctx: Ctx, key: string): CstNode | undefined {
  return ctx[key]?.[0] as CstNode | undefined;
}

/** The span of one token. */
export function tokenSpan(t: IToken): Span {
  return { start: t.startOffset, end: (t.endOffset ?? t.startOffset) + 1, line: t.startLine ?? 1, column: t.startColumn ?? 1 };
}

function elementBounds(e: CstElement): { start: number; end: number; line: number; column: number } {
  if ('tokenTypeIdx' in e) return tokenSpan(e);
  const loc = e.location!;
  return { start: loc.startOffset, end: (loc.endOffset ?? loc.startOffset) + 1, line: loc.startLine ?? 1, column: loc.startColumn ?? 1 };
}

/** The span covering every child of a node. */
export function ctxSpan(ctx: Ctx): Span {
  let best: Span | undefined;
  for (const list of Object.values(ctx)) {
    for (const e of list) {
      const s = elementBounds(e);
      best = best === undefined ? s : joinSpans(best, s);
    }
  }
  return best ?? { start: 0, end: 0, line: 1, column: 1 };
}

/** The span of a CST node. */
export function nodeSpan(n: CstNode): Span {
  return elementBounds(n);
}

/** Normalizes a unit spelling (`MINUTES` → `MINUTE`). */
export function timeUnitOf(image: string): A.TimeUnit {
  return TIME_UNIT_SPELLINGS[image.toUpperCase()] as A.TimeUnit;
}

/** Per-statement state of a build: the source text, `?` numbering and the problems found. */
export interface BuildContext {
  readonly text: string;
  /** Start offset of each `?` → its 1-based index in the statement. */
  readonly parameters: ReadonlyMap<number, number>;
  /** Whether the statement has `$n` parameters too (it may not mix them with `?`). */
  readonly dollarParameters?: boolean;
  readonly diagnostics: Diagnostic[];
}

/** AND / OR chains with more terms than this are built balanced (see foldLogical). */
const BALANCE_LOGICAL_FROM = 16;

/** The highest `$n`: a Postgres Bind message carries at most 65535 values. */
const MAX_PARAMETER = 65535;

const TIMESTAMP_TEXT = /^\s*\d{4}-\d{1,2}-\d{1,2}(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?)?\s*$/;
const DATE_TEXT = /^\s*\d{4}-\d{1,2}-\d{1,2}\s*$/;
const TIME_TEXT = /^\s*\d{1,2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?\s*$/;

/**
 * Builds expressions and data types. Subclassed by {@link AstBuilder}, which adds queries and statements;
 * every method is named after the grammar rule it handles (chevrotain dispatches on that name).
 */
export abstract class ExpressionBuilder extends sqlParser.getBaseCstVisitorConstructor() {
  protected ctx: BuildContext = { text: '', parameters: new Map(), diagnostics: [] };
  /** `t.*` found in an expression, waiting for a select list to claim it (else it is an error). */
  protected readonly pendingStars = new Map<A.StarExpr, A.QualifiedName>();

  protected error(code: ErrorCode, message: string, span: Span, hint?: string): void {
    this.ctx.diagnostics.push(hint === undefined ? { code, message, span } : { code, message, span, hint });
  }

  protected expr(n: CstNode | undefined): A.Expr {
    return this.visit(n as CstNode) as A.Expr;
  }
  protected exprs(list: CstNode[]): A.Expr[] {
    return list.map((n) => this.expr(n));
  }
  protected queryOf(n: CstNode | undefined): A.Query {
    return this.visit(n as CstNode) as A.Query;
  }

  protected identifier(t: IToken): A.Identifier {
    const quoted = t.tokenType === QuotedIdentifier;
    const name = quoted ? t.image.slice(1, -1).replace(/``/g, '`') : t.image;
    return { kind: 'Identifier', name, quoted, span: tokenSpan(t) };
  }

  protected qualified(parts: A.Identifier[]): A.QualifiedName {
    return { kind: 'QualifiedName', parts, span: joinSpans(parts[0]!.span, parts[parts.length - 1]!.span) };
  }

  /** A function name: upper-cased unless quoted. */
  protected functionName(parts: A.Identifier[]): A.QualifiedName {
    return this.qualified(parts.map((p) => (p.quoted ? p : { ...p, name: p.name.toUpperCase() })));
  }

  private foldBinary(operands: CstNode[], ops: IToken[], opOf: (t: IToken) => A.BinaryOperator): A.Expr {
    let left = this.expr(operands[0]);
    // The operands' CST spans include their parentheses: `10 / (2 - 2)` spans to the last ')'.
    let span = nodeSpan(operands[0]!);
    for (let i = 1; i < operands.length; i++) {
      const right = this.expr(operands[i]);
      span = joinSpans(span, nodeSpan(operands[i]!));
      left = { kind: 'BinaryExpr', op: opOf(ops[i - 1]!), left, right, span };
    }
    return left;
  }

  /**
   * A chain of AND or of OR. Short chains nest to the left, as written; a long one (a generated `OR` of
   * thousands of terms) is built balanced, so its depth grows with the logarithm of its length and every
   * pass over the tree stays far from the stack's limit. Both operators are associative in SQL's
   * three-valued logic, and the terms are still evaluated left to right, so the result is the same.
   */
  private foldLogical(operands: CstNode[], ops: IToken[], op: 'AND' | 'OR'): A.Expr {
    if (operands.length <= BALANCE_LOGICAL_FROM) return this.foldBinary(operands, ops, () => op);
    const terms = this.exprs(operands);
    const balanced = (from: number, to: number): A.Expr => {
      if (to - from === 1) return terms[from]!;
      const mid = (from + to) >>> 1;
      const left = balanced(from, mid);
      const right = balanced(mid, to);
      return { kind: 'BinaryExpr', op, left, right, span: joinSpans(left.span, right.span) };
    };
    return balanced(0, terms.length);
  }

  expression(ctx: Ctx): A.Expr {
    return this.foldLogical(nodes(ctx, 'andExpr'), toks(ctx, 'Or'), 'OR');
  }

  andExpr(ctx: Ctx): A.Expr {
    return this.foldLogical(nodes(ctx, 'notExpr'), toks(ctx, 'And'), 'AND');
  }

  notExpr(ctx: Ctx): A.Expr {
    const not = tok(ctx, 'Not');
    if (not === undefined) return this.expr(node(ctx, 'predicate'));
    const operand = this.expr(node(ctx, 'notExpr'));
    return { kind: 'UnaryExpr', op: 'NOT', operand, span: joinSpans(tokenSpan(not), operand.span) };
  }

  predicate(ctx: Ctx): A.Expr {
    let left = this.expr(node(ctx, 'additive'));
    for (const tail of nodes(ctx, 'predicateTail')) left = this.visit(tail, left) as A.Expr;
    return left;
  }

  predicateTail(ctx: Ctx, operand: A.Expr): A.Expr {
    const span = joinSpans(operand.span, ctxSpan(ctx));
    const negated = tok(ctx, 'Not') !== undefined;
    const op = node(ctx, 'comparisonOp');
    if (op !== undefined) {
      const right = this.expr(node(ctx, 'additive'));
      return { kind: 'BinaryExpr', op: this.comparisonOp(op.children), left: operand, right, span };
    }
    if (tok(ctx, 'Is') !== undefined) {
      const other = node(ctx, 'distinctFrom');
      if (other !== undefined) {
        const right = this.expr(other);
        return { kind: 'BinaryExpr', op: negated ? 'IS NOT DISTINCT FROM' : 'IS DISTINCT FROM', left: operand, right, span };
      }
      const test = tok(ctx, 'Null') ? 'NULL' : tok(ctx, 'True') ? 'TRUE' : tok(ctx, 'False') ? 'FALSE' : 'UNKNOWN';
      return { kind: 'IsExpr', operand, test, negated, span };
    }
    if (tok(ctx, 'Between') !== undefined) {
      return {
        kind: 'BetweenExpr',
        operand,
        low: this.expr(node(ctx, 'low')),
        high: this.expr(node(ctx, 'high')),
        negated,
        symmetric: tok(ctx, 'Symmetric') !== undefined,
        span,
      };
    }
    if (tok(ctx, 'In') !== undefined) {
      const q = node(ctx, 'query');
      if (q !== undefined) return { kind: 'InSubqueryExpr', operand, query: this.queryOf(q), negated, span };
      return { kind: 'InListExpr', operand, list: this.expressionList(node(ctx, 'expressionList')!.children), negated, span };
    }
    const escape = node(ctx, 'escape');
    return {
      kind: 'LikeExpr',
      op: tok(ctx, 'Like') !== undefined ? 'LIKE' : 'SIMILAR TO',
      operand,
      pattern: this.expr(node(ctx, 'pattern')),
      ...(escape === undefined ? {} : { escape: this.expr(escape) }),
      negated,
      span,
    };
  }

  comparisonOp(ctx: Ctx): A.BinaryOperator {
    if (tok(ctx, 'Equals')) return '=';
    if (tok(ctx, 'NotEquals')) return '<>';
    if (tok(ctx, 'LessEquals')) return '<=';
    if (tok(ctx, 'Less')) return '<';
    if (tok(ctx, 'GreaterEquals')) return '>=';
    return '>';
  }

  additive(ctx: Ctx): A.Expr {
    return this.foldBinary(nodes(ctx, 'multiplicative'), toks(ctx, 'op'), (t) => t.image as A.BinaryOperator);
  }

  multiplicative(ctx: Ctx): A.Expr {
    return this.foldBinary(nodes(ctx, 'unary'), toks(ctx, 'op'), (t) => t.image as A.BinaryOperator);
  }

  unary(ctx: Ctx): A.Expr {
    const op = tok(ctx, 'op');
    if (op === undefined) return this.expr(node(ctx, 'primary'));
    const operand = this.expr(node(ctx, 'unary'));
    const span = joinSpans(tokenSpan(op), operand.span);
    if (op.image === '-' && operand.kind === 'IntervalLiteral') {
      // `-INTERVAL '1' DAY` is folded into the literal, as a leading minus inside the quotes would be.
      const value = operand.value.trimStart().startsWith('-') ? operand.value.trimStart().slice(1) : `-${operand.value}`;
      return { ...operand, value, span };
    }
    return { kind: 'UnaryExpr', op: op.image === '-' ? '-' : '+', operand, span };
  }

  primary(ctx: Ctx): A.Expr {
    const number = tok(ctx, 'NumberLiteral');
    if (number !== undefined) {
      const text = number.image;
      return { kind: 'Literal', type: 'number', text, isInteger: /^\d+$/.test(text), isApprox: /e/i.test(text), span: tokenSpan(number) };
    }
    const str = tok(ctx, 'StringLiteral');
    if (str !== undefined) return { kind: 'Literal', type: 'string', value: stringValue(str), span: tokenSpan(str) };
    const bool = tok(ctx, 'True') ?? tok(ctx, 'False');
    if (bool !== undefined) return { kind: 'Literal', type: 'boolean', value: bool.image.toUpperCase() === 'TRUE', span: tokenSpan(bool) };
    const nul = tok(ctx, 'Null');
    if (nul !== undefined) return { kind: 'Literal', type: 'null', span: tokenSpan(nul) };
    const q = tok(ctx, 'Question');
    if (q !== undefined) {
      if (this.ctx.dollarParameters) {
        this.error(ErrorCode.UNEXPECTED_TOKEN, 'A statement cannot mix `?` and `$n` parameters', tokenSpan(q), 'number every parameter: $1, $2, ...');
      }
      return { kind: 'ParameterExpr', index: this.ctx.parameters.get(q.startOffset) ?? 1, marker: '?', span: tokenSpan(q) };
    }
    const dollar = tok(ctx, 'DollarParameter');
    if (dollar !== undefined) {
      const index = Number(dollar.image.slice(1));
      if (!(index >= 1 && index <= MAX_PARAMETER)) {
        this.error(ErrorCode.INVALID_PARAMETER, `There is no parameter ${dollar.image}: parameters are numbered from $1 to $${MAX_PARAMETER}`, tokenSpan(dollar));
      }
      return { kind: 'ParameterExpr', index, marker: '$', span: tokenSpan(dollar) };
    }
    const child = Object.values(ctx)[0]![0] as CstNode;
    return this.expr(child);
  }

  typedLiteral(ctx: Ctx): A.TypedLiteral {
    const type = tok(ctx, 'type')!.image.toUpperCase() as A.TypedLiteral['type'];
    const str = tok(ctx, 'StringLiteral')!;
    const value = stringValue(str);
    const pattern = type === 'DATE' ? DATE_TEXT : type === 'TIME' ? TIME_TEXT : TIMESTAMP_TEXT;
    if (!pattern.test(value)) {
      const example = type === 'DATE' ? "'2024-01-31'" : type === 'TIME' ? "'12:30:00'" : "'2024-01-31 12:30:00'";
      this.error(ErrorCode.INVALID_LITERAL, `Invalid ${type} literal '${value}'`, tokenSpan(str), `write it like ${type} ${example}`);
    }
    return { kind: 'TypedLiteral', type, value, span: ctxSpan(ctx) };
  }

  intervalLiteral(ctx: Ctx): A.IntervalLiteral {
    const raw = stringValue(tok(ctx, 'StringLiteral')!);
    const value = tok(ctx, 'Minus') === undefined ? raw : raw.trimStart().startsWith('-') ? raw.trimStart().slice(1) : `-${raw}`;
    const to = node(ctx, 'to');
    return {
      kind: 'IntervalLiteral',
      value,
      from: this.timeUnit(node(ctx, 'from')!.children),
      ...(to === undefined ? {} : { to: this.timeUnit(to.children) }),
      span: ctxSpan(ctx),
    };
  }

  timeUnit(ctx: Ctx): A.TimeUnit {
    return timeUnitOf(tok(ctx, 'TimeUnitToken')!.image);
  }

  caseExpr(ctx: Ctx): A.CaseExpr {
    const whens = nodes(ctx, 'when');
    const thens = nodes(ctx, 'then');
    const operand = node(ctx, 'operand');
    const otherwise = node(ctx, 'else');
    return {
      kind: 'CaseExpr',
      ...(operand === undefined ? {} : { operand: this.expr(operand) }),
      whens: whens.map((w, i) => ({ when: this.expr(w), then: this.expr(thens[i]) })),
      ...(otherwise === undefined ? {} : { else: this.expr(otherwise) }),
      span: ctxSpan(ctx),
    };
  }

  castExpr(ctx: Ctx): A.CastExpr {
    const typeNode = node(ctx, 'dataType')!;
    return {
      kind: 'CastExpr',
      operand: this.expr(node(ctx, 'expression')),
      type: this.dataType(typeNode.children),
      typeSpan: nodeSpan(typeNode),
      safe: tok(ctx, 'TryCast') !== undefined,
      span: ctxSpan(ctx),
    };
  }

  extractExpr(ctx: Ctx): A.ExtractExpr {
    return { kind: 'ExtractExpr', unit: timeUnitOf(tok(ctx, 'TimeUnitToken')!.image), operand: this.expr(node(ctx, 'expression')), span: ctxSpan(ctx) };
  }

  trimExpr(ctx: Ctx): A.Expr {
    const span = ctxSpan(ctx);
    const mode = (tok(ctx, 'mode')?.image.toUpperCase() ?? 'BOTH') as A.TrimExpr['mode'];
    const first = node(ctx, 'first');
    const second = node(ctx, 'second');
    const operandNode = tok(ctx, 'From') !== undefined ? second : first;
    if (operandNode === undefined) {
      this.error(ErrorCode.UNEXPECTED_TOKEN, 'TRIM needs the string to trim', tokenSpan(tok(ctx, 'RParen') ?? tok(ctx, 'Trim')!));
      return { kind: 'Literal', type: 'null', span };
    }
    const chars = tok(ctx, 'From') !== undefined && first !== undefined ? this.expr(first) : undefined;
    return { kind: 'TrimExpr', mode, ...(chars === undefined ? {} : { chars }), operand: this.expr(operandNode), span };
  }

  private call(name: string, nameToken: IToken, args: A.Expr[], span: Span): A.FunctionCall {
    const id: A.Identifier = { kind: 'Identifier', name, quoted: false, span: tokenSpan(nameToken) };
    return { kind: 'FunctionCall', name: this.qualified([id]), args, distinct: false, star: false, noParens: false, span };
  }

  substringExpr(ctx: Ctx): A.FunctionCall {
    return this.call('SUBSTRING', tok(ctx, 'Substring')!, this.exprs(nodes(ctx, 'expression')), ctxSpan(ctx));
  }

  positionExpr(ctx: Ctx): A.FunctionCall {
    const args = [this.expr(node(ctx, 'additive')), this.expr(node(ctx, 'expression'))];
    return this.call('POSITION', tok(ctx, 'Position')!, args, ctxSpan(ctx));
  }

  floorCeilExpr(ctx: Ctx): A.Expr {
    const fnTok = tok(ctx, 'fn')!;
    const fn = fnTok.image.toUpperCase() === 'FLOOR' ? 'FLOOR' : 'CEIL';
    const operand = this.expr(node(ctx, 'expression'));
    const unit = tok(ctx, 'TimeUnitToken');
    if (unit === undefined) return this.call(fn, fnTok, [operand], ctxSpan(ctx));
    return { kind: 'TimeFloorExpr', fn, operand, unit: timeUnitOf(unit.image), span: ctxSpan(ctx) };
  }

  existsExpr(ctx: Ctx): A.ExistsExpr {
    return { kind: 'ExistsExpr', query: this.queryOf(node(ctx, 'query')), span: ctxSpan(ctx) };
  }

  niladic(ctx: Ctx): A.FunctionCall {
    const t = tok(ctx, 'fn')!;
    return { ...this.call(t.image.toUpperCase(), t, [], tokenSpan(t)), noParens: true };
  }

  parenExpr(ctx: Ctx): A.Expr {
    const q = node(ctx, 'query');
    if (q !== undefined) return { kind: 'ScalarSubquery', query: this.queryOf(q), span: ctxSpan(ctx) };
    return this.expr(node(ctx, 'expression'));
  }

  keywordCall(ctx: Ctx): A.FunctionCall {
    const t = tok(ctx, 'fn')!;
    const args = this.callArgs(node(ctx, 'callArgs')!.children);
    return { ...this.call(t.image.toUpperCase(), t, args.args, ctxSpan(ctx)), star: args.star, distinct: args.distinct };
  }

  nameOrCall(ctx: Ctx): A.Expr {
    const span = ctxSpan(ctx);
    const parts = toks(ctx, 'Identifier').map((t) => this.identifier(t));
    const star = tok(ctx, 'Star');
    const argsNode = node(ctx, 'callArgs');
    if (star !== undefined) {
      const expr: A.StarExpr = { kind: 'StarExpr', span };
      this.pendingStars.set(expr, this.qualified(parts));
      if (argsNode !== undefined) this.error(ErrorCode.UNEXPECTED_TOKEN, "Unexpected '('", nodeSpan(argsNode));
      return expr;
    }
    if (argsNode === undefined) return { kind: 'ColumnRef', name: this.qualified(parts), span };
    const { args, star: argStar, distinct } = this.callArgs(argsNode.children);
    const name = this.functionName(parts);
    const filter = node(ctx, 'filter');
    const over = node(ctx, 'overClause');
    const fnName = name.parts.length === 1 ? name.parts[0]!.name : '';
    const first = args[0];
    if ((fnName === 'TIMESTAMPDIFF' || fnName === 'TIMESTAMPADD') && first?.kind === 'ColumnRef' && first.name.parts.length === 1) {
      const part = first.name.parts[0]!;
      const unit = part.quoted ? undefined : TIME_UNIT_SPELLINGS[part.name.toUpperCase()];
      if (unit !== undefined) args[0] = { kind: 'TimeUnitArg', unit: unit as A.TimeUnit, span: first.span };
    }
    return {
      kind: 'FunctionCall',
      name,
      args,
      distinct,
      star: argStar,
      noParens: false,
      ...(filter === undefined ? {} : { filter: this.expr(filter) }),
      ...(over === undefined ? {} : { over: this.overClause(over.children) }),
      span,
    };
  }

  callArgs(ctx: Ctx): { args: A.Expr[]; star: boolean; distinct: boolean } {
    const list = node(ctx, 'expressionList');
    return {
      args: list === undefined ? [] : this.expressionList(list.children),
      star: tok(ctx, 'Star') !== undefined,
      distinct: tok(ctx, 'Distinct') !== undefined,
    };
  }

  expressionList(ctx: Ctx): A.Expr[] {
    return this.exprs(nodes(ctx, 'expression'));
  }

  overClause(ctx: Ctx): A.OverClause {
    const windowName = tok(ctx, 'windowName');
    if (windowName !== undefined) return { kind: 'OverClause', windowName: this.identifier(windowName), partitionBy: [], orderBy: [], span: ctxSpan(ctx) };
    return this.windowSpec(node(ctx, 'windowSpec')!.children, ctxSpan(ctx));
  }

  /** The inside of `OVER (...)` or of `WINDOW w AS (...)`, as an OverClause spanning `span`. */
  windowSpec(ctx: Ctx, span: Span): A.OverClause {
    const partitionBy = node(ctx, 'partitionBy');
    const frame = node(ctx, 'windowFrame');
    return {
      kind: 'OverClause',
      partitionBy: partitionBy === undefined ? [] : this.expressionList(partitionBy.children),
      orderBy: nodes(ctx, 'orderItem').map((n) => this.visit(n) as A.OrderItem),
      ...(frame === undefined ? {} : { frame: this.windowFrame(frame.children) }),
      span,
    };
  }

  windowFrame(ctx: Ctx): A.WindowFrame {
    const bounds = nodes(ctx, 'frameBound').map((n) => this.frameBound(n.children));
    const start = bounds[0]!;
    const end: A.FrameBound = bounds[1] ?? { kind: 'FrameBound', type: 'CURRENT_ROW', span: start.span };
    return { kind: 'WindowFrame', units: tok(ctx, 'units')!.image.toUpperCase() as 'ROWS' | 'RANGE', start, end, span: ctxSpan(ctx) };
  }

  frameBound(ctx: Ctx): A.FrameBound {
    const span = ctxSpan(ctx);
    if (tok(ctx, 'Current') !== undefined) return { kind: 'FrameBound', type: 'CURRENT_ROW', span };
    const preceding = tok(ctx, 'dir')!.image.toUpperCase() === 'PRECEDING';
    if (tok(ctx, 'Unbounded') !== undefined) {
      return { kind: 'FrameBound', type: preceding ? 'UNBOUNDED_PRECEDING' : 'UNBOUNDED_FOLLOWING', span };
    }
    return { kind: 'FrameBound', type: preceding ? 'PRECEDING' : 'FOLLOWING', offset: this.expr(node(ctx, 'additive')), span };
  }

  dataType(ctx: Ctx): DataType {
    const nameTok = tok(ctx, 'typeName')!;
    const argsNode = node(ctx, 'typeArgs');
    const result = resolveDataType({
      name: nameTok.tokenType === QuotedIdentifier ? nameTok.image.slice(1, -1) : nameTok.image.toUpperCase(),
      params: toks(ctx, 'param').map((t) => Number(t.image)),
      ...(argsNode === undefined ? {} : { args: this.typeArgs(argsNode.children) }),
      precisionWord: tok(ctx, 'Precision') !== undefined,
      ...(tok(ctx, 'With') !== undefined ? { localTimeZone: true } : tok(ctx, 'Without') !== undefined ? { localTimeZone: false } : {}),
      notNull: tok(ctx, 'Not') !== undefined,
    });
    if (result.ok) return result.type;
    const span = result.unknown ? tokenSpan(nameTok) : ctxSpan(ctx);
    this.error(result.unknown ? ErrorCode.UNKNOWN_TYPE : ErrorCode.UNEXPECTED_TOKEN, result.message, span, result.hint);
    return { name: 'NULL', nullable: true };
  }

  typeArgs(ctx: Ctx): { name?: string; type: DataType }[] {
    return nodes(ctx, 'typeArg').map((n) => this.typeArg(n.children));
  }

  typeArg(ctx: Ctx): { name?: string; type: DataType } {
    const field = tok(ctx, 'fieldName');
    const type = this.dataType(node(ctx, 'dataType')!.children);
    return field === undefined ? { type } : { name: this.identifier(field).name, type };
  }
}

/** The value of a string literal token (quotes removed, `''` unescaped). */
export function stringValue(t: IToken): string {
  return t.image.slice(1, -1).replace(/''/g, "'");
}
