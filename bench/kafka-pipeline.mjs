#!/usr/bin/env node
// Kafka -> Eddy -> Kafka: throughput and end-to-end latency at fixed input rates, next to the client's own ceiling
// (produce-only, consume-only, consume->produce pass-through) measured on the same machine in the same run.
// See bench/README.md, "Kafka -> Eddy -> Kafka".
//
//   npx tsc -p tsconfig.build.json && node scripts/kafka.mjs start --dir /tmp/kbench-kafka
//   node bench/kafka-pipeline.mjs --bootstrap 127.0.0.1:PORT [--client kafkajs|platformatic --modules DIR]
//        [--rates 5000,20000,50000,max] [--queries filter,tumble] [--guarantees at-least-once,exactly-once]
//        [--duration 20] [--max-messages 300000] [--repeat 1] [--profile]
//
// Every configuration gets fresh topics (input: 3 partitions; output: 3 partitions) and a fresh `eddy run`
// process (bin/eddy.js, this checkout's dist/) with a state directory and checkpoints every 1 s:
//   filter:  INSERT INTO out SELECT id, k, v * 2, pt FROM src WHERE v < 900           (90% of the rows pass)
//   tumble:  1 s TUMBLE windows on ts = TO_TIMESTAMP_LTZ(pt, 3) (watermark ts - 200 ms), GROUP BY window, k
//            (100 keys): COUNT(*), SUM(v), MAX(pt)
// The sink is at-least-once or exactly-once (transactions per checkpoint; the output is read read_committed).
// A rate: a producer process writes JSON events {id, k, v, pt, pad} (~120 bytes; pt = the wall clock when the record
// was built) at that rate for --duration s, in a send every 10 ms (after one primer record per partition, 2 s earlier). The output is read by this process; the latency
// of a filter record is its receive time minus its pt; of a window result, its receive time minus its window_end
// (the earliest moment it could exist). The first 3 s of input are a warm-up, left out of the latency figures.
// `max`: --max-messages records are written first (as fast as the client goes: the produce ceiling), read back
// (the consume ceiling), copied to another topic by a consume->produce loop (the pass-through ceiling), then the
// Eddy job reads the whole backlog: its throughput is records in over the time from its first output record to
// its last (tumble: the last window, which one sentinel record per partition closes).
// Checks: filter, every passing id arrives (duplicates counted); tumble, the windows' counts add up to the input.

import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { loadavg, tmpdir, cpus } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { flags } from './common.mjs';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const WARMUP_MS = 3000;
const KEYS = 100;

function usage(code) {
  console.error('usage: node bench/kafka-pipeline.mjs --bootstrap HOST:PORT [--client kafkajs|platformatic] [--modules DIR] [--rates 5000,20000,50000,max] [--queries filter,tumble] [--guarantees at-least-once,exactly-once] [--duration S] [--max-messages N] [--repeat K] [--profile] [--out FILE]');
  process.exit(code);
}

function parseArgs(argv) {
  const o = {
    role: 'main', bootstrap: undefined, client: 'kafkajs', modules: undefined,
    rates: ['5000', '20000', '50000', 'max'], queries: ['filter', 'tumble'], guarantees: ['at-least-once', 'exactly-once'],
    duration: 20, maxMessages: 300_000, repeat: 1, profile: false, out: join(repoRoot, 'bench', 'results', 'kafka-pipeline.json'),
    topic: undefined, rate: 0, size: 120,
  };
  for (const f of flags(argv, usage)) {
    switch (f.flag) {
      case '--role': o.role = f.value(); break;
      case '--bootstrap': o.bootstrap = f.value(); break;
      case '--client': o.client = f.value(); break;
      case '--modules': o.modules = resolve(f.value()); break;
      case '--rates': o.rates = f.list(); break;
      case '--queries': o.queries = f.list(); break;
      case '--guarantees': o.guarantees = f.list(); break;
      case '--duration': o.duration = f.count(); break;
      case '--max-messages': o.maxMessages = f.count(); break;
      case '--repeat': o.repeat = f.count(); break;
      case '--profile': o.profile = true; break;
      case '--out': o.out = resolve(f.value()); break;
      case '--topic': o.topic = f.value(); break;
      case '--rate': o.rate = f.count(); break;
      default: console.error(`unknown option ${f.flag}`); usage(2);
    }
  }
  if (!o.bootstrap) usage(2);
  if (!['kafkajs', 'platformatic'].includes(o.client)) usage(2);
  if (o.modules) process.env.EDDY_KAFKA_CLIENT_MODULES = o.modules;
  return o;
}

