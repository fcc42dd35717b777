/**
 * The `nexmark` connector through SQL: Flink Nexmark's own DDL (the `datagen` table with ROW columns and the
 * computed event time) and views, queries over them checked against a batch computation over the generator's
 * events; and `eddy nexmark --out` files holding the same events (read back as JSON, and through the filesystem
 * DDL of bench/nexmark/ddl-files.sql: the same query gives the same result over the files and over the views).
 * `eddy nexmark` runs from dist/ (built by `npm test`).
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { Eddy } from '../../src/engine/eddy.js';
import { nexmarkConfig } from '../../src/connectors/nexmark/config.js';
import { NexmarkGenerator } from '../../src/connectors/nexmark/generator.js';
import { executeAll, materialize, readJsonLinesFile, runEddy, runQuery, sortedRows, tempDir } from './helpers.js';

const BENCH = fileURLToPath(new URL('../../bench/nexmark/', import.meta.url));
const EVENTS = 6000;
const RATE = 100; // 10 ms apart: a minute of event time

/** Flink Nexmark's DDL as the benchmark runs it (backquoted `dateTime`), for N events. */
const flinkDdl = (events: number, rate = RATE) => `CREATE TABLE datagen (
  event_type INT,
  person ROW<id BIGINT, name VARCHAR, emailAddress VARCHAR, creditCard VARCHAR, city VARCHAR, state VARCHAR, \`dateTime\` TIMESTAMP(3), extra VARCHAR>,
  auction ROW<id BIGINT, itemName VARCHAR, description VARCHAR, initialBid BIGINT, reserve BIGINT, \`dateTime\` TIMESTAMP(3), expires TIMESTAMP(3), seller BIGINT, category BIGINT, extra VARCHAR>,
  bid ROW<auction BIGINT, bidder BIGINT, price BIGINT, channel VARCHAR, url VARCHAR, \`dateTime\` TIMESTAMP(3), extra VARCHAR>,
  \`dateTime\` AS CASE WHEN event_type = 0 THEN person.\`dateTime\` WHEN event_type = 1 THEN auction.\`dateTime\` ELSE bid.\`dateTime\` END,
  WATERMARK FOR \`dateTime\` AS \`dateTime\` - INTERVAL '4' SECOND
) WITH ('connector' = 'nexmark', 'first-event.rate' = '${rate}', 'next-event.rate' = '${rate}', 'events.num' = '${events}', 'person.proportion' = '1', 'auction.proportion' = '3', 'bid.proportion' = '46');
CREATE VIEW person AS SELECT person.id, person.name, person.emailAddress, person.creditCard, person.city, person.state, \`dateTime\`, person.extra FROM datagen WHERE event_type = 0;
CREATE VIEW auction AS SELECT auction.id, auction.itemName, auction.description, auction.initialBid, auction.reserve, \`dateTime\`, auction.expires, auction.seller, auction.category, auction.extra FROM datagen WHERE event_type = 1;
CREATE VIEW bid AS SELECT bid.auction, bid.bidder, bid.price, bid.channel, bid.url, \`dateTime\`, bid.extra FROM datagen WHERE event_type = 2;`;

/** The reference's ddl_gen.sql text (unquoted dateTime, a bid ROW without channel and url) and ddl_views.sql's view. */
const referenceDdl = (events: number) => `CREATE TABLE datagen (
    event_type int,
    person ROW<id BIGINT, name VARCHAR, emailAddress VARCHAR, creditCard VARCHAR, city VARCHAR, state VARCHAR, dateTime TIMESTAMP(3), extra VARCHAR>,
    auction ROW<id BIGINT, itemName VARCHAR, description VARCHAR, initialBid BIGINT, reserve BIGINT, dateTime TIMESTAMP(3), expires TIMESTAMP(3), seller BIGINT, category BIGINT, extra VARCHAR>,
    bid ROW<auction BIGINT, bidder BIGINT, price BIGINT, dateTime TIMESTAMP(3), extra VARCHAR>,
    dateTime AS
        CASE
            WHEN event_type = 0 THEN person.dateTime
            WHEN event_type = 1 THEN auction.dateTime
            ELSE bid.dateTime
        END,
    WATERMARK FOR dateTime AS dateTime - INTERVAL '4' SECOND
) WITH ('connector' = 'nexmark', 'first-event.rate' = '${RATE}', 'next-event.rate' = '${RATE}', 'events.num' = '${events}');
CREATE VIEW bid AS SELECT bid.auction, bid.bidder, bid.price, dateTime, bid.extra FROM datagen WHERE event_type = 2;`;

/** The generator's events, independently of the connector: kind and ROW value by event number. */
function events(n: number): { kind: number; values: unknown[] }[] {
  const g = new NexmarkGenerator(nexmarkConfig({ 'events.num': String(n), 'first-event.rate': String(RATE) }));
  return Array.from({ length: n }, (_, i) => ({ kind: g.kind(i), values: g.event(i) }));
}

