#!/usr/bin/env node
/**
 * Nexmark on Eddy (plain Node ESM, no dependencies): the Nexmark queries in their Flink SQL text
 * (bench/nexmark/queries/, see NOTICE) over N events, from the in-process generator or from JSON-lines files.
 *
 *   npm run build && npm run bench:nexmark -- [--events N] [--queries q0,q5] [--repeat K] [--source generator|files]
 *                                             [--parallelism N] [--out FILE] [--memory] ...   (see --help)
 *
 * Each query, each repetition, runs in its own child process with a fresh Eddy (as bench/run.mjs does). The child
 * runs the DDL untimed, then times `execute(INSERT ...)` → `job.done` (planning and job building included, a few
 * ms; module loading and parsing the DDL are not), and measures the CPU time of the process over that span
 * (process.cpuUsage: every thread, so worker threads of a parallel job count), the peak RSS, the state entries and
 * the sink's output rows and checksum (blackhole `'checksum' = 'true'`). The parent prints a Markdown table and
 * writes a JSON file. See bench/README.md, section Nexmark.
 */
import { execFileSync, fork } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, readSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { flags, machineFacts, median } from '../common.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, '..', '..');
const QUERY_DIR = join(HERE, 'queries');
const RESULTS = join(HERE, '..', 'results');
const DEFAULT_DIST = join(ROOT, 'dist');
const engineOf = (dist) => join(dist, 'src', 'engine', 'eddy.js');

/**
 * The queries. `default: false` keeps a query out of the default list (it still runs when named); `skip` is the
 * reason a query cannot run yet (reported as skipped, never silently left out).
 */
const QUERIES = [
  { name: 'q0', what: 'pass-through' },
  { name: 'q1', what: 'currency conversion (projection)' },
  { name: 'q2', what: 'selection (filter)' },
  { name: 'q3', what: 'local item suggestion (regular join)' },
  { name: 'q4', what: 'average price per category (join + two aggregates)' },
  { name: 'q5', what: 'hot items (HOP windows + join)' },
  { name: 'q7', what: 'highest bid (TUMBLE + interval join)' },
  { name: 'q8', what: 'monitor new users (window join)' },
  { name: 'q9', what: 'winning bids (join + top-1)' },
  { name: 'q11', what: 'user sessions (SESSION windows)' },
  { name: 'q12', what: 'processing-time windows (PROCTIME: wall-clock dependent)', default: false },
  { name: 'q12e', what: 'q12 on event time (TUMBLE)' },
  { name: 'q13', what: 'bounded side input (lookup join on a file)', sideInput: true },
  { name: 'q14', what: 'calculation with a UDF', skip: 'needs UDFs (not built yet)' },
  { name: 'q15', what: 'bidding statistics (distinct aggregates with FILTER)' },
  { name: 'q16', what: 'channel statistics (distinct aggregates, two keys)' },
  { name: 'q17', what: 'auction statistics (group aggregate)' },
  { name: 'q18', what: 'last bid (deduplication)' },
  { name: 'q19', what: 'auction top-10 price (top-N)' },
  { name: 'q20', what: 'expand bid with auction (join + filter)' },
  { name: 'q21', what: 'add channel id (CASE + REGEXP_EXTRACT)' },
  { name: 'q22', what: 'URL directories (SPLIT_INDEX)' },
];
const DEFAULT_QUERIES = QUERIES.filter((q) => q.default !== false).map((q) => q.name);
/** The stateful query of `--memory` by default: deduplication keeps one entry per (bidder, auction). */
const MEMORY_DEFAULT_QUERIES = ['q18'];
/** Side input of q13: keys 0..9999, as Nexmark's SideInputGenerator (`i,i`). */
const SIDE_INPUT_ROWS = 10_000;
/** RSS bytes per state entry are shown only from this many entries on. */
const MIN_ENTRIES_FOR_RSS = 10_000;

// ---------------------------------------------------------------------------------------------------------
// Options

