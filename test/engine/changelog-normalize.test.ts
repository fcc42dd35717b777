/**
 * An upsert source through the engine: a test connector declared here (an in-memory upsert stream: upserts by
 * key and deletes carrying only the key) is read through ChangelogNormalize; a GROUP BY over it equals the
 * aggregate of the table the upserts leave, computed here; EXPLAIN shows the node and its state.
 */
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Eddy, EddyError } from '../../src/index.js';
import type { ConnectorFactory, SourceChunk, SourceReader } from '../../src/runtime/connector.js';
import { DELETE, INSERT, UPDATE_AFTER, type Row, type RowKind } from '../../src/runtime/changelog.js';
import { tempDir } from '../e2e/helpers.js';

/** [kind, id, category, amount]; a delete carries the key only, as a Kafka tombstone does. */
type Upsert = [RowKind, number, string | null, number | null];

// Account balances by id and region. What stays: 1 east 30, 3 west 7, 4 east 1, 5 west 2 (2 deleted).
const UPSERTS: Upsert[] = [
  [UPDATE_AFTER, 1, 'east', 10],
  [UPDATE_AFTER, 2, 'west', 5],
  [INSERT, 3, 'west', 7],
  [UPDATE_AFTER, 1, 'east', 30],
  [UPDATE_AFTER, 4, 'west', 1],
  [UPDATE_AFTER, 4, 'east', 1],
  [DELETE, 2, null, null],
  [DELETE, 6, null, null],
  [UPDATE_AFTER, 3, 'west', 7],
  [UPDATE_AFTER, 5, 'west', 2],
];

/** The aggregate of the table the upserts leave, computed independently of Eddy. */
function expected(): [string, number, number][] {
  const table = new Map<number, [string, number]>();
  for (const [kind, id, category, amount] of UPSERTS) {
    if (kind === DELETE) table.delete(id);
    else table.set(id, [category!, amount!]);
  }
  const sums = new Map<string, [number, number]>();
  for (const [category, amount] of table.values()) {
    const s = sums.get(category) ?? [0, 0];
    sums.set(category, [s[0] + amount, s[1] + 1]);
  }
  return [...sums.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([c, [sum, n]]) => [c, sum, n]);
}

/** An upsert source: the UPSERTS in chunks of 3, with their kinds. */
const memoryUpsert: ConnectorFactory = {
  identifier: 'memory-upsert',
  description: 'an in-memory upsert stream (test)',
  options: [],
  sourceChangelogMode: () => 'upsert',
  createSource: (): SourceReader => {
    let at = 0;
    return {
      bounded: true,
      open: async () => {},
      close: async () => {},
      async next(): Promise<SourceChunk | null> {
        if (at >= UPSERTS.length) return null;
        const part = UPSERTS.slice(at, at + 3);
        at += 3;
        const rows: Row[] = part.map(([, id, category, amount]) => [id, category, amount]);
        return { split: 'memory', rows, kinds: part.map(([k]) => k), ...(at >= UPSERTS.length ? { splitEnded: true } : {}) };
      },
    };
  },
};

/** The same upserts with the key as the last column: [region, amount, id]. */
const memoryUpsertLastKey: ConnectorFactory = {
  ...memoryUpsert,
  identifier: 'memory-upsert-last-key',
  createSource: (ctx): SourceReader => {
    const inner = memoryUpsert.createSource!(ctx);
    return {
      ...inner,
      bounded: true,
      open: () => inner.open(),
      close: () => inner.close(),
      async next(): Promise<SourceChunk | null> {
        const chunk = await inner.next();
        return chunk && { ...chunk, rows: chunk.rows.map(([id, region, amount]) => [region, amount, id]) };
      },
    };
  },
};

const sessions: Eddy[] = [];
afterEach(async () => {
  for (const e of sessions.splice(0)) await e.close();
});

async function session(): Promise<Eddy> {
  const eddy = new Eddy({ connectors: [memoryUpsert, memoryUpsertLastKey] });
  sessions.push(eddy);
  await eddy.execute("SET 'table.dml-sync' = 'true'");
  return eddy;
}

