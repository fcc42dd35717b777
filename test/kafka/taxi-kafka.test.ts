// The Kafka version of the taxi example, run as the README says (`npm run taxi:kafka`, here with KAFKA_BOOTSTRAP set
// to the suite's broker and topics of its own): the ride file is loaded into a topic, the windowed job reads it and
// writes the hot spots topic, and what it prints, and what that topic holds, equal a batch computation of the hot
// spots over the ride file written here in plain JS. Without a broker, the script says how to start one.

import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KafkaAdmin, KafkaClient } from '../../src/connectors/kafka/client.js';
import { createKafkajsClient } from '../../src/connectors/kafka/kafkajs-client.js';
import { tempDir } from '../e2e/helpers.js';
import { javaDefaultPartition, kafkaBootstrap, uniqueTopic } from './broker.js';
import { jsonValues, multiset, readCommitted } from './run-helpers.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

let client: KafkaClient;
let admin: KafkaAdmin;

beforeAll(async () => {
  client = createKafkajsClient({ bootstrapServers: [kafkaBootstrap()], clientId: 'eddy-taxi-kafka-test' });
  admin = await client.admin();
});

afterAll(async () => {
  await admin?.close();
});

/** Runs a command in the repository's root to its end, with `env` added. */
function run(command: string, args: readonly string[], env: Record<string, string>): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: ROOT, env: { ...process.env, NO_COLOR: '1', ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

interface Ride {
  taxi_id: number;
  is_start: boolean;
  lon: number;
  lat: number;
  ts: string;
}

const MINUTE = 60_000;
const millis = (ts: string) => Date.parse(ts.replace(' ', 'T') + 'Z');
const text = (ms: number) => new Date(ms).toISOString().replace('T', ' ').replace('Z', '');
/** A coordinate's grid cell, as the view computes it in doubles: ROUND(FLOOR(x * 100) / 100, 2). */
const cell = (x: number) => Number((Math.floor(x * 100) / 100).toFixed(2));

/** The hot spots of the rides, in plain JS: ride starts per 0.01-degree cell per 10-minute window, 25 or more. */
function hotSpots(rides: readonly Ride[]): { window_start: string; window_end: string; cell_lon: number; cell_lat: number; starts: number }[] {
  const counts = new Map<string, number>();
  for (const r of rides) {
    if (!r.is_start) continue;
    const start = Math.floor(millis(r.ts) / (10 * MINUTE)) * 10 * MINUTE;
    const key = JSON.stringify([start, cell(r.lon), cell(r.lat)]);
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts]
    .filter(([, n]) => n >= 25)
    .map(([key, starts]) => {
      const [start, lon, lat] = JSON.parse(key) as [number, number, number];
      return { window_start: text(start), window_end: text(start + 10 * MINUTE), cell_lon: lon, cell_lat: lat, starts };
    });
}

describe('the Kafka version of the taxi example (npm run taxi:kafka)', () => {
  it('prints and writes the hot spots of the batch computation', async () => {
    const prefix = uniqueTopic('taxi');
    const r = await run('npm', ['run', 'taxi:kafka', '--', '--prefix', prefix], { KAFKA_BOOTSTRAP: kafkaBootstrap() });
    expect(r.status, r.stderr).toBe(0);
    const rides = readFileSync(join(ROOT, 'examples/taxi/data/rides.json'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Ride);
    const expected = hotSpots(rides);
    expect(expected.length).toBeGreaterThan(20);

    // The load step wrote every event, keyed by its taxi, to the partition Kafka's default partitioner picks.
    const loaded = await readCommitted(client, admin, `${prefix}-rides`, rides.length);
    expect(loaded).toHaveLength(rides.length);
    expect(multiset(jsonValues(loaded).map((v) => (v as Ride).taxi_id))).toEqual(multiset(rides.map((x) => x.taxi_id)));
    for (const m of loaded.slice(0, 500)) expect(m.partition).toBe(javaDefaultPartition(m.key!, 3));
    // Every job read all it should and dropped nothing as late or bad.
    expect(r.stderr).toContain(`Job finished (INSERT INTO rides SELECT * FROM rides_file): ${rides.length.toLocaleString('en-US')} rows in, ${rides.length.toLocaleString('en-US')} rows out, 0 late rows dropped, 0 bad rows skipped.`);
    expect(r.stderr).toMatch(new RegExp(`Job finished \\(INSERT INTO hot_spots .*\\): ${rides.length.toLocaleString('en-US')} rows in, ${expected.length} rows out, 0 late rows dropped, 0 bad rows skipped\\.`));

    // The hot spots topic holds the batch computation's rows, once each.
    const written = await readCommitted(client, admin, `${prefix}-hot-spots`, expected.length);
    expect(multiset(jsonValues(written))).toEqual(multiset(expected));
    // And the example printed them.
    const printed = r.stdout
      .split('\n')
      .filter((l) => l.startsWith('| 20'))
      .map((l) => l.split('|').slice(1, -1).map((c) => c.trim()))
      .map(([ws, we, lon, lat, n]) => ({ window_start: ws, window_end: we, cell_lon: Number(lon), cell_lat: Number(lat), starts: Number(n) }));
    expect(multiset(printed)).toEqual(multiset(expected));
  }, 180_000);

  it('without a broker, says how to start one', async () => {
    const r = await run(process.execPath, ['examples/taxi-kafka/run.mjs'], { KAFKA_BOOTSTRAP: '', EDDY_KAFKA_DIR: tempDir('eddy-no-kafka-') });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('taxi:kafka: no Kafka broker is running. Start one with `npm run kafka:start`');
  });
});
