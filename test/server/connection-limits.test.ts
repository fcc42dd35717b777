/**
 * What a connection may cost the server before and between statements: the size of messages before
 * authentication, the time to authenticate, idle connections, trickled bytes (linear framing), slow HTTP
 * request bodies, and browsers' requests from another origin (scheme, host and port compared).
 */
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FrameDecoder } from '../../src/server/pg-messages.js';
import { pgClient, startTestServer, type TestServer } from './helpers.js';

/** Connects a raw socket; `bytes()` is everything received, `closed` whether the server closed it. */
async function rawSocket(port: number): Promise<{ socket: Socket; bytes: () => Buffer; closed: () => boolean; closedAfter: () => number }> {
  const socket = await new Promise<Socket>((resolve, reject) => {
    const s = connect(port, '127.0.0.1', () => resolve(s));
    s.once('error', reject);
  });
  const chunks: Buffer[] = [];
  const opened = Date.now();
  let closedAt = -1;
  socket.on('data', (d: Buffer) => chunks.push(d));
  socket.on('error', () => {});
  socket.on('close', () => (closedAt = Date.now()));
  return { socket, bytes: () => Buffer.concat(chunks), closed: () => closedAt >= 0, closedAfter: () => closedAt - opened };
}

async function until(predicate: () => boolean, ms: number): Promise<void> {
  const start = Date.now();
  while (!predicate()) {
    if (Date.now() - start > ms) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A startup message's length field followed by its protocol version (3.0). */
function startupHeader(length: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeInt32BE(length, 0);
  b.writeInt32BE(196608, 4);
  return b;
}

describe('Postgres connection limits', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ httpPort: null, limits: { authTimeoutMs: 1_500, idleTimeoutMs: 2_000 } });
  });
  afterAll(async () => {
    await server?.close();
  });

  it('refuses at once a startup message that announces a huge length', async () => {
    const c = await rawSocket(server.pgPort);
    c.socket.write(startupHeader(64 * 1024 * 1024));
    await until(c.closed, 1_000);
    const text = c.bytes().toString('latin1');
    expect(text[0]).toBe('E');
    expect(text).toContain('message of 67108864 bytes is longer than the 10240 allowed here');
    // 10 KB is plenty for a real startup message, which is accepted.
    const ok = await pgClient(server.pgPort, { application_name: 'x'.repeat(2000) });
    expect((await ok.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    await ok.end();
  });

  it('refuses a password message that announces a huge length', async () => {
    const c = await rawSocket(server.pgPort);
    const params = Buffer.from('user\0u\0database\0d\0\0');
    const startup = Buffer.concat([startupHeader(8 + params.length), params]);
    c.socket.write(startup);
    await until(() => c.bytes().length >= 13, 2_000); // AuthenticationMD5Password
    expect(c.bytes()[0]).toBe('R'.charCodeAt(0));
    const password = Buffer.alloc(5);
    password.write('p', 0, 'latin1');
    password.writeInt32BE(1 << 30, 1);
    c.socket.write(password);
    await until(c.closed, 1_000);
    expect(c.bytes().toString('latin1')).toContain('longer than the 10240 allowed here');
  });

  it('closes a connection that does not authenticate in time, even one trickling its startup message', async () => {
    const idle = await rawSocket(server.pgPort);
    const trickle = await rawSocket(server.pgPort);
    trickle.socket.write(startupHeader(5_000));
    const timer = setInterval(() => trickle.socket.writable && trickle.socket.write('a'), 50);
    try {
      await until(() => idle.closed() && trickle.closed(), 10_000);
    } finally {
      clearInterval(timer);
    }
    for (const c of [idle, trickle]) {
      expect(c.closedAfter()).toBeGreaterThanOrEqual(1_400);
      expect(c.bytes().toString('latin1')).toContain('authentication timed out');
    }
  });

  it('closes an idle authenticated connection, but not one that is busy', async () => {
    const idle = await pgClient(server.pgPort);
    const errors: Error[] = [];
    idle.on('error', (e) => errors.push(e));
    const ended = new Promise<void>((resolve) => idle.once('end', () => resolve()));
    const active = await pgClient(server.pgPort);
    const started = Date.now();
    // The active client keeps sending statements more often than the idle timeout.
    while (Date.now() - started < 3_500) {
      await active.query('SELECT 1');
      await new Promise((r) => setTimeout(r, 300));
    }
    await ended;
    expect((errors[0] as Error & { code?: string }).code).toBe('57P05');
    expect(errors[0]!.message).toMatch(/idle-session timeout/);
    expect((await active.query('SELECT 2 AS two')).rows).toEqual([{ two: 2 }]);
    await active.end();
  });
});

