#!/usr/bin/env node
/**
 * Micro-benchmark of the checkpoint write path of the SQLite state store, to size fixes to it (see
 * bench/README.md, "Checkpoint benchmarks"). Only better-sqlite3, no Eddy build needed.
 *
 *   node bench/state-store-micro.mjs [--keys 100000] [--rounds 9] [--touched 0.86]
 *
 * Replays what a GROUP BY with `--keys` keys does at 1 s checkpoints: `--rounds` transactions, each
 * upserting a random `--touched` fraction of the keys (in first-touched order, i.e. random), with the
 * entry the group aggregate stores ([keyValues, accumulators, count, emitted row], ~60 bytes of JSON).
 * Variants change one thing at a time against the store as it is in src/runtime/state/sqlite-state-store.ts:
 *   as-is             table (tbl TEXT, ns TEXT, k TEXT, v TEXT) WITHOUT ROWID, ON CONFLICT DO UPDATE, cache 2 MB
 *   cache 64 MB       + PRAGMA cache_size = -65536
 *   sorted            + entries written in key order
 *   cache + sorted    both
 *   int tbl id        tbl INTEGER (an id per table) instead of the table's name in every row
 *   all               cache + sorted + int tbl id + INSERT OR REPLACE
 * Prints ms per round and µs per upsert (median of rounds 2..N: round 1 inserts into an empty table).
 */
import { mkdtempSync, rmSync, statSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { mulberry32 } from './common.mjs';

const arg = (name, dflt) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
};
const KEYS = arg('--keys', 100_000);
const ROUNDS = arg('--rounds', 9);
const TOUCHED = arg('--touched', 0.86);


/** The rounds' touched keys (random first-touched order) and entries, the same for every variant. */
function workload() {
  const rand = mulberry32(7);
  const rounds = [];
  for (let r = 0; r < ROUNDS; r++) {
    const seen = new Set();
    const keys = [];
    const n = Math.round(KEYS * (r === 0 ? 1 : TOUCHED));
    while (keys.length < n) {
      const k = Math.floor(rand() * KEYS);
      if (!seen.has(k)) {
        seen.add(k);
        keys.push(k);
      }
    }
    rounds.push(keys.map((k) => {
      const cnt = 10 + r, sum = Math.round(rand() * 1e6) / 100, max = Math.round(rand() * 1e5) / 100;
      return [k, [[k], [cnt, sum, max], cnt, [k, cnt, sum, max]]];
    }));
  }
  return rounds;
}

const VARIANTS = [
  { name: 'as-is' },
  { name: 'cache 64 MB', cache: true },
  { name: 'sorted', sorted: true },
  { name: 'cache + sorted', cache: true, sorted: true },
  { name: 'int tbl id', intTbl: true },
  { name: 'all', cache: true, sorted: true, intTbl: true, replace: true },
];

function run(variant, rounds, dir) {
  const path = join(dir, `${variant.name.replace(/\W+/g, '_')}.db`);
  const db = new Database(path);
  db.pragma('auto_vacuum = INCREMENTAL');
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('journal_size_limit = 67108864');
  if (variant.cache) db.pragma('cache_size = -65536');
  db.exec(`CREATE TABLE eddy_state (tbl ${variant.intTbl ? 'INTEGER' : 'TEXT'} NOT NULL, ns TEXT NOT NULL, k TEXT NOT NULL, v TEXT NOT NULL, PRIMARY KEY (tbl, ns, k)) WITHOUT ROWID`);
  const stmt = variant.replace
    ? db.prepare('INSERT OR REPLACE INTO eddy_state (tbl, ns, k, v) VALUES (?, ?, ?, ?)')
    : db.prepare('INSERT INTO eddy_state (tbl, ns, k, v) VALUES (?, ?, ?, ?) ON CONFLICT (tbl, ns, k) DO UPDATE SET v = excluded.v');
  const tbl = variant.intTbl ? 1 : 'GroupAggregate#1/groups';
  const times = [];
  for (const entries of rounds) {
    const t0 = performance.now();
    let list = entries.map(([k, v]) => [JSON.stringify(k), v]);
    if (variant.sorted) list = list.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    db.transaction(() => {
      for (const [k, v] of list) stmt.run(tbl, 's', k, JSON.stringify(v));
    })();
    times.push({ ms: performance.now() - t0, n: entries.length });
  }
  db.close();
  const size = statSync(path).size + (existsSync(path + '-wal') ? statSync(path + '-wal').size : 0);
  return { times, size };
}

const rounds = workload();
const dir = mkdtempSync(join(tmpdir(), 'eddy-store-micro-'));
try {
  console.log(`${KEYS.toLocaleString('en-US')} keys, ${ROUNDS} rounds, ${Math.round(TOUCHED * 100)}% of keys touched per round (node ${process.version})`);
  console.log('variant          round 1 ms   median ms (rounds 2..)   µs/upsert   file MB');
  for (const v of VARIANTS) {
    const { times, size } = run(v, rounds, dir);
    const later = times.slice(1).map((t) => t.ms).sort((a, b) => a - b);
    const med = later[later.length >> 1];
    const us = (med * 1000) / times[1].n;
    console.log(`${v.name.padEnd(16)} ${times[0].ms.toFixed(0).padStart(10)}   ${med.toFixed(0).padStart(22)}   ${us.toFixed(2).padStart(9)}   ${(size / 2 ** 20).toFixed(1).padStart(7)}`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
