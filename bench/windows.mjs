#!/usr/bin/env node
/**
 * What the time-driven operators cost per row: HOP and CUMULATE windows next to a TUMBLE window over the
 * same rows and keys, plus SESSION windows and the event-time sort (plain Node ESM, no dependencies).
 *
 *   npm run build && node bench/windows.mjs [--rows N] [--keys K] [--rate R] [--repeat N] [--only a,b]
 *                                           [--part operator|pipeline|both] [--dist DIR] [--compare DIR]
 *
 * Rows are `[k, v, ts]`: `--keys` keys, v DOUBLE, `--rate` rows per second of event time (ascending, with
 * up to 200 ms of disorder), a watermark 1 s behind the largest time, so no row is late. The benchmarks,
 * each `GROUP BY window_start, window_end, k` with COUNT(*) and SUM(v):
 *
 * - `tumble`: TUMBLE(1 min);  `hop`: HOP(slide 1 min, size 60 min);  `cumulate`: CUMULATE(step 1 min, max 60 min);
 * - `session`: SESSION(PARTITION BY k, gap 5 s);  `sort`: ORDER BY ts (TemporalSort), every row alone at its time.
 *
 * Two parts:
 * - `operator`: the build's own operator, fed pre-built batches of 4,000 rows, each followed by its
 *   watermark, then the final watermark; in-memory state, output counted and dropped. Only the operator is
 *   timed: no source, decoding, Calc or sink.
 * - `pipeline`: the same query through the engine, from a datagen source (`ts AS TO_TIMESTAMP_LTZ(seq * ms,
 *   3)`) into a blackhole sink; generation, watermarks and the operator are timed (as `run.mjs` times
 *   `datagen-tumble`).
 *
 * Every run is a fresh child process; runs go round-robin over the benchmarks (and over the two builds with
 * `--compare`), so a busy minute hits all of them. The table shows the median over `--repeat` runs of
 * rows/s by wall-clock time and by CPU time (the process's user + system time, which a busy machine
 * disturbs less), the output rows, and the CPU cost per row relative to `tumble` of the same build.
 */
