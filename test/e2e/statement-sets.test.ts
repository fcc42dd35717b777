/**
 * A statement set is one job with many sinks (Flink's multi-sink planning): INSERTs into the same table
 * feed one writer (no two writers of one file), and INSERTs reading the same table share one read of it.
 * Outputs are checked against batch computations written here.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Eddy } from '../../src/engine/eddy.js';
import { executeAll, prng, sortedRows, tempDir, writeJsonLines } from './helpers.js';

interface Click {
  user: string;
  url: string;
  amount: number;
  ts: number;
}

const BASE = Date.UTC(2024, 0, 1, 12, 0, 0);

function clicks(seed: number, n: number): Click[] {
  const rand = prng(seed);
  const out: Click[] = [];
  for (let i = 0; i < n; i++) {
    // In order, so no row is late and every window closes in the batch answer too.
    out.push({ user: `u${Math.floor(rand() * 7)}`, url: ['/home', '/cart', '/pay'][Math.floor(rand() * 3)]!, amount: Math.floor(rand() * 50), ts: BASE + i * 250 });
  }
  return out;
}

/** The JSON lines of a file, each parsed (a torn or interleaved line fails to parse). */
function jsonLines(path: string): Record<string, unknown>[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

const iso = (ms: number) => new Date(ms).toISOString().replace('T', ' ').replace('Z', '');

describe('statement sets: one job, many sinks', () => {
  const events = clicks(11, 30_000);
  const dir = tempDir();
  const input = writeJsonLines(
    dir,
    'clicks.json',
    events.map((e) => ({ ...e, ts: new Date(e.ts).toISOString() })),
  );
  const source = `CREATE TABLE clicks (\`user\` STRING, url STRING, amount INT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL '1' SECOND)
    WITH ('connector' = 'filesystem', 'path' = '${input}', 'format' = 'json');`;

  async function runSet(ddl: string, set: string) {
    const eddy = new Eddy();
    await executeAll(eddy, source + ddl);
    const r = await eddy.execute(set);
    if (r.kind !== 'job') throw new Error(`expected a job, got ${r.kind}`);
    await r.job.done;
    return r.job;
  }

  it('two INSERTs into one filesystem table: every row of both, each line intact; the source is read once', async () => {
    const out = join(tempDir(), 'both.json');
    const job = await runSet(
      `CREATE TABLE both_out (\`user\` STRING, amount INT, tag STRING) WITH ('connector' = 'filesystem', 'path' = '${out}', 'format' = 'json');`,
      `EXECUTE STATEMENT SET BEGIN
         INSERT INTO both_out SELECT \`user\`, amount, 'home' FROM clicks WHERE url = '/home';
         INSERT INTO both_out SELECT \`user\`, amount * 2, 'pay' FROM clicks WHERE url = '/pay';
       END;`,
    );
    const expected = [
      ...events.filter((e) => e.url === '/home').map((e) => [e.user, e.amount, 'home']),
      ...events.filter((e) => e.url === '/pay').map((e) => [e.user, e.amount * 2, 'pay']),
    ];
    const written = jsonLines(out).map((r) => [r['user'], r['amount'], r['tag']]);
    expect(written.length).toBe(expected.length);
    expect(sortedRows(written)).toEqual(sortedRows(expected));
    expect(job.jobs.length).toBe(1);
    expect(job.summary().rowsIn).toBe(events.length);
    expect(job.summary().rowsOut).toBe(expected.length);
  });

  it('two INSERTs reading one source into two sinks (a filter and a window): both equal the batch answer; the source is read once', async () => {
    const outDir = tempDir();
    const homes = join(outDir, 'homes.csv');
    const totals = join(outDir, 'totals.json');
    const job = await runSet(
      `CREATE TABLE homes (\`user\` STRING, ts TIMESTAMP(3)) WITH ('connector' = 'filesystem', 'path' = '${homes}', 'format' = 'csv');
       CREATE TABLE totals (\`user\` STRING, window_start TIMESTAMP(3), total INT) WITH ('connector' = 'filesystem', 'path' = '${totals}', 'format' = 'json');`,
      `EXECUTE STATEMENT SET BEGIN
         INSERT INTO homes SELECT \`user\`, ts FROM clicks WHERE url = '/home';
         INSERT INTO totals
           SELECT \`user\`, window_start, SUM(amount)
           FROM TABLE(TUMBLE(TABLE clicks, DESCRIPTOR(ts), INTERVAL '1' MINUTE))
           GROUP BY window_start, window_end, \`user\`;
       END;`,
    );
    const expectedHomes = events.filter((e) => e.url === '/home').map((e) => [e.user, iso(e.ts)]);
    const writtenHomes = readFileSync(homes, 'utf8')
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => l.split(','));
    expect(sortedRows(writtenHomes)).toEqual(sortedRows(expectedHomes));
    const sums = new Map<string, number>();
    for (const e of events) {
      const key = `${e.user}|${Math.floor(e.ts / 60_000) * 60_000}`;
      sums.set(key, (sums.get(key) ?? 0) + e.amount);
    }
    const expectedTotals = [...sums].map(([k, total]) => {
      const [user, start] = k.split('|');
      return [user, iso(Number(start)), total];
    });
    const writtenTotals = jsonLines(totals).map((r) => [r['user'], r['window_start'], r['total']]);
    expect(sortedRows(writtenTotals)).toEqual(sortedRows(expectedTotals));
    expect(job.jobs.length).toBe(1);
    expect(job.summary().rowsIn).toBe(events.length);
  });

  it('EXPLAIN of a statement set shows each sink over one shared scan of the table', async () => {
    const eddy = new Eddy();
    await executeAll(
      eddy,
      source +
        `CREATE TABLE a (\`user\` STRING) WITH ('connector' = 'blackhole');
         CREATE TABLE b (url STRING, amount INT) WITH ('connector' = 'blackhole');`,
    );
    const r = await eddy.execute(`EXPLAIN EXECUTE STATEMENT SET BEGIN INSERT INTO a SELECT \`user\` FROM clicks; INSERT INTO b SELECT url, amount FROM clicks; END`);
    if (r.kind !== 'explain') throw new Error('expected EXPLAIN text');
    const physical = r.text.slice(r.text.indexOf('== Optimized Physical Plan =='));
    // One scan reads all the columns either sink reads; the second sink's plan refers to it.
    const scans = physical.split('\n').filter((l) => l.includes('TableSourceScan('));
    expect(scans.length).toBe(1);
    expect(scans[0]).toContain('fields=[user, url, amount]');
    expect(scans[0]).toContain('reuse_id=[1]');
    expect(physical).toContain('Reused(reference_id=[1])');
  });

  it("a script's consecutive INSERTs that read a common table run as one job that reads it once; others run on their own", async () => {
    const outDir = tempDir();
    const eddy = new Eddy();
    const results = [];
    const script = `${source}
      CREATE TABLE other (n INT) WITH ('connector' = 'datagen', 'number-of-rows' = '5', 'fields.n.kind' = 'sequence', 'fields.n.start' = '1', 'fields.n.end' = '5');
      CREATE TABLE a (\`user\` STRING) WITH ('connector' = 'filesystem', 'path' = '${join(outDir, 'a.json')}', 'format' = 'json');
      CREATE TABLE b (url STRING) WITH ('connector' = 'filesystem', 'path' = '${join(outDir, 'b.json')}', 'format' = 'json');
      CREATE TABLE c (n INT) WITH ('connector' = 'filesystem', 'path' = '${join(outDir, 'c.json')}', 'format' = 'json');
      INSERT INTO a SELECT \`user\` FROM clicks WHERE amount > 40;
      INSERT INTO b SELECT url FROM clicks WHERE amount < 2;
      INSERT INTO c SELECT n FROM other;`;
    for await (const r of eddy.executeScript(script)) if (r.kind === 'job') results.push(r.job);
    await Promise.all(results.map((j) => j.done));
    expect(results.length).toBe(2);
    expect(results[0]!.summary().rowsIn).toBe(events.length);
    expect(results[0]!.description).toContain('INSERT INTO b');
    expect(results[1]!.summary().rowsIn).toBe(5);
    expect(jsonLines(join(outDir, 'a.json')).length).toBe(events.filter((e) => e.amount > 40).length);
    expect(jsonLines(join(outDir, 'b.json')).length).toBe(events.filter((e) => e.amount < 2).length);
    expect(jsonLines(join(outDir, 'c.json')).map((r) => r['n'])).toEqual([1, 2, 3, 4, 5]);
  });

  it('an INSERT of such a run that cannot be planned fails on its own: the INSERT before it still starts', async () => {
    const outDir = tempDir();
    const eddy = new Eddy();
    const started: { description: string }[] = [];
    const script = `${source}
      CREATE TABLE a (\`user\` STRING) WITH ('connector' = 'filesystem', 'path' = '${join(outDir, 'a.json')}', 'format' = 'json');
      CREATE TABLE counts (\`user\` STRING, n BIGINT) WITH ('connector' = 'filesystem', 'path' = '${join(outDir, 'counts.json')}', 'format' = 'json');
      INSERT INTO a SELECT \`user\` FROM clicks WHERE amount > 40;
      INSERT INTO counts SELECT \`user\`, COUNT(*) FROM clicks GROUP BY \`user\`;`;
    const error = await (async () => {
      for await (const r of eddy.executeScript(script)) if (r.kind === 'job') started.push(r.job);
    })().catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'EDDY-L001' });
    expect((error as Error).message).toContain("Table 'counts'");
    expect(started.length).toBe(1);
    expect(started[0]!.description).not.toContain('counts');
    await eddy.close();
  });
});