describe('framing trickled bytes', () => {
  it('takes linear time: a 400 KB message fed one byte at a time', () => {
    const body = Buffer.alloc(400_000, 'x');
    const frame = Buffer.alloc(5 + body.length);
    frame.write('Q', 0, 'latin1');
    frame.writeInt32BE(4 + body.length, 1);
    body.copy(frame, 5);
    const decoder = new FrameDecoder();
    decoder.started = true;
    const started = Date.now();
    let messages: { type: string; body: Buffer }[] = [];
    for (let i = 0; i < frame.length; i++) messages = messages.concat(decoder.push(frame.subarray(i, i + 1)));
    // Joining the buffered bytes on every push copies 400 KB × 400 K / 2 = 80 GB: minutes, not seconds.
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(messages).toHaveLength(1);
    expect(messages[0]!.type).toBe('Q');
    expect(messages[0]!.body.equals(body)).toBe(true);
    expect(decoder.buffered).toBe(0);
  }, 60_000);
});

describe('HTTP request limits', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ pgPort: null, limits: { requestTimeoutMs: 1_500 } });
  });
  afterAll(async () => {
    await server?.close();
  });

  it('cuts off a request whose body does not arrive in time', async () => {
    const port = Number(new URL(server.httpUrl).port);
    const c = await rawSocket(port);
    c.socket.write(`POST /v1/statement HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAuthorization: Bearer ${server.token}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"sql": "SEL`);
    const timer = setInterval(() => c.socket.writable && c.socket.write(' '), 200);
    try {
      await until(c.closed, 15_000);
    } finally {
      clearInterval(timer);
    }
    expect(c.bytes().toString()).toMatch(/^HTTP\/1\.1 408/);
    expect(c.closedAfter()).toBeGreaterThanOrEqual(1_400);
    // Streams are not requests still arriving: a normal request right after is answered.
    const res = await fetch(`${server.httpUrl}/v1/statement`, { method: 'POST', headers: { 'content-type': 'application/json', ...server.auth }, body: JSON.stringify({ sql: 'SELECT 1 AS one' }) });
    expect(((await res.json()) as { rows: unknown }).rows).toEqual([[1]]);
  });

  it("accepts a browser's Origin only when scheme, host and port are the server's own", async () => {
    const port = Number(new URL(server.httpUrl).port);
    const post = async (origin: string) =>
      (await fetch(`${server.httpUrl}/v1/statement`, { method: 'POST', headers: { 'content-type': 'application/json', origin, ...server.auth }, body: JSON.stringify({ sql: 'SHOW TABLES' }) })).status;
    expect(await post(`http://127.0.0.1:${port}`)).toBe(200);
    expect(await post(`http://localhost:${port}`)).toBe(200);
    // Another port on the same machine is another web site (a dev server, a page someone else serves).
    expect(await post(`http://localhost:${port + 1}`)).toBe(403);
    expect(await post(`http://127.0.0.1:${port === 80 ? 81 : 80}`)).toBe(403);
    expect(await post('http://localhost')).toBe(403);
    expect(await post(`https://127.0.0.1:${port}`)).toBe(403);
    expect(await post('http://evil.example')).toBe(403);
  });
});
