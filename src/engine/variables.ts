/**
 * Script variables: `${name}` in statement text is replaced by the variable's value — given with
 * `--define name=value`, or by ksqlDB's `DEFINE name = 'value'` in an earlier statement of the session. An
 * unknown name is an error pointing at it. Names match exactly, else case-insensitively (ksqlDB's variables
 * are case-insensitive: `${REPLICAS}` is `${replicas}`).
 */
import { EddyError, ErrorCode, didYouMean, spanOf, type Diagnostic, type Span } from '../common/errors.js';

/** `${name}` (and `$${`, which escapes a literal `${`). */
const REFERENCE = /\$?\$\{([A-Za-z_][A-Za-z0-9_.-]*)\}/g;

/** Replaces `${name}` occurrences; `$${` escapes a literal `${`. Throws at the first unknown name. */
export function substituteVariables(text: string, vars: ReadonlyMap<string, string>, sourceName?: string): string {
  const resolved = resolveVariables(text, vars);
  const first = resolved.unknown[0];
  if (first !== undefined) throw new EddyError(unknownVariable(first.name, spanOf(resolved.text, first.start, first.end), vars), { text: resolved.text, name: sourceName });
  return resolved.text;
}

/** A `${name}` left as written because no variable has that name; offsets are in the resolved text. */
export interface UnknownReference {
  readonly name: string;
  readonly start: number;
  readonly end: number;
}

/** Replaces the `${name}` references whose variable is defined, and reports where the others are. */
export function resolveVariables(text: string, vars: ReadonlyMap<string, string>): { text: string; unknown: UnknownReference[] } {
  const unknown: UnknownReference[] = [];
  let out = '';
  let last = 0;
  for (const m of text.matchAll(REFERENCE)) {
    const [match, name] = m as unknown as [string, string];
    out += text.slice(last, m.index);
    last = m.index + match.length;
    if (match.startsWith('$$')) out += match.slice(1);
    else if (lookupVariable(vars, name) !== undefined) out += lookupVariable(vars, name)![1];
    else {
      unknown.push({ name, start: out.length, end: out.length + match.length });
      out += match;
    }
  }
  return { text: out + text.slice(last), unknown };
}

/** The error for `${name}` with no such variable. */
export function unknownVariable(name: string, span: Span, vars: ReadonlyMap<string, string>): Diagnostic {
  return {
    code: ErrorCode.UNKNOWN_VARIABLE,
    message: `Variable '${name}' is not defined`,
    span,
    hint: didYouMean(name, vars.keys()) ?? `define it first: DEFINE ${name} = '...'; (or --define ${name}=...)`,
  };
}

/** The variable `name` names, as `[its name, its value]`: the exact name, else one equal ignoring case. */
export function lookupVariable(vars: ReadonlyMap<string, string>, name: string): [string, string] | undefined {
  const exact = vars.get(name);
  if (exact !== undefined) return [name, exact];
  const lower = name.toLowerCase();
  for (const entry of vars) if (entry[0].toLowerCase() === lower) return entry;
  return undefined;
}

/** `DEFINE name = 'value'`: sets the variable, replacing one whose name differs only in case. */
export function defineVariable(vars: Map<string, string>, name: string, value: string): void {
  const existing = lookupVariable(vars, name)?.[0];
  if (existing !== undefined && existing !== name) vars.delete(existing);
  vars.set(name, value);
}

/** `UNDEFINE name`: removes the variable (matched as {@link lookupVariable} does); false when there was none. */
export function undefineVariable(vars: Map<string, string>, name: string): boolean {
  const existing = lookupVariable(vars, name)?.[0];
  return existing !== undefined && vars.delete(existing);
}
