#!/usr/bin/env node
/**
 * Micro-benchmark of the checkpoint write path of the SQLite state store: what the store's writer thread
 * does with a checkpoint of `group-agg` (bench/README.md, "Checkpoint benchmarks"), without the rest of Eddy.
 *
 *   npm run build && node bench/state-store-micro.mjs [--keys 100000] [--rounds 9] [--touched 0.86] [--dist DIR]
 *
 * Replays `--rounds` checkpoints of a GROUP BY with `--keys` keys: each upserts a random `--touched` fraction
 * of the keys (in first-touched order, i.e. random) with the entry the group aggregate stores
 * (`[keyValues, [count, [sum, n], max], count]`), encoded by the build's own OpWriter and written by the
 * build's own applier (src/runtime/state/state-writer.ts) into the store's table, in one transaction per
 * round, with the writer's pragmas. Variants change one thing at a time:
 *   as-is              the build's applier (INSERT OR REPLACE, one row per statement, each run of upserts
 *                      sorted into primary-key order first)
 *   upsert             INSERT ... ON CONFLICT DO UPDATE instead of INSERT OR REPLACE
 *   unsorted           upserts written in the order they come (the order the entries changed)
 *   page 8 / 16 KiB    page_size 8192 / 16384 instead of 4096
 *   pre-sorted         the batch already in primary-key order (what sorting saves SQLite, without its cost)
 *   autockpt 10000     wal_autocheckpoint = 10000 pages instead of 1000
 * (Earlier measurements, kept in bench/README.md: 16 and 64 rows per INSERT statement were slower than one.)
 * Variants run round-robin (round 1 of each, then round 2, ...), each on its own database, so a busy machine
 * slows all alike. Prints CPU ms per round and µs per upsert (median of rounds 2..N: round 1 fills an empty
 * table), and wall ms.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import { flags, mulberry32 } from './common.mjs';

function usage(code) {
  (code ? console.error : console.log)('Usage: node bench/state-store-micro.mjs [--keys 100000] [--rounds 9] [--touched 0.86] [--dist DIR]');
  process.exit(code);
}

const opts = { keys: 100_000, rounds: 9, touched: 0.86, dist: resolve('dist') };
for (const { flag, value, count } of flags(process.argv.slice(2), usage)) {
  if (flag === '--keys') opts.keys = count();
  else if (flag === '--rounds') opts.rounds = count();
  else if (flag === '--touched') opts.touched = Number(value());
  else if (flag === '--dist') opts.dist = resolve(value());
  else if (flag === '--help' || flag === '-h') usage(0);
  else {
    console.error(`Unknown option '${flag}'`);
    usage(2);
  }
}

const { OpWriter } = await import(pathToFileURL(join(opts.dist, 'src/runtime/state/state-writer.js')).href);
const { makeApplier } = await import(pathToFileURL(join(opts.dist, 'src/runtime/state/state-writer-applier.js')).href);
const { packKey } = await import(pathToFileURL(join(opts.dist, 'src/runtime/state/packed.js')).href);

/** Each round's batch, as the main thread hands it to the writer (same for every variant). */
function workload(sorted) {
  const rand = mulberry32(7);
  const batches = [];
  for (let r = 0; r < opts.rounds; r++) {
    const seen = new Set();
    const keys = [];
    const n = Math.round(opts.keys * (r === 0 ? 1 : opts.touched));
    while (keys.length < n) {
      const k = Math.floor(rand() * opts.keys);
      if (!seen.has(k)) {
        seen.add(k);
        keys.push(k);
      }
    }
    if (sorted) {
      const packed = new Map(keys.map((k) => [k, packKey(k)]));
      keys.sort((a, b) => Buffer.compare(packed.get(a), packed.get(b)));
    }
    const w = new OpWriter();
    if (r === 0) w.table(1, 'GroupAggregate#1/groups');
    for (const k of keys) {
      const cnt = 10 + r;
      w.upsert(1, '', k, [[k], [cnt, [Math.round(rand() * 1e6) / 100, cnt], Math.round(rand() * 1e5) / 100], cnt], 0);
    }
    batches.push({ buf: Buffer.from(w.bytes()), n });
  }
  return batches;
}

const VARIANTS = [
  { name: 'as-is' },
  {
    name: 'upsert',
    applier: { upsertSql: 'INSERT INTO eddy_entries (tbl, ns, k, v, t) VALUES (?, ?, ?, ?, ?) ON CONFLICT (tbl, ns, k) DO UPDATE SET v = excluded.v, t = excluded.t' },
  },
  { name: 'unsorted', applier: { sortFrom: Infinity } },
  { name: 'page 8 KiB', page: 8192 },
  { name: 'page 16 KiB', page: 16384 },
  { name: 'pre-sorted', sorted: true },
  { name: 'autockpt 10000', autocheckpoint: 10000 },
];

/** A database laid out as the store's, with the writer's pragmas, and its applier. */
function openVariant(v, dir) {
  const db = new Database(join(dir, `${v.name.replace(/\W+/g, '_')}.db`));
  if (v.page) db.pragma(`page_size = ${v.page}`);
  db.pragma('auto_vacuum = INCREMENTAL');
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('journal_size_limit = 67108864');
  db.pragma('cache_size = -65536');
  if (v.autocheckpoint) db.pragma(`wal_autocheckpoint = ${v.autocheckpoint}`);
  db.exec(`
    CREATE TABLE eddy_tables (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
    CREATE TABLE eddy_entries (tbl INTEGER NOT NULL, ns BLOB NOT NULL, k BLOB NOT NULL, v BLOB NOT NULL, t INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (tbl, ns, k)) WITHOUT ROWID;
    CREATE TABLE eddy_values (name TEXT PRIMARY KEY, v BLOB NOT NULL);`);
  return { db, applier: makeApplier(db, v.applier) };
}

const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

const dir = mkdtempSync(join(tmpdir(), 'eddy-store-micro-'));
try {
  const plain = workload(false);
  const sorted = workload(true);
  const runs = VARIANTS.map((v) => ({ v, ...openVariant(v, dir), batches: v.sorted ? sorted : plain, cpu: [], wall: [] }));
  for (let r = 0; r < opts.rounds; r++) {
    for (const run of runs) {
      const { buf } = run.batches[r];
      const c0 = cpuMs();
      const t0 = performance.now();
      run.db.exec('BEGIN');
      run.applier.apply(buf);
      run.db.exec('COMMIT');
      run.cpu.push(cpuMs() - c0);
      run.wall.push(performance.now() - t0);
    }
  }
  console.log(`${opts.keys.toLocaleString('en-US')} keys, ${opts.rounds} rounds, ${Math.round(opts.touched * 100)}% of keys per round; build ${opts.dist}; node ${process.version}`);
  console.log('variant           round 1 cpu ms   cpu ms/round   µs/upsert   wall ms/round');
  for (const run of runs) {
    const cpu = median(run.cpu.slice(1));
    const n = run.batches[1]?.n ?? run.batches[0].n;
    console.log(`${run.v.name.padEnd(16)} ${run.cpu[0].toFixed(0).padStart(15)}   ${cpu.toFixed(0).padStart(12)}   ${((cpu * 1000) / n).toFixed(2).padStart(9)}   ${median(run.wall.slice(1)).toFixed(0).padStart(13)}`);
    run.db.close();
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
