/** Executes SET, RESET and UNSET (settings) and DEFINE and UNDEFINE (variables): the session's own state. */
import type * as ast from '../../parser/ast.js';
import type { SessionContext } from '../session-context.js';
import type { StatementExecutor, StatementResult } from '../statement-result.js';
import { savepointsBase } from './job-control-executor.js';
import { defineVariable, undefineVariable } from '../variables.js';

/** The statements over settings and variables. */
export type SettingsStatement = ast.SetStatement | ast.ResetStatement | ast.UnsetStatement | ast.DefineStatement | ast.UndefineStatement;

/**
 * `SET` (lists every setting), `SET 'key' = 'value'`, `RESET ['key']`, ksqlDB's `UNSET 'key'` (RESET of one
 * key), `DEFINE name = 'value'` and `UNDEFINE name` (for `${name}` in the statements after it).
 */
export class SettingsExecutor implements StatementExecutor<SettingsStatement> {
  constructor(private readonly session: SessionContext) {}

  execute(stmt: SettingsStatement): StatementResult {
    const settings = this.session.settings;
    switch (stmt.kind) {
      case 'SetStatement':
        if (stmt.key === undefined) return { kind: 'table', table: { columns: ['key', 'value'], rows: this.effectiveEntries() }, statement: stmt };
        settings.set(stmt.key, stmt.value ?? '', stmt.span);
        return { kind: 'ok', message: `Set '${stmt.key}' = '${stmt.value}'.`, statement: stmt };
      case 'ResetStatement':
        settings.reset(stmt.key);
        return { kind: 'ok', message: stmt.key ? `Reset '${stmt.key}'.` : 'All settings reset.', statement: stmt };
      case 'UnsetStatement':
        settings.reset(stmt.key);
        return { kind: 'ok', message: `Unset '${stmt.key}'.`, statement: stmt };
      case 'DefineStatement':
        defineVariable(this.session.variables, stmt.name, stmt.value);
        return { kind: 'ok', message: `Defined ${stmt.name} = '${stmt.value}'.`, statement: stmt };
      case 'UndefineStatement':
        // As in ksqlDB, undefining a name that is not defined is not an error.
        return { kind: 'ok', message: undefineVariable(this.session.variables, stmt.name) ? `Undefined ${stmt.name}.` : `${stmt.name} was not defined.`, statement: stmt };
    }
  }

  /** Every setting with the value in effect: a setting whose value depends on the session shows what it resolves to. */
  private effectiveEntries(): [string, string][] {
    return this.session.settings.entries().map(([key, value]) => [key, key === 'state.savepoints.dir' ? savepointsBase(this.session) : value]);
  }
}
