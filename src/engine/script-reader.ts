/**
 * Reads a script's statements with their `${name}` variables resolved statement by statement, as the
 * statements before each one leave the variables: a `DEFINE` applies from the next statement on, an
 * `UNDEFINE` too (ksqlDB's rule). The whole script is still parsed before anything runs, so every syntax
 * error and unknown variable is reported at once:
 *
 * - the script is split into statements first, reading `${...}` as plain text (parse.ts statementRegions);
 * - each statement's text is resolved with the variables as they stand there — the session's, changed by
 *   the DEFINE and UNDEFINE statements before it (read ahead of running them: their values are literals,
 *   or references resolved the same way). A RUN SCRIPT between them changes nothing here: the variables a
 *   script defines are its own (ksqlDB's KLIP-38), the session's are as they were once it has run;
 * - the resolved statements are joined into one resolved text and parsed.
 *
 * Positions in errors are those of the resolved text (`source`), as when variables came from --define only.
 */
import { EddyError, spanOf, type Diagnostic, type SourceText } from '../common/errors.js';
import type * as ast from '../parser/ast.js';
import { parseScript, statementRegions } from '../parser/parse.js';
import { defineVariable, resolveVariables, undefineVariable, unknownVariable } from './variables.js';

/** The statements read, and the resolved text their spans refer to. */
export interface ScriptRead {
  readonly source: SourceText;
  readonly statements: readonly ast.Statement[];
}

/** Reads the script `text` (named `name` in errors) with the session's variables `vars`; throws an EddyError with every problem. */
export function readScript(text: string, name: string | undefined, vars: ReadonlyMap<string, string>): ScriptRead {
  // Without a reference there is nothing to resolve: the text is parsed as it is.
  const resolved = text.includes('${') ? resolveByStatement(text, vars) : { text, diagnostics: [], unknownIn: [] };
  const source: SourceText = { text: resolved.text, name };
  const parsed = parseScript(resolved.text, name);
  // A statement with an unknown variable: its reference is the error, not what the parser makes of it.
  const inBadRegion = (offset: number | undefined) => offset !== undefined && resolved.unknownIn.some((r) => offset >= r.start && offset < r.end);
  const problems = [...resolved.diagnostics, ...parsed.diagnostics.filter((d) => !inBadRegion(d.span?.start))];
  problems.sort((a, b) => (a.span?.start ?? 0) - (b.span?.start ?? 0));
  if (problems.length > 0) throw new EddyError(problems, source);
  return { source, statements: parsed.statements };
}

/** Resolves each statement's references with the variables as the DEFINEs and UNDEFINEs before it leave them. */
function resolveByStatement(text: string, vars: ReadonlyMap<string, string>): { text: string; diagnostics: Diagnostic[]; unknownIn: { start: number; end: number }[] } {
  const simulated = new Map(vars);
  const diagnostics: Diagnostic[] = [];
  const unknownIn: { start: number; end: number }[] = [];
  let out = '';
  let previousEnd = 0;
  for (const region of statementRegions(text)) {
    out += text.slice(previousEnd, region.start);
    previousEnd = region.end;
    const { text: regionText, unknown } = resolveVariables(text.slice(region.start, region.end), simulated);
    const start = out.length;
    out += regionText;
    if (unknown.length > 0) {
      unknownIn.push({ start, end: out.length });
      for (const u of unknown) diagnostics.push(unknownVariable(u.name, spanOf(out, start + u.start, start + u.end), simulated));
    } else if (region.leading[0] === 'DEFINE' || region.leading[0] === 'UNDEFINE') {
      applyDefinition(regionText, simulated);
    }
  }
  return { text: out + text.slice(previousEnd), diagnostics, unknownIn };
}

/** Applies a DEFINE or UNDEFINE read ahead of running it (what it will do when it runs). */
function applyDefinition(regionText: string, vars: Map<string, string>): void {
  const stmt = parseScript(regionText).statements[0];
  if (stmt?.kind === 'DefineStatement') defineVariable(vars, stmt.name, stmt.value);
  else if (stmt?.kind === 'UndefineStatement') undefineVariable(vars, stmt.name);
}
