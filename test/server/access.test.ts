/**
 * Who may use a real `eddy serve` and what they may touch: the secret from an owner-only file (and
 * --insecure to opt out), paths confined to the allowed directories for clients but not for -i scripts,
 * the read-only token, and TLS on both doors.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { psql, tempDir, writeJsonLines } from './helpers.js';
import { startServeProcess, type ServeProcess } from './serve-process.js';

async function post(port: number, sql: string, token?: string): Promise<{ status: number; body: any }> {
  const res = await fetch(`http://127.0.0.1:${port}/v1/statement`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ sql }),
  });
  return { status: res.status, body: await res.json() };
}

async function connect(port: number, password: string | undefined, extra: pg.ClientConfig = {}): Promise<pg.Client> {
  const client = new pg.Client({ host: '127.0.0.1', port, user: 'someone', database: 'db', password, ...extra });
  await client.connect();
  return client;
}

async function pgError(client: pg.Client, sql: string): Promise<{ code?: string; message: string; detail?: string }> {
  try {
    await client.query(sql);
  } catch (err) {
    return err as { code?: string; message: string; detail?: string };
  }
  throw new Error(`expected ${sql} to fail`);
}

describe('a default eddy serve', () => {
  const tmp = tempDir();
  const work = join(tmp.dir, 'work');
  // Inside the working directory, which clients may use: the state directory is refused all the same.
  const state = join(work, 'state');
  const outside = join(tmp.dir, 'outside');
  let server: ServeProcess;

  beforeAll(async () => {
    mkdirSync(work);
    mkdirSync(outside);
    writeJsonLines(join(outside, 'secret.json'), [{ n: 7 }, { n: 8 }]);
    writeJsonLines(join(work, 'mine.json'), [{ n: 1 }, { n: 2 }]);
    // The operator's init script may name any file: it is not confined.
    writeFileSync(join(tmp.dir, 'init.sql'), `CREATE TABLE operators (n INT) WITH ('connector' = 'filesystem', 'path' = '${join(outside, 'secret.json')}', 'format' = 'json');\n`);
    server = await startServeProcess(['--port', '0', '--pg-port', '0', '--state-dir', state, '-i', join(tmp.dir, 'init.sql')], { cwd: work });
  }, 90_000);

  afterAll(async () => {
    await server?.stop();
    tmp.cleanup();
  });

  it('needs the secret it wrote to an owner-only file in the state directory', async () => {
    expect(server.tokenFile).toBe(join(state, 'server-token'));
    expect(server.readOnlyFile).toBe(join(state, 'read-only-token'));
    expect(statSync(server.tokenFile!).mode & 0o777).toBe(0o600);
    expect(statSync(server.readOnlyFile!).mode & 0o777).toBe(0o600);
    expect(server.token).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(server.readOnlyToken).not.toBe(server.token);

    // Without the secret: psql cannot log in, HTTP answers 401.
    const none = await psql(server.pgPort!, ['-w', '-c', 'SELECT 1']);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('no password supplied');
    const wrong = await psql(server.pgPort!, ['-w', '-c', 'SELECT 1'], { PGPASSWORD: 'guess' });
    expect(wrong.stderr).toContain('password authentication failed for user "someone"');
    expect((await post(server.httpPort!, 'SHOW TABLES')).status).toBe(401);
    expect((await post(server.httpPort!, 'SHOW TABLES', 'guess')).status).toBe(401);

    // With it: both doors answer (the operator's table reads its file outside the allowed directories).
    const ok = await psql(server.pgPort!, ['-A', '-t', '-c', 'SELECT SUM(n) FROM operators'], { PGPASSWORD: server.token! });
    expect(ok).toMatchObject({ code: 0, stdout: '15\n' });
    expect(await post(server.httpPort!, 'SELECT n FROM operators WHERE n > 7', server.token)).toMatchObject({ status: 200, body: { rows: [[8]] } });
  });

  it("confines clients' connector paths and path settings to the state directory's files/ and the working directory", async () => {
    const client = await connect(server.pgPort!, server.token);
    try {
      const passwd = await pgError(client, "CREATE TABLE pw (line STRING) WITH ('connector' = 'filesystem', 'path' = '/etc/passwd', 'format' = 'raw')");
      expect(passwd).toMatchObject({ code: '42501', message: "'path' = '/etc/passwd' is refused: it is outside the directories this server allows", detail: 'EDDY-S006' });
      // A sink outside, a path that climbs out with .., a symbolic link out: all refused.
      const sink = await pgError(client, `CREATE TABLE dump (n INT) WITH ('connector' = 'filesystem', 'path' = '${join(outside, 'dump')}', 'format' = 'json')`);
      expect(sink.code).toBe('42501');
      expect((await pgError(client, `CREATE TABLE up (n INT) WITH ('connector' = 'filesystem', 'path' = '${work}/../outside/secret.json', 'format' = 'json')`)).code).toBe('42501');
      symlinkSync(outside, join(work, 'link'));
      expect((await pgError(client, `CREATE TABLE viaLink (n INT) WITH ('connector' = 'filesystem', 'path' = '${join(work, 'link', 'secret.json')}', 'format' = 'json')`)).code).toBe('42501');
      // The state directory holds jobs' state and views' tables: refused, but for its files/ directory.
      const views = await pgError(client, `CREATE TABLE v (n INT) WITH ('connector' = 'sqlite', 'path' = '${join(state, 'views.db')}', 'table-name' = 'x')`);
      expect(views).toMatchObject({ code: '42501', message: `'path' = '${join(state, 'views.db')}' is refused: it is inside the server's state directory` });
      const savepoints = await pgError(client, `SET 'state.savepoints.dir' = '${outside}'`);
      expect(savepoints.code).toBe('42501');

      // Inside the working directory (relative paths too) and files/: allowed.
      await client.query(`CREATE TABLE mine (n INT) WITH ('connector' = 'filesystem', 'path' = 'mine.json', 'format' = 'json')`);
      expect((await client.query('SELECT SUM(n) AS s FROM mine')).rows).toEqual([{ s: 3 }]);
      writeJsonLines(join(state, 'files', 'f.json'), [{ n: 40 }]);
      await client.query(`CREATE TABLE f (n INT) WITH ('connector' = 'filesystem', 'path' = '${join(state, 'files', 'f.json')}', 'format' = 'json')`);
      expect((await client.query('SELECT n FROM f')).rows).toEqual([{ n: 40 }]);
    } finally {
      await client.end();
    }
    // The same rule over HTTP.
    const http = await post(server.httpPort!, "CREATE TABLE pw2 (line STRING) WITH ('connector' = 'filesystem', 'path' = '/etc/passwd', 'format' = 'raw')", server.token);
    expect(http.status).toBe(400);
    expect(http.body.error).toMatchObject({ code: 'EDDY-S006', message: "'path' = '/etc/passwd' is refused: it is outside the directories this server allows" });
  });

  it('lets the read-only token run queries only', async () => {
    const reader = await connect(server.pgPort!, server.readOnlyToken);
    try {
      expect((await reader.query('SELECT SUM(n) AS s FROM operators')).rows).toEqual([{ s: 15 }]);
      expect((await reader.query('SHOW TABLES')).rows.length).toBeGreaterThan(0);
      expect((await reader.query('DESCRIBE operators')).rows.length).toBe(1);
      expect((await reader.query('EXPLAIN SELECT n FROM operators')).rows.length).toBeGreaterThan(0);
      const create = await pgError(reader, "CREATE TABLE t (n INT) WITH ('connector' = 'blackhole')");
      expect(create).toMatchObject({ code: '42501', message: 'This connection is read-only: CREATE TABLE is refused', detail: 'EDDY-S006' });
      const insert = await pgError(reader, 'INSERT INTO operators VALUES (1)');
      expect(insert).toMatchObject({ code: '42501', message: 'This connection is read-only: INSERT is refused' });
      expect((await pgError(reader, "SET 'parallelism.default' = '2'")).code).toBe('42501');
    } finally {
      await reader.end();
    }
    expect(await post(server.httpPort!, 'SELECT n FROM operators WHERE n = 7', server.readOnlyToken)).toMatchObject({ status: 200, body: { rows: [[7]] } });
    const drop = await post(server.httpPort!, 'DROP TABLE operators', server.readOnlyToken);
    expect(drop).toMatchObject({ status: 400, body: { error: { code: 'EDDY-S006', message: 'This connection is read-only: DROP TABLE is refused' } } });
    expect(await post(server.httpPort!, 'SELECT COUNT(*) FROM operators', server.token)).toMatchObject({ body: { rows: [[2]] } });
  });

  it('keeps its secret across a restart on the same state directory', async () => {
    const before = server.token;
    expect(before).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(await server.stop()).toBe(0);
    server = await startServeProcess(['--port', '0', '--pg-port', '0', '--state-dir', state], { cwd: work });
    expect(server.token).toBe(before);
    expect((await post(server.httpPort!, 'SHOW TABLES', before)).status).toBe(200);
    expect((await post(server.httpPort!, 'SHOW TABLES')).status).toBe(401);
  }, 90_000);
});

describe('eddy serve --insecure and --allow-path', () => {
  it('serves loopback clients without a secret only when asked, and --allow-path replaces the default directories', async () => {
    const tmp = tempDir();
    const extra = join(tmp.dir, 'extra');
    mkdirSync(extra);
    writeJsonLines(join(extra, 'x.json'), [{ n: 5 }]);
    writeJsonLines(join(tmp.dir, 'cwd.json'), [{ n: 6 }]);
    const server = await startServeProcess(['--port', '0', '--pg-port', '0', '--insecure', '--allow-path', extra], { cwd: tmp.dir });
    try {
      expect(server.output()).toContain('--insecure');
      expect(server.tokenFile).toBeUndefined();
      const client = await connect(server.pgPort!, undefined);
      await client.query(`CREATE TABLE x (n INT) WITH ('connector' = 'filesystem', 'path' = '${join(extra, 'x.json')}', 'format' = 'json')`);
      expect((await client.query('SELECT n FROM x')).rows).toEqual([{ n: 5 }]);
      expect((await pgError(client, `CREATE TABLE c (n INT) WITH ('connector' = 'filesystem', 'path' = 'cwd.json', 'format' = 'json')`)).code).toBe('42501');
      await client.end();
      expect((await post(server.httpPort!, 'SHOW TABLES')).status).toBe(200);
    } finally {
      await server.stop();
      tmp.cleanup();
    }
  }, 90_000);
});

describe('eddy serve started from /', () => {
  it('does not allow every file by default: the working directory is left out when it is the root', async () => {
    const tmp = tempDir();
    const server = await startServeProcess(['--port', '0', '--pg-port', '0', '--state-dir', join(tmp.dir, 'state')], { cwd: '/' });
    try {
      expect(server.output()).toContain(`Files     clients may use paths under ${join(tmp.dir, 'state', 'files')}\n`);
      const client = await connect(server.pgPort!, server.token);
      const err = await pgError(client, `CREATE TABLE p (line STRING) WITH ('connector' = 'filesystem', 'path' = '/etc/passwd', 'format' = 'csv')`);
      expect(err.code).toBe('42501');
      await client.end();
    } finally {
      await server.stop();
      tmp.cleanup();
    }
  }, 90_000);
});

describe('eddy serve with --tls-cert and --tls-key', () => {
  it('speaks TLS to Postgres clients that ask for it and HTTPS', async () => {
    const tmp = tempDir();
    const cert = join(tmp.dir, 'cert.pem');
    const key = join(tmp.dir, 'key.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=localhost'], { stdio: 'ignore' });
    const server = await startServeProcess(['--port', '0', '--pg-port', '0', '--tls-cert', cert, '--tls-key', key, '--state-dir', join(tmp.dir, 'state')], { cwd: tmp.dir });
    try {
      expect(server.output()).toMatch(/HTTP +https:\/\//);
      // psql with sslmode=require: the session is encrypted (\conninfo names the TLS protocol).
      const res = await psql(server.pgPort!, ['-c', '\\conninfo', '-A', '-t', '-c', 'SELECT 6 * 7'], { PGPASSWORD: server.token!, PGSSLMODE: 'require' });
      expect(res.stderr).toBe('');
      expect(res.stdout).toMatch(/SSL connection \(protocol: TLSv1\.[23]/);
      expect(res.stdout).toContain('42\n');
      // node-postgres with ssl, checking the certificate against the one we made.
      const client = await connect(server.pgPort!, server.token, { ssl: { ca: readFileSync(cert), servername: 'localhost' } });
      expect((await client.query('SELECT 1 AS x')).rows).toEqual([{ x: 1 }]);
      await client.end();
      // HTTPS, trusting the certificate we made.
      const body = await new Promise<string>((resolve, reject) => {
        const req = httpsRequest(`https://127.0.0.1:${server.httpPort}/v1/statement`, { method: 'POST', ca: readFileSync(cert), servername: 'localhost', headers: { authorization: `Bearer ${server.token}`, 'content-type': 'application/json' } }, (res) => {
          let text = '';
          res.on('data', (d: Buffer) => (text += d.toString()));
          res.on('end', () => resolve(text));
        });
        req.on('error', reject);
        req.end(JSON.stringify({ sql: 'SELECT 2 + 3 AS five' }));
      });
      expect(JSON.parse(body)).toMatchObject({ rows: [[5]] });
      // Plain HTTP to the HTTPS port gets no answer.
      await expect(fetch(`http://127.0.0.1:${server.httpPort}/v1/health`)).rejects.toThrow();
    } finally {
      await server.stop();
      tmp.cleanup();
    }
  }, 120_000);
});
