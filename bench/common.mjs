// Helpers shared by the benchmark scripts: command-line flags, the seeded PRNG and the timestamp text of
// generated inputs, the median, and the machine facts of a result file.
import { execFileSync } from 'node:child_process';
import { arch, availableParallelism, cpus, loadavg, platform, release, totalmem } from 'node:os';

/** mulberry32, the same small PRNG datagen uses: floats in [0, 1). */
export function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pad2 = (n) => (n < 10 ? '0' : '') + n;
const pad3 = (n) => (n < 10 ? '00' : n < 100 ? '0' : '') + n;

/** `yyyy-MM-dd HH:mm:ss.SSS` (UTC), the json format's default TIMESTAMP text. */
export function sqlTimestamp(ms) {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())} ${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())}.${pad3(d.getUTCMilliseconds())}`;
}

/**
 * The flags of a command line, one at a time: `{ flag, value(), count(), list() }`, where `value()` takes the
 * flag's value (`--rows 5` or `--rows=5`), `count()` a positive whole number (`1_000` allowed) and `list()`
 * a comma-separated list. A missing or bad value prints the problem and calls `usage(2)`.
 */
export function* flags(argv, usage) {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const [flag, inline] = a.startsWith('--') && a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    const value = () => {
      const v = inline ?? argv[++i];
      if (v === undefined) {
        console.error(`${flag} needs a value`);
        usage(2);
      }
      return v;
    };
    const count = () => {
      const n = Number(value().replace(/_/g, ''));
      if (!Number.isSafeInteger(n) || n < 1) {
        console.error(`${flag} must be a positive whole number`);
        usage(2);
      }
      return n;
    };
    const list = () => value().split(',').map((x) => x.trim()).filter(Boolean);
    yield { flag, value, count, list };
  }
}

/** The median of a non-empty list of numbers. */
export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/** What a result file records about the machine and the checkout at `root` (commit, marked when src/ or bench/ changed). */
export function machineFacts(root) {
  const cpu = cpus();
  let commit;
  try {
    commit = execFileSync('git', ['-C', root, 'rev-parse', '--short', 'HEAD'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const dirty = execFileSync('git', ['-C', root, 'status', '--porcelain', '--', 'src', 'bench'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    if (dirty) commit += ' (modified)';
  } catch {
    commit = undefined;
  }
  return {
    nproc: availableParallelism(),
    cpuModel: cpu[0]?.model,
    totalMemGb: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    loadAverage: loadavg().map((x) => Math.round(x * 100) / 100),
    node: process.version,
    v8: process.versions.v8,
    platform: `${platform()} ${release()} ${arch()}`,
    commit,
  };
}
