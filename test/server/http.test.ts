/**
 * The HTTP API: statements, a bounded query as JSON, errors, a push query read as newline-delimited JSON
 * while rows are appended to its source file, server-sent events, cancelling on disconnect, and tokens.
 */
import { appendFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Eddy } from '../../src/index.js';
import { startServers } from '../../src/server/server.js';
import { eventually, startTestServer, tempDir, writeJsonLines, type TestServer } from './helpers.js';

/** Headers every `post` sends (the running server's token), unless the call gives its own. */
let defaultAuth: Record<string, string> = {};

async function post(base: string, sql: string, headers: Record<string, string> = {}): Promise<{ status: number; body: any }> {
  const res = await fetch(`${base}/v1/statement`, { method: 'POST', headers: { 'content-type': 'application/json', ...defaultAuth, ...headers }, body: JSON.stringify({ sql }) });
  return { status: res.status, body: await res.json() };
}

/** Reads a streaming response line by line (NDJSON) or event by event (SSE). */
class StreamReader {
  private buffer = '';
  private readonly reader: ReadableStreamDefaultReader<Uint8Array>;
  private readonly decoder = new TextDecoder();

  constructor(res: Response, private readonly separator: string) {
    this.reader = res.body!.getReader();
  }

  /** The next complete item, or undefined at the end of the stream. */
  async next(): Promise<string | undefined> {
    for (;;) {
      const at = this.buffer.indexOf(this.separator);
      if (at >= 0) {
        const item = this.buffer.slice(0, at);
        this.buffer = this.buffer.slice(at + this.separator.length);
        return item;
      }
      const { value, done } = await this.reader.read();
      if (done) return undefined;
      this.buffer += this.decoder.decode(value, { stream: true });
    }
  }
}

function appendJson(path: string, records: readonly object[]): void {
  appendFileSync(path, records.map((r) => JSON.stringify(r) + '\n').join(''));
}