const SECOND = 1000;
/** Bids per auction in 10-second tumbling windows, of bids with price > 10,000 (a batch computation). */
function windowedCounts(evs: { kind: number; values: unknown[] }[]): string[] {
  const counts = new Map<string, number>();
  for (const e of evs) {
    if (e.kind !== 2) continue;
    const [auction, , price, , , time] = e.values as [number, number, number, string, string, number];
    if (price <= 10_000) continue;
    const start = Math.floor(time / (10 * SECOND)) * 10 * SECOND;
    const key = JSON.stringify([auction, start, start + 10 * SECOND]);
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts].map(([k, c]) => JSON.stringify([...(JSON.parse(k) as unknown[]), c])).sort();
}

const WINDOWED = `SELECT auction, window_start, window_end, COUNT(*) AS n
  FROM TABLE(TUMBLE(TABLE bid, DESCRIPTOR(\`dateTime\`), INTERVAL '10' SECOND))
  WHERE price > 10000 GROUP BY auction, window_start, window_end`;

const eddys: Eddy[] = [];
afterAll(async () => {
  for (const e of eddys) await e.close();
});

function engine(): Eddy {
  const e = new Eddy();
  eddys.push(e);
  return e;
}

/** Rows as `[v, ...]` JSON with TIMESTAMP values as epoch ms (how the engine hands them out). */
const asJson = (rows: unknown[][]) => sortedRows(rows);

describe('the nexmark connector in SQL', () => {
  it("runs Flink Nexmark's DDL and views unchanged; the views hold the generator's events", async () => {
    const eddy = engine();
    await executeAll(eddy, flinkDdl(EVENTS));
    const evs = events(EVENTS);
    const expect3 = async (view: string, kind: number) => {
      const { changes } = await runQuery(eddy, `SELECT * FROM ${view}`);
      expect(materialize(changes)).toEqual(asJson(evs.filter((e) => e.kind === kind).map((e) => e.values)));
    };
    await expect3('person', 0);
    await expect3('auction', 1);
    await expect3('bid', 2);
  });

  it('gives a windowed query over the views the batch result', async () => {
    const eddy = engine();
    await executeAll(eddy, flinkDdl(EVENTS));
    const { changes } = await runQuery(eddy, WINDOWED);
    const got = materialize(changes);
    expect(got.length).toBeGreaterThan(20);
    expect(got).toEqual(windowedCounts(events(EVENTS)));
  });

  it("runs the reference's ddl_gen.sql form too (unquoted dateTime, fewer bid fields)", async () => {
    const eddy = engine();
    await executeAll(eddy, referenceDdl(500));
    const { changes } = await runQuery(eddy, 'SELECT * FROM bid');
    const expected = events(500)
      .filter((e) => e.kind === 2)
      .map((e) => [e.values[0], e.values[1], e.values[2], e.values[5], e.values[6]]);
    expect(materialize(changes)).toEqual(asJson(expected));
  });

  it('writes and reads its ROW columns through the json format (nested objects, times inside)', async () => {
    const eddy = engine();
    await executeAll(eddy, flinkDdl(500));
    const dir = tempDir('eddy-nexmark-rows-');
    const columns = `event_type INT,
      person ROW<id BIGINT, name STRING, emailAddress STRING, creditCard STRING, city STRING, state STRING, \`dateTime\` TIMESTAMP(3), extra STRING>,
      auction ROW<id BIGINT, itemName STRING, description STRING, initialBid BIGINT, reserve BIGINT, \`dateTime\` TIMESTAMP(3), expires TIMESTAMP(3), seller BIGINT, category BIGINT, extra STRING>,
      bid ROW<auction BIGINT, bidder BIGINT, price BIGINT, channel STRING, url STRING, \`dateTime\` TIMESTAMP(3), extra STRING>`;
    await executeAll(eddy, `CREATE TABLE copy (${columns}) WITH ('connector' = 'filesystem', 'path' = '${join(dir, 'copy.jsonl')}', 'format' = 'json');`);
    const r = await eddy.execute('INSERT INTO copy SELECT event_type, person, auction, bid FROM datagen');
    if (r.kind !== 'job') throw new Error(`expected a job, got ${r.kind}`);
    await r.job.done;
    // The sink writes part files into the path, a directory.
    const lines = readdirSync(join(dir, 'copy.jsonl'), { recursive: true })
      .map(String)
      .filter((f) => !f.startsWith('.') && !f.includes('/.') && statSync(join(dir, 'copy.jsonl', f)).isFile())
      .flatMap((f) => readJsonLinesFile(join(dir, 'copy.jsonl', f)));
    const evs = events(500);
    expect(lines.length).toBe(500);
    const bidTime = (l: Record<string, unknown>) => (l['bid'] as Record<string, string>)['dateTime']!;
    const bidLine = lines.filter((l) => l['event_type'] === 2).sort((a, b) => bidTime(a).localeCompare(bidTime(b)))[0]!;
    expect(bidLine['person']).toBe(null);
    expect(Object.keys(bidLine['bid'] as object)).toEqual(['auction', 'bidder', 'price', 'channel', 'url', 'dateTime', 'extra']);
    expect((bidLine['bid'] as Record<string, unknown>)['dateTime']).toBe('2026-03-01 00:00:00.040'); // event 4, 10 ms apart
    const { changes } = await runQuery(eddy, 'SELECT * FROM copy');
    expect(materialize(changes)).toEqual(asJson(evs.map((e) => [e.kind, ...[0, 1, 2].map((k) => (k === e.kind ? e.values : null))])));
  });

  it('refuses a table the generator cannot fill, at CREATE TABLE', async () => {
    const eddy = engine();
    await expect(eddy.execute(`CREATE TABLE bad (event_type INT, bid ROW<auction BIGINT, tip BIGINT>) WITH ('connector' = 'nexmark')`)).rejects.toThrow(/`bid`.`tip` is not a bid field/);
    await expect(eddy.execute(`CREATE TABLE bad (event_type INT) WITH ('connector' = 'nexmark', 'events' = '5')`)).rejects.toThrow(/events/);
  });
});