function usage(exitCode) {
  const text = `Usage: npm run bench:nexmark -- [options]        (build first: npm run build)
       node bench/nexmark/run.mjs [options]

  --events N          events of the whole stream (person:auction:bid = 1:3:46; default 1000000)
  --queries LIST      queries to run (default: ${DEFAULT_QUERIES.join(',')})
  --repeat K          runs per query, each in a fresh process; the table shows medians (default 1)
  --source S          generator: the 'nexmark' connector in the job (default);
                      files: JSON lines written once by 'eddy nexmark --events N --out DIR', read by the filesystem connector
  --data DIR          with --source files: read DIR/{person,auction,bid}.jsonl instead of generating them
  --rate R            events/s of event time (the generator's first-event.rate; default 10000)
  --parallelism N     SET 'parallelism.default' = N for every job (default: not set)
  --memory            memory mode: runs each query (default ${MEMORY_DEFAULT_QUERIES.join(',')}) with a state directory twice, with the
                      default state cache and with --cache-entries, to show state beyond the cache spills to SQLite
  --cache-entries M   the small 'state.cache.max-entries' of --memory (default 10000)
  --out FILE          the JSON results (default bench/results/nexmark-<date>.json)
  --dist DIR          the build to measure (default: dist/ of this checkout)
  --profile           also write a V8 CPU profile per run to bench/results/profiles/
  --list              list the queries and exit
  --help              this text`;
  (exitCode === 0 ? console.log : console.error)(text);
  process.exit(exitCode);
}

function parseArgs(argv) {
  const opts = {
    events: 1_000_000,
    queries: undefined,
    repeat: 1,
    source: 'generator',
    data: undefined,
    rate: 10_000,
    parallelism: undefined,
    memory: false,
    cacheEntries: 10_000,
    out: undefined,
    dist: DEFAULT_DIST,
    profile: false,
    list: false,
    child: undefined,
  };
  for (const { flag, value, count, list } of flags(argv, usage)) {
    switch (flag) {
      case '--events': opts.events = count(); break;
      case '--queries': opts.queries = list(); break;
      case '--repeat': opts.repeat = count(); break;
      case '--source': opts.source = value(); break;
      case '--data': opts.data = resolve(value()); break;
      case '--rate': opts.rate = count(); break;
      case '--parallelism': opts.parallelism = count(); break;
      case '--memory': opts.memory = true; break;
      case '--cache-entries': opts.cacheEntries = count(); break;
      case '--out': opts.out = resolve(value()); break;
      case '--dist': opts.dist = resolve(value()); break;
      case '--profile': opts.profile = true; break;
      case '--list': opts.list = true; break;
      case '--child': opts.child = JSON.parse(value()); break; // internal
      case '--help': case '-h': usage(0); break;
      default:
        console.error(`Unknown option '${flag}'`);
        usage(2);
    }
  }
  if (opts.source !== 'generator' && opts.source !== 'files') {
    console.error(`--source must be 'generator' or 'files', not '${opts.source}'`);
    usage(2);
  }
  if (opts.data && opts.source !== 'files') {
    console.error('--data needs --source files');
    usage(2);
  }
  if (opts.queries) {
    const unknown = opts.queries.filter((n) => !QUERIES.some((q) => q.name === n));
    if (unknown.length > 0) {
      console.error(`Unknown quer${unknown.length > 1 ? 'ies' : 'y'}: ${unknown.join(', ')} (known: ${QUERIES.map((q) => q.name).join(', ')})`);
      usage(2);
    }
  }
  return opts;
}

// ---------------------------------------------------------------------------------------------------------
// Child: one run of one query

/** The query file's statements before its INSERT (sink table, views, functions) and the INSERT itself. */
function splitQuery(name) {
  const text = readFileSync(join(QUERY_DIR, `${name}.sql`), 'utf8');
  const at = text.search(/^INSERT\s+INTO\b/im);
  if (at < 0) throw new Error(`${name}.sql has no INSERT INTO`);
  // Eddy's own blackhole option: the sink keeps the net row count and a checksum of the output.
  const ddl = text.slice(0, at).replace(/'connector'\s*=\s*'blackhole'/g, "'connector' = 'blackhole', 'checksum' = 'true'");
  return { ddl, insert: text.slice(at).replace(/;\s*$/, '') };
}