describe('HTTP API', () => {
  let server: TestServer;
  const tmp = tempDir();
  const clicksPath = join(tmp.dir, 'clicks.json');
  const livePath = join(tmp.dir, 'live');

  beforeAll(async () => {
    server = await startTestServer({ pgPort: null });
    defaultAuth = server.auth;
    writeJsonLines(clicksPath, [
      { user: 'ann', url: '/a', ts: '2024-01-01 00:00:01.000' },
      { user: 'bob', url: '/b', ts: '2024-01-01 00:00:02.500' },
      { user: 'ann', url: '/c', ts: '2024-01-01 00:00:03.000' },
    ]);
  });

  afterAll(async () => {
    await server?.close();
    tmp.cleanup();
  });

  it('runs DDL and returns the command tag and message', async () => {
    const res = await post(
      server.httpUrl,
      `CREATE TABLE clicks (\`user\` STRING, url STRING, ts TIMESTAMP(3)) WITH ('connector' = 'filesystem', 'path' = '${clicksPath}', 'format' = 'json')`,
    );
    expect(res).toEqual({ status: 200, body: { tag: 'CREATE TABLE', message: "Table 'clicks' created." } });
  });

  it('answers a bounded query with its final rows as JSON', async () => {
    const res = await post(server.httpUrl, 'SELECT `user`, COUNT(*) AS n, MAX(ts) AS last_ts FROM clicks GROUP BY `user`');
    expect(res.status).toBe(200);
    expect(res.body.columns).toEqual([
      { name: 'user', type: 'STRING' },
      { name: 'n', type: 'BIGINT NOT NULL' },
      { name: 'last_ts', type: 'TIMESTAMP(3)' },
    ]);
    // ann: clicks at 1 s and 3 s; bob: one at 2.5 s.
    expect([...res.body.rows].sort()).toEqual([
      ['ann', 2, '2024-01-01 00:00:03.000'],
      ['bob', 1, '2024-01-01 00:00:02.500'],
    ]);
  });

  it('takes a text/plain body too, and returns SHOW output as rows', async () => {
    const res = await fetch(`${server.httpUrl}/v1/statement`, { method: 'POST', headers: { 'content-type': 'text/plain', ...server.auth }, body: 'SHOW TABLES' });
    expect(await res.json()).toEqual({ columns: [{ name: 'table name', type: 'STRING' }], rows: [['clicks']] });
  });

  it('refuses what a web page could send: a foreign Origin, a non-loopback Host, a GET that changes something', async () => {
    const foreign = await post(server.httpUrl, 'SHOW TABLES', { origin: 'https://evil.example' });
    expect(foreign.status).toBe(403);
    expect(foreign.body.error.message).toBe('Requests from the web page https://evil.example are refused');
    // fetch sets Host itself: a DNS-rebound request (Host: evil.example) is sent with node:http.
    const rebound = await new Promise<{ status: number; body: any }>((resolve, reject) => {
      const req = request(`${server.httpUrl}/v1/statement`, { method: 'POST', headers: { host: 'evil.example:8080', 'content-type': 'application/json', ...server.auth } }, (res) => {
        let text = '';
        res.on('data', (d: Buffer) => (text += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode!, body: JSON.parse(text) }));
      });
      req.on('error', reject);
      req.end(JSON.stringify({ sql: 'SHOW TABLES' }));
    });
    expect(rebound.status).toBe(403);
    expect(rebound.body.error.message).toBe("Requests for host 'evil.example:8080' are refused: this server answers on loopback names only");
    const own = await post(server.httpUrl, 'SHOW TABLES', { origin: server.httpUrl });
    expect(own.status).toBe(200);
    const create = await fetch(`${server.httpUrl}/v1/statement?sql=${encodeURIComponent("CREATE TABLE x (a INT) WITH ('connector' = 'blackhole')")}`, { headers: server.auth });
    expect(create.status).toBe(405);
    expect(((await create.json()) as any).error.message).toMatch(/^GET runs queries only/);
    expect((await fetch(`${server.httpUrl}/v1/statement?sql=${encodeURIComponent('SHOW TABLES')}`, { headers: server.auth })).status).toBe(200);
  });

  it('reports errors as JSON with code, position and hint', async () => {
    const res = await post(server.httpUrl, 'SELECT url FROM clickz');
    expect(res).toEqual({
      status: 400,
      body: { error: { code: 'EDDY-B001', message: "Table or view 'clickz' does not exist", line: 1, column: 17, offset: 16, hint: 'did you mean `clicks`?' } },
    });
    const empty = await fetch(`${server.httpUrl}/v1/statement`, { method: 'POST', headers: { 'content-type': 'application/json', ...server.auth }, body: '{}' });
    expect(empty.status).toBe(400);
    expect(((await empty.json()) as { error: { code: string } }).error.code).toBe('EDDY-S002');
    const two = await post(server.httpUrl, 'SHOW TABLES; SHOW JOBS');
    expect(two).toEqual({ status: 400, body: { error: { code: 'EDDY-S002', message: 'Send one statement per request (this text holds several)' } } });
  });

  it('refuses a $n parameter: HTTP requests carry no values to bind', async () => {
    const res = await post(server.httpUrl, 'SELECT `user` FROM clicks WHERE `user` = $1');
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'EDDY-S005', message: 'Parameter $1 has no value', line: 1, column: 42, offset: 41 });
  });

  it('streams a push query as NDJSON, one object per change, while rows are appended', async () => {
    const { mkdirSync } = await import('node:fs');
    mkdirSync(livePath);
    const file = join(livePath, 'part-1.json');
    writeJsonLines(file, [{ id: 1, amount: 5 }]);
    await post(server.httpUrl, `CREATE TABLE live (id INT, amount INT) WITH ('connector' = 'filesystem', 'path' = '${livePath}', 'format' = 'json', 'source.monitor-interval' = '100ms')`);

    const abort = new AbortController();
    const res = await fetch(`${server.httpUrl}/v1/statement`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...server.auth },
      body: JSON.stringify({ sql: 'SELECT id, amount * 2 AS doubled FROM live' }),
      signal: abort.signal,
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/x-ndjson; charset=utf-8');
    const lines = new StreamReader(res, '\n');
    expect(JSON.parse((await lines.next())!)).toEqual({
      columns: [
        { name: 'id', type: 'INT' },
        { name: 'doubled', type: 'INT' },
      ],
      changelog: 'insert-only',
    });
    expect(JSON.parse((await lines.next())!)).toEqual({ op: '+I', row: [1, 10] });
    // Each appended row arrives as its own change.
    appendJson(file, [{ id: 2, amount: 7 }]);
    expect(JSON.parse((await lines.next())!)).toEqual({ op: '+I', row: [2, 14] });
    appendJson(join(livePath, 'part-2.json'), [{ id: 3, amount: -1 }]);
    expect(JSON.parse((await lines.next())!)).toEqual({ op: '+I', row: [3, -2] });

    const jobs = await post(server.httpUrl, 'SHOW JOBS');
    expect(jobs.body.rows.length).toBe(1);
    // Disconnecting cancels the query.
    abort.abort();
    await eventually(async () => (await post(server.httpUrl, 'SHOW JOBS')).body.rows.length === 0);
  });

  it('streams an updating push query with its retractions', async () => {
    const votes = join(tmp.dir, 'votes.json');
    writeJsonLines(votes, [{ k: 'x' }]);
    await post(server.httpUrl, `CREATE TABLE votes (k STRING) WITH ('connector' = 'filesystem', 'path' = '${votes}', 'format' = 'json', 'source.monitor-interval' = '100ms')`);
    const abort = new AbortController();
    const res = await fetch(`${server.httpUrl}/v1/statement`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...server.auth },
      body: JSON.stringify({ sql: 'SELECT k, COUNT(*) AS n FROM votes GROUP BY k' }),
      signal: abort.signal,
    });
    const lines = new StreamReader(res, '\n');
    const next = async () => JSON.parse((await lines.next())!);
    expect(await next()).toEqual({ columns: [{ name: 'k', type: 'STRING' }, { name: 'n', type: 'BIGINT NOT NULL' }], changelog: 'updating', upsertKey: ['k'] });
    expect(await next()).toEqual({ op: '+I', row: ['x', 1] });
    // A second vote for x retracts its count of 1 and adds 2; a vote for y is a new row.
    appendJson(votes, [{ k: 'x' }]);
    expect(await next()).toEqual({ op: '-U', row: ['x', 1] });
    expect(await next()).toEqual({ op: '+U', row: ['x', 2] });
    appendJson(votes, [{ k: 'y' }]);
    expect(await next()).toEqual({ op: '+I', row: ['y', 1] });
    abort.abort();
  });

  it('streams the changelog of a bounded query when asked for NDJSON', async () => {
    const res = await fetch(`${server.httpUrl}/v1/statement`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/x-ndjson', ...server.auth },
      body: JSON.stringify({ sql: 'SELECT url FROM clicks WHERE `user` = \'ann\'' }),
    });
    const items = (await res.text()).trim().split('\n').map((l) => JSON.parse(l));
    expect(items).toEqual([
      { columns: [{ name: 'url', type: 'STRING' }], changelog: 'insert-only' },
      { op: '+I', row: ['/a'] },
      { op: '+I', row: ['/c'] },
      { end: { rows: 2 } },
    ]);
  });

  it('streams server-sent events when the client accepts text/event-stream', async () => {
    const abort = new AbortController();
    const res = await fetch(`${server.httpUrl}/v1/statement?sql=${encodeURIComponent('SELECT id FROM live WHERE id > 1')}`, {
      headers: { accept: 'text/event-stream', ...server.auth },
      signal: abort.signal,
    });
    expect(res.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    const events = new StreamReader(res, '\n\n');
    expect(await events.next()).toBe(`event: columns\ndata: ${JSON.stringify({ columns: [{ name: 'id', type: 'INT' }], changelog: 'insert-only' })}`);
    expect(await events.next()).toBe('event: change\ndata: {"op":"+I","row":[2]}');
    expect(await events.next()).toBe('event: change\ndata: {"op":"+I","row":[3]}');
    appendJson(join(livePath, 'part-2.json'), [{ id: 4, amount: 0 }]);
    expect(await events.next()).toBe('event: change\ndata: {"op":"+I","row":[4]}');
    abort.abort();
    await eventually(async () => (await post(server.httpUrl, 'SHOW JOBS')).body.rows.length === 0);
  });

  it('ends the stream with the last change when the query has a LIMIT', async () => {
    const res = await fetch(`${server.httpUrl}/v1/statement`, { method: 'POST', headers: { 'content-type': 'application/json', ...server.auth }, body: JSON.stringify({ sql: 'SELECT id FROM live LIMIT 2' }) });
    const text = await res.text();
    expect(text.trim().split('\n').slice(1).map((l) => JSON.parse(l))).toEqual([{ op: '+I', row: [1] }, { op: '+I', row: [2] }, { end: { rows: 2 } }]);
  });
});

