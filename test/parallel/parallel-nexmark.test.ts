/**
 * A job over the `nexmark` connector (splittable: each instance generates its blocks of event numbers) at
 * parallelism 2 and 3: Flink Nexmark's DDL and bid view, a windowed count per auction (an exchange by auction)
 * and a join of auctions with their bids (exchanges on both sides), each equal to a batch computation over the
 * generator's events made here.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { Eddy } from '../../src/engine/eddy.js';
import { nexmarkConfig } from '../../src/connectors/nexmark/config.js';
import { NexmarkGenerator } from '../../src/connectors/nexmark/generator.js';
import { executeAll, materialize, runQuery } from '../e2e/helpers.js';

const EVENTS = 6000;
const RATE = 100;

const ddl = `CREATE TABLE datagen (
  event_type INT,
  person ROW<id BIGINT, name VARCHAR, emailAddress VARCHAR, creditCard VARCHAR, city VARCHAR, state VARCHAR, \`dateTime\` TIMESTAMP(3), extra VARCHAR>,
  auction ROW<id BIGINT, itemName VARCHAR, description VARCHAR, initialBid BIGINT, reserve BIGINT, \`dateTime\` TIMESTAMP(3), expires TIMESTAMP(3), seller BIGINT, category BIGINT, extra VARCHAR>,
  bid ROW<auction BIGINT, bidder BIGINT, price BIGINT, channel VARCHAR, url VARCHAR, \`dateTime\` TIMESTAMP(3), extra VARCHAR>,
  \`dateTime\` AS CASE WHEN event_type = 0 THEN person.\`dateTime\` WHEN event_type = 1 THEN auction.\`dateTime\` ELSE bid.\`dateTime\` END,
  WATERMARK FOR \`dateTime\` AS \`dateTime\` - INTERVAL '4' SECOND
) WITH ('connector' = 'nexmark', 'first-event.rate' = '${RATE}', 'next-event.rate' = '${RATE}', 'events.num' = '${EVENTS}');
CREATE VIEW auction AS SELECT auction.id, auction.seller, auction.category, \`dateTime\` FROM datagen WHERE event_type = 1;
CREATE VIEW bid AS SELECT bid.auction, bid.bidder, bid.price, \`dateTime\` FROM datagen WHERE event_type = 2;`;

/** The generator's events, independently of the connector and the engine. */
function events(): { kind: number; values: unknown[] }[] {
  const g = new NexmarkGenerator(nexmarkConfig({ 'events.num': String(EVENTS), 'first-event.rate': String(RATE) }));
  return Array.from({ length: EVENTS }, (_, i) => ({ kind: g.kind(i), values: g.event(i) }));
}

const sorted = (rows: unknown[][]) => rows.map((r) => JSON.stringify(r)).sort();

const eddys: Eddy[] = [];
afterAll(async () => {
  for (const e of eddys) await e.close();
});

async function engine(parallelism: number): Promise<Eddy> {
  const e = new Eddy();
  eddys.push(e);
  await executeAll(e, `SET 'parallelism.default' = '${parallelism}';\n${ddl}`);
  return e;
}

describe.each([2, 3])('nexmark at parallelism %i', (parallelism) => {
  it('counts bids per auction in 10-second tumbling windows', async () => {
    const eddy = await engine(parallelism);
    const { changes } = await runQuery(eddy, 'SELECT auction, window_start, COUNT(*) AS n, MAX(price) AS top FROM TABLE(TUMBLE(TABLE bid, DESCRIPTOR(`dateTime`), INTERVAL \'10\' SECOND)) GROUP BY auction, window_start, window_end');
    const expected = new Map<string, [number, number, number, number]>();
    for (const e of events()) {
      if (e.kind !== 2) continue;
      const [auction, , price, , , time] = e.values as [number, number, number, string, string, number];
      const start = Math.floor(time / 10_000) * 10_000;
      const k = `${auction}/${start}`;
      const r = expected.get(k) ?? [auction, start, 0, 0];
      r[2]++;
      r[3] = Math.max(r[3], price);
      expected.set(k, r);
    }
    expect(expected.size).toBeGreaterThan(50);
    expect(materialize(changes)).toEqual(sorted([...expected.values()]));
  });

  it('joins bids with their auctions, counted per seller (a regular join: retractions downstream)', async () => {
    const eddy = await engine(parallelism);
    const { changes } = await runQuery(eddy, 'SELECT a.seller, COUNT(*) AS n FROM bid b JOIN auction a ON b.auction = a.id GROUP BY a.seller');
    const sellerOf = new Map<number, number>();
    const evs = events();
    for (const e of evs) if (e.kind === 1) sellerOf.set((e.values as number[])[0]!, (e.values as number[])[7]!);
    const perSeller = new Map<number, number>();
    for (const e of evs) {
      if (e.kind !== 2) continue;
      const seller = sellerOf.get((e.values as number[])[0]!);
      if (seller !== undefined) perSeller.set(seller, (perSeller.get(seller) ?? 0) + 1);
    }
    expect(perSeller.size).toBeGreaterThan(5);
    expect(materialize(changes)).toEqual(sorted([...perSeller]));
  });
});
