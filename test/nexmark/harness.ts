/**
 * Runs a Nexmark query file (bench/nexmark/queries/qN.sql: the benchmark's Flink SQL text, writing to a blackhole table)
 * with its sink replaced by a collecting query: the file's other statements (views, side tables) are
 * executed, the blackhole `CREATE TABLE` is left out, and the `INSERT INTO ... SELECT` runs as its SELECT,
 * whose changelog (+I/-U/+U/-D) is applied to a final multiset of rows.
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { Eddy } from '../../src/engine/eddy.js';
import type { JobSummary } from '../../src/engine/job-summary.js';
import { nexmarkConfig } from '../../src/connectors/nexmark/config.js';
import { AUCTION, AUCTION_FIELDS, BID, BID_FIELDS, NexmarkGenerator, PERSON, PERSON_FIELDS } from '../../src/connectors/nexmark/generator.js';
import { jsonLines, type Auction, type Bid, type Events, type Person } from './events.js';

/** The benchmark's query files and DDL (bench/nexmark/): the tests run the very texts `npm run bench:nexmark` runs. */
const BENCH = fileURLToPath(new URL('../../bench/nexmark/', import.meta.url));
export const SECOND = 1000;

/** A query file's text. */
export function queryText(query: string): string {
  return readFileSync(join(BENCH, 'queries', `${query}.sql`), 'utf8');
}

/**
 * The statements of a query file other than its blackhole sink table, and the SELECT of its INSERT.
 * Line comments are removed first (some hold a `;`); the texts hold no `;` or `--` inside string literals.
 */
export function splitQuery(text: string): { setup: string[]; select: string } {
  const statements = text
    .replace(/--[^\n]*/g, '')
    .split(';')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  const setup: string[] = [];
  let select: string | undefined;
  for (const s of statements) {
    const insert = /^INSERT\s+INTO\s+\w+\s+([\s\S]*)$/i.exec(s);
    if (insert) {
      expect(select, 'one INSERT per query file').toBeUndefined();
      select = insert[1]!;
    } else if (/^CREATE\s+TABLE\s+\w+/i.test(s) && /'connector'\s*=\s*'blackhole'/.test(s)) {
      continue;
    } else {
      setup.push(s);
    }
  }
  if (select === undefined) throw new Error('no INSERT INTO in the query file');
  return { setup, select };
}

