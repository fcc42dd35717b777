/**
 * Runs a golden SQL case the ways three-ways.test.ts compares — straight (as golden.test.ts does), or with a
 * state directory and checkpoints every few rows (with {@link useSmallChunks}) — and reads back what its
 * sinks wrote. Shared by the test (the straight runs, in its process) and three-ways-child.ts (the
 * checkpointed runs, which may be killed).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import Database from 'better-sqlite3';
import { runScripts, type ScriptIO } from '../../src/cli/run-script.js';
import { Eddy, type StatementResult } from '../../src/engine/eddy.js';
import { JobHandle } from '../../src/engine/job-handle.js';
import { parseScript } from '../../src/parser/index.js';
import { FileSystemSourceReader } from '../../src/connectors/filesystem.js';
import type { SourceChunk } from '../../src/runtime/connector.js';
import type { CrashPoint } from '../../src/runtime/crash-points.js';
import { prng } from '../e2e/helpers.js';

/**
 * Bytes the small-chunk filesystem source reads at a time: about one line of the golden inputs, so a chunk
 * holds one or two rows (the source reads on, doubling the size, while a read completes no line).
 */
export const SMALL_READ_BYTES = 64;
/**
 * Longest wait of a small-chunk source for a checkpoint, in ms (see {@link useSmallChunks}): a checkpoint
 * follows every chunk, so this is only reached if one takes very long (e.g. on a loaded machine).
 */
export const CHECKPOINT_WAIT_MS = 1000;
/** The checkpoint interval of the checkpointed runs: always due, so the chunks set the pace. */
export const CHECKPOINT_INTERVAL = '1 ms';

/** What one run of a case did. */
export interface CaseRun {
  /** Standard output, with the case folder and the temp folder written `${dir}` and `${tmp}`. */
  readonly stdout: string;
  readonly stderr: string;
  readonly code: number;
  /** For each INSERT job the run started (a statement set is one): its completed checkpoints. */
  readonly checkpoints: readonly number[];
  /** For each INSERT job: the id of the checkpoint it resumed from, or 0 when it started afresh. */
  readonly restoredFrom: readonly number[];
}

/** How to run a case. */
export interface RunOptions {
  /** Keep state there and checkpoint every {@link CHECKPOINT_INTERVAL}; absent: in memory, as golden.test.ts. */
  readonly stateDir?: string;
}

/**
 * Whether a case's script starts INSERT jobs (an INSERT or a statement set): those are the jobs that keep
 * durable state and checkpoint; SELECTs always run in memory. (A case may still start none, if its INSERT
 * is refused while planning; the run then reports no job.)
 */
export function startsInsertJobs(caseSql: string): boolean {
  return parseScript(caseSql).statements.some((s) => s.kind === 'InsertStatement' || s.kind === 'StatementSet');
}

/** What a small-chunk source needs of its job: its checkpoint count. */
interface CheckpointingJob {
  readonly checkpointStats: { readonly completed: number };
}

/**
 * Makes every `filesystem` source of this process hand its rows out a row or two at a time, and, in a job,
 * only once the job has completed a checkpoint since the source's previous chunk: so a checkpoint follows
 * every chunk, however slow the machine. (A job takes its checkpoints between chunks, one at a time, and
 * its SQLite commit runs in a writer thread meanwhile: without the wait, a small input would be read to its
 * end during the job's first checkpoint, which also starts that thread.) The source stays the real reader,
 * with a small read size, so positions, splits, bad records and restores are the real ones; only the
 * chunking (which must not change any result) and the pace differ. For the child process only: the straight
 * runs keep the normal chunks.
 *
 * There is no option for the read size, so this sets the reader's private `readSize` before each read (the
 * reader adapts it as it goes), and reads its private `closed`; it finds each reader's job by wrapping
 * `JobHandle.start` and reading the runtime jobs' `sources`. If those change, reading fails loudly (no
 * `readSize`) or checkpoints become few (no job found), which run (b) reports, rather than silently testing
 * big chunks.
 */