describe('upsert sources through ChangelogNormalize', () => {
  it('aggregates an upsert stream into the answer of the table it leaves', async () => {
    const eddy = await session();
    const dir = tempDir();
    await eddy.execute(`CREATE TABLE balances (id INT, region STRING, amount INT, PRIMARY KEY (id) NOT ENFORCED) WITH ('connector' = 'memory-upsert')`);
    await eddy.execute(`CREATE TABLE per_region (region STRING, total BIGINT, n BIGINT, PRIMARY KEY (region) NOT ENFORCED) WITH ('connector' = 'sqlite', 'path' = '${join(dir, 'out.db')}', 'table-name' = 'per_region')`);
    await eddy.execute('INSERT INTO per_region SELECT region, SUM(amount), COUNT(*) FROM balances GROUP BY region');
    const r = await eddy.execute('SELECT region, total, n FROM per_region ORDER BY region');
    if (r.kind !== 'rows') throw new Error(`expected rows, got ${r.kind}`);
    expect(r.result.rows).toEqual(expected());
  });

  it('serves two INSERTs of a statement set that read different columns of the upsert table (one shared scan)', async () => {
    const eddy = await session();
    const dir = tempDir();
    // The key is the last column, so the scans' column positions differ from the shared scan's.
    await eddy.execute(`CREATE TABLE balances2 (region STRING, amount INT, id INT, PRIMARY KEY (id) NOT ENFORCED) WITH ('connector' = 'memory-upsert-last-key')`);
    await eddy.execute(`CREATE TABLE per_region (region STRING, total BIGINT, n BIGINT, PRIMARY KEY (region) NOT ENFORCED) WITH ('connector' = 'sqlite', 'path' = '${join(dir, 'out.db')}', 'table-name' = 'per_region')`);
    await eddy.execute(`CREATE TABLE amounts (amount INT, id INT, PRIMARY KEY (id) NOT ENFORCED) WITH ('connector' = 'sqlite', 'path' = '${join(dir, 'out.db')}', 'table-name' = 'amounts')`);
    const set = `EXECUTE STATEMENT SET BEGIN
      INSERT INTO amounts SELECT amount, id FROM balances2;
      INSERT INTO per_region SELECT region, SUM(amount), COUNT(*) FROM balances2 GROUP BY region;
    END`;
    const explained = await eddy.execute(`EXPLAIN ${set}`);
    if (explained.kind !== 'explain') throw new Error(`expected explain, got ${explained.kind}`);
    expect(explained.text).toMatch(/TableSourceScan\(table=\[balances2\], connector=\[memory-upsert-last-key\], fields=\[region, amount, id\]\), state=\[watermarks\], changelog=\[I,UB,UA,D\], upsertKey=\[id\]/);
    await eddy.execute(set);
    const regions = await eddy.execute('SELECT region, total, n FROM per_region ORDER BY region');
    expect(regions.kind === 'rows' && regions.result.rows).toEqual(expected());
    const amounts = await eddy.execute('SELECT id, amount FROM amounts ORDER BY id');
    // Left by the upserts: 1 → 30, 3 → 7, 4 → 1, 5 → 2 (2 deleted, 6 never there).
    expect(amounts.kind === 'rows' && amounts.result.rows).toEqual([
      [1, 30],
      [3, 7],
      [4, 1],
      [5, 2],
    ]);
  });

  it('shows ChangelogNormalize, keyed by the primary key, and its state in EXPLAIN', async () => {
    const eddy = await session();
    await eddy.execute(`CREATE TABLE balances (id INT, region STRING, amount INT, PRIMARY KEY (id) NOT ENFORCED) WITH ('connector' = 'memory-upsert')`);
    const r = await eddy.execute('EXPLAIN SELECT region, SUM(amount) FROM balances GROUP BY region');
    if (r.kind !== 'explain') throw new Error(`expected explain, got ${r.kind}`);
    expect(r.text).toMatch(/ChangelogNormalize\(key=\[id\]\), state=\[rows\], changelog=\[I,UB,UA,D\], upsertKey=\[id\]\n\s*\+- Exchange\(distribution=\[hash\[id\]\]\)/);
    const again = await eddy.execute('EXPLAIN SELECT region, SUM(amount) FROM balances GROUP BY region');
    expect(again.kind === 'explain' && again.text).toBe(r.text);
  });

  it('refuses an upsert table without a primary key, saying what to declare', async () => {
    const eddy = await session();
    await eddy.execute(`CREATE TABLE keyless (id INT, region STRING) WITH ('connector' = 'memory-upsert')`);
    const e = await eddy.execute('SELECT * FROM keyless').then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(e).toBeInstanceOf(EddyError);
    expect((e as EddyError).message).toMatch(/'keyless' is read as an upsert stream.*no PRIMARY KEY/);
  });
});
