/**
 * Clients that stop taking a push query's rows, against a real `eddy serve`: a Postgres portal fetched
 * with a row limit (what pg-cursor and JDBC's fetchSize do) and then left alone, a Postgres client that
 * stops reading its socket, and an HTTP stream that stops reading. The server keeps a bounded number of
 * rows for each, then disconnects it with EDDY-S007 and cancels its query; meanwhile its memory stays
 * bounded and other clients are answered.
 */
import { connect, type Socket } from 'node:net';
import { request } from 'node:http';
import { parse, serialize } from 'pg-protocol';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, pgMd5Answer, tempDir } from './helpers.js';
import { startServeProcess, type ServeProcess } from './serve-process.js';

/** Rows the server keeps for a client that does not take them (--max-buffered-rows). */
const MAX_BUFFERED = 50_000;
/** The server's resident memory must stay under this while three clients are paused (documented in docs/server.md). */
const RSS_BOUND_MB = 600;

/** A protocol-level Postgres client: authenticated with MD5, collects backend messages. */
class RawPg {
  readonly messages: { name: string; [k: string]: unknown }[] = [];
  closed = false;
  private constructor(readonly socket: Socket) {
    void parse(socket, (msg) => this.messages.push(msg as unknown as { name: string }));
    socket.on('close', () => (this.closed = true));
    socket.on('error', () => {});
  }

  static async connect(port: number, password: string): Promise<RawPg> {
    const socket = await new Promise<Socket>((resolve, reject) => {
      const s = connect(port, '127.0.0.1', () => resolve(s));
      s.once('error', reject);
    });
    const client = new RawPg(socket);
    socket.write(serialize.startup({ user: 'raw', database: 'db' }));
    await eventually(() => client.messages.some((m) => m.name === 'authenticationMD5Password'));
    const { salt } = client.messages.find((m) => m.name === 'authenticationMD5Password') as unknown as { salt: Uint8Array };
    socket.write(serialize.password(pgMd5Answer(password, 'raw', salt)));
    await eventually(() => client.messages.some((m) => m.name === 'readyForQuery'));
    return client;
  }

  count(name: string): number {
    return this.messages.filter((m) => m.name === name).length;
  }

  error(): { severity?: string; code?: string; message?: string; detail?: string } | undefined {
    return this.messages.find((m) => m.name === 'error') as never;
  }
}

async function jobCount(pgPort: number, password: string): Promise<number> {
  const client = new pg.Client({ host: '127.0.0.1', port: pgPort, user: 'u', database: 'd', password });
  await client.connect();
  try {
    return (await client.query('SHOW JOBS')).rows.length;
  } finally {
    await client.end();
  }
}

