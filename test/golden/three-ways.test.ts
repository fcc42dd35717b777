/**
 * Golden SQL cases run three ways, as Arroyo and RisingWave test theirs: every case whose script starts
 * INSERT jobs (the jobs that keep durable state) is run
 *
 * - (a) straight: in memory, as golden.test.ts runs it;
 * - (b) with a state directory, checkpointing every row or two: checkpoints are due every 1 ms, and the
 *   filesystem sources read a row or two per chunk and wait for their job's checkpoint after each (see
 *   useSmallChunks), so one follows every chunk; the test checks that several really happened;
 * - (c) the same, but killed (SIGKILL, through the engine's crash points) at a checkpoint chosen at random,
 *   then run again on the same state directory until it finishes — sometimes killed once more while it
 *   recovers.
 *
 * and what the sinks wrote must be the same all three ways (files as written; SQLite tables as their final
 * rows), as must the exit code and what the script printed: (b) all of it but the row counts of job
 * summaries, which depend on the chunking (see maskChunkedCounts); (c) the finishing run's stdout (its
 * stderr says it resumed, and counts only the rows read since). (b) and (c) run in a child process
 * (three-ways-child.ts, bundled with esbuild so that it starts in under a second), since a kill takes the
 * process down. Each case's annotation says how many checkpoints (b) took and where (c) was killed.
 *
 * The kills are seeded, with a new seed each run (so that runs explore other kill points): the describe
 * block's name shows it; `THREE_WAYS_SEED=<seed>` makes the same choices again (the checkpoint is chosen
 * among as many as (b) took, which may vary a little), and `THREE_WAYS_CASE=<name>` runs one case.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { readFile } from 'node:fs/promises';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prng } from '../e2e/helpers.js';
import { firstRestorableCrash, maskChunkedCounts, runCase, sinkOutputs, startsInsertJobs, type ChildReport, type ChildTask, type Crash, type RunDirs } from './three-ways.js';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const CASES = join(HERE, 'cases');
const ROOT = join(HERE, '..', '..');

/** Each job of run (b) must have taken at least this many checkpoints, or the test proves nothing. */
const MIN_CHECKPOINTS = 3;
/** Attempts at killing run (c): a run may take fewer checkpoints than the one it was chosen from. */
const KILL_ATTEMPTS = 3;

const SEED = process.env['THREE_WAYS_SEED'] !== undefined ? Number(process.env['THREE_WAYS_SEED']) : Math.floor(Math.random() * 2 ** 31);
const ONLY = process.env['THREE_WAYS_CASE'];

/** The cases whose scripts start INSERT jobs, by name. */
const names = readdirSync(CASES)
  .filter((n) => existsSync(join(CASES, n, 'case.sql')) && (ONLY === undefined || n === ONLY))
  .filter((n) => startsInsertJobs(readFileSync(join(CASES, n, 'case.sql'), 'utf8')))
  .sort();

/** The child's bundle: one file of plain JavaScript, with the packages it imports left to node_modules. */
let bundleDir: string;
let bundle: string;

beforeAll(async () => {
  // Under node_modules so that the bundle's imports of packages (better-sqlite3, chevrotain) resolve.
  mkdirSync(join(ROOT, 'node_modules', '.cache'), { recursive: true });
  bundleDir = mkdtempSync(join(ROOT, 'node_modules', '.cache', 'eddy-three-ways-'));
  bundle = join(bundleDir, 'three-ways-child.mjs');
  await build({
    entryPoints: [join(HERE, 'three-ways-child.ts')],
    outfile: bundle,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    logLevel: 'error',
    sourcemap: 'inline',
    plugins: [
      {
        // Each module keeps its own `import.meta.url`, as when the sources run under vitest: the engine
        // finds its worker threads' scripts relative to it (in dist/ when it runs from .ts files).
        name: 'module-url',
        setup(b) {
          b.onLoad({ filter: /\.ts$/ }, async (args) => ({
            loader: 'ts',
            contents: (await readFile(args.path, 'utf8')).replaceAll('import.meta.url', JSON.stringify(pathToFileURL(args.path).href)),
          }));
        },
      },
    ],
  });
}, 60_000);

afterAll(() => {
  if (bundleDir) rmSync(bundleDir, { recursive: true, force: true });
});

/** Runs the child on `task`; resolves with how it ended. */
function spawnChild(task: ChildTask): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--enable-source-maps', bundle, JSON.stringify(task)], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('exit', (code, signal) => resolve({ code, signal, stderr }));
  });
}

/** The reports the child runs wrote so far. */
function readReports(path: string): ChildReport[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as ChildReport);
}

/** A seed for one case, from the run's seed and the case's name. */
function caseSeed(name: string): number {
  let h = SEED >>> 0;
  for (const c of name) h = Math.imul(h ^ c.charCodeAt(0), 0x9e3779b1) >>> 0;
  return h;
}

/** New run directories under `root`. */
function runDirs(root: string, name: string): RunDirs {
  const tmp = join(root, name);
  mkdirSync(tmp);
  return { tmp, stateDir: join(root, `${name}-state`) };
}

