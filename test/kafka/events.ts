// The event stream of the Kafka suite's end-to-end tests, and the batch computations their results are compared
// with: windows computed here in plain loops over the whole input, independently of Eddy.

import type { KafkaAdmin, KafkaOutgoingRecord } from '../../src/connectors/kafka/client.js';
import { prng } from '../e2e/helpers.js';
import { sqlTimestamp } from './run-helpers.js';

/** An event: its key, a value and its event time (epoch ms). */
export interface Ev {
  k: string;
  v: number;
  ts: number;
}

export const BASE = Date.UTC(2024, 2, 4, 8, 0, 0);
/** The watermark delay the tests' tables declare (`ts - INTERVAL '5' SECOND`). */
export const DELAY = 5000;
/** Each event is less than this behind the latest one before it, so with a DELAY watermark none is late. */
export const DISORDER = 4800;

/**
 * `n` events in production order over `keys`: event time mostly rising by up to `maxStep` ms, each up to DISORDER
 * behind, with a 25 s pause one time in a hundred (pauses end sessions). The same seed gives the same events.
 */
export function generateEvents(seed: number, n: number, keys: readonly string[], maxStep = 500): Ev[] {
  const rand = prng(seed);
  const events: Ev[] = [];
  let t = BASE;
  for (let i = 0; i < n; i++) {
    t += rand() < 0.01 ? 25_000 : Math.floor(rand() * maxStep);
    events.push({ k: keys[Math.floor(rand() * keys.length)]!, v: Math.floor(rand() * 1000), ts: t - Math.floor(rand() * DISORDER) });
  }
  return events;
}

/**
 * Creates a topic for events: their records carry event times of 2024, which the broker's time retention (7 days by
 * default) would delete within minutes, so the topic keeps its records forever.
 */
export async function createEventTopic(admin: KafkaAdmin, topic: string, partitions: number): Promise<void> {
  await admin.createTopic({ topic, partitions, configs: { 'retention.ms': '-1' } });
}

/**
 * The events as JSON messages (`ts` in ISO-8601) on `partitions` partitions, each to a random one (seeded), so every
 * key's events are spread over all of them; the record's timestamp is the event time too. `padding` adds a field of
 * that many characters that the tables do not declare.
 */
export function eventRecords(topic: string, events: readonly Ev[], partitions: number, options: { seed?: number; padding?: number } = {}): KafkaOutgoingRecord[] {
  const rand = prng(options.seed ?? 99);
  // A field the tables do not declare, to make records larger (so fewer come in each fetch).
  const note = options.padding ? { note: 'x'.repeat(options.padding) } : {};
  return events.map((e) => ({
    topic,
    partition: Math.floor(rand() * partitions),
    key: e.k,
    value: JSON.stringify({ k: e.k, v: e.v, ts: new Date(e.ts).toISOString(), ...note }),
    timestamp: e.ts,
  }));
}

/**
 * The exactly-once tests' job: per key, COUNT(*), SUM(v) and MAX(v) of the events of `input` in 1-minute tumbling
 * windows (the events' table has a DELAY watermark and reads `input` from its start to its end when the job starts),
 * written to `output` by an exactly-once kafka sink with transactional ids `txPrefix-0` / `-1`. `connection` is
 * the tables' connection options (e.g. `'properties.bootstrap.servers' = 'host:port'`).
 */
export function windowedJobScript(o: { connection: string; input: string; output: string; txPrefix: string; checkpointInterval: string }): string {
  return `SET 'execution.checkpointing.interval' = '${o.checkpointInterval}';
         CREATE TABLE events (k STRING, v INT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL '${DELAY / 1000}' SECOND) WITH (
           'connector' = 'kafka', 'topic' = '${o.input}', ${o.connection}, 'format' = 'json',
           'scan.startup.mode' = 'earliest-offset', 'scan.bounded.mode' = 'latest-offset');
         CREATE TABLE per_minute (k STRING, window_start TIMESTAMP(3), window_end TIMESTAMP(3), c BIGINT, s BIGINT, mx INT) WITH (
           'connector' = 'kafka', 'topic' = '${o.output}', ${o.connection}, 'format' = 'json',
           'key.format' = 'csv', 'key.fields' = 'k',
           'sink.delivery-guarantee' = 'exactly-once', 'sink.transactional-id-prefix' = '${o.txPrefix}');
         INSERT INTO per_minute SELECT k, window_start, window_end, COUNT(*), SUM(v), MAX(v)
           FROM TABLE(TUMBLE(TABLE events, DESCRIPTOR(ts), INTERVAL '1' MINUTE)) GROUP BY window_start, window_end, k;`;
}

/** COUNT(*), SUM(v), MAX(v) of a group. */
export const aggregate = (g: readonly Ev[]) => ({ c: g.length, s: g.reduce((a, e) => a + e.v, 0), mx: g.reduce((m, e) => Math.max(m, e.v), -Infinity) });

/** The batch computation of a tumbling (slide = size) or hopping window aggregate: one row per key and window. */
export function batchWindows(events: readonly Ev[], slide: number, size: number): { k: string; window_start: string; window_end: string; c: number; s: number; mx: number }[] {
  const groups = new Map<string, Ev[]>();
  for (const e of events) {
    for (let s = Math.floor(e.ts / slide) * slide; s > e.ts - size; s -= slide) {
      const key = `${e.k}|${s}`;
      const g = groups.get(key);
      if (g) g.push(e);
      else groups.set(key, [e]);
    }
  }
  return [...groups].map(([key, g]) => {
    const [k, s] = key.split('|');
    return { k: k!, window_start: sqlTimestamp(Number(s)), window_end: sqlTimestamp(Number(s) + size), ...aggregate(g) };
  });
}

/** The batch computation of session windows per key: a session ends where the next event is `gap` or more later. */
export function batchSessions(events: readonly Ev[], gap: number): object[] {
  const out: object[] = [];
  for (const k of new Set(events.map((e) => e.k))) {
    const sorted = events.filter((e) => e.k === k).sort((a, b) => a.ts - b.ts);
    let current: Ev[] = [];
    const close = () => {
      if (current.length) out.push({ k, window_start: sqlTimestamp(current[0]!.ts), window_end: sqlTimestamp(current.at(-1)!.ts + gap), ...aggregate(current) });
    };
    for (const e of sorted) {
      if (current.length && e.ts >= current.at(-1)!.ts + gap) {
        close();
        current = [];
      }
      current.push(e);
    }
    close();
  }
  return out;
}

/** The batch computation of an unwindowed `GROUP BY k` with COUNT(*) and SUM(v): key -> [count, sum]. */
export function batchPerKey(events: readonly Ev[]): Map<string, [number, number]> {
  const out = new Map<string, [number, number]>();
  for (const e of events) {
    const x = out.get(e.k) ?? [0, 0];
    out.set(e.k, [x[0] + 1, x[1] + e.v]);
  }
  return out;
}
