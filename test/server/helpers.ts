/** Helpers for server tests: a running `eddy serve` (in-process, ephemeral ports), temp files, polling. */
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { Eddy } from '../../src/index.js';
import { startServers, type RunningServers, type ServeOptions } from '../../src/server/server.js';
import { bearer, printedToken } from './serve-process.js';

const run = promisify(execFile);

/** A running server pair over a fresh Eddy, on free ports. */
export interface TestServer {
  readonly eddy: Eddy;
  readonly servers: RunningServers;
  readonly pgPort: number;
  readonly httpUrl: string;
  /** The full-access secret (HTTP token and Postgres password), unless the server is insecure. */
  readonly token?: string;
  /** Headers that authenticate an HTTP request with `token`. */
  readonly auth: Record<string, string>;
  /** Stops the servers and the engine. */
  close(): Promise<void>;
}

/** Postgres passwords of the running test servers, by port: pgClient and psql use them unless told otherwise. */
const passwords = new Map<number, string>();

/**
 * Starts the servers as `eddy serve` does by default: clients need a secret (a fresh random token for
 * both doors, unless `options` give their own or ask for `insecure`), and their paths are confined to the
 * temp directory the tests write in.
 */
export async function startTestServer(options: Partial<Omit<ServeOptions, 'eddy'>> = {}): Promise<TestServer> {
  // As `eddy serve` runs it: INSERT and materialized-view jobs in the session's job thread.
  const eddy = new Eddy({ jobThread: true });
  const token = options.insecure ? undefined : randomBytes(16).toString('hex');
  const servers = await startServers({ eddy, httpPort: 0, pgPort: 0, httpToken: token, pgPassword: token, allowedPaths: [tmpdir()], ...options });
  const httpToken = options.insecure ? undefined : (options.httpToken ?? token);
  const pgPassword = options.insecure ? undefined : (options.pgPassword ?? token);
  if (servers.pg && pgPassword) passwords.set(servers.pg.port, pgPassword);
  return {
    eddy,
    servers,
    pgPort: servers.pg?.port ?? -1,
    httpUrl: `http://127.0.0.1:${servers.http?.port ?? -1}`,
    token,
    auth: bearer(httpToken),
    async close() {
      if (servers.pg) passwords.delete(servers.pg.port);
      await servers.close();
      await eddy.close();
    },
  };
}

/** The Postgres password of the test server on `port` (undefined for an insecure one). */
export function pgPasswordOf(port: number): string | undefined {
  return passwords.get(port);
}

/** A connected node-postgres client (any user and database name; the server's password unless `config` has one). */
export async function pgClient(port: number, config: pg.ClientConfig = {}): Promise<pg.Client> {
  const client = new pg.Client({ host: '127.0.0.1', port, user: 'anyone', database: 'anything', password: passwords.get(port), ...config });
  await client.connect();
  return client;
}

/** A Postgres client's answer to an MD5 password challenge: 'md5' + md5(md5(password + user) + salt), as libpq computes it. */
export function pgMd5Answer(password: string, user: string, salt: Uint8Array): string {
  const inner = createHash('md5').update(password + user).digest('hex');
  return 'md5' + createHash('md5').update(Buffer.concat([Buffer.from(inner), Buffer.from(salt)])).digest('hex');
}

/** Runs the real psql with `args` (after connection options); resolves to stdout, stderr and the exit code. */
export async function psql(port: number, args: readonly string[], env: Record<string, string> = {}): Promise<{ stdout: string; stderr: string; code: number }> {
  try {
    const { stdout, stderr } = await run('psql', ['-X', '-h', '127.0.0.1', '-p', String(port), '-U', 'someone', '-d', 'somedb', ...args], {
      env: { ...process.env, PGCONNECT_TIMEOUT: '10', PGSSLMODE: 'prefer', ...(passwords.has(port) ? { PGPASSWORD: passwords.get(port)! } : {}), ...env },
      timeout: 30_000,
    });
    return { stdout, stderr, code: 0 };
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; code?: number };
    return { stdout: e.stdout ?? '', stderr: e.stderr ?? '', code: typeof e.code === 'number' ? e.code : -1 };
  }
}

/** A fresh temp directory, removed by the returned cleanup. */
export function tempDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'eddy-server-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Writes one JSON object per line. */
export function writeJsonLines(path: string, records: readonly object[]): void {
  writeFileSync(path, records.map((r) => JSON.stringify(r) + '\n').join(''));
}

/** Resolves once `predicate` holds, polling; fails after `ms`. */
export async function eventually(predicate: () => boolean | Promise<boolean>, ms = 15_000): Promise<void> {
  const start = Date.now();
  while (!(await predicate())) {
    if (Date.now() - start > ms) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** A running `eddy serve` command (serveCommand in this process, as the CLI runs it), with what it printed. */
export interface ServeRun {
  readonly httpUrl: string;
  readonly pgPort: number;
  /** The full-access secret, read from the token file the banner names (pgClient and psql use it). */
  readonly token?: string;
  /** Headers that authenticate an HTTP request with `token`. */
  readonly auth: Record<string, string>;
  /** Everything printed on stdout so far (the banner, then the log). */
  out(): string;
  err(): string;
  /** Sends the stop signal; resolves to the exit code. */
  stop(): Promise<number>;
}

/** Starts `eddy serve --port 0 --pg-port 0 ...args`, its stdout a terminal or not (`outIsTTY`). */
export async function serve(args: readonly string[], options: { outIsTTY?: boolean } = {}): Promise<ServeRun> {
  const { serveCommand } = await import('../../src/cli/serve.js');
  let out = '';
  let err = '';
  let signal!: (s: string) => void;
  const exit = serveCommand(['--port', '0', '--pg-port', '0', ...args], {
    out: (t) => void (out += t),
    err: (t) => void (err += t),
    stopSignal: () => new Promise((r) => (signal = r)),
    outIsTTY: options.outIsTTY ?? false,
  });
  await Promise.race([eventually(() => out.includes('Stop with Ctrl-C.'), 30_000), exit.then((code) => Promise.reject(new Error(`eddy serve exited ${code}: ${err}`)))]);
  const pgPort = Number(/Postgres +psql -h 127\.0\.0\.1 -p (\d+)/.exec(out)![1]);
  const { token } = printedToken(out);
  if (token) passwords.set(pgPort, token);
  return {
    httpUrl: `http://127.0.0.1:${/HTTP +http:\/\/127\.0\.0\.1:(\d+)\//.exec(out)![1]}`,
    pgPort,
    token,
    auth: bearer(token),
    out: () => out,
    err: () => err,
    async stop() {
      passwords.delete(pgPort);
      signal('SIGTERM');
      return exit;
    },
  };
}

/** The JSON lines of a log (other lines, such as the banner, left out). */
export function jsonLines(text: string): Record<string, unknown>[] {
  return text
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}