/** Eddy's KafkaClient adapter for `--client`, from dist/. */
async function adapterClient(o, clientId) {
  const file = o.client === 'kafkajs' ? 'kafkajs-client.js' : 'platformatic-client.js';
  const path = join(repoRoot, 'dist', 'src', 'connectors', 'kafka', file);
  if (!existsSync(path)) throw new Error('dist/ has no Kafka adapter: run `npx tsc -p tsconfig.build.json` first');
  const module = await import(pathToFileURL(path).href);
  const create = o.client === 'kafkajs' ? module.createKafkajsClient : module.createPlatformaticClient;
  return create({ bootstrapServers: [o.bootstrap], clientId });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** CPU time (user + system, all threads) of process `pid` so far, in ms, from /proc (Linux; 10 ms ticks); else undefined. */
function processCpuMs(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10; // utime, stime (fields 14, 15) in 1/100 s
  } catch {
    return undefined;
  }
}

/** This process's CPU time (user + system) so far, in ms. */
const ownCpuMs = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};

/** Microseconds of CPU per message, from two CPU readings in ms. */
const cpuUsPer = (fromMs, toMs, n) => (fromMs === undefined || toMs === undefined ? undefined : +(((toMs - fromMs) * 1000) / n).toFixed(1));

/**
 * Creates a topic. kafkajs's wait for the new topic's leaders sometimes fails on a busy broker ("This server does not
 * host this topic-partition") though the topic was created: then wait for its partitions here.
 */
async function createTopic(admin, topic, partitions) {
  try {
    await admin.createTopic({ topic, partitions });
  } catch (error) {
    for (let i = 0; i < 100; i++) {
      const [meta] = await admin.describeTopics([topic]).catch(() => []);
      if (meta && meta.partitions.length === partitions && meta.partitions.every((p) => p.leader >= 0)) return;
      await sleep(100);
    }
    throw error;
  }
}
const PAD = 'x'.repeat(40);
function event(i, pt) {
  return `{"id":${i},"k":${i % KEYS},"v":${(i * 7919) % 1000},"pt":${pt},"pad":"${PAD}"}`;
}

// ---- producer process: a fixed rate for --duration seconds ----

async function producerRole(o) {
  const client = await adapterClient(o, 'bench-producer');
  const producer = await client.producer();
  // Primers: one record per partition with one timestamp, 2 s before the paced input. A partition from which the
  // job has not read a record yet does not hold its watermark back, so without them the first records of a partition
  // read later than the others can be dropped as late (see bench/README.md).
  const primerPt = Date.now();
  await producer.send([0, 1, 2].map((partition) => ({ topic: o.topic, partition, key: null, value: event(-1 - partition, primerPt) })));
  await sleep(2000);
  const start = Date.now();
  const end = start + o.duration * 1000;
  let sent = 0;
  let lagTicks = 0;
  for (;;) {
    const now = Date.now();
    if (now >= end) break;
    // At most 2,000 records a send (the broker refuses requests over 1 MB); behind schedule, the next tick sends more.
    const due = Math.min(sent + 2000, Math.floor(((now - start) / 1000) * o.rate));
    if (due > sent) {
      const records = [];
      const pt = Date.now();
      for (let i = sent; i < due; i++) records.push({ topic: o.topic, key: null, value: event(i, pt) });
      await producer.send(records);
      sent = due;
    }
    const wait = start + Math.ceil(((sent + 1) / o.rate) * 1000) - Date.now();
    if (wait > 0) await sleep(Math.min(10, wait));
    else lagTicks++;
  }
  await producer.close();
  const seconds = (Date.now() - start) / 1000;
  console.log(JSON.stringify({ produced: sent, primers: 3, seconds, rate: Math.round(sent / seconds), start, end: Date.now(), lagTicks }));
}

function runProducer(o, topic, rate) {
  const args = [fileURLToPath(import.meta.url), '--role', 'producer', '--bootstrap', o.bootstrap, '--client', o.client, '--topic', topic, '--rate', String(rate), '--duration', String(o.duration)];
  if (o.modules) args.push('--modules', o.modules);
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  return new Promise((resolve, reject) => {
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out.trim().split('\n').pop())) : reject(new Error(`producer exited ${code}`))));
  });
}