describe('push-query clients that stop taking rows', () => {
  const tmp = tempDir();
  let server: ServeProcess;

  beforeAll(async () => {
    server = await startServeProcess(['--port', '0', '--pg-port', '0', '--state-dir', `${tmp.dir}/state`, '--max-buffered-rows', String(MAX_BUFFERED)], { cwd: tmp.dir });
  }, 90_000);

  afterAll(async () => {
    await server?.stop();
    tmp.cleanup();
  });

  it('are paused, then disconnected with a clear error past the bound; memory stays bounded and others are answered', async () => {
    const token = server.token!;
    const reader = new pg.Client({ host: '127.0.0.1', port: server.pgPort!, user: 'u', database: 'd', password: token });
    await reader.connect();
    await reader.query(
      "CREATE TABLE gen (id BIGINT, payload STRING) WITH ('connector' = 'datagen', 'rows-per-second' = '40000', 'fields.payload.length' = '100')",
    );
    await reader.query("CREATE TABLE small (n INT) WITH ('connector' = 'datagen', 'number-of-rows' = '5', 'fields.n.kind' = 'sequence', 'fields.n.start' = '1', 'fields.n.end' = '5')");
    const baseline = server.rssMb();

    // 1. A portal fetched 10 rows at a time (Execute with maxRows), then left suspended.
    const cursor = await RawPg.connect(server.pgPort!, token);
    cursor.socket.write(
      Buffer.concat([serialize.parse({ text: 'SELECT id, payload FROM gen' }), serialize.bind({}), serialize.describe({ type: 'P' }), serialize.execute({ rows: 10 }), serialize.flush()]),
    );
    await eventually(() => cursor.count('portalSuspended') === 1, 30_000).catch((e) => {
      throw new Error(`${e.message}: ${JSON.stringify(cursor.messages.slice(0, 20))}`);
    });
    expect(cursor.count('dataRow')).toBe(10);

    // 2. A simple query whose client stops reading its socket.
    const deaf = await RawPg.connect(server.pgPort!, token);
    deaf.socket.write(serialize.query('SELECT id, payload FROM gen'));
    await eventually(() => deaf.count('dataRow') > 0, 30_000);
    deaf.socket.pause();

    // 3. An HTTP stream whose client stops reading.
    let httpText = '';
    let httpEnded = false;
    const httpRes = await new Promise<import('node:http').IncomingMessage>((resolve, reject) => {
      const req = request(`http://127.0.0.1:${server.httpPort}/v1/statement`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` } }, resolve);
      req.on('error', reject);
      req.end(JSON.stringify({ sql: 'SELECT id, payload FROM gen' }));
    });
    httpRes.on('data', (d: Buffer) => (httpText += d.toString()));
    httpRes.on('end', () => (httpEnded = true));
    httpRes.on('error', () => {});
    await eventually(() => httpText.includes('"op":"+I"'), 30_000);
    httpRes.pause();
    expect(await jobCount(server.pgPort!, token)).toBe(3);

    // While they are paused: other clients are answered, and memory stays bounded.
    let maxRss = 0;
    let slowest = 0;
    const started = Date.now();
    while (Date.now() - started < 25_000) {
      maxRss = Math.max(maxRss, server.rssMb());
      const t0 = Date.now();
      expect((await reader.query('SELECT COUNT(*) AS c FROM small')).rows).toEqual([{ c: '5' }]);
      slowest = Math.max(slowest, Date.now() - t0);
      if ((await jobCount(server.pgPort!, token)) === 0 && Date.now() - started > 10_000) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(maxRss).toBeLessThan(RSS_BOUND_MB);
    expect(slowest).toBeLessThan(10_000);

    // Past the bound each query was cancelled (the server keeps no job for them).
    await eventually(async () => (await jobCount(server.pgPort!, token)) === 0, 60_000);

    // The deaf clients read again (within the server's grace period): the rows kept for them, then the error.
    deaf.socket.resume();
    httpRes.resume();
    await eventually(() => deaf.closed, 30_000);
    expect(deaf.error()).toMatchObject({ severity: 'FATAL', code: '53400', detail: 'EDDY-S007' });
    await eventually(() => httpEnded, 30_000);
    const lastLine = JSON.parse(httpText.trim().split('\n').pop()!);
    expect(lastLine.error).toMatchObject({ code: 'EDDY-S007' });

    // The suspended portal's client gets a FATAL error naming the cause, and the connection closes.
    await eventually(() => cursor.error() !== undefined, 10_000);
    expect(cursor.error()).toMatchObject({ severity: 'FATAL', code: '53400', detail: 'EDDY-S007' });
    expect(cursor.error()!.message).toMatch(/did not read its push query's results/);
    await eventually(() => cursor.closed, 30_000);
    // Before the error: the column line, then whole changes (nothing garbled by the pause).
    const lines = httpText.trim().split('\n');
    expect(lines.length).toBeGreaterThan(3);
    for (const line of lines.slice(1, -1)) expect(JSON.parse(line)).toMatchObject({ op: '+I', row: [expect.anything(), expect.stringMatching(/^.{100}$/)] });

    expect(server.rssMb()).toBeLessThan(RSS_BOUND_MB);
    // The server still answers as before.
    expect((await reader.query('SELECT COUNT(*) AS c FROM small')).rows).toEqual([{ c: '5' }]);
    await reader.end();
    expect(baseline).toBeGreaterThan(0);
  }, 180_000);
});
