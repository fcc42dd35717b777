/**
 * Runs SQL scripts and prints what `eddy run` prints: info lines and job summaries on the error stream,
 * results (tables, EXPLAIN, continuous query changelogs) on the output stream. Separate from the
 * command-line parsing so tests can run it with captured streams.
 */
import { EddyError, ErrorCode } from '../common/errors.js';
import type * as ast from '../parser/ast.js';
import type { QueryHandle } from '../engine/query-handle.js';
import { printLine } from '../engine/topic-print.js';
import type { Eddy, StatementResult } from '../engine/eddy.js';
import { describeSummary } from '../engine/job-summary.js';
import { describeFreshness } from '../engine/pull-query.js';
import { INSERT } from '../runtime/changelog.js';
import { formatTextTable, TableauPrinter } from './tableau.js';
import { ProgressLine } from './progress-line.js';
import { singleText } from '../../repl/table-layout.js';

/** Where output goes. */
export interface ScriptIO {
  out(text: string): void;
  err(text: string): void;
  /** Registers a Ctrl-C handler for a running query; returns a function that unregisters it. */
  onInterrupt?(handler: () => void): () => void;
  /** Colour errors (a terminal without NO_COLOR). */
  readonly color?: boolean;
  /**
   * When the error stream is a terminal, its width: running INSERT jobs then show a progress line there
   * (see progress-line.ts). Absent when it is piped or redirected: nothing extra is printed.
   */
  readonly terminalColumns?: () => number;
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim().slice(0, 60);
}

/** Shows one statement's result; waits for queries (and synchronous DML) to end. */
async function present(result: StatementResult, eddy: Eddy, io: ScriptIO, pending: Promise<void>[], progress?: ProgressLine): Promise<void> {
  const info = (m: string) => io.err(`[INFO] ${m}\n`);
  switch (result.kind) {
    case 'ok':
      info(result.message);
      return;
    case 'table': {
      // A statement's text (SHOW CREATE TABLE) is printed as it is, not squeezed into a cell.
      const text = singleText(result.table.columns, result.table.rows);
      if (text !== undefined) {
        io.out(text + '\n');
        return;
      }
      io.out(formatTextTable(result.table.columns, result.table.rows));
      for (const line of result.table.footer ?? []) io.out(line + '\n');
      return;
    }
    case 'rows': {
      const { schema, rows, freshness } = result.result;
      const zone = eddy.settings.get('table.local-time-zone');
      const printer = new TableauPrinter(schema, false, (t) => io.out(t), zone);
      printer.header();
      printer.batch({ rows: [...rows], kinds: rows.map(() => INSERT) });
      printer.footer();
      for (const f of freshness) info(`Read '${f.view}' as of ${describeFreshness(f, zone)}.`);
      for (const w of result.result.warnings ?? []) info(`Warning: ${w}`);
      return;
    }
    case 'explain':
      io.out(result.text);
      return;
    case 'query': {
      const q = result.query;
      if (result.statement.kind === 'PrintStatement') return printTopic(q, result.notes ?? [], eddy, io);
      const printer = new TableauPrinter(q.schema, q.changelog.kind === 'updating', (t) => io.out(t), eddy.settings.get('table.local-time-zone'));
      printer.header();
      q.onChanges((b) => printer.batch(b));
      const off = io.onInterrupt?.(() => void q.cancel());
      try {
        await q.done;
      } finally {
        off?.();
        printer.footer();
        info(`Query ${q.job.state}: ${describeSummary(q.summary())}.`);
      }
      return;
    }
    case 'job': {
      const job = result.job;
      for (const j of job.jobs) {
        const from = j.restoredFrom;
        if (from) info(`Resuming ${oneLine(job.description)} from checkpoint ${from.id} (taken ${new Date(from.time).toISOString()}).`);
      }
      const report = job.done.then(() => info(`Job ${job.status} (${oneLine(job.description)}): ${describeSummary(job.summary())}.`));
      progress?.track(job);
      if (eddy.settings.get('table.dml-sync') === 'true') await report;
      else {
        info(`Submitted job: ${oneLine(job.description)}`);
        pending.push(report);
      }
      return;
    }
  }
}

/**
 * PRINT in a script: its notes on the error stream, then one line per record (ksqlDB's format) on the output
 * stream until its LIMIT (a PRINT without one is refused before it runs: see refuseEndless).
 */
async function printTopic(q: QueryHandle, notes: readonly string[], eddy: Eddy, io: ScriptIO): Promise<void> {
  for (const n of notes) io.err(`[INFO] ${n}\n`);
  const zone = eddy.settings.get('table.local-time-zone');
  q.onChanges((b) => {
    for (const row of b.rows) io.out(printLine(row, zone) + '\n');
  });
  const off = io.onInterrupt?.(() => void q.cancel());
  try {
    await q.done;
  } finally {
    off?.();
    io.err(`[INFO] PRINT ${q.job.state}: ${describeSummary(q.summary())}.\n`);
  }
}

/**
 * A PRINT without LIMIT would never end, so a script refuses it before it runs (ksqlDB's RUN SCRIPT refuses
 * PRINT altogether; Eddy keeps the form that ends). The shell runs it until Ctrl-C.
 */
function refuseEndless(stmt: ast.Statement): void {
  if (stmt.kind !== 'PrintStatement' || stmt.limit !== undefined) return;
  throw new EddyError({
    code: ErrorCode.INVALID_STATEMENT,
    message: 'PRINT without LIMIT never ends: a script needs a LIMIT',
    span: stmt.span,
    hint: `PRINT '${stmt.topic}'${stmt.fromBeginning ? ' FROM BEGINNING' : ''} LIMIT 10; or run it in the shell (eddy), where Ctrl-C stops it`,
  });
}

/**
 * Runs scripts in order (init files first), then waits for the jobs they started. Returns the exit code:
 * 0 on success, 1 after printing an EddyError (which stops the run and cancels running jobs).
 */
export async function runScripts(eddy: Eddy, scripts: readonly { text: string; name: string }[], output: ScriptIO): Promise<number> {
  const pending: Promise<void>[] = [];
  const columns = output.terminalColumns;
  const progress = columns ? new ProgressLine({ write: (t) => output.err(t), columns, timeZone: () => eddy.settings.get('table.local-time-zone') }) : undefined;
  // Anything printed first erases the progress line; it is drawn again at its next tick.
  const io: ScriptIO = progress
    ? {
        ...output,
        out: (t) => {
          progress.erase();
          output.out(t);
        },
        err: (t) => {
          progress.erase();
          output.err(t);
        },
      }
    : output;
  try {
    for (const script of scripts) {
      for await (const result of eddy.executeScript(script.text, script.name, { check: refuseEndless, settlePullQueries: true })) await present(result, eddy, io, pending, progress);
    }
    const off = io.onInterrupt?.(() => {
      io.err('[INFO] Cancelling running jobs...\n');
      void eddy.close();
    });
    try {
      await Promise.all(pending);
    } finally {
      off?.();
    }
    return 0;
  } catch (err) {
    progress?.stop();
    await eddy.close();
    if (err instanceof EddyError) {
      io.err(err.render({ color: io.color }) + '\n');
      const cause = (err as { cause?: unknown }).cause;
      if (cause instanceof Error && process.env['EDDY_DEBUG']) io.err(`caused by: ${cause.stack ?? cause.message}\n`);
      return 1;
    }
    throw err;
  }
}