describe(`golden cases three ways: straight, checkpointed, killed and restored (THREE_WAYS_SEED=${SEED})`, () => {
  it('finds cases with INSERT jobs', () => expect(names.length).toBeGreaterThan(0));

  for (const name of names) {
    it(name, async (ctx) => {
      const dir = realpathSync(join(CASES, name));
      const root = realpathSync(mkdtempSync(join(tmpdir(), 'eddy-three-ways-')));
      try {
        const seed = caseSeed(name);
        const rand = prng(seed ^ 0x5bd1e995);
        const results = join(root, 'reports.jsonl');

        // (a) Straight.
        const straightDirs = runDirs(root, 'straight');
        const straight = await runCase(dir, straightDirs.tmp);
        const want = sinkOutputs(straightDirs.tmp);

        // (b) Checkpointed, then the first attempt at (c), in one child.
        const checkpointedDirs = runDirs(root, 'checkpointed');
        let killedDirs = runDirs(root, 'killed-1');
        const first = await spawnChild({ mode: 'checkpointed-then-killed', dir, results, seed, checkpointed: checkpointedDirs, killed: killedDirs });
        const reports = readReports(results);
        const checkpointed = reports.find((r) => r.run === 'checkpointed')?.result;
        if (!checkpointed) throw new Error(`the child failed before the checkpointed run ended (${first.code}): ${first.stderr}`);
        if (checkpointed.checkpoints.length === 0) {
          // No INSERT job started (the statement was refused before it ran): the checkpointed run must
          // refuse it the same way, and there is nothing to kill.
          expect(checkpointed.code, '(b) exit code').toBe(straight.code);
          expect(checkpointed.code).not.toBe(0);
          expect(checkpointed.stdout, '(b) stdout').toBe(straight.stdout);
          expect(maskChunkedCounts(checkpointed.stderr), '(b) stderr').toBe(maskChunkedCounts(straight.stderr));
          return;
        }
        const total = checkpointed.checkpoints.reduce((a, b) => a + b, 0);

        expect(checkpointed.code, '(b) exit code').toBe(straight.code);
        expect(checkpointed.stdout, '(b) stdout').toBe(straight.stdout);
        expect(maskChunkedCounts(checkpointed.stderr), '(b) stderr').toBe(maskChunkedCounts(straight.stderr));
        expect(sinkOutputs(checkpointedDirs.tmp), '(b) sink outputs').toEqual(want);
        for (const n of checkpointed.checkpoints) expect(n, `(b) checkpoints per job: ${checkpointed.checkpoints.join(', ')}`).toBeGreaterThanOrEqual(MIN_CHECKPOINTS);

        // (c) Killed at a random checkpoint; if the run ended before it got there, again, earlier.
        let crash = reports.find((r): r is Extract<ChildReport, { run: 'crash-at' }> => r.run === 'crash-at')?.crash;
        let ended = first;
        for (let attempt = 2; ended.signal !== 'SIGKILL' && attempt <= KILL_ATTEMPTS; attempt++) {
          if (ended.code !== 0 || !crash) throw new Error(`the child failed (${ended.code}): ${ended.stderr}`);
          crash = { point: crash.point, after: Math.max(firstRestorableCrash(crash.point, checkpointed.checkpoints.length), Math.floor(crash.after / 2)) };
          killedDirs = runDirs(root, `killed-${attempt}`);
          ended = await spawnChild({ mode: 'killed', dir, results, crash, killed: killedDirs });
        }
        const kills: string[] = [`${crash!.point} #${crash!.after} (of ${total} checkpoints)`];
        const story = () => `case ${name}, THREE_WAYS_SEED=${SEED}: killed at ${kills.join(', then ')}`;
        expect(ended.signal, `${story()}: the run was never killed (${ended.stderr})`).toBe('SIGKILL');

        // Sometimes killed once more, while it recovers.
        if (rand() < 1 / 3) {
          const recovery: Crash = { point: 'during-recovery', after: 1 };
          const again = await spawnChild({ mode: 'restore', dir, results, crash: recovery, killed: killedDirs });
          kills.push('during-recovery');
          expect(again.signal, `${story()}: ${again.stderr}`).toBe('SIGKILL');
        }
        const last = await spawnChild({ mode: 'restore', dir, results, killed: killedDirs });
        expect(last.code, `${story()}: the restored run failed: ${last.stderr}`).toBe(0);
        const restored = readReports(results).filter((r): r is Extract<ChildReport, { run: 'restored' }> => r.run === 'restored').at(-1)!.result;

        expect(restored.restoredFrom.some((id) => id > 0), `${story()}: no job resumed from a checkpoint`).toBe(true);
        await ctx.annotate(`checkpoints per job: ${checkpointed.checkpoints.join(', ')}; killed at ${kills.join(', then ')}; resumed from checkpoint ${restored.restoredFrom.join(', ')}`);
        expect(restored.code, `${story()}: (c) exit code`).toBe(straight.code);
        expect(restored.stdout, `${story()}: (c) stdout`).toBe(straight.stdout);
        expect(sinkOutputs(killedDirs.tmp), `${story()}: (c) sink outputs`).toEqual(want);
      } finally {
        rmSync(root, { recursive: true, force: true });
      }
    });
  }
});
