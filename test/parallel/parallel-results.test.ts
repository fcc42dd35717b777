/**
 * `parallelism.default` = 2 and 3: a job runs as parallel instances in worker threads, cut at its exchanges. Its
 * results are those of the same query computed here, independently of Eddy (and so equal to parallelism 1's),
 * for a windowed aggregate, a group aggregate over a group aggregate (retractions cross the exchange), a regular
 * join and an interval join, over JSON files the instances split between them.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Eddy } from '../../src/engine/eddy.js';
import { EddyError } from '../../src/common/errors.js';
import { executeAll, materialize, prng, runQuery, tempDir, writeJsonLines } from '../e2e/helpers.js';

interface Bid {
  auction: number;
  bidder: number;
  price: number;
  ts: number;
}

const BASE = Date.UTC(2024, 0, 1);
const N_BIDS = 6000;
const N_AUCTIONS = 120;

/** Bids in event-time order (a few per millisecond step), from a seeded PRNG. */
function makeBids(): Bid[] {
  const rand = prng(19);
  const bids: Bid[] = [];
  let ts = BASE;
  for (let i = 0; i < N_BIDS; i++) {
    ts += Math.floor(rand() * 7);
    bids.push({ auction: Math.floor(rand() * N_AUCTIONS), bidder: Math.floor(rand() * 50), price: 1 + Math.floor(rand() * 1000), ts });
  }
  return bids;
}

function tsText(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').replace('Z', '');
}

const bids = makeBids();
/** Auctions: id → seller (some auctions have no row: the join drops their bids). */
const sellers = new Map<number, number>();
for (let id = 0; id < N_AUCTIONS; id++) if (id % 7 !== 3) sellers.set(id, id % 11);

const sessions: Eddy[] = [];
afterEach(async () => {
  for (const e of sessions.splice(0)) await e.close();
});

async function session(parallelism: number): Promise<Eddy> {
  const dir = tempDir('eddy-parallel-');
  const bidsPath = writeJsonLines(dir, 'bids.json', bids.map((b) => ({ auction: b.auction, bidder: b.bidder, price: b.price, ts: tsText(b.ts) })));
  const auctionsPath = writeJsonLines(dir, 'auctions.json', [...sellers].map(([id, seller]) => ({ id, seller })));
  const eddy = new Eddy();
  sessions.push(eddy);
  await executeAll(
    eddy,
    `SET 'parallelism.default' = '${parallelism}';
     CREATE TABLE bids (auction BIGINT, bidder BIGINT, price BIGINT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL '1' SECOND)
       WITH ('connector' = 'filesystem', 'path' = '${bidsPath}', 'format' = 'json');
     CREATE TABLE auctions (id BIGINT, seller BIGINT) WITH ('connector' = 'filesystem', 'path' = '${auctionsPath}', 'format' = 'json');`,
  );
  return eddy;
}

const sorted = (rows: unknown[][]) => rows.map((r) => JSON.stringify(r)).sort();

