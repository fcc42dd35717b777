// Helpers shared by the benchmark scripts: command-line flags, the seeded PRNG and the timestamp text of
// generated inputs.

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
