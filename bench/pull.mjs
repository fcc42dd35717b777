// Pull-query latency: key lookups on a materialized view with 1M keys while ingestion goes on, in-process
// (the library API) and over the Postgres protocol (`eddy serve` in a child process, node-postgres with
// `$1` parameters). Prints p50/p99/p99.9 latency and lookups per second.
//
//   npm run build && node bench/pull.mjs [--keys 1000000] [--lookups 20000] [--only inprocess|pg]
//                                        [--updates-per-tick 2000]   (appended every 50 ms; 0: no ingestion)
//                                        [--job-thread]   (in-process: the view's job in the session's job thread,
//                                                          as `eddy serve` runs it; default: in the caller's thread)
import { spawn } from 'node:child_process';
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { flags, mulberry32 } from './common.mjs';

const USAGE = 'node bench/pull.mjs [--keys N] [--lookups N] [--only inprocess|pg] [--updates-per-tick N] [--job-thread]';
function usage(code) {
  (code ? console.error : console.log)(USAGE);
  process.exit(code);
}
let KEYS = 1_000_000;
let LOOKUPS = 20_000;
let ONLY;
/** Updates appended per 50 ms during the lookups (0: no ingestion, for the baseline). */
let PER_TICK = 2000;
/** In-process: run the view's job in the session's job thread (EddyOptions.jobThread). */
let JOB_THREAD = false;
for (const { flag, value, count } of flags(process.argv.slice(2), usage)) {
  if (flag === '--keys') KEYS = count();
  else if (flag === '--lookups') LOOKUPS = count();
  else if (flag === '--only') ONLY = value();
  else if (flag === '--updates-per-tick') PER_TICK = Number(value());
  else if (flag === '--job-thread') JOB_THREAD = true;
  else if (flag === '--help') usage(0);
  else {
    console.error(`Unknown option '${flag}'`);
    usage(2);
  }
}
const ROOT = fileURLToPath(new URL('..', import.meta.url));

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** The input directory: one file with every key once; an appender adds updates of random keys. */
function prepareInput(dir) {
  mkdirSync(join(dir, 'in'), { recursive: true });
  const lines = [];
  for (let k = 0; k < KEYS; k++) lines.push(`{"k":${k},"v":1}`);
  writeFileSync(join(dir, 'in', 'part-0.json'), lines.join('\n') + '\n');
}

/** Appends `perTick` updates every 50 ms (ingestion during the lookups); returns a stop function. */
function startIngestion(dir, perTick = PER_TICK) {
  const random = mulberry32(42);
  let n = 0;
  const timer = setInterval(() => {
    if (perTick === 0) return;
    let text = '';
    for (let i = 0; i < perTick; i++) text += `{"k":${Math.floor(random() * KEYS)},"v":1}\n`;
    appendFileSync(join(dir, 'in', 'part-1.json'), text);
    n += perTick;
  }, 50);
  return () => {
    clearInterval(timer);
    return n;
  };
}

function ddl(dir) {
  return `
    SET 'execution.checkpointing.interval' = '1 s';
    CREATE TABLE t (k BIGINT, v INT) WITH ('connector' = 'filesystem', 'path' = '${join(dir, 'in')}', 'format' = 'json', 'source.monitor-interval' = '100 ms');
    CREATE MATERIALIZED VIEW per_key AS SELECT k, COUNT(*) AS c, SUM(v) AS s FROM t GROUP BY k;`;
}

function report(label, latencies, seconds) {
  const sorted = [...latencies].sort((a, b) => a - b);
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))];
  const us = (ms) => `${(ms * 1000).toFixed(0)} µs`;
  console.log(
    `${label.padEnd(12)} ${sorted.length} lookups: p50 ${us(at(0.5))}, p99 ${us(at(0.99))}, p99.9 ${us(at(0.999))}, max ${us(sorted[sorted.length - 1])}; ${Math.round(sorted.length / seconds).toLocaleString('en-US')} lookups/s`,
  );
}

