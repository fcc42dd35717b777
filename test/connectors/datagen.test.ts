import { describe, expect, it } from 'vitest';
import { DataGenSourceReader, datagenConnector, mulberry32 } from '../../src/connectors/datagen.js';
import type { SourceChunk } from '../../src/runtime/connector.js';
import { EddyError } from '../../src/common/errors.js';
import { T, withNullable, type Schema } from '../../src/common/types.js';
import { testContext } from './context.js';

const schema: Schema = [
  { name: 'id', type: T.bigint() },
  { name: 'n', type: T.int() },
  { name: 's', type: T.string() },
  { name: 'b', type: T.boolean() },
  { name: 'd', type: T.decimal(6, 2) },
  { name: 'ts', type: T.timestamp(3) },
];

async function readAll(options: Record<string, string>, s: Schema = schema): Promise<SourceChunk[]> {
  const reader = datagenConnector.createSource!(testContext(s, { connector: 'datagen', ...options }));
  await reader.open();
  const chunks: SourceChunk[] = [];
  for (let c = await reader.next(); c !== null; c = await reader.next()) chunks.push(c);
  await reader.close();
  return chunks;
}

describe('datagen', () => {
  it('generates number-of-rows rows in chunks of rows-per-second/10, values within bounds', async () => {
    const chunks = await readAll({
      'rows-per-second': '100000',
      'number-of-rows': '25000',
      'fields.n.min': '5',
      'fields.n.max': '10',
      'fields.s.length': '4',
      'fields.ts.max-past': '1 min',
    });
    const rows = chunks.flatMap((c) => c.rows);
    expect(rows.length).toBe(25000);
    expect(chunks[0]!.rows.length).toBe(5000);
    expect(chunks.map((c) => c.splitEnded === true)).toEqual(chunks.map((_, i) => i === chunks.length - 1));
    const now = Date.now();
    for (const r of rows.slice(0, 500)) {
      expect(Number.isInteger(r[0])).toBe(true);
      expect(r[1]).toBeGreaterThanOrEqual(5);
      expect(r[1]).toBeLessThanOrEqual(10);
      expect(r[2]).toMatch(/^[A-Za-z0-9]{4}$/);
      expect(typeof r[3]).toBe('boolean');
      expect(Math.abs(r[4] as number)).toBeLessThan(10000);
      expect(r[5]).toBeGreaterThan(now - 70_000);
    }
    expect(new Set(rows.map((r) => r[1])).size).toBe(6);
  });

  it('ends when a sequence is exhausted', async () => {
    const chunks = await readAll({ 'rows-per-second': '1000', 'fields.id.kind': 'sequence', 'fields.id.start': '1', 'fields.id.end': '250' });
    const ids = chunks.flatMap((c) => c.rows.map((r) => r[0]));
    expect(ids).toEqual(Array.from({ length: 250 }, (_, i) => i + 1));
    expect(chunks.at(-1)!.splitEnded).toBe(true);
  });

  it('is deterministic with a seed', async () => {
    const options = { 'number-of-rows': '50', seed: '42', 'rows-per-second': '1000000' };
    const s = schema.slice(0, 5);
    const a = (await readAll(options, s)).flatMap((c) => c.rows);
    const b = (await readAll(options, s)).flatMap((c) => c.rows);
    const c = (await readAll({ ...options, seed: '43' }, s)).flatMap((c) => c.rows);
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    expect(mulberry32(1)()).toBe(mulberry32(1)());
  });

  it('respects null-rate on nullable columns only', async () => {
    const s: Schema = [
      { name: 'a', type: T.int() },
      { name: 'b', type: withNullable(T.int(), false) },
    ];
    const rows = (await readAll({ 'number-of-rows': '1000', 'fields.a.null-rate': '0.5', 'fields.b.null-rate': '1', seed: '1' }, s)).flatMap((c) => c.rows);
    const nulls = rows.filter((r) => r[0] === null).length;
    expect(nulls).toBeGreaterThan(400);
    expect(nulls).toBeLessThan(600);
    expect(rows.every((r) => r[1] !== null)).toBe(true);
  });

  it('paces with timers and ends promptly on close when unbounded', async () => {
    const reader = new DataGenSourceReader(testContext(schema, { connector: 'datagen', 'rows-per-second': '10' }));
    expect(reader.bounded).toBe(false);
    await reader.open();
    expect((await reader.next())!.rows.length).toBe(1);
    const pending = reader.next(); // due 100 ms later
    await reader.close();
    expect(await pending).toBeNull();
  });

  it('rejects a sequence without bounds and options naming no column', () => {
    const create = (o: Record<string, string>) => () => new DataGenSourceReader(testContext(schema, { connector: 'datagen', ...o }));
    expect(create({ 'fields.id.kind': 'sequence' })).toThrow(
      "Column `id` is a sequence: options 'fields.id.start' and 'fields.id.end' are required",
    );
    expect(create({ 'fields.nope.min': '1' })).toThrow(EddyError);
  });

  describe('resume', () => {
    const s: Schema = [
      { name: 'seq', type: T.bigint() },
      { name: 'n', type: T.int() },
      { name: 'str', type: T.string() },
      { name: 'x', type: T.double() },
      { name: 'flag', type: T.boolean() },
    ];
    const base = { 'rows-per-second': '20000', 'number-of-rows': '7000', 'fields.seq.kind': 'sequence', 'fields.seq.start': '10', 'fields.seq.end': '100000', 'fields.str.length': '5', 'fields.n.null-rate': '0.2' };

    async function readFrom(options: Record<string, string>, restored?: unknown): Promise<{ chunks: SourceChunk[]; positions: unknown[] }> {
      const reader = datagenConnector.createSource!({ ...testContext(s, { connector: 'datagen', ...options }), restored });
      await reader.open();
      const chunks: SourceChunk[] = [];
      const positions: unknown[] = [];
      for (let c = await reader.next(); c !== null; c = await reader.next()) {
        chunks.push(c);
        positions.push(JSON.parse(JSON.stringify(reader.position!())));
      }
      await reader.close();
      return { chunks, positions };
    }

    it('with a seed, gives exactly the rows of an uninterrupted run, from every chunk boundary', async () => {
      const options = { ...base, seed: '7' };
      const full = await readFrom(options);
      const rows = full.chunks.flatMap((c) => c.rows);
      expect(rows.length).toBe(7000);
      expect(full.chunks.length).toBe(4);
      expect(full.positions[0]).toEqual({ rows: 2000, sequences: [2010, null, null, null, null], rng: expect.any(Number) });
      for (let k = 0; k < full.chunks.length; k++) {
        const resumed = await readFrom(options, full.positions[k]);
        expect([...full.chunks.slice(0, k + 1).flatMap((c) => c.rows), ...resumed.chunks.flatMap((c) => c.rows)]).toEqual(rows);
        if (k < full.chunks.length - 1) expect(resumed.chunks.at(-1)!.splitEnded).toBe(true);
        else expect(resumed.chunks).toEqual([]);
      }
    });

    it('without a seed, continues the row count and the sequences', async () => {
      const first = await readFrom({ ...base, 'number-of-rows': '2500' });
      const position = first.positions[0] as { rows: number };
      expect(position.rows).toBe(2000);
      const rest = await readFrom({ ...base, 'number-of-rows': '2500' }, position);
      const seq = [...first.chunks[0]!.rows, ...rest.chunks.flatMap((c) => c.rows)].map((r) => r[0]);
      expect(seq).toEqual(Array.from({ length: 2500 }, (_, i) => 10 + i));
    });

    it('ends at once when restored after its last row, and rejects a position that does not fit', async () => {
      const seqOnly = { 'rows-per-second': '1000', 'fields.seq.kind': 'sequence', 'fields.seq.start': '1', 'fields.seq.end': '3' };
      expect((await readFrom(seqOnly, { rows: 3, sequences: [4, null, null, null, null], rng: 1 })).chunks).toEqual([]);
      expect(() => datagenConnector.createSource!({ ...testContext(s, { connector: 'datagen', ...seqOnly }), restored: { rows: 1, sequences: [], rng: 1 } })).toThrow(
        /checkpointed position of the datagen source does not match its columns/,
      );
    });
  });
});