describe('eddy nexmark', () => {
  const dir = tempDir('eddy-nexmark-');
  const out = join(dir, 'data');
  const run = runEddy(['nexmark', '--events', String(EVENTS), '--out', out, '--rate', String(RATE)]);

  it('writes the events of the source as JSON lines, one file per kind, times as text', async () => {
    const r = await run;
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const summary = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(summary).toMatchObject({ events: EVENTS, person: EVENTS / 50, auction: (EVENTS / 50) * 3, bid: (EVENTS / 50) * 46, first: '2026-03-01 00:00:00.000', last: '2026-03-01 00:00:59.990' });
    const evs = events(EVENTS);
    const text = (ms: number) => new Date(ms).toISOString().replace('T', ' ').replace('Z', '');
    const fields: Record<string, readonly string[]> = {
      person: ['id', 'name', 'emailAddress', 'creditCard', 'city', 'state', 'dateTime', 'extra'],
      auction: ['id', 'itemName', 'description', 'initialBid', 'reserve', 'dateTime', 'expires', 'seller', 'category', 'extra'],
      bid: ['auction', 'bidder', 'price', 'channel', 'url', 'dateTime', 'extra'],
    };
    (['person', 'auction', 'bid'] as const).forEach((kindName, kind) => {
      const lines = readJsonLinesFile(join(out, `${kindName}.jsonl`));
      const expected = evs
        .filter((e) => e.kind === kind)
        .map((e) => Object.fromEntries(fields[kindName]!.map((f, i) => [f, f === 'dateTime' || f === 'expires' ? text(e.values[i] as number) : e.values[i]])));
      expect(lines).toEqual(expected);
      // Field order as the views' columns.
      expect(Object.keys(lines[0]!)).toEqual(fields[kindName]);
    });
  });

  it('gives the same query results over the files (filesystem json DDL) as over the views', async () => {
    await run;
    const files = engine();
    await executeAll(files, readFileSync(join(BENCH, 'ddl-files.sql'), 'utf8').replaceAll('${NEXMARK_DATA}', out));
    const views = engine();
    await executeAll(views, flinkDdl(EVENTS));
    for (const q of [WINDOWED, 'SELECT * FROM person', 'SELECT * FROM auction', 'SELECT auction, bidder, price, channel, url, `dateTime`, extra FROM bid WHERE MOD(price, 7) = 0']) {
      const a = materialize((await runQuery(files, q)).changes);
      const b = materialize((await runQuery(views, q)).changes);
      expect(a.length).toBeGreaterThan(0);
      expect(a).toEqual(b);
    }
  });

  it('refuses bad arguments with a usage error', async () => {
    const cases: [string[], RegExp][] = [
      [['nexmark', '--out', dir], /missing --events N/],
      [['nexmark', '--events', '10'], /missing --out DIR/],
      [['nexmark', '--events', 'many', '--out', dir], /--events needs a positive whole number, got 'many'/],
      [['nexmark', '--events', '10', '--out', dir, '--rate', '0'], /--rate needs a positive whole number/],
      [['nexmark', '--events', '10', '--out', dir, '--speed', '3'], /unknown option --speed/],
      [['nexmark', '--events', '10', '--out', dir, '--bid.proportion', '0'], /--bid.proportion: must be at least 1/],
    ];
    for (const [args, message] of cases) {
      const r = await runEddy(args);
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(message);
    }
    const help = await runEddy(['nexmark', '--help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('eddy nexmark --events N --out DIR');
  });
});
