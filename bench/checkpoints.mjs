#!/usr/bin/env node
/**
 * Checkpoint benchmarks of Eddy (plain Node ESM; uses better-sqlite3 from node_modules to read state files).
 *
 *   npm run build && node bench/checkpoints.mjs [--rows N] [--repeat K] [--only parts] [--dist DIR] [--profile]
 *
 * Five measurements (see bench/README.md, "Checkpoint benchmarks"):
 *   overhead  throughput of group-agg and tumble-count with no state dir / checkpoints every 1 s / every 100 ms:
 *             over the whole run, over its middle (steady state), and the CPU time of the main and other
 *             threads; and the checkpoint durations p50/p99 of those runs, from Job.checkpointStats
 *   same-process  the overhead measured in pairs of runs (none, 1 s) within one process each, after a warm-up
 *             pair: the same compiled code for both, so what differs is the work checkpoints add
 *   recovery  time to first new output after a restart with 1M keys of GROUP BY state (sqlite sink)
 *   size      bytes on disk per key: GROUP BY (COUNT/SUM/MAX) and a window aggregate mid-window, 100k and 1M keys
 *   growth    db + wal size at every checkpoint of a long windowed job (2M rows over 2000 windows, 200 ms)
 *
 * As in bench/run.mjs: the parent writes seeded inputs once (untimed, in a temporary directory) and runs
 * every measurement in a fresh child process, which reports over IPC. Results are printed as tables and
 * written to bench/results/checkpoints.json.
 */
