/**
 * The server's log of its jobs: starts (and resumptions from a checkpoint, after a restart), completed
 * checkpoints, ends, and failures with their positioned error. Each line has a level (error, warn, info,
 * debug); lines below the chosen level are left out. On a terminal the lines are text for people; otherwise
 * (a file, a pipe, a log collector) one JSON object per line.
 *
 * Queries' jobs (a client's SELECT) log at debug level: they come and go with clients.
 */
import type { Eddy, JobEvent, JobMetrics } from '../index.js';

export const LOG_LEVELS = ['error', 'warn', 'info', 'debug'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** How the log is written: text for a terminal, JSON lines otherwise. */
export type LogFormat = 'text' | 'json';

/** One log entry: a level, an event name, a message, and fields for machines. */
export interface LogEntry {
  readonly level: LogLevel;
  /** `job.started`, `job.resumed`, `job.checkpoint`, `job.finished`, `job.failed`, ... */
  readonly event: string;
  readonly message: string;
  readonly fields?: Readonly<Record<string, unknown>>;
  /** Lines shown under the message in text form (a rendered error with its caret). */
  readonly detail?: string;
}

export class ServerLog {
  constructor(
    private readonly write: (line: string) => void,
    private readonly format: LogFormat,
    private readonly level: LogLevel = 'info',
    private readonly now: () => number = Date.now,
  ) {}

  log(entry: LogEntry): void {
    if (LOG_LEVELS.indexOf(entry.level) > LOG_LEVELS.indexOf(this.level)) return;
    const time = new Date(this.now()).toISOString();
    if (this.format === 'json') {
      this.write(JSON.stringify({ time, level: entry.level, event: entry.event, message: entry.message, ...entry.fields }) + '\n');
      return;
    }
    const detail = entry.detail ? '\n' + entry.detail.replace(/\n$/, '').replace(/^/gm, '    ') : '';
    this.write(`${time} ${entry.level.toUpperCase().padEnd(5)} ${entry.message}${detail}\n`);
  }

  /** Logs the engine's job events from now on; returns how to stop. */
  attach(eddy: Eddy): () => void {
    return eddy.onJobEvent((event) => this.log(jobEventEntry(event)));
  }
}

/** The log entry of a job event. */
export function jobEventEntry(event: JobEvent): LogEntry {
  const job = event.job;
  const quiet = job.kind === 'query';
  const fields = { job: job.id, kind: job.kind, name: job.name };
  const what = `${job.kind === 'view' ? 'View job' : job.kind === 'query' ? 'Query' : 'Job'} ${job.id}`;
  switch (event.kind) {
    case 'started':
      if (event.resumedFrom) {
        return {
          level: quiet ? 'debug' : 'info',
          event: 'job.resumed',
          message: `${what} restarted from checkpoint ${event.resumedFrom.id} (taken ${new Date(event.resumedFrom.time).toISOString()}): ${job.name}`,
          fields: { ...fields, checkpoint: event.resumedFrom.id, checkpointTime: new Date(event.resumedFrom.time).toISOString() },
        };
      }
      return { level: quiet ? 'debug' : 'info', event: 'job.started', message: `${what} started: ${job.name}`, fields };
    case 'checkpoint':
      return {
        level: quiet ? 'debug' : 'info',
        event: 'job.checkpoint',
        message: `${what} completed checkpoint ${event.checkpoint.id}${event.checkpoint.durationMs !== undefined ? ` in ${event.checkpoint.durationMs} ms` : ''} (${counts(job)})`,
        fields: { ...fields, checkpoint: event.checkpoint.id, durationMs: event.checkpoint.durationMs, rowsIn: job.rowsIn, rowsOut: job.rowsOut },
      };
    case 'ended':
      return endedEntry(job, what, fields, quiet);
  }
}

function endedEntry(job: JobMetrics, what: string, fields: Record<string, unknown>, quiet: boolean): LogEntry {
  const figures = { rowsIn: job.rowsIn, rowsOut: job.rowsOut, lateRows: job.lateRows, badRows: job.badRows };
  if (job.error) {
    return {
      level: 'error',
      event: 'job.failed',
      message: `${what} failed: ${job.error.code}: ${job.error.message}`,
      fields: { ...fields, ...figures, error: { code: job.error.code, message: job.error.message, ...(job.error.hint ? { hint: job.error.hint } : {}) } },
      detail: job.error.rendered,
    };
  }
  const status = job.status.toLowerCase();
  return { level: quiet ? 'debug' : 'info', event: `job.${status}`, message: `${what} ${status} (${counts(job)})`, fields: { ...fields, ...figures } };
}

function counts(job: JobMetrics): string {
  return `${job.rowsIn} rows in, ${job.rowsOut} rows out, ${job.lateRows} late, ${job.badRows} bad`;
}