// ---- the Eddy job ----

function jobSql(o, query, guarantee, input, output, txPrefix) {
  const conn = `'properties.bootstrap.servers' = '${o.bootstrap}', 'client.library' = '${o.client}'`;
  const sink =
    `'sink.delivery-guarantee' = '${guarantee}'` + (guarantee === 'exactly-once' ? `, 'sink.transactional-id-prefix' = '${txPrefix}'` : '');
  const src =
    `CREATE TABLE src (id BIGINT, k INT, v INT, pt BIGINT, pad STRING, ts AS TO_TIMESTAMP_LTZ(pt, 3), WATERMARK FOR ts AS ts - INTERVAL '0.2' SECOND) ` +
    `WITH ('connector' = 'kafka', 'topic' = '${input}', ${conn}, 'format' = 'json', 'scan.startup.mode' = 'earliest-offset');`;
  if (query === 'filter') {
    return [
      "SET 'execution.checkpointing.interval' = '1 s';",
      src,
      `CREATE TABLE out (id BIGINT, k INT, w INT, pt BIGINT) WITH ('connector' = 'kafka', 'topic' = '${output}', ${conn}, 'format' = 'json', ${sink});`,
      'INSERT INTO out SELECT id, k, v * 2, pt FROM src WHERE v < 900;',
    ].join('\n');
  }
  return [
    "SET 'execution.checkpointing.interval' = '1 s';",
    src,
    `CREATE TABLE out (wend BIGINT, k INT, c BIGINT, s BIGINT, last_pt BIGINT) WITH ('connector' = 'kafka', 'topic' = '${output}', ${conn}, 'format' = 'json', ${sink});`,
    // window_end as epoch ms: the window start is floor(pt / 1000) * 1000 for 1 s windows aligned on the epoch.
    'INSERT INTO out SELECT MIN(pt) / 1000 * 1000 + 1000, k, COUNT(*), SUM(v), MAX(pt) FROM TABLE(TUMBLE(TABLE src, DESCRIPTOR(ts), INTERVAL \'1\' SECOND)) GROUP BY window_start, window_end, k;',
  ].join('\n');
}

function startEddy(o, sql, dir, tag) {
  const script = join(dir, 'job.sql');
  writeFileSync(script, sql);
  const args = [];
  if (o.profile) {
    const profiles = join(repoRoot, 'bench', 'results', 'profiles');
    mkdirSync(profiles, { recursive: true });
    args.push('--cpu-prof', '--cpu-prof-dir', profiles, '--cpu-prof-name', `kafka-pipeline-${tag}.cpuprofile`);
  }
  args.push(join(repoRoot, 'bin', 'eddy.js'), 'run', script, '--state-dir', join(dir, 'state'));
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env: process.env });
  let log = '';
  child.stdout.on('data', (d) => (log += d));
  child.stderr.on('data', (d) => (log += d));
  const exited = new Promise((r) => child.on('exit', (code, signal) => r({ code, signal })));
  return { child, exited, log: () => log };
}

async function stopEddy(eddy) {
  eddy.child.kill('SIGINT');
  const done = await Promise.race([eddy.exited, sleep(20_000).then(() => undefined)]);
  if (!done) {
    eddy.child.kill('SIGKILL');
    await eddy.exited;
  }
}

// ---- output reader ----

/** Reads `topic` from the start; calls onRecord(value, receiveMs) for every record until stop() says so. */
async function readOutput(client, topic, isolationLevel, onRecord, stop) {
  const consumer = await client.consumer({ isolationLevel });
  try {
    await consumer.assign([0, 1, 2].map((partition) => ({ topic, partition, offset: 0n })));
    while (!stop()) {
      const batches = await consumer.fetch({ maxWaitMs: 50 });
      const now = Date.now();
      for (const batch of batches) for (const r of batch.records) onRecord(r.value.toString(), now);
    }
  } finally {
    await consumer.close();
  }
}