export function useSmallChunks(): void {
  const proto = FileSystemSourceReader.prototype as unknown as { next(): Promise<SourceChunk | null>; smallChunks?: true };
  if (proto.smallChunks) return;
  proto.smallChunks = true;
  /** Each reader's job, and the checkpoints it had completed when the reader handed out its previous chunk. */
  const jobOf = new WeakMap<object, CheckpointingJob>();
  const seen = new WeakMap<object, number>();
  const jobProto = JobHandle.prototype as { start(): void };
  const start = jobProto.start;
  jobProto.start = function (this: JobHandle): void {
    for (const job of this.jobs) {
      const sources = (job as unknown as { sources?: readonly { readonly reader: object }[] }).sources ?? [];
      for (const source of sources) jobOf.set(source.reader, job);
    }
    start.call(this);
  };
  const next = proto.next;
  proto.next = async function (this: { readSize?: unknown; closed?: unknown }): Promise<SourceChunk | null> {
    if (typeof this.readSize !== 'number') throw new Error('three-ways: the filesystem source has no `readSize` any more; give the harness another way to read small chunks');
    const job = jobOf.get(this);
    const before = seen.get(this);
    if (job && before !== undefined) {
      // A closed reader (a LIMIT reached, a stop) goes on at once: its job takes no more checkpoints.
      const until = Date.now() + CHECKPOINT_WAIT_MS;
      while (job.checkpointStats.completed <= before && this.closed !== true && Date.now() < until) await sleep(1);
    }
    if (job) seen.set(this, job.checkpointStats.completed);
    this.readSize = SMALL_READ_BYTES;
    return next.call(this);
  };
}

/** A session that remembers the INSERT jobs it started. */
class ObservedEddy extends Eddy {
  readonly handles: JobHandle[] = [];

  override async *executeScript(text: string, sourceName?: string): AsyncGenerator<StatementResult> {
    for await (const result of super.executeScript(text, sourceName)) {
      if (result.kind === 'job') this.handles.push(result.job);
      yield result;
    }
  }
}

/** Makes a text machine-independent: the case folder becomes `${dir}`, the temp folder `${tmp}`. */
function normalize(text: string, dir: string, tmp: string): string {
  return text.split(tmp).join('${tmp}').split(dir).join('${dir}');
}

/**
 * Runs `case.sql` of the case folder `dir` with `${tmp}` = `tmp` (where its sinks write), as `eddy run`
 * would, and reports what it printed and what its INSERT jobs did.
 */
export async function runCase(dir: string, tmp: string, options: RunOptions = {}): Promise<CaseRun> {
  const eddy = new ObservedEddy({ variables: { dir, tmp }, ...(options.stateDir ? { stateDir: options.stateDir } : {}) });
  if (options.stateDir) eddy.settings.set('execution.checkpointing.interval', CHECKPOINT_INTERVAL);
  let out = '';
  let err = '';
  const io: ScriptIO = { out: (t) => void (out += t), err: (t) => void (err += t), color: false };
  const text = readFileSync(join(dir, 'case.sql'), 'utf8');
  let code: number;
  try {
    code = await runScripts(eddy, [{ name: 'case.sql', text }], io);
  } finally {
    await eddy.close();
  }
  const jobs = eddy.handles.flatMap((h) => h.jobs);
  return {
    stdout: normalize(out, dir, tmp),
    stderr: normalize(err, dir, tmp),
    code,
    checkpoints: jobs.map((j) => j.checkpointStats.completed),
    restoredFrom: jobs.map((j) => j.restoredFrom?.id ?? 0),
  };
}

/**
 * `stderr` with the row counts of job summaries (`24 rows in, 9 rows out`) masked: they depend on how the
 * input was chunked — a LIMIT stops reading at the end of the chunk that completes it, and an updating result
 * (a GROUP BY, an outer join) folds the changes of one key within a chunk into one. The late and bad row
 * counts, and everything else, must not.
 */
export function maskChunkedCounts(stderr: string): string {
  return stderr.replace(/: \d+ rows? in, \d+ rows? out, /g, ': N rows in, N rows out, ');
}

/** Every file under `root`, as paths relative to it, sorted. */
function listFiles(root: string): string[] {
  return readdirSync(root, { recursive: true, encoding: 'utf8' })
    .filter((p) => statSync(join(root, p)).isFile())
    .sort();
}

