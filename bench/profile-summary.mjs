#!/usr/bin/env node
/**
 * Summarizes a V8 CPU profile (.cpuprofile, from `node --cpu-prof` or `node bench/run.mjs --profile`):
 * the top functions by self time, and by total (inclusive) time.
 *
 *   node bench/profile-summary.mjs bench/results/profiles/tumble-count-1.cpuprofile [--top N]
 */
import { readFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(fileURLToPath(import.meta.url), '..', '..');
const args = process.argv.slice(2);
const topIndex = args.indexOf('--top');
const top = topIndex >= 0 ? Number(args.splice(topIndex, 2)[1]) : 25;
const file = args[0];
if (!file) {
  console.error('Usage: node bench/profile-summary.mjs <file.cpuprofile> [--top N]');
  process.exit(2);
}

const profile = JSON.parse(readFileSync(file, 'utf8'));
const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

// Sample time per node: timeDeltas[i] is the time before samples[i].
const selfUs = new Map();
let totalUs = 0;
for (let i = 0; i < profile.samples.length; i++) {
  const dt = profile.timeDeltas[i] ?? 0;
  totalUs += dt;
  selfUs.set(profile.samples[i], (selfUs.get(profile.samples[i]) ?? 0) + dt);
}

const label = (cf) => {
  const url = cf.url ? cf.url.replace(/^file:\/\//, '') : '';
  const where = url ? `${url.startsWith(ROOT) ? relative(ROOT, url) : url}:${cf.lineNumber + 1}` : '';
  return `${cf.functionName || '(anonymous)'}${where ? ` ${where}` : ''}`;
};

const self = new Map();
const total = new Map();
for (const [id, us] of selfUs) {
  const n = nodes.get(id);
  const key = label(n.callFrame);
  self.set(key, (self.get(key) ?? 0) + us);
  // Inclusive: credit each distinct function once per sample stack.
  const seen = new Set();
  for (let cur = id; cur !== undefined; cur = parent.get(cur)) {
    const k = label(nodes.get(cur).callFrame);
    if (seen.has(k)) continue;
    seen.add(k);
    total.set(k, (total.get(k) ?? 0) + us);
  }
}

const print = (title, map) => {
  console.log(`\n${title}`);
  console.log('    ms      %  function');
  const rows = [...map].sort((a, b) => b[1] - a[1]).slice(0, top);
  for (const [k, us] of rows) console.log(`${(us / 1000).toFixed(0).padStart(6)}  ${((us / totalUs) * 100).toFixed(1).padStart(5)}  ${k}`);
};

console.log(`${file}: ${(totalUs / 1000).toFixed(0)} ms sampled`);
print(`Top ${top} by self time`, self);
print(`Top ${top} by total time`, total);
