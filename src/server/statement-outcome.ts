/**
 * What a statement's result is to a server: a command (with a Postgres command tag), rows to return at once
 * (SHOW/DESCRIBE tables, EXPLAIN text, a pull query's answer), or a running query to stream (a push query)
 * or, when its sources are bounded, to collect into final rows. HTTP and the Postgres protocol both render
 * these three shapes.
 */
import { T, type Field, type QueryHandle, type StatementResult, type ViewFreshness } from '../index.js';

export type Outcome =
  | { readonly kind: 'command'; readonly tag: string; readonly message: string; readonly jobId?: string }
  | {
      readonly kind: 'rows';
      readonly tag: string;
      readonly columns: readonly Field[];
      readonly rows: readonly (readonly unknown[])[];
      /** For a pull query: which checkpoint / watermark each view read reflects. */
      readonly freshness?: readonly ViewFreshness[];
      /** For a pull query: what the answer cannot reflect (a failed view job, a view with nothing committed yet). */
      readonly warnings?: readonly string[];
    }
  | { readonly kind: 'query'; readonly columns: readonly Field[]; readonly query: QueryHandle };

/**
 * The Postgres command tag of a statement that returns no rows. Unknown statement kinds (the engine grows)
 * get their leading keywords, so this never needs to list every kind.
 */
export function commandTag(statement: StatementResult['statement']): string {
  switch (statement.kind) {
    case 'InsertStatement':
    case 'StatementSet':
      // Postgres reports `INSERT oid count`; an Eddy INSERT starts a job, so no count is known yet.
      return 'INSERT 0 0';
    case 'SetStatement':
      return 'SET';
    case 'ResetStatement':
      return 'RESET';
    case 'StopJobStatement':
      return 'STOP JOB';
    default: {
      const words = /^\s*(CREATE|DROP)\s+(?:OR\s+REPLACE\s+)?(?:TEMPORARY\s+)?(MATERIALIZED\s+VIEW|TABLE|VIEW|STREAM|FUNCTION)\b/i.exec(statement.text);
      if (words) return `${words[1]!.toUpperCase()} ${words[2]!.toUpperCase().replace(/\s+/g, ' ')}`;
      return (/^\s*([A-Za-z]+)/.exec(statement.text)?.[1] ?? 'OK').toUpperCase();
    }
  }
}

/** The rows of a SHOW/DESCRIBE/SET table: every column text. */
function textColumns(names: readonly string[]): Field[] {
  return names.map((name) => ({ name, type: T.string() }));
}

/** Turns an engine result into what a server sends. */
export function outcomeOf(result: StatementResult): Outcome {
  switch (result.kind) {
    case 'ok':
      return { kind: 'command', tag: commandTag(result.statement), message: result.message };
    case 'job': {
      const tag = commandTag(result.statement);
      // A job that keeps a created object up to date (a materialized view), or an INSERT's job.
      const name = (result.statement as { name?: { parts?: readonly { name: string }[] } }).name?.parts?.map((p) => p.name).join('.');
      const message = tag.startsWith('CREATE ') && name ? `${tag.slice(7).toLowerCase().replace(/^./, (c) => c.toUpperCase())} '${name}' created; job ${result.job.id} keeps it up to date.` : `Job ${result.job.id} started.`;
      return { kind: 'command', tag, message, jobId: result.job.id };
    }
    case 'table':
      return { kind: 'rows', tag: `SELECT ${result.table.rows.length}`, columns: textColumns(result.table.columns), rows: result.table.rows };
    case 'explain': {
      const lines = result.text.replace(/\n$/, '').split('\n');
      return { kind: 'rows', tag: 'EXPLAIN', columns: textColumns(['QUERY PLAN']), rows: lines.map((l) => [l]) };
    }
    case 'rows':
      return {
        kind: 'rows',
        tag: `SELECT ${result.result.rows.length}`,
        columns: result.result.schema,
        rows: result.result.rows,
        freshness: result.result.freshness,
        ...(result.result.warnings?.length ? { warnings: result.result.warnings } : {}),
      };
    case 'query':
      return { kind: 'query', columns: result.query.schema, query: result.query };
  }
}
