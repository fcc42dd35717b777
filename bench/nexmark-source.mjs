#!/usr/bin/env node
// node bench/nexmark-source.mjs [--events N] — speed of the nexmark connector (needs `npm run build`):
//  1. the generator alone (events made as ROW values, no job), events per CPU-second;
//  2. Nexmark q0 end to end (Flink's DDL and bid view over the generator, a blackhole sink), events per CPU-second
//     and per wall second, start-up included.
// CPU time (process.cpuUsage) is the figure to compare on a shared machine; wall time depends on the load.
import { Eddy } from '../dist/src/index.js';
import { NexmarkGenerator } from '../dist/src/connectors/nexmark/generator.js';
import { nexmarkConfig } from '../dist/src/connectors/nexmark/config.js';
import { flags } from './common.mjs';

const usage = (code) => {
  console.log('Usage: node bench/nexmark-source.mjs [--events N]   (default 5,000,000)');
  process.exit(code);
};
let events = 5_000_000;
for (const f of flags(process.argv.slice(2), usage)) {
  if (f.flag === '--events') events = f.count();
  else if (f.flag === '--help' || f.flag === '-h') usage(0);
  else {
    console.error(`unknown option ${f.flag}`);
    usage(2);
  }
}

const cpu = (c) => (c.user + c.system) / 1e6;

{
  const g = new NexmarkGenerator(nexmarkConfig({ 'first-event.rate': '10000000' }));
  const c0 = process.cpuUsage();
  let fields = 0;
  for (let n = 0; n < events; n++) fields += g.event(n).length;
  const s = cpu(process.cpuUsage(c0));
  console.log(JSON.stringify({ bench: 'generator', events, cpuSeconds: +s.toFixed(2), eventsPerCpuSecond: Math.round(events / s), fields }));
}

{
  const eddy = new Eddy();
  await eddy.execute(`CREATE TABLE datagen (
    event_type INT,
    person ROW<id BIGINT, name VARCHAR, emailAddress VARCHAR, creditCard VARCHAR, city VARCHAR, state VARCHAR, \`dateTime\` TIMESTAMP(3), extra VARCHAR>,
    auction ROW<id BIGINT, itemName VARCHAR, description VARCHAR, initialBid BIGINT, reserve BIGINT, \`dateTime\` TIMESTAMP(3), expires TIMESTAMP(3), seller BIGINT, category BIGINT, extra VARCHAR>,
    bid ROW<auction BIGINT, bidder BIGINT, price BIGINT, channel VARCHAR, url VARCHAR, \`dateTime\` TIMESTAMP(3), extra VARCHAR>,
    \`dateTime\` AS CASE WHEN event_type = 0 THEN person.\`dateTime\` WHEN event_type = 1 THEN auction.\`dateTime\` ELSE bid.\`dateTime\` END,
    WATERMARK FOR \`dateTime\` AS \`dateTime\` - INTERVAL '4' SECOND
  ) WITH ('connector' = 'nexmark', 'first-event.rate' = '10000000', 'next-event.rate' = '10000000', 'events.num' = '${events}')`);
  await eddy.execute('CREATE VIEW bid AS SELECT bid.auction, bid.bidder, bid.price, bid.channel, bid.url, `dateTime`, bid.extra FROM datagen WHERE event_type = 2');
  await eddy.execute("CREATE TABLE nexmark_q0 (auction BIGINT, bidder BIGINT, price BIGINT, `dateTime` TIMESTAMP(3), extra VARCHAR) WITH ('connector' = 'blackhole')");
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const r = await eddy.execute('INSERT INTO nexmark_q0 SELECT auction, bidder, price, `dateTime`, extra FROM bid');
  await r.job.done;
  const wall = (performance.now() - t0) / 1000;
  const s = cpu(process.cpuUsage(c0));
  console.log(JSON.stringify({ bench: 'q0', events, cpuSeconds: +s.toFixed(2), wallSeconds: +wall.toFixed(2), eventsPerCpuSecond: Math.round(events / s), eventsPerSecond: Math.round(events / wall) }));
  await eddy.close();
}