import { fork } from 'node:child_process';
import { cpus, loadavg, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { flags, mulberry32 } from './common.mjs';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const BASE = Date.UTC(2024, 0, 1);
const JITTER = 200;
const BATCH = 4000;
const GROUP_BY = 'GROUP BY window_start, window_end, k';

const BENCHMARKS = {
  tumble: {
    sql: (t) => `SELECT k, COUNT(*), SUM(v), window_start, window_end FROM TABLE(TUMBLE(TABLE ${t}, DESCRIPTOR(ts), INTERVAL '1' MINUTE)) ${GROUP_BY}`,
    window: { kind: 'tumble', size: 60_000, offset: 0 },
  },
  hop: {
    sql: (t) =>
      `SELECT k, COUNT(*), SUM(v), window_start, window_end FROM TABLE(HOP(TABLE ${t}, DESCRIPTOR(ts), INTERVAL '1' MINUTE, INTERVAL '60' MINUTE)) ${GROUP_BY}`,
    window: { kind: 'hop', slide: 60_000, size: 3_600_000, offset: 0 },
  },
  cumulate: {
    sql: (t) =>
      `SELECT k, COUNT(*), SUM(v), window_start, window_end FROM TABLE(CUMULATE(TABLE ${t}, DESCRIPTOR(ts), INTERVAL '1' MINUTE, INTERVAL '60' MINUTE)) ${GROUP_BY}`,
    window: { kind: 'cumulate', step: 60_000, maxSize: 3_600_000, offset: 0 },
  },
  session: {
    sql: (t) =>
      `SELECT k, COUNT(*), SUM(v), window_start, window_end FROM TABLE(SESSION(TABLE ${t} PARTITION BY k, DESCRIPTOR(ts), INTERVAL '5' SECOND)) ${GROUP_BY}`,
    session: 5_000,
  },
  sort: { sql: (t) => `SELECT k, v, ts FROM ${t} ORDER BY ts`, sink: 'sorted', sort: true },
};

function usage(code) {
  (code ? console.error : console.log)(
    'Usage: node bench/windows.mjs [--rows 1000000] [--keys 1000] [--rate 200] [--repeat 3] [--only tumble,hop,cumulate,session,sort]\n' +
      '                              [--part operator|pipeline|both] [--dist DIR] [--compare DIR]',
  );
  process.exit(code);
}

const opts = {
  rows: 1_000_000,
  keys: 1000,
  rate: 200,
  repeat: 3,
  only: Object.keys(BENCHMARKS),
  part: 'both',
  dist: resolve(HERE, '..', 'dist'),
  compare: undefined,
  child: undefined,
};
for (const { flag, value, count, list } of flags(process.argv.slice(2), usage)) {
  if (flag === '--rows') opts.rows = count();
  else if (flag === '--keys') opts.keys = count();
  else if (flag === '--rate') opts.rate = count();
  else if (flag === '--repeat') opts.repeat = count();
  else if (flag === '--only') opts.only = list();
  else if (flag === '--part') opts.part = value();
  else if (flag === '--dist') opts.dist = resolve(value());
  else if (flag === '--compare') opts.compare = resolve(value());
  else if (flag === '--child') opts.child = value(); // internal: `<part>:<benchmark>`
  else if (flag === '--help' || flag === '-h') usage(0);
  else {
    console.error(`unknown option ${flag}`);
    usage(2);
  }
}
if (!['operator', 'pipeline', 'both'].includes(opts.part) || opts.only.some((b) => !BENCHMARKS[b])) usage(2);

/** Milliseconds of event time between two rows. */
const step = () => 1000 / opts.rate;

const load = (path) => import(pathToFileURL(join(opts.dist, path)).href);

/** Time and CPU time of `fn`. */
async function timed(fn) {
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  const out = await fn();
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu = process.cpuUsage(cpu0);
  return { ...out, seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6 };
}

/** The operator part: pre-built batches through the build's operator. */
async function runOperator(name) {
  const bench = BENCHMARKS[name];
  const { StateBackend } = await load('src/runtime/state/state-backend.js');
  const { builtinAggregates } = await load('src/functions/aggregate/index.js');
  const { T } = await load('src/common/types.js');
  const { Counter } = await load('src/runtime/metrics.js');
  const impl = (fn, types) => {
    const r = builtinAggregates.find((f) => f.name === fn).resolve(types, false).impl;
    return r.appendOnly ?? r; // as the planner picks for insert-only input
  };
  const aggs = [
    { name: 'COUNT(*)', impl: impl('COUNT', []), argIndex: -1, filterIndex: -1 },
    { name: 'SUM($1)', impl: impl('SUM', [T.double()]), argIndex: 1, filterIndex: -1 },
  ];
  let op;
  if (bench.window) {
    const { WindowAggregate } = await load('src/runtime/operators/window-aggregate.js');
    op = new WindowAggregate({ window: bench.window, timeIndex: 2, groupKeys: [0], aggs });
  } else if (bench.session) {
    const { SessionWindowAggregate } = await load('src/runtime/operators/session-window-aggregate.js');
    op = new SessionWindowAggregate({ gap: bench.session, timeIndex: 2, groupKeys: [0], aggs });
  } else {
    const { TemporalSort } = await load('src/runtime/operators/temporal-sort.js');
    op = new TemporalSort({ timeIndex: 2, keys: [{ index: 2, descending: false, nullsFirst: true }] });
  }
  // Untimed: the input, as batches of [k, v, ts] rows and the watermark after each batch.
  const rand = mulberry32(20240101);
  const batches = [];
  let max = -Infinity;
  for (let i = 0; i < opts.rows; i += BATCH) {
    const rows = [];
    for (let j = i; j < Math.min(opts.rows, i + BATCH); j++) {
      const ts = BASE + Math.floor(j * step()) - Math.floor(rand() * JITTER);
      if (ts > max) max = ts;
      rows.push([Math.floor(rand() * opts.keys), Math.round(rand() * 100_000) / 100, ts]);
    }
    batches.push({ batch: { rows, kinds: new Array(rows.length).fill(0) }, watermark: max - 1000 });
  }
  let out = 0;
  const counters = new Map();
  op.open({
    name: `${op.kind}#1`,
    output: { emit: (b) => void (out += b.rows.length), emitWatermark: () => {}, end: () => {} },
    counter: (n) => counters.get(n) ?? counters.set(n, new Counter(n)).get(n),
    state: new StateBackend().forOperator(`${op.kind}#1`),
  });
  const run = await timed(() => {
    for (const { batch, watermark } of batches) {
      op.processBatch(batch, 0);
      op.processWatermark(watermark, 0);
    }
    op.processWatermark(Infinity, 0);
    op.endInput(0);
  });
  return { ...run, out, late: counters.get('lateRecordsDropped')?.value ?? 0 };
}

/** The pipeline part: datagen → the query → blackhole, through the engine. */
async function runPipeline(name) {
  const { Eddy } = await load('src/engine/eddy.js');
  const eddy = new Eddy();
  const ddl =
    `CREATE TABLE gen (seq BIGINT, k INT, v DOUBLE, ts AS TO_TIMESTAMP_LTZ(seq * ${step()}, 3), ` +
    `WATERMARK FOR ts AS ts - INTERVAL '1' SECOND) WITH ('connector' = 'datagen', 'number-of-rows' = '${opts.rows}', ` +
    `'rows-per-second' = '100000000', 'seed' = '20240101', 'fields.seq.kind' = 'sequence', 'fields.seq.start' = '0', ` +
    `'fields.seq.end' = '${opts.rows - 1}', 'fields.k.min' = '0', 'fields.k.max' = '${opts.keys - 1}', 'fields.v.min' = '0', 'fields.v.max' = '1000');\n` +
    `CREATE TABLE sink (k INT, cnt BIGINT, total DOUBLE, window_start TIMESTAMP(3), window_end TIMESTAMP(3)) WITH ('connector' = 'blackhole');\n` +
    `CREATE TABLE sorted (k INT, v DOUBLE, ts TIMESTAMP_LTZ(3)) WITH ('connector' = 'blackhole');`;
  for await (const _ of eddy.executeScript(ddl)) {
    // Iterating executes the DDL.
  }
  let summary;
  const run = await timed(async () => {
    const result = await eddy.execute(`INSERT INTO ${BENCHMARKS[name].sink ?? 'sink'} ${BENCHMARKS[name].sql('gen')}`);
    if (result.kind !== 'job') throw new Error(`expected a job, got '${result.kind}'`);
    await result.job.done;
    summary = result.job.summary();
  });
  await eddy.close();
  if (summary.rowsIn !== opts.rows) throw new Error(`read ${summary.rowsIn} rows, expected ${opts.rows}`);
  return { ...run, out: summary.rowsOut, late: summary.lateRowsDropped };
}

if (opts.child) {
  const [part, name] = opts.child.split(':');
  const r = part === 'operator' ? await runOperator(name) : await runPipeline(name);
  if (process.send) process.send(r);
  else console.log(r);
  process.exit(0);
}

function child(part, name, dist) {
  return new Promise((resolvePromise, reject) => {
    const args = ['--child', `${part}:${name}`, '--rows', String(opts.rows), '--keys', String(opts.keys), '--rate', String(opts.rate), '--dist', dist];
    const p = fork(fileURLToPath(import.meta.url), args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    let got;
    p.on('message', (m) => (got = m));
    p.on('exit', (code) => (code === 0 && got ? resolvePromise(got) : reject(new Error(`${part}:${name} (${dist}) exited with ${code}`))));
  });
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];
const fmt = (x) => Math.round(x).toLocaleString('en');
const builds = opts.compare ? [opts.dist, opts.compare] : [opts.dist];
console.log(
  `windows.mjs: ${opts.rows} rows, ${opts.keys} keys, ${opts.rate} rows per event-time second ` +
    `(${(opts.rows / opts.rate / 60).toFixed(0)} min of event time), repeat ${opts.repeat}\n` +
    `machine: ${cpus().length} x ${cpus()[0]?.model}, ${(totalmem() / 2 ** 30).toFixed(0)} GB, node ${process.version}, load at start ${loadavg().map((x) => x.toFixed(1)).join(' ')}`,
);
for (const part of opts.part === 'both' ? ['operator', 'pipeline'] : [opts.part]) {
  const names = opts.only;
  const results = new Map(builds.map((b) => [b, {}]));
  for (let r = 0; r < opts.repeat; r++) {
    for (const name of names) {
      // Alternate which build goes first, so neither always runs on the warmer (or busier) machine.
      for (const dist of r % 2 === 0 ? builds : [...builds].reverse()) {
        const res = await child(part, name, dist);
        if (res.late > 0) throw new Error(`${part}:${name}: ${res.late} rows were late`);
        (results.get(dist)[name] ??= []).push(res);
      }
    }
  }
  console.log(`\n${part} (load now ${loadavg().map((x) => x.toFixed(1)).join(' ')})`);
  console.log('build | benchmark | rows/s (wall, median) | rows/s (CPU, median) | rows out | CPU per row vs tumble');
  for (const dist of builds) {
    const byName = results.get(dist);
    const cpuRate = (name) => median(byName[name].map((x) => opts.rows / x.cpuSeconds));
    for (const name of names) {
      const ratio = byName.tumble ? `${(cpuRate('tumble') / cpuRate(name)).toFixed(2)}x` : '-';
      const wall = median(byName[name].map((x) => opts.rows / x.seconds));
      console.log(`${dist} | ${name} | ${fmt(wall)} | ${fmt(cpuRate(name))} | ${byName[name][0].out} | ${ratio}`);
    }
  }
}
