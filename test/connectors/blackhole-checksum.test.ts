/**
 * The blackhole sink's `'checksum'` option: the net row count and an order-independent 64-bit checksum of the
 * final multiset of rows (Σ hash over accumulations − Σ hash over retractions, mod 2^64). The expected values are
 * computed here with BigInt arithmetic over `rowHash` of the hand-derived final rows.
 */
import { describe, expect, it } from 'vitest';
import { blackholeConnector, checksumHex, combineChecksum, rowHash } from '../../src/connectors/blackhole.js';
import { DELETE, INSERT, UPDATE_AFTER, UPDATE_BEFORE, type ChangeBatch, type RowKind } from '../../src/runtime/changelog.js';
import { CounterNames } from '../../src/runtime/metrics.js';
import { T, type Schema } from '../../src/common/types.js';
import { summarize } from '../../src/engine/job-summary.js';
import { MetricsRegistry } from '../../src/runtime/metrics.js';
import { Eddy } from '../../src/engine/eddy.js';
import { testContext } from './context.js';

const schema: Schema = [
  { name: 'k', type: T.string() },
  { name: 'n', type: T.bigint() },
];

/** The checksum of a multiset of rows, computed independently: Σ (high·2^32 + low) mod 2^64. */
function expectedChecksum(rows: unknown[][]): string {
  let sum = 0n;
  for (const r of rows) {
    const [lo, hi] = rowHash(r);
    sum += (BigInt(hi) << 32n) + BigInt(lo);
  }
  return (sum % (1n << 64n)).toString(16).padStart(16, '0');
}

function sinkWith(options: Record<string, string>) {
  const ctx = testContext(schema, { connector: 'blackhole', ...options }, 'Sink: out');
  const sink = blackholeConnector.createSink!(ctx);
  const read = () => {
    const m = ctx.metrics.snapshot()['Sink: out'] ?? {};
    return { rows: m[CounterNames.checksumRows], checksum: m[CounterNames.checksumLow] === undefined ? undefined : checksumHex(m[CounterNames.checksumLow]!, m[CounterNames.checksumHigh]!) };
  };
  return { sink, read, ctx };
}

const batch = (changes: [RowKind, unknown[]][]): ChangeBatch => ({ kinds: changes.map((c) => c[0]), rows: changes.map((c) => c[1]) });

