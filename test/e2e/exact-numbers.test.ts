/**
 * Numbers are exact, through real `eddy run` processes (bin/eddy.js): BIGINT over the whole signed 64-bit
 * range from JSON and CSV files to JSON and CSV files, arithmetic wrapping as Java's `long` (Flink), SUM
 * wrapping likewise, and DECIMAL(38, s) arithmetic in decimal. Every expected value is computed here with
 * BigInt arithmetic on the input, never read back from Eddy.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { divideHalfUp, tempDir } from './helpers.js';

const BIN = join(__dirname, '..', '..', 'bin', 'eddy.js');
const MAX = 2n ** 63n - 1n;
const MIN = -(2n ** 63n);
/** Java's `long` arithmetic: the result modulo 2^64, as a signed value. */
const long = (x: bigint) => BigInt.asIntN(64, x);

function run(dir: string, sql: string): { code: number; stdout: string; stderr: string } {
  const path = join(dir, 'job.sql');
  writeFileSync(path, sql);
  const r = spawnSync(process.execPath, [BIN, 'run', path], { encoding: 'utf8', timeout: 120_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/**
 * The fields of each JSON line, every number kept as its exact text (JSON.parse would round it): numbers
 * (outside strings: the test data has no digits in strings after a colon) are quoted before parsing and
 * come back as `#<text>`.
 */
function exactLines(text: string): Record<string, unknown>[] {
  return text
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l.replace(/([:\[,])(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)(?=[,}\]])/g, '$1"#$2"')) as Record<string, unknown>);
}

