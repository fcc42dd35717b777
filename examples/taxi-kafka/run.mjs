#!/usr/bin/env node
// The Kafka version of the taxi example (`npm run taxi:kafka`; see README.md here). Needs a broker: the one
// `npm run kafka:start` runs (its address from `node scripts/kafka.mjs status`), or KAFKA_BOOTSTRAP=host:port.
//
// Usage: node examples/taxi-kafka/run.mjs [--prefix NAME]
//
// It (re)creates the topics `<prefix>-rides` (3 partitions) and `<prefix>-hot-spots` (1 partition; the prefix is
// `taxi` unless given), then runs, with `eddy run` and examples/taxi-kafka/tables.sql:
//   1. load.sql: the ride file (examples/taxi/data/rides.json) into the rides topic;
//   2. hot-spots.sql: the windowed job from the rides topic into the hot spots topic, then a look at that topic.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import kafkajs from 'kafkajs';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');

function fail(message) {
  process.stderr.write(`taxi:kafka: ${message}\n`);
  process.exit(1);
}

let prefix = 'taxi';
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  if (argv[i] === '--prefix' && argv[i + 1]) prefix = argv[++i];
  else fail(`unknown argument '${argv[i]}' (usage: run.mjs [--prefix NAME])`);
}

function bootstrapAddress() {
  if (process.env.KAFKA_BOOTSTRAP) return process.env.KAFKA_BOOTSTRAP;
  const status = spawnSync(process.execPath, [join(root, 'scripts', 'kafka.mjs'), 'status'], { encoding: 'utf8' });
  if (status.status !== 0 || !status.stdout.trim()) {
    fail(
      'no Kafka broker is running. Start one with `npm run kafka:start` (it needs Java 17+ and Maven; the first start\n' +
        'fetches the broker), then run `npm run taxi:kafka` again; `npm run kafka:stop` stops it. Or set\n' +
        'KAFKA_BOOTSTRAP=host:port to use a broker of your own.',
    );
  }
  return status.stdout.trim();
}

const bootstrap = bootstrapAddress();
const topics = { rides: `${prefix}-rides`, hotSpots: `${prefix}-hot-spots` };

/** Deletes the example's topics if they exist (from an earlier run) and creates them empty. */
async function freshTopics() {
  const kafka = new kafkajs.Kafka({ brokers: [bootstrap], clientId: 'eddy-taxi-kafka', logLevel: kafkajs.logLevel.NOTHING });
  const admin = kafka.admin();
  try {
    await admin.connect();
    const existing = (await admin.listTopics()).filter((t) => t === topics.rides || t === topics.hotSpots);
    if (existing.length > 0) await admin.deleteTopics({ topics: existing, timeout: 30_000 });
    const wanted = [
      { topic: topics.rides, numPartitions: 3 },
      { topic: topics.hotSpots, numPartitions: 1 },
    ];
    // A topic just deleted may take a moment to go; creating it again fails until it has.
    for (let attempt = 0; ; attempt++) {
      try {
        await admin.createTopics({ topics: wanted, waitForLeaders: true, timeout: 30_000 });
        return;
      } catch (error) {
        if (attempt >= 40) throw error;
        await new Promise((r) => setTimeout(r, 250));
      }
    }
  } catch (error) {
    fail(`could not create the topics on the broker at ${bootstrap}: ${error.message}`);
  } finally {
    await admin.disconnect();
  }
}

function eddy(script) {
  const args = [
    join(root, 'bin', 'eddy.js'), 'run', join(here, script), '-i', join(here, 'tables.sql'),
    '--define', `bootstrap=${bootstrap}`, '--define', `rides_topic=${topics.rides}`, '--define', `hot_spots_topic=${topics.hotSpots}`,
  ];
  const r = spawnSync(process.execPath, args, { stdio: 'inherit', cwd: root });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

await freshTopics();
process.stderr.write(`taxi:kafka: broker ${bootstrap}, topics ${topics.rides} and ${topics.hotSpots}\n`);
eddy('load.sql');
eddy('hot-spots.sql');