/** Total size of the files under `dir` (the state directory's SQLite files). */
function dirBytes(dir) {
  let n = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    n += e.isDirectory() ? dirBytes(p) : statSync(p).size;
  }
  return n;
}

async function runChild(task) {
  let peakRss = process.memoryUsage().rss;
  let maxStateEntries = 0;
  let handle;
  const sample = () => {
    const rss = process.memoryUsage().rss;
    if (rss > peakRss) peakRss = rss;
    if (handle) {
      const n = handle.progress().stateEntries;
      if (n > maxStateEntries) maxStateEntries = n;
    }
  };
  const sampler = setInterval(sample, 20);
  let eddy;
  try {
    const { Eddy } = await import(pathToFileURL(engineOf(task.dist)).href);
    const variables = { EVENTS: String(task.events), TPS: String(task.rate) };
    if (task.data) variables.NEXMARK_DATA = task.data;
    if (task.sideInput) variables.SIDE_INPUT = task.sideInput;
    eddy = new Eddy({ variables, ...(task.stateDir ? { stateDir: task.stateDir } : {}) });
    const { ddl, insert } = splitQuery(task.query);
    const settings = [];
    if (task.parallelism !== undefined) settings.push(`SET 'parallelism.default' = '${task.parallelism}';`);
    if (task.cacheEntries !== undefined) settings.push(`SET 'state.cache.max-entries' = '${task.cacheEntries}';`);
    const sourceDdl = readFileSync(join(HERE, task.source === 'files' ? 'ddl-files.sql' : 'ddl-generator.sql'), 'utf8');
    for await (const _ of eddy.executeScript([...settings, sourceDdl, ddl].join('\n'), `${task.query}.sql`)) {
      // DDL results are not interesting; iterating executes them.
    }
    sample();
    const rssBefore = process.memoryUsage().rss;
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const result = await eddy.execute(insert);
    if (result.kind !== 'job') throw new Error(`expected a job, got '${result.kind}'`);
    handle = result.job;
    await result.job.done;
    const seconds = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    sample();
    clearInterval(sampler);
    const summary = result.job.summary();
    const stateEntriesAtEnd = result.job.progress().stateEntries;
    await eddy.close();
    eddy = undefined;
    const sink = `nexmark_${task.query}`;
    const checksum = summary.checksums?.[sink];
    const problems = [];
    if (!checksum) problems.push(`no checksum from sink ${sink}`);
    if (summary.lateRowsDropped > 0) problems.push(`${summary.lateRowsDropped} late rows dropped`);
    if (summary.badRowsSkipped > 0) problems.push(`${summary.badRowsSkipped} bad rows skipped`);
    return {
      ok: problems.length === 0,
      error: problems.length ? problems.join('; ') : undefined,
      seconds,
      cpuSeconds: (cpu.user + cpu.system) / 1e6,
      rowsIn: summary.rowsIn,
      changesOut: summary.rowsOut,
      rowsOut: checksum?.rows,
      checksum: checksum?.checksum,
      lateRowsDropped: summary.lateRowsDropped,
      stateEntriesAtEnd,
      maxStateEntries: Math.max(maxStateEntries, stateEntriesAtEnd),
      stateDirBytes: task.stateDir && existsSync(task.stateDir) ? dirBytes(task.stateDir) : undefined,
      rssBeforeBytes: rssBefore,
      peakRssBytes: peakRss,
      // The kernel's high-water mark (ru_maxrss, KiB on Linux): catches peaks between samples.
      maxRssBytes: process.resourceUsage().maxRSS * 1024,
    };
  } catch (err) {
    clearInterval(sampler);
    try {
      await eddy?.close();
    } catch {
      // The error that matters is the first one.
    }
    const message = err && typeof err.message === 'string' ? err.message : String(err);
    return { ok: false, error: message.split('\n').find((l) => l.trim() !== '') ?? message };
  }
}

// ---------------------------------------------------------------------------------------------------------
// Parent