/** A line of {@link exactLines} whose numbers are all integers, as bigints. */
function integers(row: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(row).map(([k, v]) => [k, typeof v === 'string' && /^#-?\d+$/.test(v) ? BigInt(v.slice(1)) : v]));
}

/** The JSON number text Eddy writes for a DECIMAL: its digits, without trailing fraction zeros. */
function jsonDecimal(unscaled: bigint, scale: number): string {
  return `#${decimalText(unscaled, scale).replace(/(\.\d*?)0+$/, '$1').replace(/\.$/, '')}`;
}

/** `unscaled / 10^scale` as text with exactly `scale` fraction digits. */
function decimalText(unscaled: bigint, scale: number): string {
  const negative = unscaled < 0n;
  const digits = (negative ? -unscaled : unscaled).toString().padStart(scale + 1, '0');
  const text = scale === 0 ? digits : `${digits.slice(0, digits.length - scale)}.${digits.slice(digits.length - scale)}`;
  return negative ? `-${text}` : text;
}


describe('BIGINT is exact over the 64-bit range (eddy run)', () => {
  // Snowflake ids, Kafka offsets and epoch nanoseconds are all beyond 2^53.
  const IDS = [MAX, MIN, 2n ** 53n + 1n, 1234567890123456789n, 1701388800123456789n, -(2n ** 53n) - 3n, 42n];

  it('reads them from JSON, computes + - * / % MOD ABS exactly with Java wrapping, and writes their digits', () => {
    const dir = tempDir('eddy-exact-');
    const input = join(dir, 'in.json');
    // Written by hand: JSON.stringify cannot write a bigint.
    writeFileSync(input, IDS.map((id, i) => `{"n": ${i}, "id": ${id}}\n`).join(''));
    const out = join(dir, 'out.json');
    const r = run(
      dir,
      `CREATE TABLE t (n INT, id BIGINT) WITH ('connector' = 'filesystem', 'path' = '${input}', 'format' = 'json');
       CREATE TABLE o (n INT, id BIGINT, plus1 BIGINT, minus1 BIGINT, times3 BIGINT, div7 BIGINT, rem10 BIGINT, mod10 BIGINT, a BIGINT, neg BIGINT, s STRING, lit BIGINT)
         WITH ('connector' = 'filesystem', 'path' = '${out}', 'format' = 'json');
       INSERT INTO o SELECT n, id, id + 1, id - 1, id * 3, id / 7, id % 10, MOD(id, 10), ABS(id), -id, CAST(id AS STRING),
                            MOD(9223372036854775807, 10) FROM t;`,
    );
    expect(r.code, r.stderr).toBe(0);
    const rows = exactLines(readFileSync(out, 'utf8')).map(integers).sort((a, b) => Number(a['n']) - Number(b['n']));
    expect(rows.map((row) => row['id'])).toEqual(IDS);
    rows.forEach((row, i) => {
      const id = IDS[i]!;
      expect(row).toEqual({
        n: BigInt(i),
        id,
        plus1: long(id + 1n),
        minus1: long(id - 1n),
        times3: long(id * 3n),
        div7: long(id / 7n),
        rem10: id % 10n,
        mod10: id % 10n,
        a: long(id < 0n ? -id : id),
        neg: long(-id),
        s: id.toString(),
        lit: 7n,
      });
    });
    // Hand-checked: 2^63 - 1 + 1 wraps to -2^63, MOD(2^63 - 1, 10) is 7, ABS(-2^63) stays -2^63 (Java's Math.abs).
    expect(rows[0]!['plus1']).toBe(-9223372036854775808n);
    expect(rows[0]!['mod10']).toBe(7n);
    expect(rows[1]!['a']).toBe(-9223372036854775808n);
  });

  it('makes a value outside BIGINT a bad record under the error policy (skip counts it; fail stops)', () => {
    const dir = tempDir('eddy-exact-');
    const input = join(dir, 'in.json');
    writeFileSync(input, ['{"id": 9223372036854775807}', '{"id": 9223372036854775808}', '{"id": -9223372036854775809}', '{"id": "-9223372036854775808"}', '{"id": 12}'].join('\n') + '\n');
    const table = (policy: string) =>
      `CREATE TABLE t (id BIGINT) WITH ('connector' = 'filesystem', 'path' = '${input}', 'format' = 'json', 'errors.policy' = '${policy}');`;
    const out = join(dir, 'out.json');
    const skip = run(dir, `${table('skip')} CREATE TABLE o (id BIGINT) WITH ('connector' = 'filesystem', 'path' = '${out}', 'format' = 'json'); INSERT INTO o SELECT id FROM t;`);
    expect(skip.code, skip.stderr).toBe(0);
    expect(skip.stderr).toMatch(/2 bad rows skipped \(2 numeric-overflow\)/);
    expect(exactLines(readFileSync(out, 'utf8')).map((row) => integers(row)['id'])).toEqual([MAX, MIN, 12n]);
    const fail = run(dir, `${table('fail')} SELECT id FROM t;`);
    expect(fail.code).not.toBe(0);
    expect(fail.stderr).toMatch(/numeric-overflow/);
    expect(fail.stderr).toMatch(/9223372036854775808 is out of range for BIGINT/);
  });

  it('SUMs wrap as Java longs, as Flink documents (three times 2^62), and MIN/MAX/AVG stay exact', () => {
    const dir = tempDir('eddy-exact-');
    const input = join(dir, 'in.json');
    const xs = [2n ** 62n, 2n ** 62n, 2n ** 62n, 2n ** 53n + 1n];
    writeFileSync(input, xs.map((x, i) => `{"k": ${i < 3 ? 1 : 2}, "x": ${x}, "ts": "2024-01-01 00:00:0${i}"}\n`).join(''));
    const out = join(dir, 'out.json');
    const r = run(
      dir,
      `CREATE TABLE t (k INT, x BIGINT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts) WITH ('connector' = 'filesystem', 'path' = '${input}', 'format' = 'json');
       CREATE TABLE o (k INT, s BIGINT, mn BIGINT, mx BIGINT, av BIGINT, c BIGINT) WITH ('connector' = 'filesystem', 'path' = '${out}', 'format' = 'json');
       INSERT INTO o SELECT k, SUM(x), MIN(x), MAX(x), AVG(x), COUNT(*) FROM TABLE(TUMBLE(TABLE t, DESCRIPTOR(ts), INTERVAL '1' MINUTE))
         GROUP BY window_start, window_end, k;`,
    );
    expect(r.code, r.stderr).toBe(0);
    const rows = exactLines(readFileSync(out, 'utf8')).map(integers).sort((a, b) => Number(a['k']) - Number(b['k']));
    const sum = long(3n * 2n ** 62n);
    // Hand-checked: 3 * 2^62 = 13835058055282163712 wraps to -4611686018427387904 (never 13835058055282164000).
    expect(sum).toBe(-4611686018427387904n);
    expect(rows).toEqual([
      { k: 1n, s: sum, mn: 2n ** 62n, mx: 2n ** 62n, av: sum / 3n, c: 3n },
      { k: 2n, s: 2n ** 53n + 1n, mn: 2n ** 53n + 1n, mx: 2n ** 53n + 1n, av: 2n ** 53n + 1n, c: 1n },
    ]);
  });

  it('reads and writes BIGINT and DECIMAL exactly through CSV', () => {
    const dir = tempDir('eddy-exact-');
    const input = join(dir, 'in.csv');
    writeFileSync(input, `9223372036854775807,12345678901234567890.125\n-9007199254740993,-0.001\n`);
    const out = join(dir, 'out.csv');
    const r = run(
      dir,
      `CREATE TABLE t (id BIGINT, d DECIMAL(38, 3)) WITH ('connector' = 'filesystem', 'path' = '${input}', 'format' = 'csv');
       CREATE TABLE o (id BIGINT, d DECIMAL(38, 3), e DECIMAL(38, 3)) WITH ('connector' = 'filesystem', 'path' = '${out}', 'format' = 'csv');
       INSERT INTO o SELECT id - 1, d, d + 1 FROM t;`,
    );
    expect(r.code, r.stderr).toBe(0);
    const lines = readFileSync(out, 'utf8').trim().split('\n');
    expect(lines).toEqual([`${MAX - 1n},12345678901234567890.125,12345678901234567891.125`, `${-9007199254740993n - 1n},-0.001,0.999`]);
  });
});

describe('DECIMAL arithmetic is decimal (eddy run)', () => {
  it('adds, subtracts, multiplies, divides and sums DECIMAL(38, 3) exactly, with Flink result types', () => {
    const dir = tempDir('eddy-exact-');
    const input = join(dir, 'in.json');
    // Unscaled values at scale 3; the first is 12345678901234567890.123 (a double would show 1.2345678901234568e+19).
    const ds = [12345678901234567890123n, 1n, -98765432109876543210987n, 500n];
    writeFileSync(input, ds.map((d, i) => `{"n": ${i}, "d": "${decimalText(d, 3)}", "ts": "2024-01-01 00:00:0${i}"}\n`).join(''));
    const out = join(dir, 'out.json');
    const agg = join(dir, 'agg.json');
    const r = run(
      dir,
      `CREATE TABLE t (n INT, d DECIMAL(38, 3), ts TIMESTAMP(3), WATERMARK FOR ts AS ts) WITH ('connector' = 'filesystem', 'path' = '${input}', 'format' = 'json');
       CREATE TABLE o (n INT, twice DECIMAL(38, 3), sq DECIMAL(38, 6), third DECIMAL(38, 6), less DECIMAL(38, 4), s STRING, big BOOLEAN)
         WITH ('connector' = 'filesystem', 'path' = '${out}', 'format' = 'json');
       CREATE TABLE a (total DECIMAL(38, 3), mean DECIMAL(38, 6), lo DECIMAL(38, 3), hi DECIMAL(38, 3)) WITH ('connector' = 'filesystem', 'path' = '${agg}', 'format' = 'json');
       EXECUTE STATEMENT SET BEGIN
         INSERT INTO o SELECT n, d + d, CAST(d * 1000 AS DECIMAL(38, 6)), d / 3, d - 0.0005, CAST(d AS STRING), d > 12345678901234567890.122 FROM t;
         INSERT INTO a SELECT SUM(d), AVG(d), MIN(d), MAX(d) FROM TABLE(TUMBLE(TABLE t, DESCRIPTOR(ts), INTERVAL '1' MINUTE)) GROUP BY window_start, window_end;
       END;`,
    );
    expect(r.code, r.stderr).toBe(0);
    const rows = exactLines(readFileSync(out, 'utf8')).sort((x, y) => String(x['n']).localeCompare(String(y['n'])));
    expect(rows).toEqual(
      ds.map((d, i) => ({
        n: `#${i}`,
        twice: jsonDecimal(d * 2n, 3),
        // d * 1000 is DECIMAL(38, 3) (precision 38 + 10 cut to 38, scale kept): exact, then cast to scale 6.
        sq: jsonDecimal(d * 1000n * 1000n, 6),
        // DECIMAL(38, 3) / INT is DECIMAL(38, 6) in Flink; the quotient rounded half up.
        third: jsonDecimal(divideHalfUp(d * 1000n, 3n), 6),
        // DECIMAL(38, 3) - DECIMAL(4, 4) is DECIMAL(38, 4).
        less: jsonDecimal(d * 10n - 5n, 4),
        // CAST to STRING shows the column's scale.
        s: decimalText(d, 3),
        big: d > 12345678901234567890122n,
      })),
    );
    const sum = ds.reduce((x, y) => x + y, 0n);
    const [aggRow] = exactLines(readFileSync(agg, 'utf8'));
    expect(aggRow).toEqual({
      total: jsonDecimal(sum, 3),
      mean: jsonDecimal(divideHalfUp(sum * 1000n, BigInt(ds.length)), 6),
      lo: jsonDecimal(-98765432109876543210987n, 3),
      hi: jsonDecimal(12345678901234567890123n, 3),
    });
    // Hand-checked: the first value doubled is 24691357802469135780.246, never 2.4691357802469135e+19.
    expect(rows[0]!['twice']).toBe('#24691357802469135780.246');
  });
});
