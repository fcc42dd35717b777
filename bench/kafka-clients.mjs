#!/usr/bin/env node
// Produce and consume throughput of pure-JS Kafka clients against a real broker (see bench/README.md, "Kafka clients").
//
//   npm run kafka:start
//   node bench/kafka-clients.mjs --client kafkajs [--modules DIR] [--messages 200000] [--batch 1000] [--size 200]
//
// --client      kafkajs | platformatic (@platformatic/kafka) | eddy (Eddy's KafkaClient adapter over kafkajs,
//               from dist/: build first; produce through its producer, consume with assigned partitions + fetch) |
//               eddy-platformatic (the same over @platformatic/kafka, loaded from --modules when the project lacks it)
// --modules     the node_modules directory the client package is loaded from (default: this repository's), so a
//               client Eddy does not depend on can be measured from a scratch install outside the repository
// --bootstrap   broker address (default: the one `npm run kafka:start` wrote to .kafka/bootstrap.txt)
// --partitions  partitions of the topic (default 3)
//
// Each run creates a fresh topic, produces --messages records of --size bytes (key `k<i mod 1000>`, acks=all,
// no compression) in batches of --batch sent one after another, then reads them all back from the earliest offset
// with one consumer (a fresh consumer group for kafkajs and platformatic; assigned partitions for eddy). It checks
// the count read back and prints one JSON line with both rates.

import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

function parseArgs(argv) {
  const options = {
    client: 'kafkajs',
    modules: join(repoRoot, 'node_modules'),
    bootstrap: undefined,
    messages: 200_000,
    batch: 1000,
    size: 200,
    partitions: 3,
  };
  for (let i = 0; i < argv.length; i++) {
    const name = argv[i].replace(/^--/, '');
    const value = argv[++i];
    if (!(name in options) || value === undefined) throw new Error(`unknown or incomplete option ${argv[i - 1]}`);
    options[name] = ['messages', 'batch', 'size', 'partitions'].includes(name) ? Number(value.replaceAll('_', '')) : value;
  }
  if (!options.bootstrap) {
    const file = join(repoRoot, '.kafka', 'bootstrap.txt');
    if (!existsSync(file)) throw new Error('no broker: run `npm run kafka:start` or pass --bootstrap host:port');
    options.bootstrap = readFileSync(file, 'utf8').trim();
  }
  return options;
}

/** Imports a package from `modules` (a node_modules directory), not from wherever this script lives. */
async function importFrom(modules, name) {
  const require = createRequire(join(resolve(modules), 'noop.js'));
  let resolved;
  try {
    resolved = require.resolve(name);
  } catch {
    // ESM-only packages have no require condition: read their exports map.
    const pkg = JSON.parse(readFileSync(join(resolve(modules), name, 'package.json'), 'utf8'));
    const entry = pkg.exports?.['.']?.import ?? pkg.exports?.['.']?.default ?? pkg.exports?.['.'] ?? pkg.main;
    resolved = join(resolve(modules), name, typeof entry === 'string' ? entry : entry.default);
  }
  return import(pathToFileURL(resolved).href);
}

function payload(size, i) {
  const head = `{"i":${i},"pad":"`;
  return head + 'x'.repeat(Math.max(0, size - head.length - 2)) + '"}';
}