import { execFileSync, fork } from 'node:child_process';
import {
  closeSync, existsSync, linkSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, writeSync,
} from 'node:fs';
import { availableParallelism, cpus, platform, arch, release, totalmem, tmpdir, loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { constants as perfConstants, PerformanceObserver } from 'node:perf_hooks';
import { flags, mulberry32, sqlTimestamp } from './common.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, '..');
const DEFAULT_DIST = join(ROOT, 'dist');
const RESULTS = join(HERE, 'results');
const PARTS = ['overhead', 'same-process', 'recovery', 'size', 'growth'];

/** Shape of the generated input; as bench/run.mjs, but group-agg has 100k keys (g). */
const DATA = {
  seed: 20240101,
  base: Date.UTC(2024, 0, 1),
  jitter: 200,
  keys: 1000,
  groups: 100_000,
};

const now = () => performance.timeOrigin + performance.now();
const WM = "WATERMARK FOR ts AS ts - INTERVAL '1' SECOND";
const COLUMNS = 'id BIGINT, k INT, g INT, v DOUBLE, name STRING, ts TIMESTAMP(3)';
const fileTable = (path, { watermark = false, monitor, speedup } = {}) =>
  `CREATE TABLE events (${COLUMNS}${watermark ? `, ${WM}` : ''}) WITH ('connector' = 'filesystem', 'path' = '${path}', 'format' = 'json'` +
  `${monitor ? `, 'source.monitor-interval' = '${monitor}'` : ''}${speedup ? `, 'replay.speedup' = '${speedup}'` : ''});`;
const setInterval_ = (interval) => (interval ? [`SET 'execution.checkpointing.interval' = '${interval}';`] : []);

/** The throughput pipelines (overhead part). */
const THROUGHPUT = {
  'group-agg': {
    description: `filesystem json -> GROUP BY g (${DATA.groups.toLocaleString('en-US')} keys) COUNT(*), SUM(v), MAX(v) -> blackhole (updating)`,
    ddl: (path) => [fileTable(path), `CREATE TABLE sink (g INT, cnt BIGINT, total DOUBLE, biggest DOUBLE) WITH ('connector' = 'blackhole');`],
    sql: 'INSERT INTO sink SELECT g, COUNT(*), SUM(v), MAX(v) FROM events GROUP BY g',
  },
  'tumble-count': {
    description: `filesystem json + WATERMARK -> TUMBLE 10 s, GROUP BY window, k (${DATA.keys} keys): COUNT(*), SUM, MAX -> blackhole`,
    ddl: (path) => [
      fileTable(path, { watermark: true }),
      `CREATE TABLE sink (k INT, cnt BIGINT, total DOUBLE, biggest DOUBLE, window_start TIMESTAMP(3), window_end TIMESTAMP(3)) WITH ('connector' = 'blackhole');`,
    ],
    sql: `INSERT INTO sink SELECT k, COUNT(*), SUM(v), MAX(v), window_start, window_end FROM TABLE(TUMBLE(TABLE events, DESCRIPTOR(ts), INTERVAL '10' SECOND)) GROUP BY window_start, window_end, k`,
  },
};
const MODES = [
  { name: 'none', interval: undefined },
  { name: '1 s', interval: '1 s' },
  { name: '100 ms', interval: '100 ms' },
  // Never due in these runs: change tracking on the hot path plus the one checkpoint a bounded job takes at its end.
  { name: '1 h', interval: '1 h' },
];

/** Jobs over a directory of files with one distinct key per row (k = g = id), read with a monitored source. */
const KEYED = {
  group: {
    description: 'GROUP BY g: COUNT(*), SUM(v), MAX(v) (one key per input row)',
    ddl: (dir, sink) => [
      fileTable(dir, { monitor: '100 ms' }),
      sink.kind === 'sqlite'
        ? `CREATE TABLE result (g INT, cnt BIGINT, total DOUBLE, biggest DOUBLE, PRIMARY KEY (g) NOT ENFORCED) WITH ('connector' = 'sqlite', 'path' = '${sink.path}', 'table-name' = 'result');`
        : `CREATE TABLE result (g INT, cnt BIGINT, total DOUBLE, biggest DOUBLE) WITH ('connector' = 'blackhole');`,
    ],
    sql: 'INSERT INTO result SELECT g, COUNT(*), SUM(v), MAX(v) FROM events GROUP BY g',
  },
  window: {
    description: 'TUMBLE 1 DAY, GROUP BY window, k: COUNT(*), SUM(v), MAX(v); every row in the same (open) window',
    ddl: (dir) => [
      `CREATE TABLE events (${COLUMNS}, ${WM}) WITH ('connector' = 'filesystem', 'path' = '${dir}', 'format' = 'json', 'source.monitor-interval' = '100 ms');`,
      `CREATE TABLE result (k INT, cnt BIGINT, total DOUBLE, biggest DOUBLE, window_start TIMESTAMP(3), window_end TIMESTAMP(3)) WITH ('connector' = 'blackhole');`,
    ],
    sql: `INSERT INTO result SELECT k, COUNT(*), SUM(v), MAX(v), window_start, window_end FROM TABLE(TUMBLE(TABLE events, DESCRIPTOR(ts), INTERVAL '1' DAY)) GROUP BY window_start, window_end, k`,
  },
};

/**
 * The long windowed job (growth part): TUMBLE 1 s, so N rows at 1 ms apart span N/1000 windows; replayed at
 * `speedup` x event time (2M rows at 50x: 40 s, ~200 checkpoints of 200 ms), as a live stream would arrive.
 */
const GROWTH = {
  ddl: (path, speedup) => [
    fileTable(path, { watermark: true, speedup }),
    `CREATE TABLE sink (k INT, cnt BIGINT, total DOUBLE, biggest DOUBLE, window_start TIMESTAMP(3), window_end TIMESTAMP(3)) WITH ('connector' = 'blackhole');`,
  ],
  sql: `INSERT INTO sink SELECT k, COUNT(*), SUM(v), MAX(v), window_start, window_end FROM TABLE(TUMBLE(TABLE events, DESCRIPTOR(ts), INTERVAL '1' SECOND)) GROUP BY window_start, window_end, k`,
};

// ---------------------------------------------------------------------------------------------------------
// Options

function usage(exitCode) {
  const text = `Usage: node bench/checkpoints.mjs [options]   (build first: npm run build)

  --rows N          input rows of the overhead runs, and keys of the recovery state (default 1000000)
  --growth-rows N   rows of the long windowed job (default 2000000: 2000 windows of 1 s)
  --growth-speedup N  replay that input at N x its event-time pace (default 50: 2M rows take 40 s)
  --repeat K        runs per overhead configuration (default 3); best and median are reported
  --only LIST       run only these parts: ${PARTS.join(', ')}
  --dist DIR        the build to measure (default: dist/ of this checkout)
  --compare DIR     overhead only: also measure this second build, interleaved run by run with --dist (A/B)
  --bench LIST      overhead only: these pipelines (default: ${Object.keys(THROUGHPUT).join(',')})
  --modes LIST      overhead only: these checkpoint modes (default: ${MODES.map((m) => m.name.replace(' ', '')).join(',')})
  --aa              same-process only: both runs of each pair without a state dir (A/A: what the noise alone gives)
  --profile         write V8 CPU profiles of the overhead and recovery children to bench/results/profiles/
  --help            this text`;
  (exitCode === 0 ? console.log : console.error)(text);
  process.exit(exitCode);
}

function parseArgs(argv) {
  const opts = {
    rows: 1_000_000, growthRows: 2_000_000, growthSpeedup: 50, repeat: 3, only: PARTS, dist: DEFAULT_DIST, compare: undefined,
    benches: Object.keys(THROUGHPUT), modes: MODES.map((m) => m.name), profile: false, aa: false, child: undefined,
  };
  for (const { flag, value, count, list } of flags(argv, usage)) {
    switch (flag) {
      case '--rows': opts.rows = count(); break;
      case '--growth-rows': opts.growthRows = count(); break;
      case '--growth-speedup': opts.growthSpeedup = count(); break;
      case '--repeat': opts.repeat = count(); break;
      case '--only': opts.only = list(); break;
      case '--dist': opts.dist = resolve(value()); break;
      case '--compare': opts.compare = resolve(value()); break;
      case '--bench': opts.benches = list(); break;
      case '--modes': opts.modes = list().map((x) => MODES.find((m) => m.name.replace(' ', '') === x.replace(' ', ''))?.name ?? x); break;
      case '--profile': opts.profile = true; break;
      case '--aa': opts.aa = true; break;
      case '--child': opts.child = JSON.parse(value()); break; // internal
      case '--help': case '-h': usage(0); break;
      default:
        console.error(`Unknown option '${flag}'`);
        usage(2);
    }
  }
  const badBench = opts.benches.filter((b) => !THROUGHPUT[b]);
  const badMode = opts.modes.filter((m) => !MODES.some((x) => x.name === m));
  if (badBench.length || badMode.length) {
    console.error(`Unknown ${badBench.length ? `pipeline(s) ${badBench.join(', ')}` : `mode(s) ${badMode.join(', ')}`}`);
    usage(2);
  }
  if (!opts.modes.includes('none')) opts.modes.unshift('none'); // the baseline of every overhead figure
  const unknown = opts.only.filter((p) => !PARTS.includes(p));
  if (unknown.length) {
    console.error(`Unknown part(s): ${unknown.join(', ')}`);
    usage(2);
  }
  return opts;
}

// ---------------------------------------------------------------------------------------------------------
// Input generation (parent; not timed)


/**
 * Writes `rows` JSON lines {"id","k","g","v","name","ts"}. `distinct`: k = g = first + i (one key per row,
 * no disorder); otherwise k in 0..999, g in 0..groups-1 and up to 200 ms of disorder, as bench/run.mjs.
 */
function generate(path, rows, { distinct = false, first = 0 } = {}) {
  const rand = mulberry32(DATA.seed + first);
  const fd = openSync(path, 'w');
  try {
    let buf = '';
    for (let n = 0; n < rows; n++) {
      const i = first + n;
      const k = distinct ? i : Math.floor(rand() * DATA.keys);
      const g = distinct ? i : Math.floor(rand() * DATA.groups);
      const v = Math.round(rand() * 100_000) / 100;
      const ts = DATA.base + i - (distinct ? 0 : Math.floor(rand() * DATA.jitter));
      buf += `{"id":${i},"k":${k},"g":${g},"v":${v},"name":"user-${k}","ts":"${sqlTimestamp(ts)}"}\n`;
      if (buf.length > 1 << 20) {
        writeSync(fd, buf);
        buf = '';
      }
    }
    if (buf) writeSync(fd, buf);
  } finally {
    closeSync(fd);
  }
}

// ---------------------------------------------------------------------------------------------------------
// Child helpers

/** Size of `<dir>/<file>.db` and its -wal (the first .db in dir). */
function stateFiles(dir) {
  const db = readdirSync(dir).find((f) => f.endsWith('.db'));
  if (!db) return { db: 0, wal: 0, total: 0 };
  const size = (p) => (existsSync(p) ? statSync(p).size : 0);
  const s = { db: size(join(dir, db)), wal: size(join(dir, db + '-wal')) };
  return { ...s, total: s.db + s.wal, file: join(dir, db) };
}

const percentile = (xs, p) => {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
};
const durationStats = (d) => ({
  count: d.length,
  p50: percentile(d, 50),
  p99: percentile(d, 99),
  max: d.length ? Math.max(...d) : null,
  totalMs: d.reduce((a, b) => a + b, 0),
});

async function loadEngine(dist) {
  const url = (p) => pathToFileURL(join(dist, 'src', ...p.split('/'))).href;
  const { Eddy } = await import(url('engine/eddy.js'));
  return {
    Eddy,
    Job: (await import(url('runtime/job.js'))).Job,
    SqliteStateStore: (await import(url('runtime/state/sqlite-state-store.js'))).SqliteStateStore,
    StateBackend: (await import(url('runtime/state/state-backend.js'))).StateBackend,
    FileSystemSourceReader: (await import(url('connectors/filesystem-source.js'))).FileSystemSourceReader,
    SqliteSinkWriter: (await import(url('connectors/sqlite.js'))).SqliteSinkWriter,
  };
}

async function runScript(eddy, statements) {
  for await (const _ of eddy.executeScript(statements.join('\n'))) {
    // executing is all
  }
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Wraps `obj[name]` to call `before(this, args)` and `after(this, result, t0)` (awaits promises). */
function wrap(obj, name, { before, after }) {
  const original = obj[name];
  obj[name] = function (...args) {
    const t0 = now();
    before?.(this, args, t0);
    const r = original.apply(this, args);
    if (r && typeof r.then === 'function') return r.then((v) => (after?.(this, v, t0, args), v));
    after?.(this, r, t0, args);
    return r;
  };
}

/** Fractions of the input between which the steady-state rate is measured (the middle of the run). */
const STEADY_FROM = 0.2;
const STEADY_TO = 0.8;

/**
 * Rows per second over the middle of a run: from the moment STEADY_FROM of the rows were read to the moment
 * STEADY_TO were, from `[ms, rowsIn]` samples (interpolated linearly between samples). It leaves out start-up
 * (module warm-up, the first chunks) and the end of a bounded run (its last checkpoint, which the job waits
 * for), so it is what a long-running job would see. Undefined if the samples are too coarse.
 */
function middleRate(samples, rows) {
  const at = (target) => {
    for (let i = 1; i < samples.length; i++) {
      const [t1, r1] = samples[i];
      if (r1 < target) continue;
      const [t0, r0] = samples[i - 1];
      return r1 === r0 ? t1 : t0 + ((target - r0) / (r1 - r0)) * (t1 - t0);
    }
    return undefined;
  };
  const from = at(rows * STEADY_FROM);
  const to = at(rows * STEADY_TO);
  if (from === undefined || to === undefined || to <= from) return undefined;
  return (rows * (STEADY_TO - STEADY_FROM)) / ((to - from) / 1000);
}

/**
 * CPU seconds used so far by this process (all threads, also those that ended: the state writer ends with
 * its store) and by its main thread alone (from /proc: Linux only, in clock ticks of 10 ms).
 */
function cpuSeconds() {
  const u = process.cpuUsage();
  let main;
  try {
    const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    main = (Number(fields[11]) + Number(fields[12])) / 100; // utime + stime
  } catch {
    main = undefined;
  }
  return { all: (u.user + u.system) / 1e6, main };
}

/** Main-thread GC pauses from now until `stop()`: total ms and count of major GCs (mark-compact) and of the others (scavenges, incremental marking steps, weak callbacks). */
function watchGc() {
  const out = { minorMs: 0, minor: 0, majorMs: 0, major: 0 };
  const obs = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      if (e.detail?.kind === perfConstants.NODE_PERFORMANCE_GC_MAJOR) {
        out.majorMs += e.duration;
        out.major++;
      } else {
        out.minorMs += e.duration;
        out.minor++;
      }
    }
  });
  obs.observe({ entryTypes: ['gc'] });
  return {
    stop() {
      obs.disconnect();
      return out;
    },
  };
}

