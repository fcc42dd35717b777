#!/usr/bin/env node
/**
 * Throughput benchmarks of Eddy's core pipeline (plain Node ESM, no dependencies).
 *
 *   npm run build && node bench/run.mjs [--rows N] [--only a,b] [--repeat K] [--profile] [--list]
 *
 * The parent process generates the input once (a JSON-lines file in a temporary directory, not timed),
 * then runs every benchmark, every repetition, in a fresh child process with a fresh Eddy, so that JIT
 * state, heap and peak RSS of one run do not leak into the next. A child times from `execute(INSERT ..)`
 * (planning and job building included, a few ms) to `job.done`, checks the job's row counts and reports
 * back over IPC. Results are printed as a table and written to bench/results/latest.json.
 * See bench/README.md.
 */
import { fork } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { flags, machineFacts, median, mulberry32, sqlTimestamp } from './common.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, '..');
const DEFAULT_DIST = join(ROOT, 'dist');
const engineOf = (dist) => join(dist, 'src', 'engine', 'eddy.js');
const RESULTS = join(HERE, 'results');

/** Shape of the generated input (documented in bench/README.md). */
const DATA = {
  seed: 20240101,
  /** Event time of row 0: 2024-01-01 00:00:00 UTC; row i is at base + i ms, minus up to JITTER ms. */
  base: Date.UTC(2024, 0, 1),
  jitter: 200,
  keys: 1000,
  groups: 10_000,
};

const WM = "WATERMARK FOR ts AS ts - INTERVAL '1' SECOND";
const COLUMNS = 'id BIGINT, k INT, g INT, v DOUBLE, name STRING, ts TIMESTAMP(3)';
const fileTable = (name, path, watermark) =>
  `CREATE TABLE ${name} (${COLUMNS}${watermark ? `, ${WM}` : ''}) ` +
  `WITH ('connector' = 'filesystem', 'path' = '${path}', 'format' = 'json');`;
const windowSink = (time) =>
  `CREATE TABLE sink (k INT, cnt BIGINT, total DOUBLE, biggest DOUBLE, window_start ${time}, window_end ${time}) WITH ('connector' = 'blackhole');`;
const WINDOW_SINK = windowSink('TIMESTAMP(3)');
const windowInsert = (tvf) =>
  `INSERT INTO sink SELECT k, COUNT(*), SUM(v), MAX(v), window_start, window_end FROM TABLE(${tvf}) GROUP BY window_start, window_end, k`;

/**
 * The benchmarks. `ddl(ctx)` and `sql(ctx)` get `{ rows, path }`; `source` says whether the input is the
 * pre-generated file (generation not timed) or datagen (generation timed); `expectOut(rows)` (optional)
 * is checked against the job's rows-out counter.
 */
