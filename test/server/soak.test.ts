/**
 * A bounded soak of a real `eddy serve` (about a minute): push-query clients that stop reading (over
 * Postgres and HTTP, started again each time the server cuts them off), heavy ad-hoc queries, and pull
 * queries on a materialized view, all at once. The server's memory stays under a documented bound and the
 * median pull-query latency stays within 2× the same server's when idle (measured first), plus 1 ms of
 * scheduling noise (see docs/server.md, "Limits").
 *
 * Measured on the shared 2-core machine (this file alone, `npx vitest run test/server/soak.test.ts`, six
 * runs, 2026-12-07): idle median 1.2–2.2 ms, loaded median 2.0–2.2 ms, p90 7–8 ms, max RSS 417–523 MB.
 * Before SELECT jobs ran in the job thread (three runs): loaded median 58–62 ms, p90 104–115 ms, max RSS
 * 510–701 MB.
 */
import { connect, type Socket } from 'node:net';
import { request, type IncomingMessage } from 'node:http';
import { serialize } from 'pg-protocol';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, pgMd5Answer, tempDir } from './helpers.js';
import { startServeProcess, type ServeProcess } from './serve-process.js';

/** How long the load runs. */
const SOAK_MS = 45_000;
/** The server's resident memory must stay under this (docs/server.md, "Limits"). */
const RSS_BOUND_MB = 800;
/** The median pull-query latency under load may be this many times the idle median (issue 15). */
const LATENCY_MULTIPLE = 2;
/**
 * ... plus this much. The idle median is one to three milliseconds, and on the shared 2-core machine it
 * moves between runs with other processes' load (1.2 ms in one run, 2.7 ms in another), so a pure 2×
 * of one idle measurement fails on noise alone. Work done in the serving thread (a query's job, or
 * collapsing its changelog there) showed as tens of milliseconds.
 */
const LATENCY_SLACK_MS = 1;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** A Postgres client that fetches a push query's first rows with a row limit, then never asks for more. */
async function suspendedPortal(port: number, password: string): Promise<Socket> {
  const socket = await authenticated(port, password);
  socket.write(Buffer.concat([serialize.parse({ text: 'SELECT id, payload FROM gen' }), serialize.bind({}), serialize.describe({ type: 'P' }), serialize.execute({ rows: 5 }), serialize.flush()]));
  return socket;
}

/** A Postgres client that runs a push query, then stops reading its socket. */
async function deafClient(port: number, password: string): Promise<Socket> {
  const socket = await authenticated(port, password);
  socket.write(serialize.query('SELECT id, payload FROM gen'));
  setTimeout(() => socket.pause(), 200);
  return socket;
}

async function authenticated(port: number, password: string): Promise<Socket> {
  const socket = await new Promise<Socket>((resolve, reject) => {
    const s = connect(port, '127.0.0.1', () => resolve(s));
    s.once('error', reject);
  });
  socket.on('error', () => {});
  let received = Buffer.alloc(0);
  const onData = (d: Buffer) => (received = Buffer.concat([received, d]));
  socket.on('data', onData);
  socket.write(serialize.startup({ user: 'soak', database: 'db' }));
  await eventually(() => received.length >= 13);
  socket.write(serialize.password(pgMd5Answer(password, 'soak', received.subarray(9, 13))));
  await eventually(() => received.includes(Buffer.from([0x5a, 0, 0, 0, 5]))); // ReadyForQuery
  socket.off('data', onData);
  socket.on('data', () => {});
  return socket;
}