/** A SQLite file's tables (Eddy's bookkeeping `_eddy_*` tables left out), each as its rows, sorted, one per line. */
function renderSqlite(path: string): string {
  const db = new Database(path, { readonly: true });
  try {
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '\\_eddy\\_%' ESCAPE '\\' ORDER BY name").pluck().all() as string[];
    let text = '';
    for (const table of tables) {
      const rows = (db.prepare(`SELECT * FROM "${table.replace(/"/g, '""')}"`).raw().all() as unknown[][]).map((r) => JSON.stringify(r)).sort();
      text += `table ${table}: ${rows.length} rows\n${rows.map((r) => r + '\n').join('')}`;
    }
    return text;
  } finally {
    db.close();
  }
}

/**
 * What the sinks wrote under `tmp`: each file by its path, text files as they are, SQLite files as their
 * tables' final rows (sorted: an upsert sink's table is a set of rows, whatever order its changes came in).
 * SQLite's `-wal`, `-shm` and `-journal` companions are left out.
 */
export function sinkOutputs(tmp: string): Record<string, string> {
  const files: Record<string, string> = {};
  if (!existsSync(tmp)) return files;
  for (const file of listFiles(tmp)) {
    if (/-(wal|shm|journal)$/.test(file)) continue;
    const path = join(tmp, file);
    const head = readFileSync(path).subarray(0, 16).toString('latin1');
    files[file] = head === 'SQLite format 3\0' ? renderSqlite(path) : readFileSync(path, 'utf8');
  }
  return files;
}

// The protocol between three-ways.test.ts and its child process, three-ways-child.ts.

/** Where one run writes: the sinks' `${tmp}` folder and the state directory. */
export interface RunDirs {
  readonly tmp: string;
  readonly stateDir: string;
}

/** A crash: at the `after`-th time the process reaches `point`. */
export interface Crash {
  readonly point: CrashPoint;
  readonly after: number;
}

/** What one child process does (see three-ways-child.ts); its reports go to the file `results`. */
export type ChildTask =
  | { readonly mode: 'checkpointed-then-killed'; readonly dir: string; readonly results: string; readonly seed: number; readonly checkpointed: RunDirs; readonly killed: RunDirs }
  | { readonly mode: 'killed'; readonly dir: string; readonly results: string; readonly crash: Crash; readonly killed: RunDirs }
  | { readonly mode: 'restore'; readonly dir: string; readonly results: string; readonly crash?: Crash; readonly killed: RunDirs };

/** One line of the child's report file: a run that ended, or the crash the next run is set up for. */
export type ChildReport =
  | { readonly run: 'checkpointed'; readonly result: CaseRun }
  | { readonly run: 'crash-at'; readonly crash: Crash }
  | { readonly run: 'not-killed'; readonly result: CaseRun }
  | { readonly run: 'restored'; readonly result: CaseRun };

/**
 * The first crash at `point` that leaves a checkpoint to restore, for a case with `jobs` INSERT jobs: after the
 * state commit of any checkpoint (it is durable); before the state commit of checkpoint `jobs + 1` or later
 * (each job has at most one checkpoint under way, so by then one of them has completed one).
 */
export function firstRestorableCrash(point: CrashPoint, jobs: number): number {
  return point === 'before-state-commit' ? jobs + 1 : 1;
}

/**
 * A checkpoint to crash at, at random among those a run of the case took (`checkpoints`: per job): before or
 * after the state commit of one that leaves a checkpoint to restore (see {@link firstRestorableCrash}).
 */
export function pickCrash(seed: number, checkpoints: readonly number[]): Crash {
  const rand = prng(seed);
  const total = checkpoints.reduce((a, b) => a + b, 0);
  const point: CrashPoint = rand() < 0.5 ? 'before-state-commit' : 'after-state-commit';
  const first = firstRestorableCrash(point, checkpoints.length);
  if (total < first) return { point: 'after-state-commit', after: 1 };
  return { point, after: first + Math.floor(rand() * (total - first + 1)) };
}
