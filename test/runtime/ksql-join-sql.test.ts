/**
 * ksqlDB's joins run through the engine (`Eddy`) over files, on test sources marked as ksqlDB streams and
 * tables (ksql-sources.ts): stream-stream joins WITHIN (before, after) GRACE PERIOD with rows out of order
 * by less than the grace (none is lost), INNER / LEFT / RIGHT / FULL; stream-table joins against a table
 * that changes (debezium-json: inserts, updates, deletes), INNER and LEFT; table-table joins of the tables'
 * final states. Each result, with the output's ROWTIME, equals a nested-loop computation over the rows
 * written here.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Eddy } from '../../src/index.js';
import { tempDir } from '../e2e/helpers.js';
import { markKsql, ROWTIME_COLUMNS } from '../planner/ksql-sources.js';
import { mulberry32 } from './operators/stream-gen.js';

const rng = mulberry32(18);
const dir = tempDir();
const lines = (rows: object[]) => rows.map((r) => JSON.stringify(r)).join('\n') + '\n';

interface Event {
  ID: number | null;
  V: string;
  ROWTIME: number;
}

/** `n` stream events over `span` ms, at even (left) or odd (right) times, some with a NULL key. */
function events(n: number, span: number, prefix: string, parity: 0 | 1): Event[] {
  const out: Event[] = [];
  for (let i = 0; i < n; i++) out.push({ ID: rng() < 0.05 ? null : Math.floor(rng() * 5), V: `${prefix}${i}`, ROWTIME: Math.floor(rng() * span) * 2 + parity });
  return out.sort((a, b) => a.ROWTIME - b.ROWTIME);
}

/** Events in time order, each moved up to `jitter` ms later in arrival (so some arrive out of order). */
function jittered(rows: Event[], jitter: number): Event[] {
  return rows.map((r) => ({ r, at: r.ROWTIME + Math.floor(rng() * jitter) })).sort((a, b) => a.at - b.at).map((a) => a.r);
}

const BEFORE = 2_000;
const AFTER = 5_000;
const GRACE = 3_000;
const left = events(120, 60_000, 'l', 0);
const right = events(120, 60_000, 'r', 1);
writeFileSync(join(dir, 's1.json'), lines(jittered(left, 2_500)));
writeFileSync(join(dir, 's2.json'), lines(jittered(right, 2_500)));

/** A table's changes: per key, versions at increasing times; the last change of some keys is a delete. */
interface Change {
  op: 'c' | 'u' | 'd';
  ID: number;
  NAME: string;
  ROWTIME: number;
}
function tableChanges(keys: number, span: number, prefix: string): Change[] {
  const out: Change[] = [];
  for (let id = 0; id < keys; id++) {
    const times = new Set<number>();
    while (times.size < 4) times.add(Math.floor(rng() * span) * 2 + 1);
    const sorted = [...times].sort((a, b) => a - b);
    sorted.forEach((t, i) => out.push({ op: i === 0 ? 'c' : i === 3 && id % 2 === 0 ? 'd' : 'u', ID: id, NAME: `${prefix}${id}.${i}`, ROWTIME: t }));
  }
  return out.sort((a, b) => a.ROWTIME - b.ROWTIME);
}
/**
 * The debezium-json events of the changes. A delete's before image is the deleted row, or, for the versions a
 * stream-table join reads (`deletionTime`), the row with the deletion's time: what a ksqlDB table's tombstone
 * is to the temporal join (the upsert records themselves, with the tombstone's timestamp as ROWTIME).
 */
function debezium(changes: Change[], deletionTime: boolean): string {
  const prev = new Map<number, object>();
  return lines(
    changes.map((c) => {
      const after = { ID: c.ID, NAME: c.NAME, ROWTIME: c.ROWTIME };
      const before = prev.get(c.ID) ?? null;
      if (c.op === 'd') {
        prev.delete(c.ID);
        return { before: deletionTime ? { ...before, ROWTIME: c.ROWTIME } : before, after: null, op: 'd' };
      }
      prev.set(c.ID, after);
      return { before: c.op === 'u' ? before : null, after, op: c.op };
    }),
  );
}
const t1 = tableChanges(4, 30_000, 'n');
const t2 = tableChanges(5, 30_000, 'c');
writeFileSync(join(dir, 't1.json'), debezium(t1, true));
writeFileSync(join(dir, 't1b.json'), debezium(t1, false));
writeFileSync(join(dir, 't2b.json'), debezium(t2, false));

