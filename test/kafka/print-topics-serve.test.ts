// SHOW TOPICS and PRINT through a real `eddy serve`: refused to every client (full-access and read-only, HTTP and
// Postgres) unless the operator passed --allow-topics; when allowed, answered over both doors, a PRINT
// stream ends when its client leaves, and a client that stops reading is cut off at --max-buffered-rows.

import { request, type IncomingMessage } from 'node:http';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KafkaOutgoingRecord } from '../../src/connectors/kafka/client.js';
import { createKafkajsClient } from '../../src/connectors/kafka/kafkajs-client.js';
import { eventually, tempDir } from '../server/helpers.js';
import { startServeProcess, type ServeProcess } from '../server/serve-process.js';
import { kafkaBootstrap, produceRecords, uniqueTopic } from './broker.js';

/**
 * Record timestamps a minute ago, whole seconds (plus 10 ms in the run test): the broker deletes records older
 * than its retention (7 days) by their timestamps, so fixed dates in the past would vanish under the test.
 */
const BASE = Math.floor(Date.now() / 1000) * 1000 - 60_000;

async function post(port: number, sql: string, token: string): Promise<{ status: number; body: any }> {
  const res = await fetch(`http://127.0.0.1:${port}/v1/statement`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ sql }),
  });
  return { status: res.status, body: await res.json() };
}

async function withPg<T>(port: number, password: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ host: '127.0.0.1', port, user: 'someone', database: 'db', password });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

async function pgError(port: number, password: string, sql: string): Promise<{ code?: string; message: string; detail?: string }> {
  return withPg(port, password, async (c) => {
    try {
      await c.query(sql);
    } catch (err) {
      return err as { code?: string; message: string; detail?: string };
    }
    throw new Error(`expected ${sql} to fail`);
  });
}

const produce = (records: KafkaOutgoingRecord[]) => produceRecords(createKafkajsClient({ bootstrapServers: [kafkaBootstrap()] }), records);

/** Running queries and jobs the server lists. */
async function runningJobs(port: number, password: string): Promise<string[]> {
  return withPg(port, password, async (c) => (await c.query('SHOW JOBS')).rows.filter((r) => r.status === 'RUNNING').map((r) => String(r['job name'])));
}

const topic = uniqueTopic('serve-print');
const tmp = tempDir();

beforeAll(async () => {
  const admin = await createKafkajsClient({ bootstrapServers: [kafkaBootstrap()] }).admin();
  try {
    await admin.createTopic({ topic, partitions: 2 });
  } finally {
    await admin.close();
  }
  await produce([0, 1, 2].map((i) => ({ topic, partition: i % 2, key: `k${i}`, value: JSON.stringify({ id: i }), timestamp: BASE + i })));
  // The operator's init script names the cluster (a kafka table on it would do as well).
  writeFileSync(join(tmp.dir, 'init.sql'), `SET 'kafka.bootstrap-servers' = '${kafkaBootstrap()}';\n`);
}, 60_000);

afterAll(() => tmp.cleanup());

describe('an eddy serve without --allow-topics', () => {
  let server: ServeProcess;
  beforeAll(async () => {
    server = await startServeProcess(['--port', '0', '--pg-port', '0', '--state-dir', join(tmp.dir, 'closed'), '-i', join(tmp.dir, 'init.sql')], { cwd: tmp.dir });
  }, 90_000);
  afterAll(async () => {
    await server?.stop();
  });

  it('refuses SHOW TOPICS and PRINT to full-access and read-only clients, over HTTP and Postgres, in any spelling', async () => {
    const refused = /^(SHOW TOPICS|PRINT) is refused: this server does not let clients read Kafka topics directly$/;
    for (const token of [server.token!, server.readOnlyToken!]) {
      for (const sql of ['SHOW TOPICS', 'SHOW ALL TOPICS', `PRINT '${topic}' FROM BEGINNING LIMIT 1`, `/* look */ print \`${topic}\` from beginning`, `  PrInT '${topic}' INTERVAL 2;`]) {
        const http = await post(server.httpPort!, sql, token);
        expect(http.status, sql).toBe(400);
        expect(http.body.error.code).toBe('EDDY-S006');
        expect(http.body.error.message).toMatch(refused);
        expect(http.body.error.hint).toContain('--allow-topics');
        const viaPg = await pgError(server.pgPort!, token, sql);
        expect(viaPg).toMatchObject({ code: '42501', detail: 'EDDY-S006' });
        expect(viaPg.message).toMatch(refused);
      }
    }
    // Nothing was started for them.
    expect(await runningJobs(server.pgPort!, server.token!)).toEqual([]);
  });

  it('still answers the statements clients may run', async () => {
    expect(await post(server.httpPort!, 'SHOW TABLES', server.readOnlyToken!)).toMatchObject({ status: 200 });
  });
});