function runOnce(task, opts, label) {
  const execArgv = [];
  if (opts.profile) {
    const dir = join(RESULTS, 'profiles');
    mkdirSync(dir, { recursive: true });
    execArgv.push('--cpu-prof', `--cpu-prof-dir=${dir}`, `--cpu-prof-name=nexmark-${label}.cpuprofile`);
  }
  return new Promise((resolvePromise) => {
    let message;
    const child = fork(fileURLToPath(import.meta.url), ['--child', JSON.stringify(task)], {
      execArgv,
      stdio: ['ignore', 'inherit', 'pipe', 'ipc'],
    });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.on('message', (m) => (message = m));
    child.on('exit', (code, signal) => {
      if (message) resolvePromise(message);
      else {
        const first = stderr.split('\n').find((l) => l.trim() !== '');
        resolvePromise({ ok: false, error: `child exited with ${signal ?? `code ${code}`} before reporting${first ? `: ${first}` : ''}` });
      }
    });
  });
}

/** Writes the input files with Eddy's own command (not timed), or checks the given directory. */
function prepareFiles(opts, tmp) {
  if (opts.data) {
    let lines = 0;
    for (const f of ['person.jsonl', 'auction.jsonl', 'bid.jsonl']) {
      if (!existsSync(join(opts.data, f))) throw new Error(`--data ${opts.data}: ${f} is missing`);
      lines += countLines(join(opts.data, f));
    }
    // events/s divides by --events: it must be the number of events in the files.
    if (lines !== opts.events) throw new Error(`--data ${opts.data} holds ${lines} events, not --events ${opts.events}`);
    return { dir: opts.data, generatedSeconds: undefined };
  }
  const dir = join(tmp, 'data');
  const t = performance.now();
  execFileSync(process.execPath, [join(ROOT, 'bin', 'eddy.js'), 'nexmark', '--events', String(opts.events), '--rate', String(opts.rate), '--out', dir], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  return { dir, generatedSeconds: (performance.now() - t) / 1000 };
}

/** Lines (newline bytes) of a file. */
function countLines(path) {
  const fd = openSync(path, 'r');
  const buf = Buffer.allocUnsafe(1 << 20);
  let n = 0;
  try {
    for (let got; (got = readSync(fd, buf, 0, buf.length, null)) > 0; ) {
      for (let i = buf.indexOf(10, 0); i >= 0 && i < got; i = buf.indexOf(10, i + 1)) n++;
    }
  } finally {
    closeSync(fd);
  }
  return n;
}

const fmtInt = (n) => (n === undefined || n === null ? '' : Math.round(n).toLocaleString('en-US'));
const mb = (bytes) => (bytes === undefined ? '' : (bytes / 2 ** 20).toFixed(0));

function markdownTable(head, rows) {
  const lines = [`| ${head.join(' | ')} |`, `| ${head.map((h, i) => (i === 0 ? '---' : '---:')).join(' | ')} |`];
  for (const r of rows) lines.push(`| ${r.join(' | ')} |`);
  return lines.join('\n');
}

/** One entry per query: medians over the good runs, and whether their checksums agree. */
function summarizeRuns(q, runs, events) {
  const entry = { query: q.name, what: q.what, runs };
  const good = runs.filter((r) => r.ok);
  entry.ok = good.length === runs.length && runs.length > 0;
  if (!entry.ok) entry.error = runs.find((r) => !r.ok)?.error;
  if (good.length === 0) return entry;
  const checksums = [...new Set(good.map((r) => `${r.rowsOut}:${r.checksum}`))];
  entry.checksumsAgree = checksums.length === 1;
  entry.checksum = good[0].checksum;
  entry.rowsOut = good[0].rowsOut;
  entry.changesOut = good[0].changesOut;
  entry.seconds = median(good.map((r) => r.seconds));
  entry.cpuSeconds = median(good.map((r) => r.cpuSeconds));
  entry.eventsPerSecond = events / entry.seconds;
  entry.eventsPerCpuSecond = events / entry.cpuSeconds;
  entry.peakRssBytes = Math.max(...good.map((r) => Math.max(r.peakRssBytes, r.maxRssBytes)));
  entry.rssGrowthBytes = median(good.map((r) => Math.max(r.peakRssBytes, r.maxRssBytes) - r.rssBeforeBytes));
  entry.maxStateEntries = Math.max(...good.map((r) => r.maxStateEntries));
  entry.stateEntriesAtEnd = good[0].stateEntriesAtEnd;
  // Below MIN_ENTRIES_FOR_RSS entries, RSS growth is the noise of the heap (buffers, JIT), not state.
  entry.rssBytesPerStateEntry = entry.maxStateEntries >= MIN_ENTRIES_FOR_RSS ? entry.rssGrowthBytes / entry.maxStateEntries : undefined;
  const dirs = good.map((r) => r.stateDirBytes).filter((b) => b !== undefined);
  if (dirs.length > 0) entry.stateDirBytes = median(dirs);
  return entry;
}

function printResults(entries, opts) {
  const head = ['query', 'events/s', 'CPU s', 'events/CPU-s', 'seconds', 'rows out', 'checksum', 'peak RSS MB', 'RSS growth MB', 'state entries (max)', 'RSS B/entry'];
  const rows = entries.map((e) => {
    if (e.skipped) return [e.query, `skipped: ${e.skipped}`, ...Array(head.length - 2).fill('')];
    if (!e.ok && e.seconds === undefined) return [e.query, `FAILED: ${e.error.replace(/\|/g, '\\|')}`, ...Array(head.length - 2).fill('')];
    return [
      e.query + (e.ok ? '' : ' (some runs FAILED)'),
      fmtInt(e.eventsPerSecond),
      e.cpuSeconds.toFixed(2),
      fmtInt(e.eventsPerCpuSecond),
      e.seconds.toFixed(2),
      fmtInt(e.rowsOut),
      e.checksumsAgree ? e.checksum : `**MISMATCH** ${[...new Set(e.runs.filter((r) => r.ok).map((r) => r.checksum))].join(' ≠ ')}`,
      mb(e.peakRssBytes),
      mb(e.rssGrowthBytes),
      fmtInt(e.maxStateEntries),
      e.rssBytesPerStateEntry === undefined ? '' : fmtInt(e.rssBytesPerStateEntry),
    ];
  });
  console.log(markdownTable(head, rows));
}

function printMemory(memory) {
  const head = ['query', 'state cache', 'events/s', 'CPU s', 'state entries in memory (max)', 'state dir MB', 'stored B/entry', 'peak RSS MB', 'RSS B/entry', 'rows out', 'checksum', 'CPU slowdown'];
  const rows = [];
  for (const m of memory) {
    for (const [label, e] of [['default', m.big], [`${m.cacheEntries.toLocaleString('en-US')} entries`, m.small]]) {
      if (!e.ok && e.seconds === undefined) {
        rows.push([m.query, label, `FAILED: ${e.error}`, ...Array(head.length - 3).fill('')]);
        continue;
      }
      rows.push([
        m.query,
        label,
        fmtInt(e.eventsPerSecond),
        e.cpuSeconds.toFixed(2),
        fmtInt(e.maxStateEntries),
        mb(e.stateDirBytes),
        e === m.big && m.storedBytesPerEntry !== undefined ? fmtInt(m.storedBytesPerEntry) : '',
        mb(e.peakRssBytes),
        e.rssBytesPerStateEntry === undefined ? '' : fmtInt(e.rssBytesPerStateEntry),
        fmtInt(e.rowsOut),
        e.checksum ?? '',
        e === m.small && m.cpuSlowdown !== undefined ? `${m.cpuSlowdown.toFixed(2)}×` : '',
      ]);
    }
  }
  console.log(markdownTable(head, rows));
}

async function main(opts) {
  if (opts.list) {
    for (const q of QUERIES) console.log(`${q.name.padEnd(5)} ${q.what}${q.skip ? ` (skipped: ${q.skip})` : ''}${q.default === false ? ' (not in the default list)' : ''}`);
    return 0;
  }
  const engine = engineOf(opts.dist);
  if (!existsSync(engine)) {
    console.error(`Eddy is not built (${engine} is missing). Run \`npm run build\` first.`);
    return 1;
  }
  const names = opts.queries ?? (opts.memory ? MEMORY_DEFAULT_QUERIES : DEFAULT_QUERIES);
  const selected = names.map((n) => QUERIES.find((q) => q.name === n));
  const machine = machineFacts(ROOT);
  const command = `node bench/nexmark/run.mjs ${process.argv.slice(2).join(' ')}`.trim();
  console.log(`Nexmark on Eddy: ${fmtInt(opts.events)} events (${opts.source}), ${fmtInt(opts.rate)} events/s of event time, repeat ${opts.repeat}` +
    `${opts.parallelism !== undefined ? `, parallelism.default ${opts.parallelism}` : ''}${opts.memory ? `, memory mode (state.cache.max-entries ${fmtInt(opts.cacheEntries)})` : ''}`);
  console.log(`node ${machine.node}, ${machine.nproc} CPUs (${machine.cpuModel}), ${machine.platform}, load ${machine.loadAverage.join(' ')}${machine.commit ? `, commit ${machine.commit}` : ''}\n`);

  const tmp = mkdtempSync(join(tmpdir(), 'eddy-nexmark-'));
  let exitCode = 0;
  try {
    let data;
    if (opts.source === 'files') {
      try {
        data = prepareFiles(opts, tmp);
      } catch (err) {
        console.error(err.message);
        return 2;
      }
      const size = ['person', 'auction', 'bid'].reduce((n, k) => n + statSync(join(data.dir, `${k}.jsonl`)).size, 0);
      console.log(`input: ${data.dir} (${(size / 2 ** 20).toFixed(1)} MB${data.generatedSeconds !== undefined ? `, written by 'eddy nexmark' in ${data.generatedSeconds.toFixed(1)} s, not timed` : ''})\n`);
    }
    const sideInput = join(tmp, 'side_input.txt');
    writeFileSync(sideInput, Array.from({ length: SIDE_INPUT_ROWS }, (_, i) => `${i},${i}\n`).join(''));
    const baseTask = { dist: opts.dist, events: opts.events, rate: opts.rate, source: opts.source, data: data?.dir, parallelism: opts.parallelism };

    const runQuery = async (q, extra, label) => {
      const runs = [];
      for (let r = 1; r <= opts.repeat; r++) {
        process.stderr.write(`  ${q.name}${label ? ` ${label}` : ''} run ${r}/${opts.repeat} ... `);
        // A state directory (SQLite state and checkpoints) only in memory mode.
        const stateDir = extra.withStateDir ? mkdtempSync(join(tmp, `state-${q.name}-`)) : undefined;
        const task = { ...baseTask, query: q.name, cacheEntries: extra.cacheEntries, sideInput: q.sideInput ? sideInput : undefined, stateDir };
        const res = await runOnce(task, opts, `${q.name}${label ? `-${label}` : ''}-${r}`);
        if (stateDir) rmSync(stateDir, { recursive: true, force: true });
        process.stderr.write(res.ok ? `${res.seconds.toFixed(2)} s, ${res.cpuSeconds.toFixed(2)} CPU s, ${res.rowsOut} rows, checksum ${res.checksum}\n` : `FAILED: ${res.error}\n`);
        runs.push(res);
      }
      return summarizeRuns(q, runs, opts.events);
    };

    const results = [];
    const memory = [];
    for (const q of selected) {
      if (q.skip) {
        process.stderr.write(`  ${q.name} skipped: ${q.skip}\n`);
        results.push({ query: q.name, what: q.what, skipped: q.skip });
        continue;
      }
      if (opts.memory) {
        // Both with a state directory (so checkpoints cost the same): the default cache, then a small one.
        const big = await runQuery(q, { withStateDir: true }, 'state-dir');
        const small = await runQuery(q, { withStateDir: true, cacheEntries: opts.cacheEntries }, `cache-${opts.cacheEntries}`);
        const m = { query: q.name, cacheEntries: opts.cacheEntries, big, small };
        // With the default cache every entry is in memory, so its count is the state's size; the state file then
        // holds all of them (the job's last checkpoint).
        if (big.stateDirBytes !== undefined && big.maxStateEntries > 0) m.storedBytesPerEntry = big.stateDirBytes / big.maxStateEntries;
        if (big.cpuSeconds !== undefined && small.cpuSeconds !== undefined) {
          m.cpuSlowdown = small.cpuSeconds / big.cpuSeconds;
          m.wallSlowdown = small.seconds / big.seconds;
          m.checksumsAgree = big.checksumsAgree && small.checksumsAgree && big.checksum === small.checksum && big.rowsOut === small.rowsOut;
        }
        if (!big.ok || !small.ok || m.checksumsAgree === false) exitCode = 1;
        memory.push(m);
        continue;
      }
      const entry = await runQuery(q, {}, '');
      if (!entry.ok || entry.checksumsAgree === false) exitCode = 1;
      results.push(entry);
    }

    console.log('');
    if (opts.memory) {
      printMemory(memory);
      for (const e of results.filter((r) => r.skipped)) console.log(`\n${e.query} skipped: ${e.skipped}`);
      console.log(
        `\nMemory mode: each query ran with a state directory (SQLite state, checkpoints every 5 s), with the default state.cache.max-entries ` +
          `and with ${fmtInt(opts.cacheEntries)}; entries beyond the cache are evicted to SQLite and read back when needed. ` +
          `state dir MB: the state directory's files at the end; stored B/entry: those bytes / state entries (default cache); CPU slowdown: CPU s with the small cache / with the default one.`,
      );
    } else printResults(results, opts);
    console.log(
      `\nevents/s: all ${fmtInt(opts.events)} events of the stream (person + auction + bid) / seconds from execute(INSERT) to job.done (start-up excluded); ` +
        `CPU s: process CPU (user + system, all threads) over that span; rows out: net rows the blackhole received (+I/+U minus -U/-D); ` +
        `checksum: order-independent 64-bit checksum of the output multiset; peak RSS: max of sampled RSS and the kernel's maxRSS; ` +
        `state entries: most entries in the job's state tables seen while sampling (every 20 ms when the event loop gets a turn, and at the end); ` +
        `RSS B/entry: RSS growth during the job / state entries (from ${fmtInt(MIN_ENTRIES_FOR_RSS)} entries on).` + (opts.repeat > 1 ? ` Medians of ${opts.repeat} runs.` : ''),
    );
    const failed = results.filter((e) => !e.ok && !e.skipped);
    if (failed.length > 0) console.log(`\nFailed: ${failed.map((e) => `${e.query} (${e.error})`).join('; ')}`);
    const mismatches = [...results, ...memory].filter((e) => e.checksumsAgree === false);
    if (mismatches.length > 0) console.log(`\n*** CHECKSUM MISMATCH between runs of ${mismatches.map((e) => e.query).join(', ')}: the output differed from one run to the next. ***`);

    mkdirSync(RESULTS, { recursive: true });
    const out = opts.out ?? join(RESULTS, `nexmark-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
    const report = {
      date: new Date().toISOString(),
      command,
      machine,
      options: {
        events: opts.events,
        rate: opts.rate,
        source: opts.source,
        data: opts.data ?? null,
        queries: names,
        repeat: opts.repeat,
        parallelism: opts.parallelism ?? null,
        memory: opts.memory,
        cacheEntries: opts.memory ? opts.cacheEntries : null,
        dist: opts.dist,
      },
      ...(opts.memory ? { memory, skipped: results.filter((r) => r.skipped) } : { results }),
    };
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, JSON.stringify(report, null, 2) + '\n');
    console.log(`\nwrote ${out}`);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  return exitCode;
}

const opts = parseArgs(process.argv.slice(2));
if (opts.child) {
  const res = await runChild(opts.child);
  process.send(res, () => process.exit(0));
} else {
  process.exitCode = await main(opts);
}