describe.each([1, 2, 3])('parallelism %i', (parallelism) => {
  it('a tumbling window aggregate per auction', async () => {
    const eddy = await session(parallelism);
    const { changes } = await runQuery(
      eddy,
      `SELECT auction, CAST(window_start AS STRING) AS ws, COUNT(*) AS n, SUM(price) AS total, MAX(bidder) AS top
         FROM TABLE(TUMBLE(TABLE bids, DESCRIPTOR(ts), INTERVAL '2' SECOND)) GROUP BY auction, window_start, window_end`,
    );
    const expected = new Map<string, [number, string, number, number, number]>();
    for (const b of bids) {
      const start = b.ts - (b.ts % 2000);
      const key = `${b.auction}/${start}`;
      const e = expected.get(key) ?? [b.auction, tsText(start), 0, 0, -1];
      e[2]++;
      e[3] += b.price;
      e[4] = Math.max(e[4], b.bidder);
      expected.set(key, e);
    }
    expect(changes.every((c) => c.kind === 0)).toBe(true);
    expect(sorted(changes.map((c) => c.row))).toEqual(sorted([...expected.values()]));
  });

  it('a group aggregate over a group aggregate (its retractions cross the exchange)', async () => {
    const eddy = await session(parallelism);
    const { changes } = await runQuery(eddy, 'SELECT n, COUNT(*) AS auctions FROM (SELECT auction, COUNT(*) AS n FROM bids GROUP BY auction) GROUP BY n');
    const perAuction = new Map<number, number>();
    for (const b of bids) perAuction.set(b.auction, (perAuction.get(b.auction) ?? 0) + 1);
    const perCount = new Map<number, number>();
    for (const n of perAuction.values()) perCount.set(n, (perCount.get(n) ?? 0) + 1);
    expect(changes.some((c) => c.kind !== 0)).toBe(true);
    expect(materialize(changes)).toEqual(sorted([...perCount].map(([n, a]) => [n, a])));
  });

  it('a regular join, aggregated by seller', async () => {
    const eddy = await session(parallelism);
    const { changes } = await runQuery(eddy, 'SELECT a.seller, COUNT(*) AS n, SUM(b.price) AS total FROM bids b JOIN auctions a ON b.auction = a.id GROUP BY a.seller');
    const expected = new Map<number, [number, number, number]>();
    for (const b of bids) {
      const seller = sellers.get(b.auction);
      if (seller === undefined) continue;
      const e = expected.get(seller) ?? [seller, 0, 0];
      e[1]++;
      e[2] += b.price;
      expected.set(seller, e);
    }
    expect(materialize(changes)).toEqual(sorted([...expected.values()]));
  });

  it('an interval join of bids with the next bid on the same auction within 50 ms', async () => {
    const eddy = await session(parallelism);
    const { changes } = await runQuery(
      eddy,
      `SELECT x.auction, x.price, y.price FROM bids x JOIN bids y ON x.auction = y.auction AND y.ts > x.ts AND y.ts <= x.ts + INTERVAL '0.05' SECOND`,
    );
    const expected: unknown[][] = [];
    for (const x of bids) for (const y of bids) if (x.auction === y.auction && y.ts > x.ts && y.ts <= x.ts + 50) expected.push([x.auction, x.price, y.price]);
    expect(expected.length).toBeGreaterThan(50);
    expect(sorted(changes.map((c) => c.row))).toEqual(sorted(expected));
  });
});

describe('parallel jobs that end early or are refused', () => {
  it('LIMIT ends the job in every instance (rows are gathered to one instance first)', async () => {
    const eddy = await session(2);
    const { changes } = await runQuery(eddy, 'SELECT auction, price FROM bids WHERE price > 500 LIMIT 7');
    expect(changes).toHaveLength(7);
    const wanted = new Set(bids.filter((b) => b.price > 500).map((b) => JSON.stringify([b.auction, b.price])));
    for (const c of changes) expect(wanted.has(JSON.stringify(c.row))).toBe(true);
  });

  it('a cancelled query over a monitored (unbounded) file stops every instance', async () => {
    const eddy = await session(2);
    await eddy.execute(`CREATE TABLE live (auction BIGINT, price BIGINT) WITH ('connector' = 'filesystem', 'path' = '${tempDir('eddy-parallel-live-')}', 'format' = 'json', 'source.monitor-interval' = '100 ms')`);
    const r = await eddy.execute('SELECT auction, SUM(price) FROM live GROUP BY auction');
    if (r.kind !== 'query') throw new Error(`expected a query, got ${r.kind}`);
    await new Promise((resolve) => setTimeout(resolve, 300));
    await r.query.cancel();
    await r.query.done.catch(() => {});
    expect(r.query.status).toBe('cancelled');
  });

  it('refuses a job with checkpoints (a state directory) at parallelism 2, clearly', async () => {
    const eddy = new Eddy({ stateDir: tempDir('eddy-parallel-state-') });
    sessions.push(eddy);
    const dir = tempDir('eddy-parallel-out-');
    await executeAll(
      eddy,
      `SET 'parallelism.default' = '2';
       CREATE TABLE src (a BIGINT) WITH ('connector' = 'datagen', 'number-of-rows' = '10');
       CREATE TABLE out (a BIGINT) WITH ('connector' = 'filesystem', 'path' = '${dir}', 'format' = 'json');`,
    );
    await expect(eddy.execute('INSERT INTO out SELECT a FROM src')).rejects.toThrow(/checkpoints .* cannot run with 'parallelism.default' = 2/);
  });
});

describe('parallelism.default', () => {
  it('is a whole number from 1 to 64', async () => {
    const eddy = new Eddy();
    sessions.push(eddy);
    await expect(eddy.execute("SET 'parallelism.default' = '0'")).rejects.toThrow(EddyError);
    await expect(eddy.execute("SET 'parallelism.default' = 'two'")).rejects.toThrow(EddyError);
  });
});
