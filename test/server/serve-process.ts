/** A real `eddy serve` process (bin/eddy.js, built into dist/) for tests: its ports, secrets, memory, and stop. */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const EDDY = join(import.meta.dirname, '../../bin/eddy.js');

/**
 * The full-access secret of a started `eddy serve`, as a client finds it: the file its banner names on the
 * `Token` line, and what that file holds (both undefined when it printed none, e.g. with --insecure).
 */
export function printedToken(output: string): { tokenFile?: string; token?: string } {
  const tokenFile = /Token +(\S+)/.exec(output)?.[1];
  return { tokenFile, token: tokenFile ? readFileSync(tokenFile, 'utf8').trim() : undefined };
}

/** The headers that authenticate an HTTP request with `token` (none without one). */
export function bearer(token: string | undefined): Record<string, string> {
  return token ? { authorization: `Bearer ${token}` } : {};
}

export interface ServeProcess {
  readonly child: ChildProcess;
  readonly httpPort?: number;
  readonly pgPort?: number;
  /** The file holding the full-access secret, as printed on start. */
  readonly tokenFile?: string;
  readonly readOnlyFile?: string;
  /** The full-access secret (from tokenFile). */
  readonly token?: string;
  readonly readOnlyToken?: string;
  /** Headers that authenticate an HTTP request with `token`. */
  readonly auth: Record<string, string>;
  /** What the process printed so far. */
  output(): string;
  /** Resident memory of the process, in MB (from /proc). */
  rssMb(): number;
  /** SIGTERM, then the exit code. */
  stop(): Promise<number | null>;
}

/** Starts `eddy serve ARGS` in `cwd` and resolves once it says it is serving. */
export async function startServeProcess(args: readonly string[], options: { cwd?: string; env?: Record<string, string> } = {}): Promise<ServeProcess> {
  const child = spawn(process.execPath, [EDDY, 'serve', ...args], { cwd: options.cwd, env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`eddy serve did not start in time:\n${out}`)), 60_000);
    const check = () => {
      if (out.includes('Stop with Ctrl-C.')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on('data', check);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`eddy serve exited with ${code}:\n${out}`));
    });
  });
  const http = /HTTP +https?:\/\/[^ ]*:(\d+)\/v1\/statement/.exec(out);
  const pg = /Postgres +psql -h \S+ -p (\d+)/.exec(out);
  const { tokenFile, token } = printedToken(out);
  const readOnlyFile = /Read-only +(\S+)/.exec(out)?.[1];
  return {
    child,
    httpPort: http ? Number(http[1]) : undefined,
    pgPort: pg ? Number(pg[1]) : undefined,
    tokenFile,
    readOnlyFile,
    token,
    auth: bearer(token),
    readOnlyToken: readOnlyFile ? readFileSync(readOnlyFile, 'utf8').trim() : undefined,
    output: () => out,
    rssMb() {
      const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
      return Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) / 1024;
    },
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}
