/**
 * Binds values to a statement's parameters (`$n` or `?`): the step between the Postgres extended protocol's
 * Bind and planning. The values travel in the AST itself (each ParameterExpr gets its `value`), never in
 * the SQL text, so a value is data whatever characters it holds; the binder then turns each parameter into
 * a literal of its declared or inferred type (src/planner/binder/bind-parameter.ts).
 *
 * The AST is plain immutable data, so this is a copy of the statement with only the paths to parameters
 * rebuilt (everything else is shared). Parameters may sit anywhere an expression may, which is why the walk
 * is structural rather than a switch over node kinds: it needs to know only ParameterExpr.
 */
import { EddyError, ErrorCode, type Diagnostic, type SourceText } from '../common/errors.js';
import type { ParameterExpr, ParameterValue, Statement } from './ast.js';

/** Statements whose parameters take values: those that run (a query, an INSERT, EXPLAIN of them). */
const BINDABLE: ReadonlySet<Statement['kind']> = new Set(['QueryStatement', 'InsertStatement', 'StatementSet', 'ExplainStatement']);

/** `$2` or `?` (the second `?`), as messages name a parameter. */
export function parameterName(p: ParameterExpr): string {
  return p.marker === '$' ? `$${p.index}` : `? #${p.index}`;
}

/** Every parameter in `node`, in source order. */
export function parametersOf(node: unknown): ParameterExpr[] {
  const found: ParameterExpr[] = [];
  const visit = (n: unknown): void => {
    if (Array.isArray(n)) for (const x of n) visit(x);
    else if (n !== null && typeof n === 'object') {
      if ((n as { kind?: unknown }).kind === 'ParameterExpr') found.push(n as ParameterExpr);
      else for (const v of Object.values(n)) visit(v);
    }
  };
  visit(node);
  return found.sort((a, b) => a.span.start - b.span.start);
}

/**
 * The statement with `values[n - 1]` attached to each parameter n. Throws an {@link EddyError} (code
 * INVALID_PARAMETER, at the parameter) for a parameter with no value, and for parameters in a statement that
 * is kept as text rather than run (CREATE VIEW, CREATE TABLE, ...). Values beyond the highest parameter are
 * ignored (the Postgres protocol layer checks the count). `source` is the statement's text, for rendering.
 */
export function withParameterValues<S extends Statement>(statement: S, values: readonly ParameterValue[], source?: SourceText): S {
  const params = parametersOf(statement);
  if (params.length === 0) return statement;
  if (!BINDABLE.has(statement.kind)) {
    throw new EddyError(
      {
        code: ErrorCode.INVALID_PARAMETER,
        message: `Parameters cannot be used in ${statementWords(statement)}: it is kept as its SQL text, not run with values`,
        span: params[0]!.span,
        hint: 'write the value into the statement itself',
      },
      source,
    );
  }
  const missing: Diagnostic[] = params
    .filter((p) => p.index > values.length)
    .map((p) => ({
      code: ErrorCode.INVALID_PARAMETER,
      message: `No value for parameter ${parameterName(p)}: ${values.length === 1 ? '1 value was' : `${values.length} values were`} bound`,
      span: p.span,
    }));
  if (missing.length > 0) throw new EddyError(missing, source);
  return attach(statement, values) as S;
}

/** The node with each parameter's value attached; unchanged subtrees are shared. */
function attach(node: unknown, values: readonly ParameterValue[]): unknown {
  if (Array.isArray(node)) {
    let out: unknown[] | undefined;
    for (let i = 0; i < node.length; i++) {
      const x = node[i] as unknown;
      const y = attach(x, values);
      if (y !== x) (out ??= [...node])[i] = y;
    }
    return out ?? node;
  }
  if (node === null || typeof node !== 'object') return node;
  if ((node as { kind?: unknown }).kind === 'ParameterExpr') {
    const p = node as ParameterExpr;
    return { ...p, value: values[p.index - 1]! };
  }
  let out: Record<string, unknown> | undefined;
  for (const [key, x] of Object.entries(node)) {
    const y = attach(x, values);
    if (y !== x) (out ??= { ...(node as Record<string, unknown>) })[key] = y;
  }
  return out ?? node;
}

/** `CREATE VIEW`, `CREATE TABLE`, `SET`: the statement's first words, for messages. */
function statementWords(statement: Statement): string {
  const words = /^\s*(CREATE\s+(?:OR\s+REPLACE\s+)?(?:TEMPORARY\s+)?(?:MATERIALIZED\s+VIEW|TABLE|VIEW)|[A-Za-z]+)/i.exec(statement.text);
  return (words?.[1] ?? statement.kind).toUpperCase().replace(/\s+/g, ' ');
}