/** A fresh temp directory. */
export function tempDir(prefix = 'eddy-nexmark-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Writes person.jsonl, auction.jsonl and bid.jsonl of the events into a new temp directory; returns it. */
export function writeEventFiles(events: Events): string {
  const dir = tempDir();
  mkdirSync(dir, { recursive: true });
  const lines = jsonLines(events);
  writeFileSync(join(dir, 'person.jsonl'), lines.person);
  writeFileSync(join(dir, 'auction.jsonl'), lines.auction);
  writeFileSync(join(dir, 'bid.jsonl'), lines.bid);
  return dir;
}

/** The DDL of the person/auction/bid tables over JSON-lines files in `${NEXMARK_DATA}` (the benchmark's ddl-files.sql). */
export const FILE_DDL = readFileSync(join(BENCH, 'ddl-files.sql'), 'utf8');

/** An input the queries run over: how to make a session whose catalog has person, auction and bid. */
export interface Input {
  readonly name: string;
  /** The events the tables hold (the oracle's input). */
  readonly events: Events;
  /** A new session with person, auction and bid declared; `dir` holds its files (side inputs go there too). */
  session(): Promise<{ eddy: Eddy; dir: string }>;
}

/** The events as JSON-lines files read by the filesystem tables of ddl-files.sql. */
export function fileInput(events: Events): Input {
  let dir: string | undefined;
  return {
    name: 'JSON files',
    events,
    async session() {
      dir ??= writeEventFiles(events);
      const eddy = new Eddy({ variables: { NEXMARK_DATA: dir, SIDE_INPUT: join(dir, 'side_input.txt') } });
      await executeAll(eddy, FILE_DDL);
      return { eddy, dir };
    },
  };
}

/** Generator table and views, `${EVENTS}` events at `${TPS}` events/s (the benchmark's ddl-generator.sql). */
export const GENERATOR_DDL = readFileSync(join(BENCH, 'ddl-generator.sql'), 'utf8');

/** The events the nexmark connector generates with these options: its generator module's, by event number. */
export function connectorEvents(events: number, rate: number): Events {
  const generator = new NexmarkGenerator(nexmarkConfig({ 'events.num': String(events), 'first-event.rate': String(rate), 'next-event.rate': String(rate) }));
  const out: Events = { persons: [], auctions: [], bids: [] };
  const object = (fields: readonly string[], values: unknown[]) => Object.fromEntries(fields.map((f, i) => [f, values[i]]));
  for (let n = 0; n < events; n++) {
    const kind = generator.kind(n);
    const values = generator.event(n);
    if (kind === PERSON) out.persons.push(object(PERSON_FIELDS, values) as unknown as Person);
    else if (kind === AUCTION) out.auctions.push(object(AUCTION_FIELDS, values) as unknown as Auction);
    else if (kind === BID) out.bids.push(object(BID_FIELDS, values) as unknown as Bid);
  }
  return out;
}

/**
 * The `'connector' = 'nexmark'` table of Nexmark's DDL and its person/auction/bid views (ddl-generator.sql), `events`
 * events at `rate` events/s of event time; the oracle's events are its generator module's.
 */
export function connectorInput(events: number, rate: number): Input {
  let generated: Events | undefined;
  return {
    name: 'nexmark connector',
    get events() {
      return (generated ??= connectorEvents(events, rate));
    },
    async session() {
      const dir = tempDir();
      const eddy = new Eddy({ variables: { EVENTS: String(events), TPS: String(rate), SIDE_INPUT: join(dir, 'side_input.txt') } });
      await executeAll(eddy, GENERATOR_DDL);
      return { eddy, dir };
    },
  };
}

/** The same input with its queries run at `parallelism.default` = n (instances in worker threads). */
export function atParallelism(input: Input, n: number): Input {
  return {
    name: `${input.name}, parallelism ${n}`,
    get events() {
      return input.events;
    },
    async session() {
      const s = await input.session();
      await executeAll(s.eddy, `SET 'parallelism.default' = '${n}'`);
      return s;
    },
  };
}

/** Executes DDL statements in order. */
export async function executeAll(eddy: Eddy, script: string): Promise<void> {
  for await (const r of eddy.executeScript(script)) {
    if (r.kind === 'query' || r.kind === 'job') throw new Error('executeAll is for DDL only');
  }
}

export interface Change {
  kind: number;
  row: unknown[];
}

/** Runs a query file's text over a session to its end: every change of its SELECT, and the job's summary. */
export async function runQueryText(eddy: Eddy, text: string): Promise<{ changes: Change[]; summary: JobSummary }> {
  const { setup, select } = splitQuery(text);
  for (const s of setup) await executeAll(eddy, s);
  const result = await eddy.execute(select);
  if (result.kind !== 'query') throw new Error(`expected a query, got ${result.kind}`);
  const batches = await result.query.collect();
  const changes = batches.flatMap((b) => b.rows.map((row, i) => ({ kind: b.kinds[i]!, row: [...row] })));
  return { changes, summary: result.query.summary() };
}

/** A value as compared: timestamps as epoch ms, DECIMAL/BIGINT values as numbers, other values as they are. */
export function canonical(v: unknown): unknown {
  if (v instanceof Date) return v.getTime();
  if (typeof v === 'bigint') return Number(v);
  if (v !== null && typeof v === 'object' && 'toString' in v && !Array.isArray(v)) {
    const n = Number(String(v));
    if (!Number.isNaN(n)) return n;
  }
  return v;
}

/**
 * Applies a changelog to a multiset: +I/+U add a row, -U/-D remove one, which must be there (a retraction of a
 * row never added fails the test). Returns the final rows (canonical values).
 */
export function applyChangelog(changes: readonly Change[]): unknown[][] {
  const bag = new Map<string, { row: unknown[]; n: number }>();
  for (const { kind, row } of changes) {
    const r = row.map(canonical);
    const key = JSON.stringify(r);
    const add = kind === 0 || kind === 2;
    const e = bag.get(key) ?? { row: r, n: 0 };
    e.n += add ? 1 : -1;
    if (e.n < 0) throw new Error(`retraction of a row never added: ${key}`);
    if (e.n === 0) bag.delete(key);
    else bag.set(key, e);
  }
  const out: unknown[][] = [];
  for (const { row, n } of bag.values()) for (let i = 0; i < n; i++) out.push(row);
  return out;
}

/** Sorted JSON strings of rows: equal multisets give equal arrays. */
export function sortedRows(rows: readonly unknown[][]): string[] {
  return rows.map((r) => JSON.stringify(r.map(canonical))).sort();
}

/**
 * Expects two multisets of rows to be equal, numbers at the columns `approx` equal to a relative tolerance
 * (SQL averages of DOUBLE): rows are matched after rounding those columns to 9 significant digits.
 */
export function expectSameRows(actual: readonly unknown[][], expected: readonly unknown[][], approx: readonly number[] = []): void {
  const round = (rows: readonly unknown[][]) =>
    rows.map((r) => r.map((v, i) => (approx.includes(i) && typeof v === 'number' ? Number(v.toPrecision(9)) : canonical(v))));
  expect(sortedRows(round(actual))).toEqual(sortedRows(round(expected)));
}

/** Tumbling window start of `ts` (ms), Flink's alignment (epoch multiples of the size; no offset). */
export const tumbleStart = (ts: number, size: number) => Math.floor(ts / size) * size;

/** The [start, end) hopping windows holding `ts`: size `size`, every `slide`. */
export function hopWindows(ts: number, slide: number, size: number): [number, number][] {
  const out: [number, number][] = [];
  for (let s = tumbleStart(ts, slide); s > ts - size; s -= slide) out.push([s, s + size]);
  return out;
}

/** Groups items by a string key, in first-seen order. */
export function groupBy<T>(items: readonly T[], key: (t: T) => string): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const t of items) {
    const k = key(t);
    const g = m.get(k);
    if (g) g.push(t);
    else m.set(k, [t]);
  }
  return m;
}

/** `yyyy-MM-dd` of a TIMESTAMP (UTC fields of the epoch ms, as a zoneless TIMESTAMP is formatted). */
export const dayOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);
/** `HH:mm` of a TIMESTAMP. */
export const minuteOf = (ms: number) => new Date(ms).toISOString().slice(11, 16);