describe('an eddy serve with --allow-topics', () => {
  let server: ServeProcess;
  beforeAll(async () => {
    server = await startServeProcess(
      ['--port', '0', '--pg-port', '0', '--state-dir', join(tmp.dir, 'open'), '-i', join(tmp.dir, 'init.sql'), '--allow-topics', '--max-buffered-rows', '100'],
      { cwd: tmp.dir },
    );
  }, 90_000);
  afterAll(async () => {
    await server?.stop();
  });

  it('says so on start, lists topics and prints a topic to a read-only client over both doors', async () => {
    expect(server.output()).toContain('clients may run SHOW TOPICS and PRINT (--allow-topics)');
    const shown = await withPg(server.pgPort!, server.readOnlyToken!, (c) => c.query('SHOW TOPICS'));
    expect(shown.rows.find((r) => r['kafka topic'] === topic)).toEqual({ 'kafka topic': topic, partitions: '2', replicas: '1' });

    const http = await post(server.httpPort!, `PRINT '${topic}' FROM BEGINNING LIMIT 3`, server.readOnlyToken!);
    expect(http.status).toBe(200);
    expect(http.body.columns.map((c: { name: string }) => c.name)).toEqual(['rowtime', 'key', 'value', 'partition', 'offset', 'error']);
    const rows = (http.body.rows as unknown[][]).map((r) => r.slice(1, 5)).sort((a, b) => String(a[0]).localeCompare(String(b[0])));
    expect(rows).toEqual([
      ['k0', '{"id":0}', 0, 0],
      ['k1', '{"id":1}', 1, 0],
      ['k2', '{"id":2}', 0, 1],
    ]);

    const viaPg = await withPg(server.pgPort!, server.token!, (c) => c.query(`PRINT '${topic}' FROM BEGINNING INTERVAL 3 LIMIT 1`));
    expect(viaPg.rows.map((r) => r.partition)).toHaveLength(1);
  });

  it("ends a PRINT stream's query when its HTTP client leaves", async () => {
    const res = await streamPrint(server, `PRINT '${topic}' FROM BEGINNING`);
    let text = '';
    res.on('data', (d: Buffer) => (text += d.toString()));
    await eventually(() => text.split('\n').filter((l) => l.includes('"op":"+I"')).length === 3, 30_000);
    expect(await runningJobs(server.pgPort!, server.token!)).toEqual([`PRINT '${topic}' FROM BEGINNING`]);
    res.destroy();
    await eventually(async () => (await runningJobs(server.pgPort!, server.token!)).length === 0, 30_000);
  });

  it('cuts off a client that stops reading a PRINT, past --max-buffered-rows, and cancels the PRINT', async () => {
    const big = uniqueTopic('serve-print-big');
    const admin = await createKafkajsClient({ bootstrapServers: [kafkaBootstrap()] }).admin();
    await admin.createTopic({ topic: big, partitions: 1 }).finally(() => admin.close());
    const payload = 'x'.repeat(2000);
    await produce(Array.from({ length: 6000 }, (_, i) => ({ topic: big, partition: 0, key: null, value: `${i}:${payload}`, timestamp: BASE + i })));
    const res = await streamPrint(server, `PRINT '${big}' FROM BEGINNING`);
    let text = '';
    let ended = false;
    res.on('data', (d: Buffer) => (text += d.toString()));
    res.on('end', () => (ended = true));
    res.on('error', () => {});
    await eventually(() => text.includes('"op":"+I"'), 30_000);
    res.pause();
    // Past the bound the server cancels the PRINT (6000 records of 2 KB are far more than it keeps)...
    await eventually(async () => (await runningJobs(server.pgPort!, server.token!)).length === 0, 60_000);
    // ...and the client, reading again, gets what was kept and then the error.
    res.resume();
    await eventually(() => ended, 30_000);
    const last = JSON.parse(text.trim().split('\n').pop()!);
    expect(last.error).toMatchObject({ code: 'EDDY-S007' });
    const received = text.split('\n').filter((l) => l.includes('"op":"+I"')).length;
    expect(received).toBeGreaterThan(0);
    expect(received).toBeLessThan(6000);
  }, 180_000);
});

/** Starts an ndjson stream of a statement's results (full-access token). */
function streamPrint(server: ServeProcess, sql: string): Promise<IncomingMessage> {
  return new Promise<IncomingMessage>((resolve, reject) => {
    const req = request(
      `http://127.0.0.1:${server.httpPort}/v1/statement`,
      { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/x-ndjson', authorization: `Bearer ${server.token}` } },
      resolve,
    );
    req.on('error', reject);
    req.end(JSON.stringify({ sql }));
  });
}
