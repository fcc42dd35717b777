/** Executes SET and RESET: shows, changes or restores the session's settings. */
import type * as ast from '../../parser/ast.js';
import type { SessionContext } from '../session-context.js';
import type { StatementExecutor, StatementResult } from '../statement-result.js';
import { savepointsBase } from './job-control-executor.js';

/** The statements over settings. */
export type SettingsStatement = ast.SetStatement | ast.ResetStatement;

/** `SET` (lists every setting), `SET 'key' = 'value'`, `RESET ['key']`. */
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
    }
  }

  /** Every setting with the value in effect: a setting whose value depends on the session shows what it resolves to. */
  private effectiveEntries(): [string, string][] {
    return this.session.settings.entries().map(([key, value]) => [key, key === 'state.savepoints.dir' ? savepointsBase(this.session) : value]);
  }
}
