/**
 * Reads a script's statements with their `${name}` variables resolved statement by statement, as the
 * statements before each one leave the variables: a `DEFINE` applies from the next statement on, an
 * `UNDEFINE` too (ksqlDB's rule). The whole script is still parsed before anything runs, so every syntax
 * error and unknown variable is reported at once:
 *
 * - the script is split into statements first, reading `${...}` as plain text (parse.ts statementRegions);
 * - each statement's text is resolved with the variables as they stand there — the session's, changed by
 *   the DEFINE and UNDEFINE statements before it (read ahead of running them: their values are literals);
 * - a RUN SCRIPT may define variables too, which cannot be known before it runs: a statement after one
 *   that names a variable not known yet is read again once the RUN SCRIPT has run (`readAfter`), and only
 *   then is an unknown variable there an error.
 *
 * Positions in errors are those of the resolved text (`source`), as when variables came from --define only.
 */
import { EddyError, spanOf, type Diagnostic, type SourceText } from '../common/errors.js';
import type * as ast from '../parser/ast.js';
import { parseScript, statementRegions, type StatementRegion } from '../parser/parse.js';
import { resolveVariables, unknownVariable } from './variables.js';

/** The statements read, and the resolved text their spans refer to. */
export interface ScriptRead {
  readonly source: SourceText;
  readonly statements: readonly ast.Statement[];
}

/** Where a statement's region lies in the resolved text, and whether it waits for a RUN SCRIPT before it. */
interface ResolvedRegion {
  readonly start: number;
  readonly end: number;
  readonly deferred: boolean;
}

export class ScriptReader {
  private readonly regions: readonly StatementRegion[];
  private resolved: ResolvedRegion[] = [];
  private resolvedText = '';

  constructor(
    private readonly text: string,
    private readonly name?: string,
  ) {
    // Without a reference there is nothing to resolve: one parse of the text as it is.
    this.regions = text.includes('${') ? statementRegions(text) : [];
  }

  /** Reads the whole script with the session's variables `vars`; throws an EddyError with every problem. */
  read(vars: ReadonlyMap<string, string>): ScriptRead {
    if (this.regions.length === 0) {
      const source: SourceText = { text: this.text, name: this.name };
      const parsed = parseScript(this.text, this.name);
      if (parsed.diagnostics.length > 0) throw new EddyError(parsed.diagnostics, source);
      return { source, statements: parsed.statements };
    }
    return this.readFrom(0, '', vars);
  }

  /**
   * After the RUN SCRIPT `stmt` (of the last read) has run: the statements after it read again with the
   * variables as it left them, when they could have changed (`changed`) or a statement waited for it; else
   * undefined (what was read stands).
   */
  readAfter(stmt: ast.Statement, vars: ReadonlyMap<string, string>, changed: boolean): ScriptRead | undefined {
    if (this.regions.length === 0) return undefined;
    const k = this.resolved.findIndex((r) => stmt.span.start >= r.start && stmt.span.start < r.end);
    if (k < 0 || k + 1 >= this.regions.length) return undefined;
    if (!changed && !this.resolved.slice(k + 1).some((r) => r.deferred)) return undefined;
    return this.readFrom(k + 1, this.resolvedText.slice(0, this.resolved[k + 1]!.start), vars);
  }

  /** Resolves regions from `from` on after `prefix` (the resolved text before them), then parses them. */
  private readFrom(from: number, prefix: string, vars: ReadonlyMap<string, string>): ScriptRead {
    const simulated = new Map(vars);
    const diagnostics: Diagnostic[] = [];
    const resolved = this.resolved.slice(0, from);
    let text = prefix;
    let uncertain = false;
    let previousEnd = from === 0 ? 0 : this.regions[from - 1]!.end;
    for (const region of this.regions.slice(from)) {
      text += this.text.slice(previousEnd, region.start);
      previousEnd = region.end;
      const { text: regionText, unknown } = resolveVariables(this.text.slice(region.start, region.end), simulated);
      const start = text.length;
      text += regionText;
      resolved.push({ start, end: text.length, deferred: unknown.length > 0 && uncertain });
      if (unknown.length > 0 && !uncertain) {
        for (const u of unknown) diagnostics.push(unknownVariable(u.name, spanOf(text, start + u.start, start + u.end), simulated));
      }
      const [first, second] = region.leading;
      if (first === 'RUN' && second === 'SCRIPT') uncertain = true;
      else if ((first === 'DEFINE' || first === 'UNDEFINE') && unknown.length === 0) applyDefinition(regionText, simulated);
    }
    text += this.text.slice(previousEnd);
    this.resolved = resolved;
    this.resolvedText = text;
    const source: SourceText = { text, name: this.name };
    const parsed = parseScript(text, this.name);
    const skipped = (offset: number) => {
      const r = resolved.find((x) => offset >= x.start && offset < x.end);
      // A region with an unknown variable: its reference is the error (or it waits), not what the parser makes of it.
      return r !== undefined && (r.deferred || diagnostics.some((d) => d.span !== undefined && d.span.start >= r.start && d.span.start < r.end));
    };
    const firstOffset = resolved[from]?.start ?? text.length;
    const problems = [...diagnostics, ...parsed.diagnostics.filter((d) => (d.span?.start ?? text.length) >= firstOffset && !skipped(d.span?.start ?? -1))];
    problems.sort((a, b) => (a.span?.start ?? 0) - (b.span?.start ?? 0));
    if (problems.length > 0) throw new EddyError(problems, source);
    return { source, statements: parsed.statements.filter((s) => s.span.start >= firstOffset && !skipped(s.span.start)) };
  }
}

/** Applies a DEFINE or UNDEFINE read ahead of running it (what it will do when it runs). */
function applyDefinition(regionText: string, vars: Map<string, string>): void {
  const stmt = parseScript(regionText).statements[0];
  if (stmt?.kind === 'DefineStatement') vars.set(stmt.name, stmt.value);
  else if (stmt?.kind === 'UndefineStatement') vars.delete(stmt.name);
}