const BENCHMARKS = [
  {
    name: 'scan-filter-project',
    source: 'file',
    description: 'filesystem json -> WHERE (~75% pass) + projection with arithmetic -> blackhole',
    ddl: ({ path }) => [
      fileTable('events', path, false),
      `CREATE TABLE sink (id BIGINT, k INT, v2 DOUBLE, label STRING, ts TIMESTAMP(3)) WITH ('connector' = 'blackhole');`,
    ],
    sql: () => `INSERT INTO sink SELECT id, k, v * 2 + 1, name, ts FROM events WHERE v >= 250 AND k <> 7`,
  },
  {
    name: 'tumble-count',
    source: 'file',
    description: `filesystem json + WATERMARK -> TUMBLE 10 s, GROUP BY window, k (${DATA.keys} keys): COUNT(*), SUM, MAX -> blackhole`,
    ddl: ({ path }) => [fileTable('events', path, true), WINDOW_SINK],
    sql: () => windowInsert(`TUMBLE(TABLE events, DESCRIPTOR(ts), INTERVAL '10' SECOND)`),
  },
  {
    name: 'hop-count',
    source: 'file',
    description: 'as tumble-count with HOP slide 5 s, size 30 s (6 windows per row)',
    ddl: ({ path }) => [fileTable('events', path, true), WINDOW_SINK],
    sql: () => windowInsert(`HOP(TABLE events, DESCRIPTOR(ts), INTERVAL '5' SECOND, INTERVAL '30' SECOND)`),
  },
  {
    name: 'session',
    source: 'file',
    description: `as tumble-count with SESSION(PARTITION BY k, gap 5 s); a key recurs every ~1 s, so sessions are long`,
    ddl: ({ path }) => [fileTable('events', path, true), WINDOW_SINK],
    sql: () => windowInsert(`SESSION(TABLE events PARTITION BY k, DESCRIPTOR(ts), INTERVAL '5' SECOND)`),
  },
  {
    name: 'group-agg',
    source: 'file',
    description: `filesystem json -> GROUP BY g (${DATA.groups} keys) COUNT(*), SUM, MIN, MAX -> blackhole (updating: +I/-U/+U)`,
    ddl: ({ path }) => [
      fileTable('events', path, false),
      `CREATE TABLE sink (g INT, cnt BIGINT, total DOUBLE, smallest DOUBLE, biggest DOUBLE) WITH ('connector' = 'blackhole');`,
    ],
    sql: () => `INSERT INTO sink SELECT g, COUNT(*), SUM(v), MIN(v), MAX(v) FROM events GROUP BY g`,
  },
  {
    name: 'datagen-tumble',
    source: 'datagen',
    description: `datagen (seeded; seq BIGINT sequence, ts AS TO_TIMESTAMP_LTZ(seq, 3) + WATERMARK) -> TUMBLE 10 s by k -> blackhole; generation is timed`,
    ddl: ({ rows }) => [
      `CREATE TABLE gen (seq BIGINT, k INT, v DOUBLE, ts AS TO_TIMESTAMP_LTZ(seq, 3), ${WM}) WITH (` +
        `'connector' = 'datagen', 'number-of-rows' = '${rows}', 'rows-per-second' = '100000000', 'seed' = '${DATA.seed}', ` +
        `'fields.seq.kind' = 'sequence', 'fields.seq.start' = '0', 'fields.seq.end' = '${rows - 1}', ` +
        `'fields.k.min' = '0', 'fields.k.max' = '${DATA.keys - 1}', 'fields.v.min' = '0', 'fields.v.max' = '1000');`,
      WINDOW_SINK,
    ],
    sql: () => windowInsert(`TUMBLE(TABLE gen, DESCRIPTOR(ts), INTERVAL '10' SECOND)`),
  },
  {
    name: 'json-decode',
    source: 'file',
    description: 'filesystem json -> blackhole, no query work and no watermark (source + line splitting + JSON decoding alone)',
    ddl: ({ path }) => [fileTable('events', path, false), `CREATE TABLE sink (${COLUMNS}) WITH ('connector' = 'blackhole');`],
    sql: () => `INSERT INTO sink SELECT * FROM events`,
  },
];

// ---------------------------------------------------------------------------------------------------------
// Options

function usage(exitCode) {
  const text = `Usage: node bench/run.mjs [options]   (build first: npm run build)

  --rows N      input rows per benchmark (default 1000000; '_' separators allowed)
  --only LIST   run only these benchmarks (comma-separated names)
  --repeat K    run each benchmark K times (fresh process each), report best and median (default 1)
  --dist DIR    the build to measure (default: dist/ of this checkout), e.g. to compare two builds
  --profile     also write a V8 CPU profile per run to bench/results/profiles/ (slower; see README)
  --list        list the benchmarks and exit
  --help        this text

Benchmarks: ${BENCHMARKS.map((b) => b.name).join(', ')}`;
  (exitCode === 0 ? console.log : console.error)(text);
  process.exit(exitCode);
}

function parseArgs(argv) {
  const opts = { rows: 1_000_000, only: undefined, repeat: 1, profile: false, list: false, dist: DEFAULT_DIST, child: undefined, data: undefined };
  for (const { flag, value, count, list } of flags(argv, usage)) {
    switch (flag) {
      case '--rows': opts.rows = count(); break;
      case '--repeat': opts.repeat = count(); break;
      case '--only': opts.only = list(); break;
      case '--dist': opts.dist = resolve(value()); break;
      case '--profile': opts.profile = true; break;
      case '--list': opts.list = true; break;
      case '--child': opts.child = value(); break; // internal
      case '--data': opts.data = value(); break; // internal
      case '--help': case '-h': usage(0); break;
      default:
        console.error(`Unknown option '${flag}'`);
        usage(2);
    }
  }
  if (opts.only) {
    const unknown = opts.only.filter((n) => !BENCHMARKS.some((b) => b.name === n));
    if (unknown.length > 0) {
      console.error(`Unknown benchmark(s): ${unknown.join(', ')}`);
      usage(2);
    }
  }
  return opts;
}

// ---------------------------------------------------------------------------------------------------------
// Input generation (parent; not timed)



/**
 * Writes `rows` JSON lines: {"id","k","g","v","name","ts"}. Event time advances 1 ms per row with up to
 * 200 ms of disorder (the WATERMARK allows 1 s, so nothing is late).
 */
