/**
 * Fuzzing the Postgres front door of a real `eddy serve`: 300 sessions of random bytes and of valid
 * messages mutated (flipped bytes, wrong lengths, wrong types, truncation), before and after
 * authentication, a few at a time. Afterwards the server is still up, answers a new client at once, and
 * its memory has stayed bounded. Seeded, so a failure reproduces.
 */
import { connect, type Socket } from 'node:net';
import { serialize } from 'pg-protocol';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prng } from '../e2e/helpers.js';
import { pgMd5Answer, tempDir } from './helpers.js';
import { startServeProcess, type ServeProcess } from './serve-process.js';

const SESSIONS = 300;
const CONCURRENCY = 10;
/** How much the server's resident memory may grow over the whole run. */
const RSS_GROWTH_BOUND_MB = 200;

type Random = () => number;

const int = (random: Random, n: number) => Math.floor(random() * n);

function randomBytes(random: Random, n: number): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = int(random, 256);
  return b;
}

/** A valid message, changed in one of several ways. */
function mutate(random: Random, message: Buffer): Buffer {
  const b = Buffer.from(message);
  switch (int(random, 6)) {
    case 0: // flip some bytes
      for (let k = 0; k < 1 + int(random, 4); k++) b[int(random, b.length)] = int(random, 256);
      return b;
    case 1: // truncate
      return b.subarray(0, int(random, b.length));
    case 2: // a wrong length field (typed messages: after the type byte)
      if (b.length >= 5) b.writeInt32BE([0, 3, -1, 0x7fffffff, b.length * 3, int(random, 1 << 20)][int(random, 6)]!, b.length >= 5 && b[0]! >= 0x41 ? 1 : 0);
      return b;
    case 3: // another type byte
      b[0] = int(random, 256);
      return b;
    case 4: // random bytes appended
      return Buffer.concat([b, randomBytes(random, int(random, 64))]);
    default:
      return b; // unchanged
  }
}

const QUERIES = ['SELECT 1', 'SELECT x FROM (VALUES (1), (2), (3)) AS t(x) WHERE x > $1', 'SHOW TABLES', "SELECT 'a' || 'b'", 'SELECT $1', 'EXPLAIN SELECT 1'];

/** Frontend messages a client may send after authenticating. */
function afterAuthMessages(random: Random): Buffer[] {
  const q = QUERIES[int(random, QUERIES.length)]!;
  const candidates = [
    serialize.query(q),
    serialize.parse({ name: int(random, 2) ? 's' : '', text: q, types: int(random, 2) ? [23] : [] }),
    serialize.bind({ statement: int(random, 2) ? 's' : '', values: int(random, 2) ? ['1'] : [] }),
    serialize.describe({ type: int(random, 2) ? 'P' : 'S', name: '' }),
    serialize.execute({ rows: int(random, 3) }),
    serialize.sync(),
    serialize.flush(),
    serialize.close({ type: 'P', name: '' }),
  ];
  const out: Buffer[] = [];
  for (let i = 0; i < 1 + int(random, 8); i++) {
    const m = candidates[int(random, candidates.length)]!;
    out.push(random() < 0.5 ? mutate(random, m) : m);
  }
  return out;
}

function startupMessage(): Buffer {
  return serialize.startup({ user: 'fuzz', database: 'db' });
}

/** Runs one session; resolves when the server closed it or after a short time. */
async function session(port: number, password: string, random: Random): Promise<void> {
  const socket = await new Promise<Socket>((resolve, reject) => {
    const s = connect(port, '127.0.0.1', () => resolve(s));
    s.once('error', reject);
  });
  socket.on('error', () => {});
  let received = Buffer.alloc(0);
  socket.on('data', (d: Buffer) => (received = Buffer.concat([received, d]).subarray(-4096)));
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  const write = (b: Buffer) => socket.writable && socket.write(b);
  const kind = int(random, 5);
  if (kind === 0) {
    write(randomBytes(random, 1 + int(random, 200)));
  } else if (kind === 1) {
    write(mutate(random, startupMessage()));
  } else if (kind === 2) {
    // SSLRequest, CancelRequest or GSSENCRequest, mutated, then junk.
    const codes = [80877103, 80877102, 80877104];
    const m = Buffer.alloc(int(random, 2) ? 8 : 16);
    m.writeInt32BE(m.length, 0);
    m.writeInt32BE(codes[int(random, 3)]!, 4);
    write(mutate(random, m));
    write(randomBytes(random, int(random, 50)));
  } else {
    // A real login (kind 3: with a wrong password mutated in), then messages.
    write(startupMessage());
    const salt = await new Promise<Buffer | undefined>((resolve) => {
      const timer = setTimeout(() => resolve(undefined), 2_000);
      const check = () => {
        if (received.length >= 13 && received[0] === 0x52) {
          clearTimeout(timer);
          socket.off('data', check);
          resolve(received.subarray(9, 13));
        }
      };
      socket.on('data', check);
      check();
    });
    if (salt) {
      const answer = serialize.password(pgMd5Answer(kind === 3 ? 'wrong' : password, 'fuzz', salt));
      write(kind === 3 ? mutate(random, answer) : answer);
      await new Promise((r) => setTimeout(r, 20));
      for (const m of afterAuthMessages(random)) write(m);
    }
  }
  await Promise.race([closed, new Promise((r) => setTimeout(r, 150 + int(random, 150)))]);
  socket.destroy();
}

describe('fuzzing the Postgres front door', () => {
  const tmp = tempDir();
  let server: ServeProcess;

  beforeAll(async () => {
    server = await startServeProcess(['--port', 'off', '--pg-port', '0', '--state-dir', `${tmp.dir}/state`], { cwd: tmp.dir });
  }, 90_000);

  afterAll(async () => {
    await server?.stop();
    tmp.cleanup();
  });

  it(`survives ${SESSIONS} sessions of random and mutated messages, before and after authentication`, async () => {
    const random = prng(20261207);
    const baseline = server.rssMb();
    let maxRss = baseline;
    const started = Date.now();
    for (let i = 0; i < SESSIONS; i += CONCURRENCY) {
      const batch = Array.from({ length: Math.min(CONCURRENCY, SESSIONS - i) }, () => session(server.pgPort!, server.token!, prng(int(random, 2 ** 31))));
      await Promise.all(batch);
      maxRss = Math.max(maxRss, server.rssMb());
      expect(server.child.exitCode).toBeNull();
      if (Date.now() - started > 150_000) throw new Error(`fuzzing took too long (${i + CONCURRENCY} sessions in ${Date.now() - started} ms)`);
    }
    expect(maxRss - baseline).toBeLessThan(RSS_GROWTH_BOUND_MB);

    // The server answers a new client at once.
    const t0 = Date.now();
    const client = new pg.Client({ host: '127.0.0.1', port: server.pgPort!, user: 'after', database: 'db', password: server.token });
    await client.connect();
    expect((await client.query('SELECT x * 2 AS y FROM (VALUES (1), (2)) AS t(x)')).rows).toEqual([{ y: 2 }, { y: 4 }]);
    await client.end();
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(server.child.exitCode).toBeNull();
  }, 240_000);
});