async function waitFor(condition, timeoutMs, what) {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

const clients = {
  async kafkajs(o, topic) {
    const { Kafka, Partitioners, logLevel } = await importFrom(o.modules, 'kafkajs');
    const kafka = new Kafka({ clientId: 'bench', brokers: [o.bootstrap], logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: o.partitions }], waitForLeaders: true });
    await admin.disconnect();
    return {
      async produce() {
        const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
        await producer.connect();
        for (let start = 0; start < o.messages; start += o.batch) {
          const messages = [];
          for (let i = start; i < Math.min(o.messages, start + o.batch); i++) messages.push({ key: `k${i % 1000}`, value: payload(o.size, i) });
          await producer.send({ topic, messages, acks: -1 });
        }
        await producer.disconnect();
      },
      async consume() {
        const consumer = kafka.consumer({ groupId: `${topic}-group`, maxBytesPerPartition: 1 << 20 });
        await consumer.connect();
        await consumer.subscribe({ topic, fromBeginning: true });
        let count = 0;
        await consumer.run({ autoCommit: false, eachBatch: async ({ batch }) => void (count += batch.messages.length) });
        await waitFor(() => count >= o.messages, 300_000, 'kafkajs consumer');
        await consumer.disconnect();
        return count;
      },
    };
  },

  async platformatic(o, topic) {
    const { Admin, Producer, Consumer, ProduceAcks, stringSerializers } = await importFrom(o.modules, '@platformatic/kafka');
    const admin = new Admin({ clientId: 'bench', bootstrapBrokers: [o.bootstrap] });
    await admin.createTopics({ topics: [topic], partitions: o.partitions, replicas: 1 });
    await admin.close();
    return {
      async produce() {
        const producer = new Producer({ clientId: 'bench', bootstrapBrokers: [o.bootstrap], serializers: stringSerializers });
        for (let start = 0; start < o.messages; start += o.batch) {
          const messages = [];
          for (let i = start; i < Math.min(o.messages, start + o.batch); i++) {
            messages.push({ topic, key: `k${i % 1000}`, value: payload(o.size, i) });
          }
          await producer.send({ messages, acks: ProduceAcks.ALL });
        }
        await producer.close();
      },
      async consume() {
        const consumer = new Consumer({ clientId: 'bench', groupId: `${topic}-group`, bootstrapBrokers: [o.bootstrap] });
        const stream = await consumer.consume({ topics: [topic], mode: 'earliest', autocommit: false, maxBytesPerPartition: 1 << 20 });
        let count = 0;
        for await (const _message of stream) {
          if (++count >= o.messages) break;
        }
        await stream.close();
        await consumer.close(true);
        return count;
      },
    };
  },

  eddy: (o, topic) => eddyAdapter(o, topic, 'kafkajs-client.js', 'createKafkajsClient'),
  'eddy-platformatic': (o, topic) => {
    // The adapter loads @platformatic/kafka from the project, or from the directory this variable names.
    process.env.EDDY_KAFKA_CLIENT_MODULES ??= resolve(o.modules);
    return eddyAdapter(o, topic, 'platformatic-client.js', 'createPlatformaticClient');
  },
};

/** Eddy's `KafkaClient` adapter `file` (dist/), produced through its producer, consumed with assigned partitions. */
async function eddyAdapter(o, topic, file, factory) {
    const adapter = join(repoRoot, 'dist', 'src', 'connectors', 'kafka', file);
    if (!existsSync(adapter)) throw new Error('dist/ has no Kafka adapter: run `npx tsc -p tsconfig.build.json` first');
    const client = (await import(pathToFileURL(adapter).href))[factory]({ bootstrapServers: [o.bootstrap], clientId: 'bench' });
    const admin = await client.admin();
    await admin.createTopic({ topic, partitions: o.partitions });
    await admin.close();
    return {
      async produce() {
        const producer = await client.producer();
        for (let start = 0; start < o.messages; start += o.batch) {
          const records = [];
          for (let i = start; i < Math.min(o.messages, start + o.batch); i++) records.push({ topic, key: `k${i % 1000}`, value: payload(o.size, i) });
          await producer.send(records);
        }
        await producer.close();
      },
      async consume() {
        const consumer = await client.consumer({ isolationLevel: 'read_uncommitted' });
        await consumer.assign(Array.from({ length: o.partitions }, (_, partition) => ({ topic, partition, offset: 0n })));
        let count = 0;
        const deadline = Date.now() + 300_000;
        while (count < o.messages && Date.now() < deadline) {
          for (const batch of await consumer.fetch({ maxWaitMs: 100 })) count += batch.records.length;
        }
        await consumer.close();
        return count;
      },
    };
}

async function main() {
  const o = parseArgs(process.argv.slice(2));
  const make = clients[o.client];
  if (!make) throw new Error(`--client must be one of ${Object.keys(clients).join(', ')}`);
  const topic = `bench-${o.client}-${Date.now().toString(36)}`;
  const bench = await make(o, topic);
  const mb = (o.messages * o.size) / 1e6;

  let started = performance.now();
  await bench.produce();
  const produceSeconds = (performance.now() - started) / 1000;

  started = performance.now();
  const read = await bench.consume();
  const consumeSeconds = (performance.now() - started) / 1000;
  if (read !== o.messages) throw new Error(`read ${read} messages back, produced ${o.messages}`);

  console.log(
    JSON.stringify({
      client: o.client,
      messages: o.messages,
      size: o.size,
      batch: o.batch,
      partitions: o.partitions,
      produceMsgPerSec: Math.round(o.messages / produceSeconds),
      produceMBPerSec: +(mb / produceSeconds).toFixed(1),
      consumeMsgPerSec: Math.round(o.messages / consumeSeconds),
      consumeMBPerSec: +(mb / consumeSeconds).toFixed(1),
    }),
  );
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error instanceof Error ? error.stack : error);
    process.exit(1);
  },
);