/** An HTTP client that streams a push query, then stops reading. */
function deafHttp(port: number, token: string): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const req = request(`http://127.0.0.1:${port}/v1/statement`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` } }, (res) => {
      res.once('data', () => res.pause());
      res.on('error', () => {});
      resolve(res);
    });
    req.on('error', reject);
    req.end(JSON.stringify({ sql: 'SELECT id, payload FROM gen' }));
  });
}

describe('soak: slow clients, heavy queries and pull queries at once', () => {
  const tmp = tempDir();
  let server: ServeProcess;

  beforeAll(async () => {
    server = await startServeProcess(['--port', '0', '--pg-port', '0', '--state-dir', `${tmp.dir}/state`, '--max-buffered-rows', '20000'], { cwd: tmp.dir });
  }, 90_000);

  afterAll(async () => {
    await server?.stop();
    tmp.cleanup();
  });

  it('keeps memory under its bound and pull queries answered quickly', async () => {
    const token = server.token!;
    const port = server.pgPort!;
    const client = new pg.Client({ host: '127.0.0.1', port, user: 'u', database: 'd', password: token });
    await client.connect();
    await client.query("CREATE TABLE gen (id BIGINT, payload STRING) WITH ('connector' = 'datagen', 'rows-per-second' = '5000', 'fields.payload.length' = '100')");
    await client.query(
      "CREATE TABLE events (k INT, v INT) WITH ('connector' = 'datagen', 'number-of-rows' = '20000', 'fields.k.min' = '0', 'fields.k.max' = '99', 'fields.v.min' = '1', 'fields.v.max' = '1')",
    );
    await client.query("CREATE TABLE bulk (k INT) WITH ('connector' = 'datagen', 'number-of-rows' = '50000', 'rows-per-second' = '100000000', 'fields.k.min' = '0', 'fields.k.max' = '999')");
    await client.query('CREATE MATERIALIZED VIEW per_k AS SELECT k, SUM(v) AS total FROM events GROUP BY k');
    // The view is complete once its bounded input is read: every one of the 20,000 events counted once.
    await eventually(async () => Number((await client.query('SELECT SUM(total) AS s FROM per_k')).rows[0]?.s ?? 0) === 20_000, 60_000);

    const pull = async () => {
      const t0 = performance.now();
      const rows = (await client.query('SELECT total FROM per_k WHERE k = $1', [7])).rows;
      expect(rows).toHaveLength(1);
      return performance.now() - t0;
    };
    const idle: number[] = [];
    for (let i = 0; i < 100; i++) idle.push(await pull());
    const idleMedian = median(idle);

    // The load: slow push clients (replaced when cut off), two clients running heavy ad-hoc queries.
    let stop = false;
    const slow: (Socket | IncomingMessage)[] = [];
    const slowLoop = (async () => {
      while (!stop) {
        const alive = slow.filter((s) => !('destroyed' in s && s.destroyed) && !(s as IncomingMessage).complete);
        slow.length = 0;
        slow.push(...alive);
        if (slow.length < 6) {
          slow.push(await suspendedPortal(port, token), await deafClient(port, token), await deafHttp(server.httpPort!, token));
        }
        await new Promise((r) => setTimeout(r, 500));
      }
    })();
    let heavyRuns = 0;
    const heavy = async () => {
      const c = new pg.Client({ host: '127.0.0.1', port, user: 'h', database: 'd', password: token });
      await c.connect();
      while (!stop) {
        // A bounded aggregation over 50,000 generated rows, collected in full before it answers.
        const agg = await c.query('SELECT k, COUNT(*) AS n FROM bulk GROUP BY k');
        expect(agg.rows.reduce((a: number, row: { n: string }) => a + Number(row.n), 0)).toBe(50_000);
        heavyRuns++;
      }
      await c.end();
    };
    const heavyLoops = [heavy(), heavy()];

    const loaded: number[] = [];
    let maxRss = 0;
    const started = Date.now();
    while (Date.now() - started < SOAK_MS) {
      loaded.push(await pull());
      maxRss = Math.max(maxRss, server.rssMb());
      await new Promise((r) => setTimeout(r, 100));
    }
    stop = true;
    await slowLoop;
    await Promise.all(heavyLoops);
    for (const s of slow) s.destroy();

    const p90 = [...loaded].sort((a, b) => a - b)[Math.floor(loaded.length * 0.9)]!;
    console.log(`soak: idle median ${idleMedian.toFixed(1)} ms; loaded median ${median(loaded).toFixed(1)} ms, p90 ${p90.toFixed(1)} ms (${loaded.length} pulls); ${heavyRuns} heavy queries; max RSS ${maxRss.toFixed(0)} MB`);
    expect(server.child.exitCode).toBeNull();
    expect(heavyRuns).toBeGreaterThan(2);
    expect(maxRss).toBeLessThan(RSS_BOUND_MB);
    expect(median(loaded), `pull latency: idle median ${idleMedian.toFixed(1)} ms, loaded median ${median(loaded).toFixed(1)} ms`).toBeLessThan(idleMedian * LATENCY_MULTIPLE + LATENCY_SLACK_MS);
    await client.end();
  }, 240_000);
});
