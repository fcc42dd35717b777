// Helpers shared by the benchmark scripts: the seeded PRNG and the timestamp text of generated inputs.

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
