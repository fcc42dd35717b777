/**
 * `eddy serve` as a command: arguments, init scripts, where it says it listens, and a clean stop.
 */
import { join } from 'node:path';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseServeArgs, serveCommand, type ServeIO } from '../../src/cli/serve.js';
import { eventually, pgClient, startTestServer, tempDir, writeJsonLines } from './helpers.js';

describe('eddy serve', () => {
  it('parses its options, with the token and password from the environment', () => {
    expect(parseServeArgs(['--port', '0', '--pg-port=off', '-i', 'a.sql', '--define', 'k=v'], { EDDY_HTTP_TOKEN: 'tok' })).toMatchObject({
      host: '127.0.0.1',
      httpPort: 0,
      pgPort: null,
      init: ['a.sql'],
      defines: { k: 'v' },
      httpToken: 'tok',
    });
    expect(parseServeArgs(['--port', 'x'], {})).toBe("--port: 'x' is not a port number");
    expect(parseServeArgs(['--port', 'off', '--pg-port', 'off'], {})).toBe('both --port and --pg-port are off: nothing to serve');
    expect(parseServeArgs(['--bogus'], {})).toBe('unknown option --bogus');
  });

  it('parses the access and limit options', () => {
    expect(
      parseServeArgs(['--allow-path', '/a', '--allow-path=/b', '--tls-cert', 'c.pem', '--tls-key', 'k.pem', '--auth-timeout', '5s', '--idle-timeout', '0', '--request-timeout', '500ms', '--max-buffered-rows', '10'], {
        EDDY_READ_ONLY_TOKEN: 'ro',
      }),
    ).toMatchObject({
      allowPaths: ['/a', '/b'],
      tlsCert: 'c.pem',
      tlsKey: 'k.pem',
      readOnlyToken: 'ro',
      insecure: false,
      limits: { authTimeoutMs: 5000, idleTimeoutMs: 0, requestTimeoutMs: 500, maxBufferedRows: 10 },
    });
    expect(parseServeArgs(['--insecure'], {})).toMatchObject({ insecure: true });
    expect(parseServeArgs(['--tls-cert', 'c.pem'], {})).toBe('--tls-cert and --tls-key go together');
    expect(parseServeArgs(['--insecure', '--http-token', 't'], {})).toBe('--insecure serves without authentication: leave out the tokens and passwords');
    expect(parseServeArgs(['--auth-timeout', 'soon'], {})).toBe('--auth-timeout needs a duration (10s, 500ms, 5m; 0 for none with --idle-timeout)');
    expect(parseServeArgs(['--auth-timeout', '0'], {})).toBe('--auth-timeout must be more than 0');
    expect(parseServeArgs(['--max-buffered-rows', '-1'], {})).toBe('--max-buffered-rows needs a positive whole number');
  });

  it('refuses --insecure on a non-loopback address', async () => {
    let err = '';
    const code = await serveCommand(['--host', '0.0.0.0', '--insecure', '--port', '0', '--pg-port', 'off'], { out: () => {}, err: (t) => void (err += t), stopSignal: () => new Promise(() => {}) });
    expect(code).toBe(1);
    expect(err).toBe('eddy serve: binding to 0.0.0.0 (not a loopback address) needs an HTTP token: --http-token or EDDY_HTTP_TOKEN\n');
  });

  it('refuses a secret file that other users can read', async () => {
    const tmp = tempDir();
    writeFileSync(join(tmp.dir, 'server-token'), 'abc\n', { mode: 0o644 });
    let err = '';
    const code = await serveCommand(['--port', '0', '--pg-port', 'off', '--state-dir', tmp.dir], { out: () => {}, err: (t) => void (err += t), stopSignal: () => new Promise(() => {}) });
    expect(code).toBe(1);
    expect(err).toBe(`eddy serve: ${join(tmp.dir, 'server-token')} can be read by other users (mode 644): make it owner-only (chmod 600 ${join(tmp.dir, 'server-token')}) or delete it for a new one\n`);
    tmp.cleanup();
  });

  it('runs init scripts, serves both protocols, and stops on a signal', async () => {
    const tmp = tempDir();
    const data = join(tmp.dir, 'numbers.json');
    writeJsonLines(data, [{ n: 1 }, { n: 2 }, { n: 3 }]);
    const init = join(tmp.dir, 'init.sql');
    writeFileSync(init, `CREATE TABLE numbers (n INT) WITH ('connector' = 'filesystem', 'path' = '\${dir}/numbers.json', 'format' = 'json');\n`);
    let out = '';
    let err = '';
    let stop!: (signal: string) => void;
    const io: ServeIO = { out: (t) => void (out += t), err: (t) => void (err += t), stopSignal: () => new Promise((r) => (stop = r)) };
    const exit = serveCommand(['--port', '0', '--pg-port', '0', '-i', init, '--define', `dir=${tmp.dir}`], io);
    await eventually(() => out.includes('Stop with Ctrl-C.'));
    const httpPort = Number(/HTTP +http:\/\/127\.0\.0\.1:(\d+)\/v1\/statement/.exec(out)![1]);
    const pgPort = Number(/Postgres +psql -h 127\.0\.0\.1 -p (\d+)/.exec(out)![1]);
    // Clients authenticate with the secret written to an owner-only file (a temporary directory without --state-dir).
    const tokenFile = /Token +(\S+server-token)/.exec(out)![1]!;
    expect(statSync(tokenFile).mode & 0o777).toBe(0o600);
    const token = readFileSync(tokenFile, 'utf8').trim();

    const client = await pgClient(pgPort, { password: token });
    expect((await client.query('SELECT SUM(n) AS total FROM numbers')).rows).toEqual([{ total: 6 }]);
    await client.end();
    const res = await fetch(`http://127.0.0.1:${httpPort}/v1/statement`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ sql: 'SELECT n FROM numbers WHERE n > 1' }) });
    expect(((await res.json()) as { rows: unknown }).rows).toEqual([[2], [3]]);

    stop('SIGTERM');
    expect(await exit).toBe(0);
    expect(err).toBe('');
    await expect(fetch(`http://127.0.0.1:${httpPort}/v1/health`)).rejects.toThrow();
    // The temporary directory with the secrets goes with the server.
    expect(existsSync(tokenFile)).toBe(false);
    tmp.cleanup();
  });

  it('with --http-token only, the secret file is the Postgres password, and says so', async () => {
    let out = '';
    let stop!: (signal: string) => void;
    const io: ServeIO = { out: (t) => void (out += t), err: () => {}, stopSignal: () => new Promise((r) => (stop = r)) };
    const exit = serveCommand(['--port', '0', '--pg-port', '0', '--http-token', 'http-only-secret'], io);
    await eventually(() => out.includes('Stop with Ctrl-C.'));
    const httpPort = Number(/HTTP +http:\/\/127\.0\.0\.1:(\d+)\/v1\/statement/.exec(out)![1]);
    const pgPort = Number(/Postgres +psql -h 127\.0\.0\.1 -p (\d+)/.exec(out)![1]);
    const line = /Token +(\S+server-token) \((.*)\)/.exec(out)!;
    expect(line[2]).toBe('Postgres password, full access');
    const fileSecret = readFileSync(line[1]!, 'utf8').trim();
    const client = await pgClient(pgPort, { password: fileSecret });
    expect((await client.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    await client.end();
    const post = (token: string) => fetch(`http://127.0.0.1:${httpPort}/v1/statement`, { method: 'POST', headers: { 'content-type': 'text/plain', authorization: `Bearer ${token}` }, body: 'SELECT 1' });
    expect((await post('http-only-secret')).status).toBe(200);
    expect((await post(fileSecret)).status).toBe(401);
    stop('SIGTERM');
    expect(await exit).toBe(0);
  });

  it('reports an init script error with its position and exits 1', async () => {
    const tmp = tempDir();
    const init = join(tmp.dir, 'bad.sql');
    writeFileSync(init, 'CREATE TABLE t (a INT) WITH (;\n');
    let err = '';
    const code = await serveCommand(['--port', '0', '--pg-port', '0', '-i', init], { out: () => {}, err: (t) => void (err += t), stopSignal: () => new Promise(() => {}) });
    expect(code).toBe(1);
    expect(err).toContain(`--> ${init}:1:`);
    tmp.cleanup();
  });

  it('refuses a non-loopback address without authentication', async () => {
    let err = '';
    const code = await serveCommand(['--host', '0.0.0.0', '--port', '0', '--pg-port', 'off'], { out: () => {}, err: (t) => void (err += t), stopSignal: () => new Promise(() => {}) });
    expect(code).toBe(1);
    expect(err).toBe('eddy serve: binding to 0.0.0.0 (not a loopback address) needs an HTTP token: --http-token or EDDY_HTTP_TOKEN\n');
  });

  it('stops while push queries stream over both protocols, ending them', async () => {
    const tmp = tempDir();
    const data = join(tmp.dir, 'live.json');
    writeJsonLines(data, [{ n: 1 }]);
    const server = await startTestServer();
    const client = await pgClient(server.pgPort);
    client.on('error', () => {});
    await client.query(`CREATE TABLE live (n INT) WITH ('connector' = 'filesystem', 'path' = '${data}', 'format' = 'json', 'source.monitor-interval' = '100ms')`);
    const pgStream = client.query('SELECT n FROM live').catch((e: Error & { code?: string }) => e);
    const res = await fetch(`${server.httpUrl}/v1/statement`, { method: 'POST', headers: { 'content-type': 'application/json', ...server.auth }, body: JSON.stringify({ sql: 'SELECT n FROM live' }) });
    const reader = res.body!.getReader();
    let text = '';
    const readMore = async () => {
      const { value, done } = await reader.read();
      if (!done) text += new TextDecoder().decode(value);
      return !done;
    };
    while (text.split('\n').length < 3) await readMore(); // the column line and the first change
    await eventually(async () => ((await server.eddy.execute('SHOW JOBS')) as unknown as { table: { rows: unknown[] } }).table.rows.length === 2);
    await server.close();
    expect(await pgStream).toMatchObject({ code: '57P01' });
    // The HTTP stream ends: no more changes, and no end line (the query was cancelled, not finished).
    while (await readMore());
    expect(text.trim().split('\n').slice(1)).toEqual(['{"op":"+I","row":[1]}']);
    await client.end().catch(() => {});
    tmp.cleanup();
  });
});