// Child: one overhead run ---------------------------------------------------------------------------------
async function childThroughput(spec) {
  const bench = THROUGHPUT[spec.bench];
  const { Eddy } = await loadEngine(spec.dist);
  const stateDir = spec.interval ? mkdtempSync(join(spec.tmp, 'state-')) : undefined;
  try {
    const eddy = new Eddy(stateDir ? { stateDir } : {});
    await runScript(eddy, [...setInterval_(spec.interval), ...bench.ddl(spec.data)]);
    const gc = watchGc();
    const cpu0 = cpuSeconds();
    const t0 = performance.now();
    const result = await eddy.execute(bench.sql);
    // Progress samples for the steady-state figure (the job yields to the event loop every 20 ms).
    const progress = [[0, 0]];
    const sampler = setInterval(() => progress.push([performance.now() - t0, result.job.summary().rowsIn]), 20);
    await result.job.done;
    clearInterval(sampler);
    const seconds = (performance.now() - t0) / 1000;
    const cpu1 = cpuSeconds();
    const gcPauses = gc.stop();
    const job = result.job.jobs[0];
    const stats = job.checkpointStats;
    const summary = result.job.summary();
    const files = stateDir ? stateFiles(stateDir) : undefined;
    await eddy.close();
    const problems = [];
    if (summary.rowsIn !== spec.rows) problems.push(`read ${summary.rowsIn} rows, expected ${spec.rows}`);
    if (summary.lateRowsDropped > 0) problems.push(`${summary.lateRowsDropped} late rows dropped`);
    return {
      ok: problems.length === 0,
      error: problems.join('; ') || undefined,
      seconds,
      rowsIn: summary.rowsIn,
      rowsOut: summary.rowsOut,
      checkpoints: stats.completed,
      durations: stats.durations,
      pauses: stats.pauses,
      steadyRowsPerSecond: middleRate(progress, spec.rows),
      cpuSeconds: cpu1.all - cpu0.all,
      mainThreadCpuSeconds: cpu0.main === undefined ? undefined : cpu1.main - cpu0.main,
      gcPauses,
      stateBytesAfterClose: files?.total,
      maxRssMb: process.resourceUsage().maxRSS / 1024,
    };
  } finally {
    if (stateDir) rmSync(stateDir, { recursive: true, force: true });
  }
}

// Child: pairs of runs (none, 1 s) in this one process --------------------------------------------------
async function childAlternating(spec) {
  const runs = [];
  for (let pair = 0; pair < spec.pairs; pair++) {
    // Alternate which mode goes first, so that neither always runs right after the other.
    const order = pair % 2 === 0 ? [undefined, spec.interval] : [spec.interval, undefined];
    for (const interval of order) {
      // --aa: the run in the checkpoint's place has no state directory either (a calibration of the noise).
      const res = await childThroughput({ ...spec, interval: spec.aa ? undefined : interval });
      if (!res.ok) return res;
      runs.push({ pair, interval: interval ?? null, ...res });
      globalThis.gc?.();
    }
  }
  return { ok: true, runs };
}

// Child: build keyed state with a monitored source, then STOP (last checkpoint) ----------------------------
async function childBuild(spec) {
  const { Eddy, SqliteStateStore } = await loadEngine(spec.dist);
  const job = KEYED[spec.kind];
  let beforeClose;
  wrap(SqliteStateStore.prototype, 'close', { before: () => (beforeClose ??= stateFiles(spec.stateDir)) });
  const eddy = new Eddy({ stateDir: spec.stateDir });
  await runScript(eddy, [...setInterval_(spec.interval), ...job.ddl(spec.dir, spec.sink)]);
  const t0 = performance.now();
  const result = await eddy.execute(job.sql);
  const j = result.job.jobs[0];
  let failed;
  result.job.done.catch((e) => (failed = e));
  while (result.job.summary().rowsIn < spec.keys) {
    if (failed) throw failed;
    await sleep(20);
  }
  const allInSeconds = (performance.now() - t0) / 1000;
  const atAllIn = { ...j.checkpointStats, durations: undefined, files: stateFiles(spec.stateDir) };
  // Idle for a while: does a checkpoint commit the last rows while no new input arrives?
  await sleep(spec.idleMs);
  const afterIdle = { ...j.checkpointStats, durations: undefined, files: stateFiles(spec.stateDir) };
  const sinkRowsAfterIdle = spec.sink?.kind === 'sqlite' ? countRows(spec.sink.path) : undefined;
  const tStop = performance.now();
  await result.job.stop();
  await result.job.done;
  const stopMs = performance.now() - tStop;
  const stats = j.checkpointStats;
  await eddy.close();
  return {
    ok: true,
    allInSeconds,
    stopMs,
    atAllIn,
    afterIdle,
    sinkRowsAfterIdle,
    sinkRowsAfterStop: spec.sink?.kind === 'sqlite' ? countRows(spec.sink.path) : undefined,
    checkpoints: stats.completed,
    durations: durationStats(stats.durations),
    lastDurationMs: stats.durations.at(-1),
    filesBeforeClose: beforeClose,
    filesAfterClose: stateFiles(spec.stateDir),
    maxRssMb: process.resourceUsage().maxRSS / 1024,
  };
}

let DatabaseCtor;
function countRows(path) {
  const db = new DatabaseCtor(path, { readonly: true, fileMustExist: true });
  try {
    return db.prepare('SELECT count(*) AS n FROM result').get().n;
  } finally {
    db.close();
  }
}

