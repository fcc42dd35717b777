/**
 * Helpers for end-to-end tests through the public engine API (temp files, running queries, changelogs) and
 * through real `eddy` processes (run to their end, or started in the background).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EddyError } from '../../src/common/errors.js';
import { Eddy } from '../../src/engine/eddy.js';
import type { JobSummary } from '../../src/engine/job-summary.js';
import type { QueryHandle } from '../../src/engine/query-handle.js';
import type { StatementResult } from '../../src/engine/statement-result.js';
import { mulberry32 as prng } from '../../src/connectors/datagen.js';
import { bearer, printedToken } from '../server/serve-process.js';
/** A seeded PRNG (the datagen connector's mulberry32), so failures reproduce. */
export { prng };

/** A fresh temp directory. */
export function tempDir(prefix = 'eddy-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Writes JSON lines; returns the file path. */
export function writeJsonLines(dir: string, name: string, records: readonly object[]): string {
  const path = join(dir, name);
  writeFileSync(path, records.map((r) => JSON.stringify(r)).join('\n') + '\n');
  return path;
}

/** Runs DDL statements, then a SELECT to its end; returns every change with its kind. */
export async function runQuery(eddy: Eddy, sql: string): Promise<{ changes: { kind: number; row: unknown[] }[]; summary: JobSummary }> {
  const result = await eddy.execute(sql);
  if (result.kind !== 'query') throw new Error(`expected a query, got ${result.kind}`);
  const batches = await result.query.collect();
  const changes = batches.flatMap((b) => b.rows.map((row, i) => ({ kind: b.kinds[i]!, row })));
  return { changes, summary: result.query.summary() };
}

/** Executes one statement to its end (a query's rows, a job's run), expecting it to fail; returns the error. */
export async function failureOf(eddy: Eddy, sql: string): Promise<EddyError> {
  try {
    const r = await eddy.execute(sql);
    if (r.kind === 'query') await r.query.collect();
    if (r.kind === 'job') await r.job.done;
  } catch (err) {
    if (err instanceof EddyError) return err;
    throw err;
  }
  throw new Error(`expected a failure from: ${sql}`);
}

/** A statement's result that must be a table (SHOW ...): its columns, rows and footer. */
export function resultTable(result: StatementResult): { columns: readonly string[]; rows: readonly (readonly string[])[]; footer?: readonly string[] } {
  if (result.kind !== 'table') throw new Error(`expected a table, got ${result.kind}`);
  return result.table;
}

/** A statement's result that must be a running query (SELECT, PRINT): its handle. */
export function resultQuery(result: StatementResult): QueryHandle {
  if (result.kind !== 'query') throw new Error(`expected a query, got ${result.kind}`);
  return result.query;
}

/** Executes statements (DDL, SET) in order. */
export async function executeAll(eddy: Eddy, script: string): Promise<void> {
  for await (const r of eddy.executeScript(script)) {
    if (r.kind === 'query' || r.kind === 'job') throw new Error('executeAll is for DDL only');
  }
}

/**
 * Applies a changelog to a multiset of rows: +I/+U add a row, -U/-D remove one (which must be present).
 * Returns the final rows, sorted, as JSON strings.
 */
export function materialize(changes: readonly { kind: number; row: unknown[] }[]): string[] {
  const bag = new Map<string, number>();
  for (const { kind, row } of changes) {
    const key = JSON.stringify(row);
    const add = kind === 0 || kind === 2;
    const n = (bag.get(key) ?? 0) + (add ? 1 : -1);
    if (n < 0) throw new Error(`retraction of a row never added: ${key}`);
    if (n === 0) bag.delete(key);
    else bag.set(key, n);
  }
  const out: string[] = [];
  for (const [k, n] of bag) for (let i = 0; i < n; i++) out.push(k);
  return out.sort();
}

/** Sorted JSON strings of rows (for comparing multisets). */
export function sortedRows(rows: readonly unknown[][]): string[] {
  return rows.map((r) => JSON.stringify(r)).sort();
}


/** The `eddy` command of this checkout (it runs the build in dist/). */
export const EDDY_BIN = fileURLToPath(new URL('../../bin/eddy.js', import.meta.url));

/** How an `eddy` process ended, and what it printed. */
export interface EddyExit {
  readonly status: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs `eddy <args>` to its end (killed after `timeoutMs`), without blocking the test's event loop as
 * spawnSync would. NO_COLOR is set, so messages are plain text. `cwd`: its working directory (default: this one).
 */
export function runEddy(args: readonly string[], env: Record<string, string> = {}, timeoutMs = 90_000, cwd?: string): Promise<EddyExit> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [EDDY_BIN, ...args], { env: { ...process.env, NO_COLOR: '1', ...env }, ...(cwd ? { cwd } : {}) });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (status, signal) => {
      clearTimeout(timer);
      resolve({ status, signal, stdout, stderr });
    });
  });
}

const started: ChildProcess[] = [];

/**
 * Starts `eddy <args>` in the background; resolves once its output (stdout and stderr) matches `ready`,
 * with the match. {@link killStarted} (in an afterEach) kills what is still running.
 */
export async function startEddy(args: readonly string[], ready: RegExp, timeoutMs = 30_000): Promise<{ child: ChildProcess; match: RegExpExecArray; output: () => string }> {
  const child = spawn(process.execPath, [EDDY_BIN, ...args], { env: { ...process.env, NO_COLOR: '1' } });
  started.push(child);
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const match = ready.exec(output);
    if (match) return { child, match, output: () => output };
    if (child.exitCode !== null) throw new Error(`eddy ${args.join(' ')} exited early: ${output}`);
    if (Date.now() > deadline) throw new Error(`eddy ${args.join(' ')} did not get ready: ${output}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * Starts `eddy serve <args>` with HTTP on a free port (no Postgres port); resolves with its statement URL,
 * its full-access token (read from the file it printed, if it printed one) and the headers sending it
 * (for `args` that give no --http-token of their own).
 */
export async function startEddyServe(args: readonly string[]): Promise<{ child: ChildProcess; url: string; token?: string; auth: Record<string, string> }> {
  const { child, match, output } = await startEddy(['serve', ...args, '--port', '0', '--pg-port', 'off'], /HTTP\s+(http:\/\/\S+\/v1\/statement)[^]*Stop with Ctrl-C\./);
  const { token } = printedToken(output());
  return { child, url: match[1]!, token, auth: bearer(token) };
}

/** Resolves once a process has exited. */
export function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((r) => child.once('exit', () => r()));
}

/** Kills (SIGKILL) the processes {@link startEddy} started that still run. */
export function killStarted(): void {
  for (const c of started.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
}

/** The objects of a file of JSON lines. */
export function readJsonLinesFile(path: string): Record<string, unknown>[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

/** a / b rounded half away from zero (Java's HALF_UP), on bigints: the reference for exact DECIMAL tests. */
export function divideHalfUp(a: bigint, b: bigint): bigint {
  const negative = a < 0n !== b < 0n;
  const x = a < 0n ? -a : a;
  const y = b < 0n ? -b : b;
  const q = x / y + ((x % y) * 2n >= y ? 1n : 0n);
  return negative ? -q : q;
}