async function inProcess() {
  const dir = mkdtempSync(join(tmpdir(), 'eddy-bench-pull-'));
  try {
    prepareInput(dir);
    const { Eddy } = await import('../dist/src/index.js');
    const eddy = new Eddy({ stateDir: join(dir, 'state'), jobThread: JOB_THREAD });
    const started = performance.now();
    for await (const _ of eddy.executeScript(ddl(dir))) void _;
    // Wait until the last key is in the view (a checkpoint after the whole first file).
    for (;;) {
      const r = await eddy.execute(`SELECT c FROM per_key WHERE k = ${KEYS - 1}`);
      if (r.result.rows.length === 1) break;
      await sleep(100);
    }
    console.log(`in-process: view of ${KEYS.toLocaleString('en-US')} keys ready after ${((performance.now() - started) / 1000).toFixed(1)} s`);
    const stop = startIngestion(dir);
    const random = mulberry32(7);
    const latencies = [];
    let busy = 0;
    for (let i = 0; i < LOOKUPS; i++) {
      // Lookups arrive as events: the view's job runs between them.
      await new Promise((r) => setImmediate(r));
      const k = Math.floor(random() * KEYS);
      const t0 = performance.now();
      const r = await eddy.execute(`SELECT k, c, s FROM per_key WHERE k = ${k}`);
      const dt = performance.now() - t0;
      if (r.result.rows.length !== 1) throw new Error(`key ${k} not found`);
      latencies.push(dt);
      busy += dt;
    }
    const ingested = stop();
    report(JOB_THREAD ? 'in-process (job thread)' : 'in-process', latencies, busy / 1000);
    const last = await eddy.execute(`SELECT k FROM per_key WHERE k = 0`);
    console.log(`  ingested ${ingested.toLocaleString('en-US')} updates meanwhile; the view reflects ${JSON.stringify(last.result.freshness[0])}`);
    await eddy.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function overPostgres() {
  const dir = mkdtempSync(join(tmpdir(), 'eddy-bench-pull-'));
  let child;
  try {
    prepareInput(dir);
    writeFileSync(join(dir, 'init.sql'), ddl(dir));
    child = spawn(process.execPath, [join(ROOT, 'bin/eddy.js'), 'serve', '--port', 'off', '--pg-port', '0', '--state-dir', join(dir, 'state'), '-i', join(dir, 'init.sql')], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    let port;
    for (let i = 0; i < 600 && !port; i++) {
      port = /-p (\d+)/.exec(out)?.[1];
      await sleep(50);
    }
    if (!port) throw new Error(`eddy serve did not start: ${out}`);
    // `eddy serve` writes its secret (the Postgres password) to <state-dir>/server-token.
    const password = readFileSync(join(dir, 'state', 'server-token'), 'utf8').trim();
    const client = new pg.Client({ host: '127.0.0.1', port: Number(port), user: 'bench', database: 'bench', password });
    await client.connect();
    const started = performance.now();
    for (;;) {
      const r = await client.query('SELECT c FROM per_key WHERE k = $1', [KEYS - 1]);
      if (r.rows.length === 1) break;
      await sleep(100);
    }
    console.log(`postgres: view of ${KEYS.toLocaleString('en-US')} keys ready after ${((performance.now() - started) / 1000).toFixed(1)} s (after start-up)`);
    const stop = startIngestion(dir);
    const random = mulberry32(7);
    const latencies = [];
    const t0all = performance.now();
    for (let i = 0; i < LOOKUPS; i++) {
      const k = Math.floor(random() * KEYS);
      const t0 = performance.now();
      const r = await client.query('SELECT k, c, s FROM per_key WHERE k = $1', [k]);
      latencies.push(performance.now() - t0);
      if (r.rows.length !== 1) throw new Error(`key ${k} not found`);
    }
    const seconds = (performance.now() - t0all) / 1000;
    const ingested = stop();
    report('postgres', latencies, seconds);
    console.log(`  ingested ${ingested.toLocaleString('en-US')} updates meanwhile`);
    await client.end();
  } finally {
    child?.kill('SIGTERM');
    if (child) await new Promise((r) => child.on('exit', r));
    rmSync(dir, { recursive: true, force: true });
  }
}

if (!ONLY || ONLY === 'inprocess') await inProcess();
if (!ONLY || ONLY === 'pg') await overPostgres();