function percentile(sorted, p) {
  if (sorted.length === 0) return undefined;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/**
 * Output bookkeeping for one run: counts, duplicates, and per record (a window result: per window) the input time it
 * stands for (pt; window_end) and its latency, so the warm-up can be cut once the producer has said when it started.
 */
function tracker(query) {
  const t = { records: 0, seenIds: new Set(), duplicates: 0, windowCount: 0, perWindow: new Map(), inputTimes: [], latencies: [], first: undefined, last: undefined, lastWindowEnd: 0 };
  t.latenciesFrom = (from) => t.latencies.filter((_, i) => t.inputTimes[i] >= from).sort((a, b) => a - b);
  t.onRecord = (text, now) => {
    const r = JSON.parse(text);
    t.records++;
    t.first ??= now;
    t.last = now;
    if (query === 'filter') {
      if (t.seenIds.has(r.id)) t.duplicates++;
      else t.seenIds.add(r.id);
      t.inputTimes.push(r.pt);
      t.latencies.push(now - r.pt);
    } else {
      t.windowCount += r.c;
      t.perWindow.set(r.wend, (t.perWindow.get(r.wend) ?? 0) + r.c);
      if (r.wend > t.lastWindowEnd) t.lastWindowEnd = r.wend;
      t.inputTimes.push(r.wend - 1000);
      t.latencies.push(now - r.wend);
    }
  };
  return t;
}

function expectedFilterIds(n) {
  let pass = 0;
  for (let i = 0; i < n; i++) if ((i * 7919) % 1000 < 900) pass++;
  return pass;
}

// ---- one rate-limited configuration ----

async function rateRun(o, client, admin, query, guarantee, rate, tag) {
  const input = `kp-in-${tag}`;
  const output = `kp-out-${tag}`;
  await createTopic(admin, input, 3);
  await createTopic(admin, output, 3);
  const dir = mkdtempSync(join(tmpdir(), 'kbench-pipeline-'));
  const eddy = startEddy(o, jobSql(o, query, guarantee, input, output, `kp-tx-${tag}`), dir, tag);
  try {
    await sleep(5000); // the job is up and polling (its start-up is not measured)
    const t = tracker(query);
    let stopAt = Infinity;
    const reading = readOutput(client, output, guarantee === 'exactly-once' ? 'read_committed' : 'read_uncommitted', t.onRecord, () => Date.now() > stopAt);
    const produced = await runProducer(o, input, rate);
    const producerDone = Date.now();
    if (query === 'tumble') await sendSentinels(client, input, produced.end + 10_000);
    // The primers (ids -1..-3) pass the filter and are counted in a window too.
    const expected = (query === 'filter' ? expectedFilterIds(produced.produced) : produced.produced) + produced.primers;
    const have = () => (query === 'filter' ? t.seenIds.size : t.windowCount);
    // Until everything arrived, or nothing more for 15 s (then the run is reported incomplete).
    let seen = have();
    let quietSince = producerDone;
    while (have() < expected && Date.now() - quietSince < 15_000) {
      if (eddy.child.exitCode !== null) throw new Error(`eddy exited early:\n${eddy.log()}`);
      await sleep(20);
      if (have() !== seen) [seen, quietSince] = [have(), Date.now()];
    }
    stopAt = Date.now() + 1500; // a little longer, to see duplicates or extra output
    await reading;
    const lat = t.latenciesFrom(produced.start + WARMUP_MS);
    // Incomplete: stop the job first, so its log has the job's summary (rows in, late rows dropped).
    if (have() !== expected) await stopEddy(eddy);
    return {
      query, guarantee, rate, client: o.client,
      produced: produced.produced, producedRate: produced.rate, expected, got: have(), duplicates: t.duplicates,
      complete: have() === expected,
      drainMs: t.last - produced.end,
      // Input records per second from the producer's start to the last output record: the input rate when Eddy keeps up.
      processedRate: Math.round(produced.produced / ((t.last - produced.start) / 1000)),
      latencySamples: lat.length, p50: percentile(lat, 50), p99: percentile(lat, 99), max: lat[lat.length - 1],
      // An incomplete run shows what it saw: each window's total count (a gap is a missing window), and Eddy's output.
      ...(have() === expected ? {} : { windows: Object.fromEntries([...t.perWindow].sort((a, b) => a[0] - b[0])), eddyLog: eddy.log().slice(-3000) }),
    };
  } finally {
    await stopEddy(eddy);
    rmSync(dir, { recursive: true, force: true });
    await admin.deleteTopics([input, output]).catch(() => {});
  }
}

/** One record per partition far ahead in event time, so every window before it closes. */
async function sendSentinels(client, topic, pt) {
  const producer = await client.producer();
  await producer.send([0, 1, 2].map((partition) => ({ topic, partition, key: null, value: event(1e12 + partition, pt) })));
  await producer.close();
}

// ---- max: the client ceilings, then Eddy on a backlog ----

async function produceAll(client, topic, n) {
  const producer = await client.producer();
  const cpu = ownCpuMs();
  const started = performance.now();
  const pt = Date.now();
  for (let s = 0; s < n; s += 1000) {
    const records = [];
    for (let i = s; i < Math.min(n, s + 1000); i++) records.push({ topic, key: null, value: event(i, pt) });
    await producer.send(records);
  }
  const seconds = (performance.now() - started) / 1000;
  const cpuUs = cpuUsPer(cpu, ownCpuMs(), n);
  await producer.close();
  return { rate: Math.round(n / seconds), cpuUs };
}

async function consumeAll(client, topic, n) {
  const consumer = await client.consumer({ isolationLevel: 'read_uncommitted' });
  await consumer.assign([0, 1, 2].map((partition) => ({ topic, partition, offset: 0n })));
  const cpu = ownCpuMs();
  const started = performance.now();
  let count = 0;
  while (count < n) for (const b of await consumer.fetch({ maxWaitMs: 100 })) count += b.records.length;
  const seconds = (performance.now() - started) / 1000;
  const cpuUs = cpuUsPer(cpu, ownCpuMs(), n);
  await consumer.close();
  return { rate: Math.round(n / seconds), cpuUs };
}

/** Reads `input` and writes every record to `output`, sends of up to 2,000 per fetch: a connector without query work. */
async function passThrough(client, input, output, n) {
  const consumer = await client.consumer({ isolationLevel: 'read_uncommitted' });
  const producer = await client.producer({ idempotent: true });
  await consumer.assign([0, 1, 2].map((partition) => ({ topic: input, partition, offset: 0n })));
  const cpu = ownCpuMs();
  const started = performance.now();
  let count = 0;
  while (count < n) {
    const records = [];
    for (const b of await consumer.fetch({ maxWaitMs: 100 })) for (const r of b.records) records.push({ topic: output, key: null, value: r.value });
    count += records.length;
    // At most 2,000 records a send: one fetch can bring 1 MiB per partition, and the broker refuses larger batches.
    for (let i = 0; i < records.length; i += 2000) await producer.send(records.slice(i, i + 2000));
  }
  const seconds = (performance.now() - started) / 1000;
  const cpuUs = cpuUsPer(cpu, ownCpuMs(), n);
  await consumer.close();
  await producer.close();
  return { rate: Math.round(n / seconds), cpuUs };
}

async function maxRun(o, client, admin, queries, guarantees, tag) {
  const input = `kp-in-${tag}`;
  const copy = `kp-copy-${tag}`;
  await createTopic(admin, input, 3);
  await createTopic(admin, copy, 3);
  const n = o.maxMessages;
  const results = [];
  try {
    const produced = await produceAll(client, input, n);
    const consumed = await consumeAll(client, input, n);
    const passed = await passThrough(client, input, copy, n);
    // cpuUs: microseconds of CPU per message of this process during the phase (the client's own cost).
    const ceiling = {
      kind: 'ceiling', client: o.client, messages: n,
      produceRate: produced.rate, consumeRate: consumed.rate, passThroughRate: passed.rate,
      produceCpuUs: produced.cpuUs, consumeCpuUs: consumed.cpuUs, passThroughCpuUs: passed.cpuUs,
    };
    results.push(ceiling);
    console.log(JSON.stringify(results[results.length - 1]));
    await sendSentinels(client, input, Date.now() + 3_600_000);
    for (const query of queries) {
      for (const guarantee of guarantees) {
        const output = `kp-out-${tag}-${query}-${guarantee}`;
        await createTopic(admin, output, 3);
        const dir = mkdtempSync(join(tmpdir(), 'kbench-pipeline-'));
        const t = tracker(query);
        let stopAt = Infinity;
        const started = Date.now();
        const eddy = startEddy(o, jobSql(o, query, guarantee, input, output, `kp-tx-${tag}-${query}`), dir, `${tag}-${query}-${guarantee}`);
        try {
          // The job's CPU from its first output record to its last (start-up left out), as the rate.
          let cpuAtFirst;
          let cpuAtLast;
          const onRecord = (text, now) => {
            if (t.first === undefined) cpuAtFirst = processCpuMs(eddy.child.pid);
            t.onRecord(text, now);
          };
          const reading = readOutput(client, output, guarantee === 'exactly-once' ? 'read_committed' : 'read_uncommitted', onRecord, () => Date.now() > stopAt);
          // The sentinels (ids 1e12 + partition) are in the input too: those that pass the filter are output.
          const sentinelsOut = [0, 1, 2].filter((p) => ((1e12 + p) * 7919) % 1000 < 900).length;
          const expected = query === 'filter' ? expectedFilterIds(n) + sentinelsOut : n;
          const have = () => (query === 'filter' ? t.seenIds.size : t.windowCount);
          const deadline = Date.now() + 300_000;
          while (have() < expected && Date.now() < deadline) {
            if (eddy.child.exitCode !== null) throw new Error(`eddy exited early:\n${eddy.log()}`);
            await sleep(20);
          }
          cpuAtLast = processCpuMs(eddy.child.pid);
          stopAt = Date.now() + 1500;
          await reading;
          const rate = Math.round(n / ((t.last - t.first) / 1000));
          const cpuUs = cpuUsPer(cpuAtFirst, cpuAtLast, n);
          const r = {
            kind: 'eddy-max', query, guarantee, client: o.client, messages: n, expected, got: have(), duplicates: t.duplicates,
            complete: have() === expected,
            // Records in per second, from the first output record to the last (start-up left out).
            rate,
            // Against this run's pass-through ceiling: the rate's ratio, and CPU µs per message (Eddy's process; the
            // ceiling's: the bench process during the pass-through).
            ratio: +(rate / ceiling.passThroughRate).toFixed(2),
            cpuUs,
            cpuRatio: cpuUs === undefined || !ceiling.passThroughCpuUs ? undefined : +(cpuUs / ceiling.passThroughCpuUs).toFixed(2),
            firstOutputAfterMs: t.first - started,
            totalSeconds: +((t.last - started) / 1000).toFixed(1),
          };
          results.push(r);
          console.log(JSON.stringify(r));
        } finally {
          await stopEddy(eddy);
          rmSync(dir, { recursive: true, force: true });
          await admin.deleteTopics([output]).catch(() => {});
        }
      }
    }
  } finally {
    await admin.deleteTopics([input, copy]).catch(() => {});
  }
  return results;
}

async function main() {
  const o = parseArgs(process.argv.slice(2));
  if (o.role === 'producer') return producerRole(o);
  const client = await adapterClient(o, 'bench-main');
  const admin = await client.admin();
  const stamp = Date.now().toString(36);
  const all = [];
  const header = { started: new Date().toISOString(), command: process.argv.slice(2).join(' '), node: process.version, cpus: cpus().length, cpu: cpus()[0]?.model, loadavgAtStart: loadavg() };
  console.log(JSON.stringify(header));
  try {
    for (let rep = 1; rep <= o.repeat; rep++) {
      for (const rate of o.rates) {
        if (rate === 'max') {
          all.push(...(await maxRun(o, client, admin, o.queries, o.guarantees, `${stamp}-${rep}-max`)).map((r) => ({ ...r, rep, load: loadavg()[0] })));
          continue;
        }
        for (const query of o.queries) {
          for (const guarantee of o.guarantees) {
            const r = { ...(await rateRun(o, client, admin, query, guarantee, Number(rate), `${stamp}-${rep}-${rate}-${query}-${guarantee}`)), rep, load: loadavg()[0] };
            all.push(r);
            console.log(JSON.stringify(r));
          }
        }
      }
    }
  } finally {
    await admin.close();
    mkdirSync(dirname(o.out), { recursive: true });
    writeFileSync(o.out, JSON.stringify({ ...header, loadavgAtEnd: loadavg(), results: all }, null, 2));
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    // The clients nest their causes (AggregateError.errors, cause): show them all.
    const show = (e, depth) => {
      console.error(' '.repeat(depth) + (depth === 0 && e instanceof Error ? e.stack : `${e?.message ?? e} ${e?.apiId ?? e?.type ?? ''}`));
      for (const inner of e?.errors ?? []) show(inner, depth + 2);
      if (e?.cause) show(e.cause, depth + 2);
    };
    show(error, 0);
    process.exit(1);
  },
);