const eddy = new Eddy();
afterAll(() => eddy.close());
const fs = (name: string, format = 'json') => `WITH ('connector' = 'filesystem', 'path' = '${join(dir, name)}', 'format' = '${format}')`;
const ready = (async () => {
  await eddy.execute(`CREATE TABLE S1 (ID INT, V STRING, ${ROWTIME_COLUMNS}) ${fs('s1.json')}`);
  await eddy.execute(`CREATE TABLE S2 (ID INT, V STRING, ${ROWTIME_COLUMNS}) ${fs('s2.json')}`);
  await eddy.execute(`CREATE TABLE T1 (ID INT, NAME STRING, ${ROWTIME_COLUMNS}, PRIMARY KEY (ID) NOT ENFORCED) ${fs('t1.json', 'debezium-json')}`);
  await eddy.execute(`CREATE TABLE T1B (ID INT, NAME STRING, ${ROWTIME_COLUMNS}, PRIMARY KEY (ID) NOT ENFORCED) ${fs('t1b.json', 'debezium-json')}`);
  await eddy.execute(`CREATE TABLE T2B (ID INT, NAME STRING, ${ROWTIME_COLUMNS}, PRIMARY KEY (ID) NOT ENFORCED) ${fs('t2b.json', 'debezium-json')}`);
  markKsql(eddy.catalog, 'S1', 'STREAM');
  markKsql(eddy.catalog, 'S2', 'STREAM');
  markKsql(eddy.catalog, 'T1', 'TABLE');
  markKsql(eddy.catalog, 'T1B', 'TABLE');
  markKsql(eddy.catalog, 'T2B', 'TABLE');
})();

async function rows(sql: string): Promise<string[]> {
  await ready;
  const r = await eddy.execute(sql);
  if (r.kind !== 'query') throw new Error(`expected a query, got ${r.kind}`);
  return (await r.query.finalRows()).map((row) => JSON.stringify(row)).sort();
}
const text = (rows: unknown[][]) => rows.map((r) => JSON.stringify(r)).sort();

type JoinType = 'INNER' | 'LEFT' | 'RIGHT' | 'FULL';
const keeps = (type: JoinType, side: 0 | 1) => type === 'FULL' || (side === 0 ? type === 'LEFT' : type === 'RIGHT');

/** Matches of rows `ls` and `rs` by `match`, plus the unmatched rows of kept sides null-padded (nested loops). */
function nestedLoops<L, R>(type: JoinType, ls: L[], rs: R[], match: (l: L, r: R) => boolean, out: (l: L | null, r: R | null) => unknown[]): string[] {
  const result: unknown[][] = [];
  const matchedRight = new Set<R>();
  for (const l of ls) {
    let matched = false;
    for (const r of rs) {
      if (!match(l, r)) continue;
      matched = true;
      matchedRight.add(r);
      result.push(out(l, r));
    }
    if (!matched && keeps(type, 0)) result.push(out(l, null));
  }
  if (keeps(type, 1)) for (const r of rs) if (!matchedRight.has(r)) result.push(out(null, r));
  return text(result);
}