function generateInput(path, rows) {
  const rand = mulberry32(DATA.seed);
  const fd = openSync(path, 'w');
  try {
    let buf = '';
    for (let i = 0; i < rows; i++) {
      const k = Math.floor(rand() * DATA.keys);
      const g = Math.floor(rand() * DATA.groups);
      const v = Math.round(rand() * 100_000) / 100;
      const ts = DATA.base + i - Math.floor(rand() * DATA.jitter);
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
// Child: one run of one benchmark

async function runChild(opts) {
  const bench = BENCHMARKS.find((b) => b.name === opts.child);
  const ctx = { rows: opts.rows, path: opts.data };
  let peakRss = process.memoryUsage().rss;
  const sample = () => {
    const rss = process.memoryUsage().rss;
    if (rss > peakRss) peakRss = rss;
  };
  const sampler = setInterval(sample, 20);
  try {
    const { Eddy } = await import(pathToFileURL(engineOf(opts.dist)).href);
    const eddy = new Eddy();
    for await (const _ of eddy.executeScript(bench.ddl(ctx).join('\n'))) {
      // DDL results are not interesting; iterating executes them.
    }
    sample();
    const rssBefore = process.memoryUsage().rss;
    const t0 = performance.now();
    const result = await eddy.execute(bench.sql(ctx));
    if (result.kind !== 'job') throw new Error(`expected a job, got '${result.kind}'`);
    await result.job.done;
    const seconds = (performance.now() - t0) / 1000;
    sample();
    clearInterval(sampler);
    const summary = result.job.summary();
    await eddy.close();
    const problems = [];
    if (summary.rowsIn !== opts.rows) problems.push(`read ${summary.rowsIn} rows, expected ${opts.rows}`);
    if (summary.lateRowsDropped > 0) problems.push(`${summary.lateRowsDropped} late rows dropped`);
    if (summary.badRowsSkipped > 0) problems.push(`${summary.badRowsSkipped} bad rows skipped`);
    return {
      ok: problems.length === 0,
      error: problems.length ? problems.join('; ') : undefined,
      seconds,
      rowsIn: summary.rowsIn,
      rowsOut: summary.rowsOut,
      rssBeforeMb: rssBefore / 2 ** 20,
      peakRssMb: peakRss / 2 ** 20,
      // The kernel's high-water mark (ru_maxrss, KiB on Linux): catches peaks between samples.
      maxRssMb: process.resourceUsage().maxRSS / 1024,
    };
  } catch (err) {
    clearInterval(sampler);
    return { ok: false, error: err && err.stack ? String(err.stack).split('\n').slice(0, 6).join('\n') : String(err) };
  }
}

// ---------------------------------------------------------------------------------------------------------
// Parent

function runOnce(bench, opts, dataPath, run) {
  const execArgv = [];
  if (opts.profile) {
    const dir = join(RESULTS, 'profiles');
    mkdirSync(dir, { recursive: true });
    execArgv.push('--cpu-prof', `--cpu-prof-dir=${dir}`, `--cpu-prof-name=${bench.name}-${run}.cpuprofile`);
  }
  return new Promise((resolvePromise) => {
    let message;
    const child = fork(fileURLToPath(import.meta.url), ['--child', bench.name, '--rows', String(opts.rows), '--data', dataPath, '--dist', opts.dist], {
      execArgv,
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    child.on('message', (m) => (message = m));
    child.on('exit', (code, signal) => {
      if (message) resolvePromise(message);
      else resolvePromise({ ok: false, error: `child exited with ${signal ?? `code ${code}`} before reporting` });
    });
  });
}

const fmtInt = (n) => Math.round(n).toLocaleString('en-US');

function printTable(rows, repeat) {
  const head =
    repeat > 1
      ? ['benchmark', 'rows', 'rows out', 's (best)', 's (median)', 'rows/s (best)', 'rows/s (median)', 'peak RSS MB', 'maxRSS MB']
      : ['benchmark', 'rows', 'rows out', 'seconds', 'rows/s', 'peak RSS MB', 'maxRSS MB'];
  const body = rows.map((r) => {
    if (!r.ok) return [r.name, fmtInt(r.rows), '-', 'FAILED', ...Array(head.length - 4).fill('')];
    const common = [r.name, fmtInt(r.rows), fmtInt(r.rowsOut)];
    const mem = [r.peakRssMb.toFixed(0), r.maxRssMb.toFixed(0)];
    return repeat > 1
      ? [...common, r.bestSeconds.toFixed(3), r.medianSeconds.toFixed(3), fmtInt(r.rowsPerSecondBest), fmtInt(r.rowsPerSecondMedian), ...mem]
      : [...common, r.bestSeconds.toFixed(3), fmtInt(r.rowsPerSecondBest), ...mem];
  });
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  console.log(line(head));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const b of body) console.log(line(b));
}

async function main(opts) {
  if (opts.list) {
    for (const b of BENCHMARKS) console.log(`${b.name.padEnd(20)} ${b.description}`);
    return 0;
  }
  const engine = engineOf(opts.dist);
  if (!existsSync(engine)) {
    console.error(`Eddy is not built (${engine} is missing). Run \`npm run build\` first.`);
    return 1;
  }
  const selected = opts.only ? BENCHMARKS.filter((b) => opts.only.includes(b.name)) : BENCHMARKS;
  const machine = machineFacts(ROOT);
  console.log(`Eddy benchmarks: ${fmtInt(opts.rows)} rows, repeat ${opts.repeat}${opts.profile ? ', CPU profiles on' : ''}`);
  console.log(`node ${machine.node}, ${machine.nproc} CPUs (${machine.cpuModel}), ${machine.platform}${machine.commit ? `, commit ${machine.commit}` : ''}`);
  if (opts.dist !== DEFAULT_DIST) console.log(`build: ${opts.dist}`);

  const tmp = mkdtempSync(join(tmpdir(), 'eddy-bench-'));
  const dataPath = join(tmp, 'events.jsonl');
  let exitCode = 0;
  try {
    let dataMb;
    if (selected.some((b) => b.source === 'file')) {
      const t = performance.now();
      generateInput(dataPath, opts.rows);
      dataMb = statSync(dataPath).size / 2 ** 20;
      console.log(`input: ${dataPath} (${dataMb.toFixed(1)} MB, generated in ${((performance.now() - t) / 1000).toFixed(1)} s, not timed)\n`);
    }
    const results = [];
    for (const bench of selected) {
      const runs = [];
      for (let r = 1; r <= opts.repeat; r++) {
        process.stderr.write(`  ${bench.name} run ${r}/${opts.repeat} ... `);
        const res = await runOnce(bench, opts, dataPath, r);
        process.stderr.write(res.ok ? `${res.seconds.toFixed(3)} s\n` : `FAILED\n`);
        if (!res.ok) console.error(`  ${bench.name}: ${res.error}`);
        runs.push(res);
      }
      const good = runs.filter((r) => r.ok);
      const entry = { name: bench.name, description: bench.description, source: bench.source, rows: opts.rows, ok: good.length === runs.length, runs };
      if (good.length > 0) {
        const secs = good.map((r) => r.seconds);
        entry.rowsOut = good[0].rowsOut;
        entry.bestSeconds = Math.min(...secs);
        entry.medianSeconds = median(secs);
        entry.rowsPerSecondBest = opts.rows / entry.bestSeconds;
        entry.rowsPerSecondMedian = opts.rows / entry.medianSeconds;
        entry.peakRssMb = Math.max(...good.map((r) => r.peakRssMb));
        entry.maxRssMb = Math.max(...good.map((r) => r.maxRssMb));
      }
      if (!entry.ok) exitCode = 1;
      results.push(entry);
    }
    console.log('');
    printTable(results, opts.repeat);
    console.log('\npeak RSS: process.memoryUsage().rss sampled every 20 ms in the run; maxRSS: the kernel high-water mark of the run\'s process.');
    if (selected.some((b) => b.source === 'datagen')) console.log('datagen-*: row generation is part of the measured time.');
    mkdirSync(RESULTS, { recursive: true });
    const out = join(RESULTS, 'latest.json');
    const report = {
      date: new Date().toISOString(),
      command: `node bench/run.mjs ${process.argv.slice(2).join(' ')}`.trim(),
      machine,
      options: { rows: opts.rows, repeat: opts.repeat, only: opts.only ?? null, profile: opts.profile, dist: opts.dist },
      input: { ...DATA, megabytes: dataMb === undefined ? null : Math.round(dataMb * 10) / 10 },
      results,
    };
    writeFileSync(out, JSON.stringify(report, null, 2) + '\n');
    console.log(`\nwrote ${out}`);
    if (opts.profile) console.log(`profiles: ${join(RESULTS, 'profiles')} (summarize: node bench/profile-summary.mjs <file.cpuprofile>)`);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  return exitCode;
}

const opts = parseArgs(process.argv.slice(2));
if (opts.child) {
  const res = await runChild(opts);
  process.send(res, () => process.exit(0));
} else {
  process.exitCode = await main(opts);
}