// Child: restart on that state, with one new file in the directory ----------------------------------------
async function childRecover(spec) {
  const marks = { processStart: performance.timeOrigin };
  const mod = await loadEngine(spec.dist);
  marks.modulesLoaded = now();
  const { Eddy, Job, SqliteStateStore, StateBackend, FileSystemSourceReader, SqliteSinkWriter } = mod;
  const tables = [];
  wrap(SqliteStateStore.prototype, 'latestCheckpoint', {
    before: (_s, _a, t) => (marks.storeOpened ??= t),
    after: (_s, r, t0) => {
      marks.checkpointRead ??= now();
      marks.checkpointJsonBytes ??= r ? JSON.stringify(r).length : 0;
      marks.checkpointReadMs ??= now() - t0;
    },
  });
  wrap(StateBackend.prototype, 'table', {
    after: (b, t, t0, args) => {
      if (!tables.some((x) => x.name === t.name)) tables.push({ name: t.name, entries: t.size, loadMs: now() - t0, at: now() });
    },
  });
  wrap(Job.prototype, 'run', { before: (_j, _a, t) => (marks.jobRun ??= t) });
  wrap(SqliteSinkWriter.prototype, 'open', { before: (_w, _a, t) => (marks.sinkOpenStart ??= t), after: () => (marks.sinkOpened ??= now()) });
  wrap(FileSystemSourceReader.prototype, 'open', { before: (_r, _a, t) => (marks.sourceOpenStart ??= t), after: () => (marks.sourceOpened ??= now()) });
  wrap(FileSystemSourceReader.prototype, 'next', {
    after: (_r, chunk) => {
      if (chunk && chunk.rows.length > 0 && marks.firstChunk === undefined) {
        marks.firstChunk = now();
        marks.firstChunkRows = chunk.rows.length;
      }
    },
  });
  wrap(Job.prototype, 'checkpoint', {
    before: (_j, _a, t) => (marks.firstCheckpointStart ??= t),
    after: (_j, _r, t0) => {
      if (marks.firstCheckpointEnd === undefined) {
        marks.firstCheckpointEnd = now();
        marks.firstCheckpointMs = now() - t0;
      }
    },
  });
  wrap(SqliteSinkWriter.prototype, 'commit', {
    after: (_w, _r, t0, args) => {
      if (marks.sinkOpened !== undefined && marks.firstCommitAfterOpen === undefined) {
        marks.firstCommitAfterOpen = now();
        marks.firstCommitChanges = args[0]?.changes?.length;
      }
    },
  });

  const eddy = new Eddy({ stateDir: spec.stateDir });
  await runScript(eddy, [...setInterval_(spec.interval), ...KEYED.group.ddl(spec.dir, spec.sink)]);
  marks.ddlDone = now();
  marks.executeStart = now();
  const result = await eddy.execute(KEYED.group.sql);
  marks.executeReturned = now();
  const j = result.job.jobs[0];
  marks.restoredCheckpoint = j.restoredFrom?.id;
  process.send({ type: 'started' });
  await new Promise((r) => process.once('message', r)); // the parent saw the new output (or gave up)
  const rowsIn = result.job.summary().rowsIn;
  await result.job.stop();
  await result.job.done;
  await eddy.close();
  return { ok: true, marks, tables, rowsIn, checkpoints: j.checkpointStats.completed, maxRssMb: process.resourceUsage().maxRSS / 1024 };
}

// Child: long windowed run, sizes sampled at every checkpoint ----------------------------------------------
async function childGrowth(spec) {
  const { Eddy, Job } = await loadEngine(spec.dist);
  const samples = [];
  let t0;
  wrap(Job.prototype, 'checkpoint', {
    after: (job, _r, start) => {
      const f = stateFiles(spec.stateDir);
      samples.push({ t: (now() - t0) / 1000, id: job.checkpointStats.lastId, ms: now() - start, db: f.db, wal: f.wal, entries: job.checkpoints?.backend.entries });
    },
  });
  const eddy = new Eddy({ stateDir: spec.stateDir });
  await runScript(eddy, [...setInterval_(spec.interval), ...GROWTH.ddl(spec.data, spec.speedup)]);
  t0 = now();
  const result = await eddy.execute(GROWTH.sql);
  await result.job.done;
  const seconds = (now() - t0) / 1000;
  const summary = result.job.summary();
  const stats = result.job.jobs[0].checkpointStats;
  await eddy.close();
  return {
    ok: summary.rowsIn === spec.rows && summary.lateRowsDropped === 0,
    error: summary.rowsIn === spec.rows ? undefined : `read ${summary.rowsIn} rows`,
    seconds,
    rowsIn: summary.rowsIn,
    rowsOut: summary.rowsOut,
    checkpoints: stats.completed,
    durations: durationStats(stats.durations),
    samples,
    filesAfterClose: stateFiles(spec.stateDir),
  };
}

async function runChild(spec) {
  try {
    ({ default: DatabaseCtor } = await import('better-sqlite3'));
    switch (spec.task) {
      case 'throughput': return await childThroughput(spec);
      case 'alternating': return await childAlternating(spec);
      case 'build': return await childBuild(spec);
      case 'recover': return await childRecover(spec);
      case 'growth': return await childGrowth(spec);
    }
    throw new Error(`unknown task ${spec.task}`);
  } catch (err) {
    return { ok: false, error: err && err.stack ? String(err.stack).split('\n').slice(0, 6).join('\n') : String(err) };
  }
}

// ---------------------------------------------------------------------------------------------------------
// Parent

function fmtInt(n) {
  return n === undefined || n === null ? '-' : Math.round(n).toLocaleString('en-US');
}
const fmt = (n, d = 1) => (n === undefined || n === null ? '-' : n.toFixed(d));
const mb = (b) => (b / 2 ** 20).toFixed(1);
/** Mean and standard error of the mean (undefined with fewer than 2 values). */
const meanSe = (xs) => {
  if (xs.length < 2) return undefined;
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const sd = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (xs.length - 1));
  return { mean, se: sd / Math.sqrt(xs.length) };
};
const fmtMeanSe = (m) => (m ? `${fmt(m.mean)} ± ${fmt(m.se)} %` : '');

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

function printTable(head, body) {
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => String(b[i]).length)));
  const line = (cells) => cells.map((c, i) => (i === 0 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join('  ');
  console.log(line(head));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const b of body) console.log(line(b));
}