describe('HTTP token authentication', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ pgPort: null, httpToken: 't0ken' });
    defaultAuth = {};
  });
  afterAll(async () => {
    await server?.close();
  });

  it('refuses requests without the token and accepts the right one', async () => {
    const none = await post(server.httpUrl, 'SHOW TABLES');
    expect(none.status).toBe(401);
    expect(none.body.error.code).toBe('EDDY-S001');
    expect((await post(server.httpUrl, 'SHOW TABLES', { authorization: 'Bearer wrong' })).status).toBe(401);
    expect(await post(server.httpUrl, 'SHOW TABLES', { authorization: 'Bearer t0ken' })).toEqual({ status: 200, body: { columns: [{ name: 'table name', type: 'STRING' }], rows: [] } });
    const viaQuery = await fetch(`${server.httpUrl}/v1/statement?token=t0ken&sql=${encodeURIComponent('SHOW TABLES')}`);
    expect(viaQuery.status).toBe(200);
    // The health check needs no token.
    expect((await fetch(`${server.httpUrl}/v1/health`)).status).toBe(200);
  });

  it('will not bind a non-loopback address without a token and a password', async () => {
    const eddy = new Eddy();
    await expect(startServers({ eddy, host: '0.0.0.0', httpPort: 0, pgPort: null })).rejects.toThrow(/needs an HTTP token/);
    await expect(startServers({ eddy, host: '0.0.0.0', httpPort: null, pgPort: 0 })).rejects.toThrow(/needs a Postgres password/);
    await eddy.close();
  });
});
