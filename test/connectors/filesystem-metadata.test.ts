// The `filesystem` connector's METADATA columns (Flink's keys file.path, file.name, file.size, file.modification-time)
// through SQL on real files: values compared with what the test wrote (sizes of its own bytes, modification times it
// set), a computed column and a WATERMARK on them, DESCRIBE and SHOW CREATE TABLE.
import { mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Eddy, type StatementResult, type TextTable } from '../../src/index.js';
import { runQuery, tempDir } from '../e2e/helpers.js';

const sessions: Eddy[] = [];
afterEach(async () => {
  await Promise.all(sessions.splice(0).map((e) => e.close()));
});

const H = 3_600_000;
const T0 = Date.UTC(2024, 0, 1, 10, 0, 0, 0);

/** A directory of three files with known contents and modification times (10:00:00.250, 10:30, 11:15 UTC). */
function files(): { dir: string; expected: { path: string; name: string; size: number; mtime: number; ids: number[] }[] } {
  const dir = join(tempDir(), 'in');
  mkdirSync(dir);
  const spec = [
    { name: 'a.json', ids: [1, 2, 3], mtime: T0 + 250 },
    { name: 'b.json', ids: [4], mtime: T0 + H / 2 },
    { name: 'c.json', ids: [5, 6], mtime: T0 + H + H / 4 },
  ];
  const expected = spec.map((s) => {
    const text = s.ids.map((id) => JSON.stringify({ id, word: 'é'.repeat(id) }) + '\n').join('');
    const path = join(dir, s.name);
    writeFileSync(path, text);
    utimesSync(path, s.mtime / 1000, s.mtime / 1000);
    return { path: resolve(path), name: s.name, size: Buffer.byteLength(text), mtime: s.mtime, ids: s.ids };
  });
  return { dir, expected };
}

async function session(ddl: string): Promise<Eddy> {
  const eddy = new Eddy();
  sessions.push(eddy);
  await eddy.execute(ddl);
  return eddy;
}

const table = (r: StatementResult): TextTable => {
  if (r.kind !== 'table') throw new Error(`expected a table, got ${r.kind}`);
  return r.table;
};

describe('filesystem METADATA columns', () => {
  it("each row carries its file's path, name, size and modification time", async () => {
    const { dir, expected } = files();
    const eddy = await session(`CREATE TABLE f (
        id INT,
        path STRING NOT NULL METADATA FROM 'file.path' VIRTUAL,
        \`file.name\` STRING NOT NULL METADATA,
        size BIGINT METADATA FROM 'file.size',
        mtime TIMESTAMP_LTZ(3) METADATA FROM 'file.modification-time',
        word STRING,
        name_length AS CHAR_LENGTH(\`file.name\`)
      ) WITH ('connector' = 'filesystem', 'path' = '${dir}', 'format' = 'json')`);
    const { changes } = await runQuery(eddy, 'SELECT id, path, `file.name`, size, mtime, name_length, word FROM f');
    const want = expected.flatMap((e) => e.ids.map((id) => [id, e.path, e.name, e.size, e.mtime, e.name.length, 'é'.repeat(id)]));
    expect(changes.map((c) => c.row).sort((a, b) => (a[0] as number) - (b[0] as number))).toEqual(want);
    // Only the keys a query needs are read: file.name for the computed column (the scan evaluates every computed
    // column), file.size only when selected.
    const plan = await eddy.execute('EXPLAIN SELECT id, word FROM f');
    if (plan.kind !== 'explain') throw new Error('expected a plan');
    expect(plan.text).toContain('TableSourceScan(table=[f], connector=[filesystem], fields=[id, word], metadata=[file.name]), ');
    const one = await eddy.execute('EXPLAIN SELECT size FROM f');
    if (one.kind !== 'explain') throw new Error('expected a plan');
    expect(one.text).toContain('fields=[size], metadata=[file.name, file.size])');
  });

  it('a WATERMARK on a TIMESTAMP_LTZ(3) metadata column drives event-time windows', async () => {
    const { dir, expected } = files();
    const eddy = await session(`CREATE TABLE f (
        id INT,
        mtime TIMESTAMP_LTZ(3) METADATA FROM 'file.modification-time' VIRTUAL,
        WATERMARK FOR mtime AS mtime
      ) WITH ('connector' = 'filesystem', 'path' = '${dir}', 'format' = 'json')`);
    const { changes } = await runQuery(
      eddy,
      "SELECT window_start, COUNT(*), SUM(id) FROM TABLE(TUMBLE(TABLE f, DESCRIPTOR(mtime), INTERVAL '1' HOUR)) GROUP BY window_start, window_end",
    );
    // 10:00-11:00 holds a.json and b.json, 11:00-12:00 c.json (window_start is a TIMESTAMP(3) in the session zone, UTC).
    const inHour = (h: number) => expected.filter((e) => Math.floor((e.mtime - T0) / H) === h).flatMap((e) => e.ids);
    const sum = (ids: number[]) => ids.reduce((a, b) => a + b, 0);
    expect(changes.map((c) => c.row)).toEqual([
      [T0, inHour(0).length, sum(inHour(0))],
      [T0 + H, inHour(1).length, sum(inHour(1))],
    ]);
  });

  it('a computed column converts a metadata column to a TIMESTAMP(3) rowtime', async () => {
    const { dir, expected } = files();
    const eddy = await session(`CREATE TABLE f (
        id INT,
        mtime TIMESTAMP_LTZ(3) METADATA FROM 'file.modification-time' VIRTUAL,
        ts AS CAST(mtime AS TIMESTAMP(3)),
        WATERMARK FOR ts AS ts - INTERVAL '1' MINUTE
      ) WITH ('connector' = 'filesystem', 'path' = '${dir}', 'format' = 'json')`);
    await eddy.execute("SET 'table.local-time-zone' = 'Asia/Tokyo'");
    const { changes } = await runQuery(eddy, 'SELECT id, ts FROM f');
    // TIMESTAMP_LTZ to TIMESTAMP is the wall-clock time in the session zone: Tokyo is UTC+9 (no daylight saving).
    const want = expected.flatMap((e) => e.ids.map((id) => [id, e.mtime + 9 * H]));
    expect(changes.map((c) => c.row).sort((a, b) => (a[0] as number) - (b[0] as number))).toEqual(want);
  });

  it('DESCRIBE shows METADATA columns; SHOW CREATE TABLE gives the statement back', async () => {
    const ddl = `CREATE TABLE f (
  id INT,
  p STRING NOT NULL METADATA FROM 'file.path' VIRTUAL,
  \`file.size\` BIGINT METADATA
) WITH ('connector' = 'filesystem', 'path' = '/nowhere', 'format' = 'json')`;
    const eddy = await session(ddl);
    expect(table(await eddy.execute('DESCRIBE f')).rows).toEqual([
      ['id', 'INT', 'TRUE', '', '', ''],
      ['p', 'STRING', 'FALSE', '', "METADATA FROM 'file.path' VIRTUAL", ''],
      ['file.size', 'BIGINT', 'TRUE', '', "METADATA FROM 'file.size'", ''],
    ]);
    expect(table(await eddy.execute('SHOW CREATE TABLE f')).rows).toEqual([[ddl + ';']]);
    // Without computed columns, a query of physical columns reads no metadata.
    const plan = await eddy.execute('EXPLAIN SELECT id FROM f');
    if (plan.kind !== 'explain') throw new Error('expected a plan');
    expect(plan.text).toContain('TableSourceScan(table=[f], connector=[filesystem], fields=[id]), ');
  });
});