describe('ksqlDB stream-stream joins over files', () => {
  for (const type of ['INNER', 'LEFT', 'RIGHT', 'FULL'] as const) {
    it(`${type}: WITHIN (2 s, 5 s) GRACE PERIOD 3 s equals the nested-loop join; ROWTIME is the later time`, async () => {
      const kw = type === 'FULL' ? 'FULL OUTER' : type;
      const got = await rows(`SELECT S1.ID, S1.V, S2.ID, S2.V, ROWTIME FROM S1 ${kw} JOIN S2 WITHIN (2 SECONDS, 5 SECONDS) GRACE PERIOD 3 SECONDS ON S1.ID = S2.ID`);
      const expected = nestedLoops(
        type,
        left,
        right,
        (l, r) => l.ID !== null && l.ID === r.ID && r.ROWTIME >= l.ROWTIME - BEFORE && r.ROWTIME <= l.ROWTIME + AFTER,
        (l, r) => [l?.ID ?? null, l?.V ?? null, r?.ID ?? null, r?.V ?? null, Math.max(l?.ROWTIME ?? -Infinity, r?.ROWTIME ?? -Infinity)],
      );
      expect(expected.length).toBeGreaterThan(50);
      expect(got).toEqual(expected);
    });
  }

  it('without the grace, rows out of order behind stream time are lost: the grace is what keeps them', async () => {
    const got = await rows('SELECT S1.V, S2.V FROM S1 JOIN S2 WITHIN (2 SECONDS, 5 SECONDS) GRACE PERIOD 0 SECONDS ON S1.ID = S2.ID');
    const all = nestedLoops('INNER', left, right, (l, r) => l.ID !== null && l.ID === r.ID && r.ROWTIME >= l.ROWTIME - BEFORE && r.ROWTIME <= l.ROWTIME + AFTER, (l, r) => [l!.V, r!.V]);
    expect(got.length).toBeLessThan(all.length);
    for (const row of got) expect(all).toContain(row);
  });
});

/** The version of `id` in `changes` valid at `t`: the latest change at or before t, unless it is a delete. */
function versionAt(changes: Change[], id: number | null, t: number): Change | undefined {
  let found: Change | undefined;
  for (const c of changes) if (c.ID === id && c.ROWTIME <= t) found = c;
  return found?.op === 'd' ? undefined : found;
}

describe('ksqlDB stream-table joins over files', () => {
  for (const type of ['INNER', 'LEFT'] as const) {
    it(`${type}: each stream record joins the table's row as of its time; ROWTIME is the stream's`, async () => {
      const got = await rows(`SELECT S1.V, T1.NAME, T1.ROWTIME, ROWTIME FROM S1 ${type === 'LEFT' ? 'LEFT ' : ''}JOIN T1 ON S1.ID = T1.ID`);
      const expected: unknown[][] = [];
      for (const l of left) {
        const v = versionAt(t1, l.ID, l.ROWTIME);
        if (v) expected.push([l.V, v.NAME, v.ROWTIME, l.ROWTIME]);
        else if (type === 'LEFT') expected.push([l.V, null, null, l.ROWTIME]);
      }
      // Some records find a version, some find none (before the first, or after a delete).
      expect(expected.filter((r) => r[1] !== null).length).toBeGreaterThan(20);
      expect(left.some((l) => l.ID !== null && l.ID < 4 && !versionAt(t1, l.ID, l.ROWTIME))).toBe(true);
      expect(got).toEqual(text(expected));
    });
  }
});

describe('ksqlDB table-table joins over files', () => {
  /** A table's final rows: the last change of each key, unless a delete. */
  const finalRows = (changes: Change[]) => [...new Map(changes.map((c) => [c.ID, c])).values()].filter((c) => c.op !== 'd');

  for (const type of ['INNER', 'LEFT', 'RIGHT', 'FULL'] as const) {
    it(`${type}: the final rows are the join of the tables' final rows; ROWTIME is the later one`, async () => {
      const kw = type === 'FULL' ? 'FULL OUTER' : type;
      const got = await rows(`SELECT T1B.ID, T1B.NAME, T2B.ID, T2B.NAME, ROWTIME FROM T1B ${kw} JOIN T2B ON T1B.ID = T2B.ID`);
      const expected = nestedLoops(
        type,
        finalRows(t1),
        finalRows(t2),
        (a, b) => a.ID === b.ID,
        (a, b) => [a?.ID ?? null, a?.NAME ?? null, b?.ID ?? null, b?.NAME ?? null, Math.max(a?.ROWTIME ?? -Infinity, b?.ROWTIME ?? -Infinity)],
      );
      expect(got).toEqual(expected);
    });
  }
});
