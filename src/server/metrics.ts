/**
 * Jobs and their figures over HTTP: `GET /v1/jobs` (JSON, one object per job) and `GET /metrics` (the
 * Prometheus text exposition format 0.0.4: per job and per operator, counters ending in `_total` and
 * gauges, each family with its HELP and TYPE lines, label values escaped).
 */
import type { FastifyInstance } from 'fastify';
import type { Eddy, JobMetrics } from '../index.js';

/** A job as `GET /v1/jobs` gives it: JSON has no infinities, so watermarks become text or null. */
export function jobJson(j: JobMetrics): Record<string, unknown> {
  return {
    id: j.id,
    name: j.name,
    kind: j.kind,
    status: j.status,
    startTime: new Date(j.startTime).toISOString(),
    ...(j.endTime !== undefined ? { endTime: new Date(j.endTime).toISOString() } : {}),
    rowsIn: j.rowsIn,
    rowsOut: j.rowsOut,
    rowsInPerSecond: j.rowsInPerSecond,
    rowsOutPerSecond: j.rowsOutPerSecond,
    // Epoch ms; "end of input" once bounded input ended; null before the first watermark.
    watermark: j.watermark === Infinity ? 'end of input' : j.watermark === -Infinity ? null : j.watermark,
    watermarkLagMs: j.watermarkLagMs ?? null,
    lateRows: j.lateRows,
    badRows: j.badRows,
    stateEntries: j.stateEntries,
    stateBytes: j.stateBytes ?? null,
    checkpoints: j.checkpoints,
    lastCheckpoint: j.lastCheckpoint ? { id: j.lastCheckpoint.id, time: new Date(j.lastCheckpoint.time).toISOString(), durationMs: j.lastCheckpoint.durationMs ?? null } : null,
    ...(j.health !== undefined ? { health: j.health } : {}),
    ...(j.error ? { error: { code: j.error.code, message: j.error.message, ...(j.error.hint ? { hint: j.error.hint } : {}) } } : {}),
    operators: j.operators,
  };
}

/** A label value as the exposition format needs it: backslash, double quote and newline escaped. */
export function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/** `camelCase` → `camel_case`, anything else outside [a-z0-9_] → `_` (a metric name's part). */
function snake(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .replace(/[^a-z0-9_]/g, '_');
}

/** A number as the exposition format writes it. */
function sampleValue(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (n === Infinity) return '+Inf';
  if (n === -Infinity) return '-Inf';
  return String(n);
}

type Labels = Readonly<Record<string, string>>;

/** Metric families collected before writing, so each family's samples follow its HELP and TYPE lines. */
class Exposition {
  private readonly families = new Map<string, { help: string; type: 'counter' | 'gauge'; samples: string[] }>();

  add(name: string, type: 'counter' | 'gauge', help: string, labels: Labels, value: number): void {
    let family = this.families.get(name);
    if (!family) this.families.set(name, (family = { help, type, samples: [] }));
    const text = Object.entries(labels)
      .map(([k, v]) => `${k}="${escapeLabelValue(v)}"`)
      .join(',');
    family.samples.push(`${name}${text ? `{${text}}` : ''} ${sampleValue(value)}`);
  }

  text(): string {
    const out: string[] = [];
    for (const [name, f] of this.families) {
      out.push(`# HELP ${name} ${f.help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}`, `# TYPE ${name} ${f.type}`, ...f.samples);
    }
    return out.length ? out.join('\n') + '\n' : '';
  }
}

/** The Prometheus text of the jobs' figures. */
export function prometheusText(jobs: readonly JobMetrics[]): string {
  const x = new Exposition();
  for (const j of jobs) {
    const job = { job: j.id };
    x.add('eddy_job_info', 'gauge', 'A job of the server (always 1): its name, kind (insert, view, query) and status.', { ...job, name: j.name, kind: j.kind, status: j.status }, 1);
    x.add('eddy_job_failed', 'gauge', 'Whether the job failed (1) or not (0).', job, j.status === 'FAILED' ? 1 : 0);
    x.add('eddy_job_start_time_seconds', 'gauge', 'When the job started, in seconds since the epoch.', job, j.startTime / 1000);
    x.add('eddy_job_rows_in_total', 'counter', 'Rows read by the job from its sources.', job, j.rowsIn);
    x.add('eddy_job_rows_out_total', 'counter', 'Rows (changes) written by the job to its sinks.', job, j.rowsOut);
    x.add('eddy_job_rows_in_per_second', 'gauge', 'Rows read per second over the last few seconds.', job, j.rowsInPerSecond);
    x.add('eddy_job_rows_out_per_second', 'gauge', 'Rows written per second over the last few seconds.', job, j.rowsOutPerSecond);
    if (j.watermark !== -Infinity) x.add('eddy_job_watermark_seconds', 'gauge', "The job's event-time watermark, in seconds since the epoch (+Inf once bounded input ended).", job, j.watermark / 1000);
    if (j.watermarkLagMs !== undefined) x.add('eddy_job_watermark_lag_seconds', 'gauge', 'How far the watermark is behind the wall clock, in seconds.', job, j.watermarkLagMs / 1000);
    x.add('eddy_job_late_rows_total', 'counter', 'Rows dropped because the windows they belong to had fired.', job, j.lateRows);
    x.add('eddy_job_bad_rows_total', 'counter', "Bad records skipped or dead-lettered by the sources' error policies.", job, j.badRows);
    x.add('eddy_job_state_entries', 'gauge', "Entries in the job's state tables.", job, j.stateEntries);
    if (j.stateBytes !== undefined) x.add('eddy_job_state_bytes', 'gauge', "Bytes of the job's state files on disk.", job, j.stateBytes);
    x.add('eddy_job_checkpoints_total', 'counter', 'Checkpoints completed by this run of the job.', job, j.checkpoints);
    if (j.lastCheckpoint) {
      x.add('eddy_job_last_checkpoint_id', 'gauge', 'The id of the newest checkpoint.', job, j.lastCheckpoint.id);
      x.add('eddy_job_last_checkpoint_time_seconds', 'gauge', 'When the newest checkpoint was taken, in seconds since the epoch.', job, j.lastCheckpoint.time / 1000);
      if (j.lastCheckpoint.durationMs !== undefined) x.add('eddy_job_last_checkpoint_duration_seconds', 'gauge', 'How long the newest checkpoint took, in seconds.', job, j.lastCheckpoint.durationMs / 1000);
    }
  }
  for (const j of jobs) {
    for (const [operator, counters] of Object.entries(j.operators)) {
      for (const [counter, value] of Object.entries(counters)) {
        const labels = { job: j.id, operator };
        if (counter.startsWith('badRecords.')) {
          x.add('eddy_operator_bad_records_by_kind_total', 'counter', 'Bad records of one kind met by an operator.', { ...labels, kind: counter.slice('badRecords.'.length) }, value);
        } else {
          x.add(`eddy_operator_${snake(counter)}_total`, 'counter', `The operator's ${counter} counter.`, labels, value);
        }
      }
    }
  }
  return x.text();
}

/** `GET /v1/jobs` and `GET /metrics` on the HTTP server. */
export function registerJobRoutes(app: FastifyInstance, eddy: Eddy): void {
  app.get('/v1/jobs', async () => ({ jobs: eddy.jobs().map(jobJson) }));
  app.get('/metrics', async (_request, reply) => {
    await reply.header('content-type', 'text/plain; version=0.0.4; charset=utf-8').send(prometheusText(eddy.jobs()));
  });
}
