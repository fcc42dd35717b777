#!/usr/bin/env node
/**
 * Micro-benchmark of what a checkpoint costs the main thread for a non-windowed aggregate: the build's own
 * GroupAggregate (`GROUP BY k` with COUNT(*), SUM(v), MAX(v) over append-only input) with a SQLite state
 * store (its writer thread, as jobs use it), without sources, decoding or sinks.
 *
 *   npm run build && node bench/group-state-micro.mjs [--keys 100000] [--rows 200000] [--rounds 12] [--dist DIR]
 *
 * Fills `--keys` groups, then runs `--rounds` rounds of `--rows` random rows in batches of 4,000 (with the
 * defaults about 86% of the groups change per round, as in `checkpoints.mjs`'s group-agg between two 1 s
 * checkpoints), each followed by a checkpoint. Prints, per build, the median over rounds 2..N of the time
 * to process a round and of the time the checkpoint holds the caller (encoding the changed groups and
 * handing them to the writer thread), and each round's checkpoint time. Compare builds with several
 * `--dist` runs; the first round's checkpoint also pays for compiling the encoding code.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { flags, mulberry32 } from './common.mjs';

function usage(code) {
  (code ? console.error : console.log)('Usage: node bench/group-state-micro.mjs [--keys 100000] [--rows 200000] [--rounds 12] [--dist DIR]');
  process.exit(code);
}

const opts = { keys: 100_000, rows: 200_000, rounds: 12, dist: resolve('dist') };
for (const { flag, value, count } of flags(process.argv.slice(2), usage)) {
  if (flag === '--keys') opts.keys = count();
  else if (flag === '--rows') opts.rows = count();
  else if (flag === '--rounds') opts.rounds = count();
  else if (flag === '--dist') opts.dist = resolve(value());
  else if (flag === '--help' || flag === '-h') usage(0);
  else {
    console.error(`unknown option ${flag}`);
    usage(2);
  }
}

const load = (path) => import(pathToFileURL(join(opts.dist, path)).href);
const { GroupAggregate } = await load('src/runtime/operators/group-aggregate.js');
const { StateBackend } = await load('src/runtime/state/state-backend.js');
const { SqliteStateStore } = await load('src/runtime/state/sqlite-state-store.js');
const { builtinAggregates } = await load('src/functions/aggregate/index.js');
const { T } = await load('src/common/types.js');
const { Counter } = await load('src/runtime/metrics.js');

const resolveAgg = (name, types) => builtinAggregates.find((f) => f.name === name).resolve(types, false).impl;
// Insert-only input: the planner picks MAX's append-only form.
const max = resolveAgg('MAX', [T.double()]);
const aggs = [
  { name: 'COUNT(*)', impl: resolveAgg('COUNT', []), argIndex: -1, filterIndex: -1 },
  { name: 'SUM($1)', impl: resolveAgg('SUM', [T.double()]), argIndex: 1, filterIndex: -1 },
  { name: 'MAX($1)', impl: max.appendOnly ?? max, argIndex: 1, filterIndex: -1 },
];

const dir = mkdtempSync(join(tmpdir(), 'eddy-group-micro-'));
const store = new SqliteStateStore(join(dir, 'state.db'), 'NORMAL', { worker: true });
const backend = new StateBackend(store, false);
const op = new GroupAggregate({ groupKeys: [0], aggs, inputUpdating: false });
let changes = 0;
op.open({
  name: 'group',
  output: { emit: (b) => void (changes += b.rows.length), emitWatermark() {}, end() {} },
  state: backend.forOperator('group'),
  counter: (n) => new Counter(n),
});

const rnd = mulberry32(20241122);
const BATCH = 4000;
const batches = (rows) => {
  const out = [];
  for (let done = 0; done < rows; done += BATCH) {
    const n = Math.min(BATCH, rows - done);
    const r = new Array(n);
    for (let i = 0; i < n; i++) r[i] = [Math.floor(rnd() * opts.keys), Math.round(rnd() * 100_000) / 100];
    out.push({ rows: r, kinds: new Uint8Array(n) });
  }
  return out;
};
let id = 0;
const checkpoint = () => store.commit({ id: ++id, time: id, sources: {}, sinks: {} }, () => backend.writeChanges());

// Fill: every key once, in random order.
const keys = Array.from({ length: opts.keys }, (_, i) => i).sort(() => rnd() - 0.5);
for (let i = 0; i < keys.length; i += BATCH) {
  const r = keys.slice(i, i + BATCH).map((k) => [k, 1]);
  op.processBatch({ rows: r, kinds: new Uint8Array(r.length) }, 0);
}
await checkpoint();

const processMs = [];
const holdMs = [];
for (let round = 0; round < opts.rounds; round++) {
  const input = batches(opts.rows);
  let t = process.hrtime.bigint();
  for (const b of input) op.processBatch(b, 0);
  processMs.push(Number(process.hrtime.bigint() - t) / 1e6);
  t = process.hrtime.bigint();
  const durable = checkpoint();
  holdMs.push(Number(process.hrtime.bigint() - t) / 1e6);
  await durable;
}
await store.close();
rmSync(dir, { recursive: true, force: true });

const median = (a) => {
  const s = a.slice(1).sort((x, y) => x - y);
  return s[Math.floor((s.length - 1) / 2)] ?? a[0];
};
console.log(`build ${opts.dist}: ${opts.keys} keys, ${opts.rows} rows per round, ${changes} changes emitted`);
console.log(`  process a round: median ${median(processMs).toFixed(1)} ms`);
console.log(`  checkpoint (encode + hand over): median ${median(holdMs).toFixed(1)} ms; per round: ${holdMs.map((x) => x.toFixed(0)).join(' ')}`);
process.exit(0);
