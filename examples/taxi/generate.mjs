#!/usr/bin/env node
// Writes a synthetic NYC-taxi-like ride file (JSON lines) for the taxi example; see README.md.
//
// Usage: node examples/taxi/generate.mjs [--out FILE] [--rides N] [--taxis N] [--seed N] [--force]
//
// Deterministic: the same parameters give the same bytes. The file is not rewritten when it already
// exists with the same parameters (recorded in a hidden `.<name>.params` file next to it) unless --force.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const FORMAT_VERSION = 1;
const START = Date.UTC(2024, 2, 4, 8, 0, 0); // Monday 2024-03-04 08:00:00 UTC
const WINDOW_MS = 2 * 60 * 60 * 1000; // two hours of event time
const MAX_DISORDER_MS = 60_000; // each event is less than this behind the latest event before it
const BOX = { lonMin: -74.05, lonMax: -73.75, latMin: 40.5, latMax: 40.9 };
// Popular places: a share of pickups and drop-offs cluster around them, so some grid cells get busy.
const HOT_SPOTS = [
  { name: 'Times Square', lon: -73.9855, lat: 40.758, weight: 5 },
  { name: 'Penn Station', lon: -73.9935, lat: 40.7506, weight: 4 },
  { name: 'Grand Central', lon: -73.9772, lat: 40.7527, weight: 4 },
  { name: 'Wall Street', lon: -74.009, lat: 40.706, weight: 2 },
  { name: 'JFK Airport', lon: -73.7781, lat: 40.6413, weight: 3 },
  { name: 'LaGuardia Airport', lon: -73.874, lat: 40.7769, weight: 2 },
];
const HOT_SHARE = 0.45;

function parseArgs(argv) {
  const here = dirname(fileURLToPath(import.meta.url));
  const args = { out: join(here, 'data', 'rides.json'), rides: 15000, taxis: 2000, seed: 42, force: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) fail(`${a} needs a value`);
      return v;
    };
    if (a === '--out') args.out = resolve(value());
    else if (a === '--rides') args.rides = positiveInt(a, value());
    else if (a === '--taxis') args.taxis = positiveInt(a, value());
    else if (a === '--seed') args.seed = positiveInt(a, value(), true);
    else if (a === '--force') args.force = true;
    else if (a === '--help' || a === '-h') {
      process.stdout.write('usage: generate.mjs [--out FILE] [--rides N] [--taxis N] [--seed N] [--force]\n');
      process.exit(0);
    } else fail(`unknown argument '${a}'`);
  }
  return args;
}

function positiveInt(name, text, allowZero = false) {
  const n = Number(text);
  if (!Number.isInteger(n) || n < (allowZero ? 0 : 1)) fail(`${name} must be a ${allowZero ? 'non-negative' : 'positive'} integer, got '${text}'`);
  return n;
}

function fail(message) {
  process.stderr.write(`generate.mjs: ${message}\n`);
  process.exit(2);
}

/** mulberry32: a small seeded PRNG giving floats in [0, 1). */
function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function generate({ rides, taxis, seed }) {
  const rand = mulberry32(seed);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
  const totalWeight = HOT_SPOTS.reduce((s, h) => s + h.weight, 0);
  const clamp = (v, lo, hi) => Math.min(hi, Math.max(lo, v));
  const place = () => {
    if (rand() < HOT_SHARE) {
      let pick = rand() * totalWeight;
      const spot = HOT_SPOTS.find((h) => (pick -= h.weight) < 0) ?? HOT_SPOTS[0];
      return [spot.lon + gauss() * 0.0015, spot.lat + gauss() * 0.0012];
    }
    // Elsewhere: spread around midtown Manhattan, thinning out towards the edges of the box.
    return [clamp(-73.975 + gauss() * 0.045, BOX.lonMin, BOX.lonMax), clamp(40.755 + gauss() * 0.06, BOX.latMin, BOX.latMax)];
  };
  const passengers = () => {
    const r = rand();
    return r < 0.7 ? 1 : r < 0.85 ? 2 : r < 0.93 ? 3 : r < 0.97 ? 4 : r < 0.99 ? 5 : 6;
  };

  // Each taxi's rides are spread over the window: one per slot, starting early in the slot and ending
  // before the slot does, so a taxi never has two rides at once.
  const trips = [];
  for (let taxi = 0; taxi < taxis; taxi++) {
    const count = Math.floor(rides / taxis) + (taxi < rides % taxis ? 1 : 0);
    if (count === 0) continue;
    const slot = WINDOW_MS / count;
    for (let k = 0; k < count; k++) {
      const start = START + Math.floor(k * slot + rand() * slot * 0.3);
      const end = start + Math.max(120_000, Math.floor(slot * (0.25 + rand() * 0.4)));
      trips.push({ taxi: taxi + 1, start, end, from: place(), to: place(), passengers: passengers() });
    }
  }
  // Ride ids follow pickup time, as in the NYC data the Flink training exercises use.
  trips.sort((a, b) => a.start - b.start || a.taxi - b.taxi);

  const events = [];
  trips.forEach((t, i) => {
    const common = { ride_id: i + 1, taxi_id: t.taxi, passenger_cnt: t.passengers };
    events.push({ ...common, is_start: true, at: t.from, ts: t.start });
    events.push({ ...common, is_start: false, at: t.to, ts: t.end });
  });
  // Bounded disorder: order by ts plus a delay below MAX_DISORDER_MS (mostly small). Then an event that
  // comes after another has ts + delay >= the other's ts + delay, so it is less than MAX_DISORDER_MS behind.
  const keyed = events.map((e) => ({ e, key: e.ts + (rand() < 0.85 ? rand() * 5_000 : rand() * (MAX_DISORDER_MS - 1)) }));
  keyed.sort((a, b) => a.key - b.key);

  const lines = keyed.map(({ e }) =>
    JSON.stringify({
      ride_id: e.ride_id,
      taxi_id: e.taxi_id,
      is_start: e.is_start,
      lon: Number(e.at[0].toFixed(6)),
      lat: Number(e.at[1].toFixed(6)),
      passenger_cnt: e.passenger_cnt,
      ts: formatTimestamp(e.ts),
    }),
  );
  return { text: lines.join('\n') + '\n', events: lines.length };
}

function formatTimestamp(ms) {
  return new Date(ms).toISOString().replace('T', ' ').replace('Z', '');
}

const args = parseArgs(process.argv.slice(2));
const params = JSON.stringify({ version: FORMAT_VERSION, rides: args.rides, taxis: args.taxis, seed: args.seed });
const paramsFile = join(dirname(args.out), `.${basename(args.out)}.params`);
if (!args.force && existsSync(args.out) && existsSync(paramsFile) && readFileSync(paramsFile, 'utf8') === params) {
  process.stdout.write(`${args.out} is up to date (use --force to regenerate)\n`);
} else {
  const started = Date.now();
  const { text, events } = generate(args);
  mkdirSync(dirname(args.out), { recursive: true });
  writeFileSync(args.out, text);
  writeFileSync(paramsFile, params);
  process.stdout.write(`wrote ${events} events (${args.rides} rides, ${args.taxis} taxis) to ${args.out} in ${Date.now() - started} ms\n`);
}