describe('blackhole checksum', () => {
  it('is off by default: no counters', async () => {
    const { sink, read } = sinkWith({});
    sink.write(batch([[INSERT, ['a', 1]]]));
    expect(read()).toEqual({ rows: undefined, checksum: undefined });
  });

  // A changelog: a gets 1 then 2 (update), b is inserted and deleted, c is inserted twice (a multiset).
  // The final multiset, derived by hand: {[a, 2], [c, 3], [c, 3]}.
  const changes: [RowKind, unknown[]][] = [
    [INSERT, ['a', 1]],
    [INSERT, ['b', 7]],
    [UPDATE_BEFORE, ['a', 1]],
    [UPDATE_AFTER, ['a', 2]],
    [INSERT, ['c', 3]],
    [DELETE, ['b', 7]],
    [INSERT, ['c', 3]],
  ];
  const finalRows = [['a', 2], ['c', 3], ['c', 3]];

  it('is the checksum of the final multiset, retractions subtracted', () => {
    const { sink, read } = sinkWith({ checksum: 'true' });
    sink.write(batch(changes));
    expect(read()).toEqual({ rows: 3, checksum: expectedChecksum(finalRows) });
    // The same rows inserted directly give the same checksum.
    const direct = sinkWith({ checksum: 'true' });
    direct.sink.write(batch(finalRows.map((r) => [INSERT, r])));
    expect(direct.read()).toEqual(read());
  });

  it('does not depend on the order of the changes or their batches', () => {
    const reference = sinkWith({ checksum: 'true' });
    reference.sink.write(batch(changes));
    // Reversed, one change per batch: retractions before the rows they retract.
    const reversed = sinkWith({ checksum: 'true' });
    for (const c of [...changes].reverse()) reversed.sink.write(batch([c]));
    expect(reversed.read()).toEqual(reference.read());
    // Interleaved in two batches.
    const split = sinkWith({ checksum: 'true' });
    split.sink.write(batch(changes.filter((_, i) => i % 2 === 1)));
    split.sink.write(batch(changes.filter((_, i) => i % 2 === 0)));
    expect(split.read()).toEqual(reference.read());
  });

  it('tells multisets apart: a duplicate, a missing row, a changed value', () => {
    const c = (rows: unknown[][]) => expectedChecksum(rows);
    expect(c([['c', 3], ['c', 3]])).not.toBe(c([['c', 3]]));
    expect(c([['a', 2]])).not.toBe(c([['a', 3]]));
    expect(c([['ab', null]])).not.toBe(c([['a', 'b']]));
    expect(c([['a', null]])).not.toBe(c([['a', 0]]));
    expect(c([['a', '']])).not.toBe(c([['a', null]]));
    expect(c([[true]])).not.toBe(c([[1]]));
    // Everything retracted: zero.
    const { sink, read } = sinkWith({ checksum: 'true' });
    sink.write(batch([[INSERT, ['x', 1]], [DELETE, ['x', 1]]]));
    expect(read()).toEqual({ rows: 0, checksum: '0000000000000000' });
  });

  it('hashes canonical values: a safe bigint as its number, -0 as 0, MAP entries in any order', () => {
    expect(rowHash([5n, 'x'])).toEqual(rowHash([5, 'x']));
    expect(rowHash([-0])).toEqual(rowHash([0]));
    expect(rowHash([2n ** 60n])).not.toEqual(rowHash([2 ** 60]));
    expect(rowHash([new Map([['a', 1], ['b', 2]])])).toEqual(rowHash([new Map([['b', 2], ['a', 1]])]));
    expect(rowHash([new Map([['a', 1], ['b', 2]])])).not.toEqual(rowHash([new Map([['a', 2], ['b', 1]])]));
    expect(rowHash([[1, [2, 3]]])).not.toEqual(rowHash([[[1, 2], 3]]));
    expect(rowHash([{ decimal: '12345678901234567.5' }])).not.toEqual(rowHash([{ decimal: '12345678901234567.6' }]));
    expect(rowHash([new Uint8Array([1, 2])])).not.toEqual(rowHash([new Uint8Array([2, 1])]));
  });

  it('sums the halves of several instances of a sink with the carry (combineChecksum)', () => {
    const all = sinkWith({ checksum: 'true' });
    all.sink.write(batch(changes));
    const a = sinkWith({ checksum: 'true' });
    const b = sinkWith({ checksum: 'true' });
    a.sink.write(batch(changes.slice(0, 4)));
    b.sink.write(batch(changes.slice(4)));
    const registries = [a.ctx.metrics, b.ctx.metrics];
    const s = summarize(registries);
    expect(s.checksums).toEqual({ out: all.read() });
    // The carry: halves near 2^32 from two instances.
    expect(combineChecksum(0xffffffff + 2, 0xffffffff)).toBe('0000000000000001');
    expect(summarize([new MetricsRegistry()]).checksums).toBeUndefined();
  });

  it("is reported in a job's summary", async () => {
    const eddy = new Eddy();
    try {
      for await (const _ of eddy.executeScript(
        `CREATE TABLE out (k STRING, n BIGINT) WITH ('connector' = 'blackhole', 'checksum' = 'true');
         CREATE TABLE plain (k STRING, n BIGINT) WITH ('connector' = 'blackhole');`,
      ));
      // An updating aggregate: k = 'a' gets 1, then 2 (a -U/+U pair); 'b' gets 1.
      const result = await eddy.execute(`INSERT INTO out SELECT k, COUNT(*) FROM (VALUES ('a'), ('b'), ('a')) AS t(k) GROUP BY k`);
      if (result.kind !== 'job') throw new Error(result.kind);
      await result.job.done;
      expect(result.job.summary().checksums).toEqual({ out: { rows: 2, checksum: expectedChecksum([['a', 2], ['b', 1]]) } });
      const plain = await eddy.execute(`INSERT INTO plain SELECT 'x', 1`);
      if (plain.kind !== 'job') throw new Error(plain.kind);
      await plain.job.done;
      expect(plain.job.summary().checksums).toBeUndefined();
      await expect(eddy.execute(`CREATE TABLE bad (k STRING) WITH ('connector' = 'blackhole', 'checksum' = 'maybe')`)).rejects.toThrow(/checksum/);
    } finally {
      await eddy.close();
    }
  });
});
