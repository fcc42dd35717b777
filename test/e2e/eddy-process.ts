/**
 * The built `eddy` command as a child process (`node bin/eddy.js`): `eddy run` / `eddy -e` to completion, and
 * `eddy serve` running in the background, reached over HTTP and the Postgres protocol. Needs the build
 * (`npx tsc -p tsconfig.build.json`), as `npm test` does.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { bearer, printedToken } from '../server/serve-process.js';

const BIN = join(__dirname, '..', '..', 'bin', 'eddy.js');

/** Runs `eddy <args>` to completion. */
export function runEddy(args: readonly string[], options: { timeoutMs?: number; cwd?: string } = {}): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    encoding: 'utf8',
    cwd: options.cwd,
    env: { ...process.env, NO_COLOR: '1' },
    timeout: options.timeoutMs ?? 60_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** A running `eddy serve` process. */
export interface ServeProcess {
  readonly httpUrl: string;
  readonly pgPort: number;
  /** The full-access secret (HTTP bearer token and Postgres password), read from the file it printed. */
  readonly token?: string;
  /** Headers that authenticate an HTTP request with `token`. */
  readonly auth: Record<string, string>;
  readonly child: ChildProcess;
  /** Everything it wrote to stderr so far. */
  stderr(): string;
  /** Whether it is still running. */
  alive(): boolean;
  /** Stops it (SIGTERM, then SIGKILL) and resolves with its exit code. */
  stop(): Promise<number | null>;
}

/** Starts `eddy serve --port 0 --pg-port 0 <args>` and resolves once it says where it listens. */
export async function startServe(args: readonly string[] = [], options: { nodeArgs?: readonly string[] } = {}): Promise<ServeProcess> {
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), BIN, 'serve', '--port', '0', '--pg-port', '0', ...args], {
    env: { ...process.env, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  let exitCode: number | null | undefined;
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve((exitCode = code))));
  child.stdout!.on('data', (d: Buffer) => void (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => void (err += d.toString()));
  const started = Date.now();
  while (!out.includes('Stop with Ctrl-C.')) {
    if (exitCode !== undefined) throw new Error(`eddy serve exited (${exitCode}): ${err}`);
    if (Date.now() - started > 30_000) {
      child.kill('SIGKILL');
      throw new Error(`eddy serve did not start: ${out}${err}`);
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  const httpPort = Number(/HTTP +http:\/\/127\.0\.0\.1:(\d+)\/v1\/statement/.exec(out)![1]);
  const pgPort = Number(/Postgres +psql -h 127\.0\.0\.1 -p (\d+)/.exec(out)![1]);
  const { token } = printedToken(out);
  return {
    httpUrl: `http://127.0.0.1:${httpPort}`,
    pgPort,
    token,
    auth: bearer(token),
    child,
    stderr: () => err,
    alive: () => exitCode === undefined,
    async stop() {
      if (exitCode !== undefined) return exitCode;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}

/** `GET /v1/statement?sql=...` on a server, with its token: the status and the parsed JSON body. */
export async function httpGet(server: Pick<ServeProcess, 'httpUrl' | 'auth'>, sql: string): Promise<{ status: number; body: any }> {
  const res = await fetch(`${server.httpUrl}/v1/statement?sql=${encodeURIComponent(sql)}`, { headers: server.auth });
  return { status: res.status, body: await res.json() };
}

/**
 * Starts `eddy serve <args>` before the tests of the enclosing describe and stops it after them; the
 * returned function gives the running server.
 */
export function useServe(args: () => readonly string[] = () => []): () => ServeProcess {
  let server: ServeProcess | undefined;
  beforeAll(async () => {
    server = await startServe(args());
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
  });
  return () => server!;
}

/** What a Postgres query's error says (undefined when the query succeeded). */
export interface PgFailure {
  /** The SQLSTATE. */
  readonly code?: string;
  readonly message: string;
  readonly detail?: string;
  readonly position?: string;
}

/** The error a pg query fails with, or undefined. */
export function pgFailure(query: Promise<unknown>): Promise<PgFailure | undefined> {
  return query.then(
    () => undefined,
    (e: unknown) => e as PgFailure,
  );
}