/** Runs a child with `spec`; `onMessage(msg, child)` sees non-result messages. */
function spawnChild(spec, opts, { profileName, onMessage } = {}) {
  // The alternating child collects the garbage of one run before the next (see childAlternating).
  const execArgv = spec.task === 'alternating' ? ['--expose-gc'] : [];
  if (opts.profile && profileName) {
    const dir = join(RESULTS, 'profiles');
    mkdirSync(dir, { recursive: true });
    execArgv.push('--cpu-prof', `--cpu-prof-dir=${dir}`, `--cpu-prof-name=${profileName}.cpuprofile`);
  }
  const forkedAt = now();
  return new Promise((done) => {
    let result;
    const child = fork(fileURLToPath(import.meta.url), ['--child', JSON.stringify({ ...spec, dist: opts.dist })], { execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    child.on('message', (m) => {
      if (m && m.type === 'result') result = m.result;
      else onMessage?.(m, child, forkedAt);
    });
    child.on('exit', (code, signal) => done(result ?? { ok: false, error: `child exited with ${signal ?? `code ${code}`} before reporting` }));
  });
}

function machineFacts() {
  const cpu = cpus();
  let commit;
  try {
    commit = execFileSync('git', ['-C', ROOT, 'rev-parse', '--short', 'HEAD'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const dirty = execFileSync('git', ['-C', ROOT, 'status', '--porcelain', '--', 'src'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    if (dirty) commit += ' (src/ modified)';
  } catch {
    commit = undefined;
  }
  return {
    nproc: availableParallelism(),
    cpuModel: cpu[0]?.model,
    totalMemGb: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    v8: process.versions.v8,
    platform: `${platform()} ${release()} ${arch()}`,
    commit,
    loadavgAtStart: loadavg().map((x) => Math.round(x * 100) / 100),
  };
}

/**
 * The overhead of checkpoints every 1 s measured within one process per pipeline: `--repeat` pairs of runs
 * (no state dir, then every 1 s, or the other way round) after one warm-up pair. Separate processes (part
 * overhead) compile the pipeline anew each time, and V8's choices (what it inlines, when) move a run's speed
 * by several percent either way; here both runs of a pair use the same compiled code, so the difference is
 * the work checkpoints add, and the median over pairs is much steadier.
 */
async function partSameProcess(opts, tmp) {
  const data = join(tmp, 'events.jsonl');
  if (!existsSync(data)) generate(data, opts.rows);
  const results = [];
  for (const bench of opts.benches) {
    process.stderr.write(`  ${bench}: ${opts.repeat + 1} pairs (none, 1 s) in one process ... `);
    const res = await spawnChild(
      { task: 'alternating', bench, interval: '1 s', aa: opts.aa, pairs: opts.repeat + 1, data, rows: opts.rows, tmp },
      opts,
      { profileName: `ckpt-same-process-${bench}` },
    );
    if (!res.ok) {
      process.stderr.write('FAILED\n');
      console.error(`  ${res.error}`);
      continue;
    }
    process.stderr.write('done\n');
    const pairs = [];
    for (let i = 1; i < opts.repeat + 1; i++) {
      const none = res.runs.find((r) => r.pair === i && r.interval === null);
      const ckpt = res.runs.find((r) => r.pair === i && r.interval !== null);
      pairs.push({
        full: (1 - none.seconds / ckpt.seconds) * 100,
        steady: none.steadyRowsPerSecond && ckpt.steadyRowsPerSecond ? (1 - ckpt.steadyRowsPerSecond / none.steadyRowsPerSecond) * 100 : undefined,
        mainCpu: none.mainThreadCpuSeconds ? (ckpt.mainThreadCpuSeconds / none.mainThreadCpuSeconds - 1) * 100 : undefined,
        held: ckpt.pauses ? ckpt.pauses.reduce((a, b) => a + b, 0) / 1000 / ckpt.seconds * 100 : undefined,
        gcExtraMs: none.gcPauses && ckpt.gcPauses ? ckpt.gcPauses.minorMs + ckpt.gcPauses.majorMs - none.gcPauses.minorMs - none.gcPauses.majorMs : undefined,
        majorGcs: ckpt.gcPauses ? `${none.gcPauses.major}/${ckpt.gcPauses.major}` : undefined,
        noneRowsPerSecond: opts.rows / none.seconds,
        ckptRowsPerSecond: opts.rows / ckpt.seconds,
        checkpoints: ckpt.checkpoints,
      });
    }
    const med = (k) => {
      const xs = pairs.map((p) => p[k]).filter((x) => x !== undefined);
      return xs.length ? median(xs) : undefined;
    };
    results.push({
      bench, pairs: pairs.length, warmUpPairs: 1, runs: res.runs.map(({ durations, pauses, ...r }) => r),
      perPair: pairs,
      noneRowsPerSecondMedian: med('noneRowsPerSecond'), ckptRowsPerSecondMedian: med('ckptRowsPerSecond'),
      overheadFullMedianPct: med('full'), overheadSteadyMedianPct: med('steady'), mainThreadCpuExtraMedianPct: med('mainCpu'), heldShareMedianPct: med('held'),
      checkpointsMedian: med('checkpoints'), gcPauseExtraMsMedian: med('gcExtraMs'),
      overheadFullMeanSe: meanSe(pairs.map((p) => p.full)), overheadSteadyMeanSe: meanSe(pairs.map((p) => p.steady).filter((x) => x !== undefined)),
    });
  }
  if (opts.aa) console.log('\n   --aa: the "1 s" runs below ran WITHOUT a state directory too; every difference is noise.');
  console.log(`\n1b. Overhead of checkpoints every 1 s within one process (${fmtInt(opts.rows)} rows; ${opts.repeat} pairs after a warm-up pair; medians over pairs, and means ± standard error)`);
  printTable(
    ['benchmark', 'rows/s none', 'rows/s 1 s', 'full run', 'full run mean ± se', 'steady state', 'steady mean ± se', 'main thread extra', 'sources held', 'GC pauses extra', 'ckpts/run', 'full run per pair', 'major GCs per pair'],
    results.map((e) => [
      e.bench, fmtInt(e.noneRowsPerSecondMedian), fmtInt(e.ckptRowsPerSecondMedian), `${fmt(e.overheadFullMedianPct)} %`, fmtMeanSe(e.overheadFullMeanSe),
      `${fmt(e.overheadSteadyMedianPct)} %`, fmtMeanSe(e.overheadSteadyMeanSe),
      `${fmt(e.mainThreadCpuExtraMedianPct)} %`, `${fmt(e.heldShareMedianPct)} %`, `${fmtInt(e.gcPauseExtraMsMedian)} ms`, fmtInt(e.checkpointsMedian),
      e.perPair.map((p) => fmt(p.full)).join(' '), e.perPair.map((p) => p.majorGcs).join(' '),
    ]),
  );
  return results;
}

async function partOverhead(opts, tmp) {
  const data = join(tmp, 'events.jsonl');
  const t = performance.now();
  generate(data, opts.rows);
  console.log(`input: ${fmtInt(opts.rows)} rows, ${mb(statSync(data).size)} MB (generated in ${((performance.now() - t) / 1000).toFixed(1)} s, not timed)`);
  // With --compare, two builds: A (--dist) and B (--compare), interleaved run by run.
  const builds = opts.compare ? [{ label: 'A', dist: opts.dist }, { label: 'B', dist: opts.compare }] : [{ label: '', dist: opts.dist }];
  if (opts.compare) console.log(`A/B: A = ${opts.dist}, B = ${opts.compare}`);
  const modes = MODES.filter((m) => opts.modes.includes(m.name));
  const runs = {};
  for (let r = 1; r <= opts.repeat; r++) {
    // Round robin over configurations (and builds), so that a noisy period hits all of them alike.
    for (const bench of opts.benches) {
      for (const mode of modes) {
        for (const build of r % 2 === 1 ? builds : [...builds].reverse()) {
          const key = `${build.label}|${bench}|${mode.name}`;
          process.stderr.write(`  ${build.label ? `[${build.label}] ` : ''}${bench} checkpoints ${mode.name} run ${r}/${opts.repeat} ... `);
          const res = await spawnChild(
            { task: 'throughput', bench, interval: mode.interval, data, rows: opts.rows, tmp },
            { ...opts, dist: build.dist },
            { profileName: `ckpt-${build.label}${bench}-${mode.name.replace(' ', '')}-${r}` },
          );
          process.stderr.write(res.ok ? `${res.seconds.toFixed(2)} s, ${res.checkpoints} checkpoints\n` : 'FAILED\n');
          if (!res.ok) console.error(`  ${res.error}`);
          (runs[key] ??= []).push(res);
        }
      }
    }
  }
  const results = [];
  for (const build of builds) {
    for (const bench of opts.benches) {
      let base;
      for (const mode of modes) {
        const all = runs[`${build.label}|${bench}|${mode.name}`];
        const good = all.filter((r) => r.ok);
        const entry = {
          build: build.label || undefined, dist: build.dist, bench, description: THROUGHPUT[bench].description, checkpointInterval: mode.interval ?? null,
          runs: all.map(({ durations, pauses, ...r }) => ({ ...r, checkpointDurations: durations ? durationStats(durations) : undefined, sourcePauses: pauses ? durationStats(pauses) : undefined })),
        };
        if (good.length) {
          const secs = good.map((r) => r.seconds);
          entry.rowsPerSecondBest = opts.rows / Math.min(...secs);
          entry.rowsPerSecondMedian = opts.rows / median(secs);
          entry.checkpointsMedian = median(good.map((r) => r.checkpoints));
          if (good.every((r) => r.mainThreadCpuSeconds !== undefined)) {
            entry.mainThreadCpuSecondsMedian = median(good.map((r) => r.mainThreadCpuSeconds));
            entry.otherThreadsCpuSecondsMedian = median(good.map((r) => r.cpuSeconds - r.mainThreadCpuSeconds));
          }
          const steady = good.map((r) => r.steadyRowsPerSecond).filter((x) => x !== undefined);
          if (steady.length === good.length) {
            entry.steadyRowsPerSecondBest = Math.max(...steady);
            entry.steadyRowsPerSecondMedian = median(steady);
          }
          entry.checkpointMs = durationStats(good.flatMap((r) => r.durations));
          // Builds that overlap the state write with processing also report how long sources were held.
          if (good.every((r) => r.pauses)) {
            entry.pauseMs = durationStats(good.flatMap((r) => r.pauses));
            entry.pauseShareOfTime = median(good.map((r) => r.pauses.reduce((a, b) => a + b, 0) / 1000 / r.seconds));
          }
          entry.checkpointShareOfTime = median(good.map((r) => r.durations.reduce((a, b) => a + b, 0) / 1000 / r.seconds));
          entry.stateBytesAfterClose = good[0].stateBytesAfterClose ?? null;
          if (!mode.interval) base = entry;
          else if (base) {
            entry.overheadBestPct = (1 - entry.rowsPerSecondBest / base.rowsPerSecondBest) * 100;
            entry.overheadMedianPct = (1 - entry.rowsPerSecondMedian / base.rowsPerSecondMedian) * 100;
            // Run i of each configuration ran one after the other: compare within those pairs, so that the
            // machine's speed drifting over minutes cancels out, and take the median.
            const noneRuns = runs[`${build.label}|${bench}|none`];
            const paired = all.map((r, i) => (r.ok && noneRuns[i]?.ok ? (1 - noneRuns[i].seconds / r.seconds) * 100 : undefined)).filter((x) => x !== undefined);
            if (paired.length) entry.overheadPairedMedianPct = median(paired);
            entry.overheadPairedMeanSe = meanSe(paired);
            if (entry.mainThreadCpuSecondsMedian !== undefined && base.mainThreadCpuSecondsMedian !== undefined) {
              entry.mainThreadCpuExtraPct = (entry.mainThreadCpuSecondsMedian / base.mainThreadCpuSecondsMedian - 1) * 100;
            }
            if (entry.steadyRowsPerSecondMedian !== undefined && base.steadyRowsPerSecondMedian !== undefined) {
              entry.steadyOverheadBestPct = (1 - entry.steadyRowsPerSecondBest / base.steadyRowsPerSecondBest) * 100;
              entry.steadyOverheadMedianPct = (1 - entry.steadyRowsPerSecondMedian / base.steadyRowsPerSecondMedian) * 100;
            }
          }
        }
        results.push(entry);
      }
    }
  }
  const b = (e) => (e.build ? [e.build] : []);
  const bh = opts.compare ? ['build'] : [];
  console.log(`\n1. Throughput with and without checkpoints, full run: from execute(INSERT) to job.done, with the last checkpoint (${fmtInt(opts.rows)} rows, ${opts.repeat} runs each; overhead vs no state dir${opts.compare ? ' of the same build' : ''})`);
  printTable(
    [...bh, 'benchmark', 'checkpoints', 'rows/s best', 'rows/s median', 'overhead best', 'overhead median', 'paired', 'paired mean ± se', 'ckpts/run'],
    results.map((e) => [
      ...b(e), e.bench, e.checkpointInterval ? `every ${e.checkpointInterval}` : 'none (no state dir)', fmtInt(e.rowsPerSecondBest), fmtInt(e.rowsPerSecondMedian),
      e.overheadBestPct === undefined ? '' : `${fmt(e.overheadBestPct)} %`, e.overheadMedianPct === undefined ? '' : `${fmt(e.overheadMedianPct)} %`,
      e.overheadPairedMedianPct === undefined ? '' : `${fmt(e.overheadPairedMedianPct)} %`, fmtMeanSe(e.overheadPairedMeanSe), e.checkpointInterval ? fmtInt(e.checkpointsMedian) : '',
    ]),
  );
  console.log(`\n   Steady state: rows/s over the middle of each run only (from ${STEADY_FROM * 100}% to ${STEADY_TO * 100}% of the input read), i.e.`);
  console.log(`   without start-up and without the last checkpoint a bounded run waits for; the full-run figures above include both.`);
  printTable(
    [...bh, 'benchmark', 'checkpoints', 'middle rows/s best', 'middle rows/s median', 'middle overhead best', 'middle overhead median'],
    results.map((e) => [
      ...b(e), e.bench, e.checkpointInterval ? `every ${e.checkpointInterval}` : 'none (no state dir)', fmtInt(e.steadyRowsPerSecondBest), fmtInt(e.steadyRowsPerSecondMedian),
      e.steadyOverheadBestPct === undefined ? '' : `${fmt(e.steadyOverheadBestPct)} %`, e.steadyOverheadMedianPct === undefined ? '' : `${fmt(e.steadyOverheadMedianPct)} %`,
    ]),
  );
  if (results.some((e) => e.mainThreadCpuSecondsMedian !== undefined)) {
    console.log(`\n   CPU seconds per run (medians; Linux). The main thread runs the pipeline and encodes checkpoints; the other`);
    console.log(`   threads are the state writer, V8's GC helpers and libuv. Extra main-thread CPU is a cost figure that a busy`);
    console.log(`   machine disturbs much less than rows/s (which also waits for CPU time and for the last checkpoint).`);
    printTable(
      [...bh, 'benchmark', 'checkpoints', 'main thread s', 'main thread extra', 'other threads s'],
      results.map((e) => [
        ...b(e), e.bench, e.checkpointInterval ? `every ${e.checkpointInterval}` : 'none (no state dir)', fmt(e.mainThreadCpuSecondsMedian, 2),
        e.mainThreadCpuExtraPct === undefined ? '' : `${fmt(e.mainThreadCpuExtraPct)} %`, fmt(e.otherThreadsCpuSecondsMedian, 2),
      ]),
    );
  }
  console.log(`\n2. Checkpoint durations of those runs (ms, all runs pooled; includes the final checkpoint at the end).`);
  console.log(`   duration: from the start of a checkpoint until its sinks committed; paused: how long sources were held for it`);
  printTable(
    [...bh, 'benchmark', 'interval', 'checkpoints', 'p50 ms', 'p99 ms', 'max ms', 'share of run time', 'paused p50', 'paused p99', 'paused share', 'state file after run'],
    results.filter((e) => e.checkpointInterval).map((e) => [
      ...b(e), e.bench, e.checkpointInterval, fmtInt(e.checkpointMs?.count), fmt(e.checkpointMs?.p50, 0), fmt(e.checkpointMs?.p99, 0), fmt(e.checkpointMs?.max, 0),
      `${fmt((e.checkpointShareOfTime ?? 0) * 100)} %`,
      e.pauseMs ? fmt(e.pauseMs.p50, 0) : '=', e.pauseMs ? fmt(e.pauseMs.p99, 0) : '=', e.pauseMs ? `${fmt(e.pauseShareOfTime * 100)} %` : '=',
      e.stateBytesAfterClose === null ? '-' : `${mb(e.stateBytesAfterClose)} MB`,
    ]),
  );
  return { rows: opts.rows, repeat: opts.repeat, builds, results };
}

/** Writes `keys` distinct-key rows into a new directory (as one file); returns the directory. */
function keyedInput(tmp, name, keys, source) {
  const dir = join(tmp, name);
  mkdirSync(dir);
  if (source) linkSync(source, join(dir, 'part-0000.jsonl'));
  else generate(join(dir, 'part-0000.jsonl'), keys, { distinct: true });
  return dir;
}

function stateTableBreakdown(DatabaseCls, file) {
  const db = new DatabaseCls(file, { readonly: true, fileMustExist: true });
  try {
    const tables = db.prepare('SELECT tbl, count(*) AS entries, sum(length(ns) + length(k) + length(v)) AS payload FROM eddy_state GROUP BY tbl').all();
    const ckpt = db.prepare('SELECT length(data) AS bytes FROM eddy_checkpoint').get();
    const pages = db.pragma('page_count', { simple: true });
    const pageSize = db.pragma('page_size', { simple: true });
    const free = db.pragma('freelist_count', { simple: true });
    let btree;
    try {
      btree = db.prepare("SELECT name, sum(pgsize) AS bytes FROM dbstat GROUP BY name ORDER BY bytes DESC").all();
    } catch {
      btree = undefined;
    }
    return { tables, checkpointDataBytes: ckpt?.bytes ?? 0, pages, pageSize, freePages: free, btree };
  } finally {
    db.close();
  }
}

async function partSize(opts, tmp, inputs) {
  const { default: Database } = await import('better-sqlite3');
  const sizes = [100_000, opts.rows].filter((v, i, a) => a.indexOf(v) === i);
  const results = [];
  for (const keys of sizes) {
    const dir = inputs.get(keys) ?? keyedInput(tmp, `distinct-${keys}`, keys);
    inputs.set(keys, join(dir, 'part-0000.jsonl'));
    for (const kind of ['group', 'window']) {
      const stateDir = join(tmp, `size-${kind}-${keys}`);
      process.stderr.write(`  size: ${kind} ${fmtInt(keys)} keys ... `);
      const res = await spawnChild({ task: 'build', kind, keys, dir, stateDir, interval: '1 s', idleMs: 0, sink: { kind: 'blackhole' } }, opts);
      if (!res.ok) {
        process.stderr.write('FAILED\n');
        console.error(`  ${res.error}`);
        results.push({ kind, keys, ok: false, error: res.error });
        continue;
      }
      process.stderr.write(`${res.allInSeconds.toFixed(1)} s\n`);
      const breakdown = stateTableBreakdown(Database, res.filesAfterClose.file);
      results.push({
        kind, keys, description: KEYED[kind].description, ok: true,
        lastCheckpointDbPlusWal: res.filesBeforeClose.total,
        lastCheckpointBytesPerKey: res.filesBeforeClose.total / keys,
        afterStopDb: res.filesAfterClose.total,
        afterStopBytesPerKey: res.filesAfterClose.total / keys,
        lastCheckpointMs: res.lastDurationMs,
        checkpointMs: res.durations,
        breakdown,
      });
      rmSync(stateDir, { recursive: true, force: true });
    }
  }
  console.log('\n4. Bytes on disk per key (state file, sink blackhole; all rows in, then STOP: its last checkpoint holds every key)');
  printTable(
    ['state', 'keys', 'db+wal at last ckpt', 'B/key', 'db after close', 'B/key after close', 'entry payload B/key', 'last ckpt ms'],
    results.filter((r) => r.ok).map((r) => {
      const payload = r.breakdown.tables.reduce((a, t) => a + t.payload, 0);
      return [r.kind === 'group' ? 'GROUP BY' : 'window, mid-window', fmtInt(r.keys), `${mb(r.lastCheckpointDbPlusWal)} MB`, fmt(r.lastCheckpointBytesPerKey, 0), `${mb(r.afterStopDb)} MB`, fmt(r.afterStopBytesPerKey, 0), fmt(payload / r.keys, 0), fmt(r.lastCheckpointMs, 0)];
    }),
  );
  return { results };
}

/** Restart scenarios on the same state (run in this order; each adds a few new keys). */
const RECOVERY_SCENARIOS = [
  { name: 'one new file, then restart', trickle: false, interval: '1 s' },
  { name: 'restart, new file every 100 ms', trickle: true, interval: '1 s' },
  { name: 'restart, new file every 100 ms', trickle: true, interval: '100 ms' },
];
const NEW_ROWS = 10;

async function partRecovery(opts, tmp, inputs) {
  const { default: Database } = await import('better-sqlite3');
  const keys = opts.rows;
  const dir = keyedInput(tmp, 'recovery-input', keys, inputs.get(keys));
  inputs.set(keys, join(dir, 'part-0000.jsonl'));
  const stateDir = join(tmp, 'recovery-state');
  const sink = { kind: 'sqlite', path: join(tmp, 'recovery-sink.db') };
  const interval = '1 s';
  const idleMs = 3000;
  process.stderr.write(`  recovery: building ${fmtInt(keys)} keys of GROUP BY state (sqlite sink, checkpoints every ${interval}) ... `);
  const build = await spawnChild({ task: 'build', kind: 'group', keys, dir, stateDir, interval, idleMs, sink }, opts);
  if (!build.ok) {
    process.stderr.write('FAILED\n');
    console.error(`  ${build.error}`);
    return { ok: false, error: build.error };
  }
  process.stderr.write(`${build.allInSeconds.toFixed(1)} s to read, stop ${build.stopMs.toFixed(0)} ms\n`);
  const stateBreakdown = stateTableBreakdown(Database, build.filesAfterClose.file);

  const scenarios = [];
  let nextKey = keys;
  let fileNo = 1;
  const newFile = () => {
    const first = nextKey;
    generate(join(dir, `part-${String(fileNo++).padStart(4, '0')}.jsonl`), NEW_ROWS, { distinct: true, first });
    nextKey += NEW_ROWS;
    return first;
  };
  for (const [i, sc] of RECOVERY_SCENARIOS.entries()) {
    const firstNewKey = sc.trickle ? nextKey : newFile();
    const poll = new Database(sink.path, { readonly: true, fileMustExist: true });
    const probe = poll.prepare('SELECT cnt FROM result WHERE g = ?');
    let seenInfo;
    process.stderr.write(`  recovery ${i + 1}: ${sc.name}, checkpoints every ${sc.interval} ... `);
    const rec = await spawnChild({ task: 'recover', dir, stateDir, interval: sc.interval, sink }, opts, {
      profileName: `ckpt-recovery-${i + 1}`,
      onMessage: async (m, child, forkedAt) => {
        if (m.type !== 'started') return;
        const deadline = now() + 10_000;
        let seen;
        let lastFile = now();
        if (sc.trickle) newFile();
        while (now() < deadline) {
          if (probe.get(firstNewKey) !== undefined) {
            seen = now();
            break;
          }
          if (sc.trickle && now() - lastFile >= 100) {
            newFile();
            lastFile = now();
          }
          await sleep(5);
        }
        seenInfo = { forkedAt, seen };
        child.send('stop');
      },
    });
    poll.close();
    if (!rec.ok || !seenInfo) {
      process.stderr.write('FAILED\n');
      console.error(`  ${rec.error}`);
      scenarios.push({ ...sc, ok: false, error: rec.error });
      continue;
    }
    const { forkedAt, seen } = seenInfo;
    const m = rec.marks;
    const phases = [
      ['fork -> node started (process.timeOrigin)', forkedAt, m.processStart],
      ['load Eddy modules', m.processStart, m.modulesLoaded],
      ['Eddy + DDL statements', m.modulesLoaded, m.ddlDone],
      ['execute: plan, open store (pragmas, tables)', m.executeStart, m.storeOpened],
      ['execute: read latest checkpoint (JSON)', m.storeOpened, m.checkpointRead],
      ['execute: fingerprint, build job', m.checkpointRead, m.executeReturned],
      ['run -> sqlite sink open (re-applies restored commit)', m.jobRun, m.sinkOpened],
      ['load operator state + open operators', m.sinkOpened, m.sourceOpenStart],
      ['source open (discover files)', m.sourceOpenStart, m.sourceOpened],
      ['first chunk with rows', m.sourceOpened, m.firstChunk],
      ['process it, wait for the checkpoint interval', m.firstChunk, m.firstCheckpointStart],
      ['first checkpoint (incl. sink commit)', m.firstCheckpointStart, m.firstCheckpointEnd],
      ['seen by a reader of the sink db (5 ms polls)', m.firstCheckpointEnd, seen],
    ].map(([name, a, b]) => ({ phase: name, ms: a !== undefined && b !== undefined ? b - a : null }));
    const fromProcess = seen === undefined ? null : seen - forkedAt;
    const fromExecute = seen === undefined ? null : seen - m.executeStart;
    process.stderr.write(seen === undefined ? 'new key NOT seen within 10 s\n' : `${fromProcess.toFixed(0)} ms\n`);
    scenarios.push({ ...sc, ok: seen !== undefined, restoredCheckpoint: m.restoredCheckpoint, checkpointJsonBytes: m.checkpointJsonBytes, marks: m, tables: rec.tables, phases, firstOutputFromProcessMs: fromProcess, firstOutputFromExecuteMs: fromExecute, maxRssMb: rec.maxRssMb });
  }

  console.log(`\n3. Recovery with ${fmtInt(keys)} keys of GROUP BY state (COUNT/SUM/MAX; sqlite sink with PRIMARY KEY)`);
  console.log(`   state after build: db ${mb(build.filesAfterClose.total)} MB (${stateBreakdown.tables.map((t) => `${t.tbl}: ${fmtInt(t.entries)} entries`).join(', ')}; checkpoint record ${mb(stateBreakdown.checkpointDataBytes)} MB)`);
  console.log(`   build: all rows in after ${build.allInSeconds.toFixed(1)} s, ${build.atAllIn.completed} checkpoints by then; after ${idleMs / 1000} s idle: ${build.afterIdle.completed} checkpoints, ` +
    `${fmtInt(build.sinkRowsAfterIdle)} of ${fmtInt(keys)} keys visible in the sink; STOP took ${build.stopMs.toFixed(0)} ms (last checkpoint ${fmt(build.lastDurationMs, 0)} ms; ${fmtInt(build.sinkRowsAfterStop)} keys visible after)`);
  printTable(
    ['phase (ms)', ...scenarios.map((_, i) => `#${i + 1}`)],
    RECOVERY_SCENARIOS.length && scenarios[0].phases
      ? scenarios[0].phases.map((p, r) => [p.phase, ...scenarios.map((sc) => (sc.phases ? fmt(sc.phases[r].ms, 0) : '-'))])
      : [],
  );
  printTable(
    ['scenario', 'interval', 'first new output: from process start', 'from execute(INSERT)', 'state load', 'peak RSS MB'],
    scenarios.map((sc, i) => [`#${i + 1} ${sc.name}`, sc.interval, sc.ok ? `${fmt(sc.firstOutputFromProcessMs, 0)} ms` : 'not seen in 10 s', sc.ok ? `${fmt(sc.firstOutputFromExecuteMs, 0)} ms` : '-',
      sc.tables ? sc.tables.map((t) => `${fmtInt(t.entries)} entries ${t.loadMs.toFixed(0)} ms`).join(', ') : '-', fmt(sc.maxRssMb, 0)]),
  );
  console.log('   target: < 2000 ms from process start');
  return { ok: scenarios.every((s) => s.ok), keys, build, stateBreakdown, scenarios };
}

async function partGrowth(opts, tmp) {
  const data = join(tmp, 'growth.jsonl');
  generate(data, opts.growthRows);
  const stateDir = join(tmp, 'growth-state');
  mkdirSync(stateDir);
  process.stderr.write(`  growth: ${fmtInt(opts.growthRows)} rows replayed at ${opts.growthSpeedup}x, TUMBLE 1 s, checkpoints every 200 ms ... `);
  const res = await spawnChild({ task: 'growth', data, rows: opts.growthRows, stateDir, interval: '200 ms', speedup: opts.growthSpeedup }, opts);
  if (!res.ok) {
    process.stderr.write('FAILED\n');
    console.error(`  ${res.error}`);
    return { ok: false, error: res.error };
  }
  process.stderr.write(`${res.seconds.toFixed(1)} s, ${res.checkpoints} checkpoints\n`);
  const s = res.samples;
  const total = s.map((x) => x.db + x.wal);
  const half = Math.floor(s.length / 2);
  const maxFirst = Math.max(...total.slice(0, half));
  const maxSecond = Math.max(...total.slice(half));
  const windows = Math.round(opts.growthRows / 1000);
  console.log(`\n5. File growth: ${fmtInt(opts.growthRows)} rows over ~${fmtInt(windows)} windows of 1 s (1,000 keys), replayed at ${opts.growthSpeedup}x, checkpoints every 200 ms: ${res.checkpoints} checkpoints in ${res.seconds.toFixed(1)} s`);
  const every = Math.max(1, Math.floor(s.length / 16));
  printTable(
    ['t (s)', 'checkpoint', 'ms', 'state entries', 'db KB', 'wal KB', 'db+wal KB'],
    s.filter((_, i) => i % every === 0 || i === s.length - 1).map((x) => [fmt(x.t, 1), x.id, fmt(x.ms, 0), fmtInt(x.entries), fmtInt(x.db / 1024), fmtInt(x.wal / 1024), fmtInt((x.db + x.wal) / 1024)]),
  );
  console.log(`   db+wal max: first half ${fmtInt(maxFirst / 1024)} KB, second half ${fmtInt(maxSecond / 1024)} KB; db max ${fmtInt(Math.max(...s.map((x) => x.db)) / 1024)} KB, wal max ${fmtInt(Math.max(...s.map((x) => x.wal)) / 1024)} KB; after close ${fmtInt(res.filesAfterClose.total / 1024)} KB`);
  console.log(`   checkpoint ms p50 ${fmt(res.durations.p50, 0)}, p99 ${fmt(res.durations.p99, 0)}, max ${fmt(res.durations.max, 0)}; reclaim (incremental_vacuum) runs at every 20th checkpoint`);
  return { ok: true, rows: opts.growthRows, windows, ...res, maxFirstHalf: maxFirst, maxSecondHalf: maxSecond, bounded: maxSecond <= maxFirst * 1.25 };
}

async function main(opts) {
  const engine = join(opts.dist, 'src', 'engine', 'eddy.js');
  if (!existsSync(engine)) {
    console.error(`Eddy is not built (${engine} is missing). Run \`npm run build\` first.`);
    return 1;
  }
  const machine = machineFacts();
  console.log(`Eddy checkpoint benchmarks: ${fmtInt(opts.rows)} rows, repeat ${opts.repeat}, parts ${opts.only.join(', ')}${opts.profile ? ', CPU profiles on' : ''}`);
  console.log(`node ${machine.node}, ${machine.nproc} CPUs (${machine.cpuModel}), ${fmt(machine.totalMemGb)} GB, ${machine.platform}${machine.commit ? `, commit ${machine.commit}` : ''}, load ${machine.loadavgAtStart.join(' ')}`);
  if (opts.dist !== DEFAULT_DIST) console.log(`build: ${opts.dist}`);
  const tmp = mkdtempSync(join(tmpdir(), 'eddy-ckpt-bench-'));
  // machine.commit is this checkout's HEAD; with --dist, the build measured may come from another commit.
  const build = opts.dist === DEFAULT_DIST ? 'dist/ of this checkout' : opts.dist;
  const report = { date: new Date().toISOString(), command: `node bench/checkpoints.mjs ${process.argv.slice(2).join(' ')}`.trim(), machine, build, options: { ...opts, child: undefined }, input: DATA };
  let exitCode = 0;
  try {
    const inputs = new Map();
    if (opts.only.includes('overhead')) report.overhead = await partOverhead(opts, tmp);
    if (opts.only.includes('same-process')) report.sameProcess = await partSameProcess(opts, tmp);
    if (opts.only.includes('size')) report.size = await partSize(opts, tmp, inputs);
    if (opts.only.includes('recovery')) report.recovery = await partRecovery(opts, tmp, inputs);
    if (opts.only.includes('growth')) report.growth = await partGrowth(opts, tmp);
    for (const part of ['overhead', 'size', 'recovery', 'growth']) {
      const r = report[part];
      if (r && (r.ok === false || r.results?.some((x) => x.ok === false || x.runs?.some((y) => !y.ok)))) exitCode = 1;
    }
    report.machine.loadavgAtEnd = loadavg().map((x) => Math.round(x * 100) / 100);
    mkdirSync(RESULTS, { recursive: true });
    const out = join(RESULTS, 'checkpoints.json');
    writeFileSync(out, JSON.stringify(report, null, 2) + '\n');
    console.log(`\nload average at end: ${report.machine.loadavgAtEnd.join(' ')}\nwrote ${out}`);
    if (opts.profile) console.log(`profiles: ${join(RESULTS, 'profiles')} (node bench/profile-summary.mjs <file>)`);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  return exitCode;
}

const opts = parseArgs(process.argv.slice(2));
if (opts.child) {
  const result = await runChild(opts.child);
  process.send({ type: 'result', result }, () => process.exit(0));
} else {
  process.exitCode = await main(opts);
}
