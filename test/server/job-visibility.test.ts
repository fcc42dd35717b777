/**
 * What `eddy serve` tells about its jobs: a materialized view's job that fails is logged (JSON lines when
 * stdout is not a terminal, text on one), stays in SHOW JOBS with its error, gives SHOW MATERIALIZED VIEWS
 * its reason, and warns every pull query on the view (a Postgres WARNING notice, an HTTP `warnings` field);
 * running jobs' figures in SHOW JOBS, GET /v1/jobs and GET /metrics (Prometheus).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, jsonLines, pgClient, psql, serve, tempDir, type ServeRun } from './helpers.js';

const post = async (server: ServeRun, sql: string) => (await fetch(`${server.httpUrl}/v1/statement`, { method: 'POST', headers: { 'content-type': 'application/json', ...server.auth }, body: JSON.stringify({ sql }) })).json() as Promise<Record<string, unknown>>;

describe('a failed materialized view job', () => {
  const tmp = tempDir();
  const data = join(tmp.dir, 'orders.json');
  let server: ServeRun;

  beforeAll(async () => {
    // The third line is not JSON: under the default 'errors.policy' = 'fail' the view's job fails there.
    writeFileSync(data, '{"k":"a","v":1}\n{"k":"b","v":2}\nnot json\n{"k":"a","v":3}\n');
    // The data lies outside the default --allow-path (the working directory), as a client's file may.
    server = await serve(['--allow-path', tmp.dir]);
    const client = await pgClient(server.pgPort);
    await client.query(`CREATE TABLE orders (k STRING, v INT) WITH ('connector' = 'filesystem', 'path' = '${data}', 'format' = 'json')`);
    await client.query('CREATE MATERIALIZED VIEW totals AS SELECT k, SUM(v) AS s FROM orders GROUP BY k');
    await client.end();
    await eventually(() => jsonLines(server.out()).some((l) => l['event'] === 'job.failed'));
  }, 60_000);

  afterAll(async () => {
    expect(await server.stop()).toBe(0);
    tmp.cleanup();
  });

  it('is logged as JSON lines: the start, then the failure with the record position and the hint', () => {
    const lines = jsonLines(server.out());
    const started = lines.find((l) => l['event'] === 'job.started');
    expect(started).toMatchObject({ level: 'info', job: 'job-1', kind: 'view', name: 'CREATE MATERIALIZED VIEW totals AS SELECT k, SUM(v) AS s FROM orders GROUP BY k' });
    const failed = lines.find((l) => l['event'] === 'job.failed')!;
    expect(failed).toMatchObject({ level: 'error', job: 'job-1', kind: 'view', error: { code: 'EDDY-R001' } });
    const error = failed['error'] as { message: string; hint: string };
    expect(error.message).toContain(`Bad record in \`orders\` at ${data}:3 (invalid-json)`);
    expect(error.hint).toContain("'errors.policy' = 'skip'");
    expect(typeof failed['time']).toBe('string');
    expect(lines.indexOf(started!)).toBeLessThan(lines.indexOf(failed));
  });

  it('stays in SHOW JOBS as FAILED with its error, and SHOW MATERIALIZED VIEWS gives the reason', async () => {
    const client = await pgClient(server.pgPort);
    try {
      const jobs = (await client.query('SHOW JOBS')).rows as Record<string, string>[];
      expect(jobs).toHaveLength(1);
      expect(jobs[0]).toMatchObject({ 'job id': 'job-1', status: 'FAILED' });
      expect(jobs[0]!['error']).toMatch(new RegExp(`^EDDY-R001: Bad record in \`orders\` at .*orders\\.json:3 \\(invalid-json\\)`));
      const views = (await client.query('SHOW MATERIALIZED VIEWS')).rows as Record<string, string>[];
      expect(views).toEqual([{ 'view name': 'totals', key: '(k)', status: 'FAILED', 'job id': 'job-1', reason: jobs[0]!['error'] }]);
    } finally {
      await client.end();
    }
    const listed = (await (await fetch(`${server.httpUrl}/v1/jobs`, { headers: server.auth })).json()) as { jobs: Record<string, unknown>[] };
    expect(listed.jobs).toHaveLength(1);
    expect(listed.jobs[0]).toMatchObject({ id: 'job-1', kind: 'view', status: 'FAILED', error: { code: 'EDDY-R001' } });
  });

  it("warns a pull query on the view: a WARNING in psql, a notice in node-postgres, 'warnings' over HTTP", async () => {
    const res = await psql(server.pgPort, ['-c', 'SELECT k, s FROM totals']);
    expect(res.code).toBe(0);
    expect(res.stderr).toContain("WARNING:  Materialized view 'totals' is stale: its job job-1 failed (EDDY-R001: Bad record in `orders`");
    expect(res.stdout).toContain('(0 rows)');

    const client = await pgClient(server.pgPort);
    const notices: { severity?: string; message?: string }[] = [];
    client.on('notice', (n) => notices.push(n));
    try {
      expect((await client.query('SELECT k, s FROM totals')).rows).toEqual([]);
      // A notice arrives before the rows, so it has been seen once the query resolved.
      expect(notices).toHaveLength(1);
      expect(notices[0]!.severity).toBe('WARNING');
      expect(notices[0]!.message).toMatch(/^Materialized view 'totals' is stale: its job job-1 failed/);
    } finally {
      await client.end();
    }

    const body = await post(server, 'SELECT k, s FROM totals');
    expect(body['rows']).toEqual([]);
    expect(body['warnings']).toEqual([notices[0]!.message]);
  });
});

describe('the log on a terminal', () => {
  it('is text: time, level and message, the error rendered under it', async () => {
    const tmp = tempDir();
    const data = join(tmp.dir, 'bad.json');
    writeFileSync(data, '{"n":1}\n{"n":\n');
    const server = await serve(['--allow-path', tmp.dir], { outIsTTY: true });
    try {
      await post(server, `CREATE TABLE t (n INT) WITH ('connector' = 'filesystem', 'path' = '${data}', 'format' = 'json')`);
      await post(server, 'CREATE MATERIALIZED VIEW c AS SELECT COUNT(*) AS n FROM t');
      await eventually(() => server.out().includes(' ERROR '));
      const lines = server.out().split('\n');
      expect(lines.find((l) => l.includes(' INFO  View job job-1 started'))).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z INFO  View job job-1 started: CREATE MATERIALIZED VIEW c AS SELECT COUNT\(\*\) AS n FROM t$/);
      const error = lines.findIndex((l) => l.includes(' ERROR '));
      expect(lines[error]).toMatch(new RegExp(`Z ERROR View job job-1 failed: EDDY-R001: Bad record in \`t\` at ${data.replace(/[.]/g, '\\.')}:2 \\(invalid-json\\)`));
      // The rendered error follows, indented, with its hint.
      expect(lines[error + 1]).toMatch(/^ {4}error\[EDDY-R001\]: Bad record/);
      expect(lines.slice(error + 1).some((l) => /^ {4}.*hint: to go on past bad records/.test(l))).toBe(true);
      expect(server.out()).not.toContain('{"time"');
    } finally {
      expect(await server.stop()).toBe(0);
      tmp.cleanup();
    }
  }, 60_000);
});

/** The value of one sample of a Prometheus text (undefined when absent). */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(series + ' '));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('job metrics', () => {
  const tmp = tempDir();
  let server: ServeRun;

  beforeAll(async () => {
    server = await serve(['--state-dir', tmp.dir]);
    const client = await pgClient(server.pgPort);
    await client.query("SET 'execution.checkpointing.interval' = '200 ms'");
    await client.query(
      "CREATE TABLE gen (id BIGINT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL '1' SECOND) WITH ('connector' = 'datagen', 'rows-per-second' = '500', 'fields.id.min' = '0', 'fields.id.max' = '9')",
    );
    await client.query("CREATE TABLE counts (id BIGINT, n BIGINT, note STRING, PRIMARY KEY (id) NOT ENFORCED) WITH ('connector' = 'blackhole')");
    // An unbounded source (random ids 0..9: ten groups). A string with a double quote and a backslash: the
    // job's name label must escape them.
    await client.query(`INSERT INTO counts SELECT id, COUNT(*), 'say "hi" \\ bye' FROM gen GROUP BY id`);
    await client.end();
  }, 60_000);

  afterAll(async () => {
    expect(await server.stop()).toBe(0);
    tmp.cleanup();
  });

  it('GET /metrics: HELP and TYPE per family, escaped labels, counters that grow while the job runs', async () => {
    await eventually(async () => (sample(await (await fetch(`${server.httpUrl}/metrics`, { headers: server.auth })).text(), 'eddy_job_rows_in_total{job="job-1"}') ?? 0) > 0, 30_000);
    const first = await fetch(`${server.httpUrl}/metrics`, { headers: server.auth });
    expect(first.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    const a = await first.text();
    await new Promise((r) => setTimeout(r, 1500));
    const b = await (await fetch(`${server.httpUrl}/metrics`, { headers: server.auth })).text();

    for (const series of ['eddy_job_rows_in_total{job="job-1"}', 'eddy_job_rows_out_total{job="job-1"}', 'eddy_job_checkpoints_total{job="job-1"}']) {
      expect(sample(b, series)!, series).toBeGreaterThan(sample(a, series)!);
    }
    const source = /^eddy_operator_records_in_total\{job="job-1",operator="(Source: gen[^"]*)"\} /m.exec(b)![1]!;
    const recordsIn = `eddy_operator_records_in_total{job="job-1",operator="${source}"}`;
    expect(sample(b, recordsIn)!).toBeGreaterThan(sample(a, recordsIn)!);
    expect(sample(b, 'eddy_job_rows_in_per_second{job="job-1"}')!).toBeGreaterThan(0);
    expect(sample(b, 'eddy_job_watermark_lag_seconds{job="job-1"}')!).toBeGreaterThanOrEqual(1);
    expect(sample(b, 'eddy_job_state_entries{job="job-1"}')).toBe(10);
    expect(sample(b, 'eddy_job_state_bytes{job="job-1"}')!).toBeGreaterThan(0);
    expect(sample(b, 'eddy_job_last_checkpoint_id{job="job-1"}')!).toBeGreaterThanOrEqual(1);
    expect(b).toContain(`eddy_job_info{job="job-1",name="INSERT INTO counts SELECT id, COUNT(*), 'say \\"hi\\" \\\\ bye' FROM gen GROUP BY id",kind="insert",status="RUNNING"} 1\n`);

    // Every sample follows its family's HELP and TYPE lines; counters end in _total.
    let family = '';
    for (const line of b.trim().split('\n')) {
      const help = /^# HELP (\S+) \S/.exec(line);
      const type = /^# TYPE (\S+) (counter|gauge)$/.exec(line);
      if (help) family = help[1]!;
      else if (type) {
        expect(type[1]).toBe(family);
        expect(type[2] === 'counter').toBe(family.endsWith('_total'));
      } else expect(line.startsWith(family + '{') || line.startsWith(family + ' '), line).toBe(true);
    }
  }, 60_000);

  it('SHOW JOBS and GET /v1/jobs give status, rows, rates, watermark and lag, state and the last checkpoint', async () => {
    await eventually(async () => ((await (await fetch(`${server.httpUrl}/v1/jobs`, { headers: server.auth })).json()) as { jobs: { lastCheckpoint: unknown }[] }).jobs[0]?.lastCheckpoint != null, 30_000);
    const { jobs } = (await (await fetch(`${server.httpUrl}/v1/jobs`, { headers: server.auth })).json()) as { jobs: Record<string, any>[] };
    expect(jobs).toHaveLength(1);
    const job = jobs[0]!;
    expect(job).toMatchObject({ id: 'job-1', kind: 'insert', status: 'RUNNING', lateRows: 0, badRows: 0, stateEntries: 10 });
    expect(job['rowsIn']).toBeGreaterThan(0);
    expect(job['rowsOut']).toBeGreaterThan(0);
    expect(job['rowsInPerSecond']).toBeGreaterThan(0);
    expect(typeof job['watermark']).toBe('number');
    expect(job['watermarkLagMs']).toBeGreaterThanOrEqual(1000);
    expect(job['stateBytes']).toBeGreaterThan(0);
    expect(job['lastCheckpoint'].id).toBeGreaterThanOrEqual(1);
    expect(Date.parse(job['lastCheckpoint'].time)).toBeGreaterThan(Date.parse(job['startTime']));
    expect(job['lastCheckpoint'].durationMs).toBeGreaterThanOrEqual(0);

    const client = await pgClient(server.pgPort);
    try {
      const [row] = (await client.query('SHOW JOBS')).rows as Record<string, string>[];
      expect(row).toMatchObject({ 'job id': 'job-1', status: 'RUNNING', 'late rows': '0', 'bad rows': '0', 'state entries': '10', error: '' });
      expect(Number(row!['rows in'])).toBeGreaterThan(0);
      expect(Number(row!['rows/s in'])).toBeGreaterThan(0);
      expect(row!['watermark']).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}$/);
      expect(row!['watermark lag']).toMatch(/^\d+\.\d s$/);
      expect(Number(row!['last checkpoint'])).toBeGreaterThanOrEqual(1);
      expect(row!['checkpoint duration']).toMatch(/^\d+ ms$/);
    } finally {
      await client.end();
    }
    // Checkpoints are logged.
    expect(jsonLines(server.out()).some((l) => l['event'] === 'job.checkpoint' && l['job'] === 'job-1')).toBe(true);
  }, 60_000);
});
