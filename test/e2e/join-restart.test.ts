/**
 * Restarting jobs with regular joins: two monitored inputs (users and their events) feed a LEFT join of the
 * users with per-user event totals (an updating result, kept in a sqlite table by user) and an INNER join
 * of every event with its user (append-only, into a filesystem sink). The jobs checkpoint into a state
 * directory; part-way through the input they are stopped (STOP, which checkpoints last) or cancelled (the
 * work since the last checkpoint is lost), more input arrives while they are down, and a new Eddy on the
 * same state directory resumes them. Their final output must equal that of one uninterrupted run over the
 * whole input — which must equal the batch answer computed here with plain loops.
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import { Eddy } from '../../src/engine/eddy.js';
import type { JobHandle } from '../../src/engine/job-handle.js';
import { summarize } from '../../src/engine/job-summary.js';
import { executeAll, prng, tempDir } from './helpers.js';

interface User {
  id: number;
  name: string;
}
interface Event {
  seq: number;
  user_id: number;
  v: number;
}

const USERS = 40;
const EVENTS = 900;

/** Users 1..40 (in a shuffled order) and events of users 1..50 but never of a multiple of 7: some users have no events, some events no user. */
function generate(): { users: User[]; events: Event[] } {
  const rand = prng(77);
  const users: User[] = [];
  for (let id = 1; id <= USERS; id++) users.push({ id, name: `user-${id}` });
  for (let i = users.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [users[i], users[j]] = [users[j]!, users[i]!];
  }
  const events: Event[] = [];
  for (let seq = 1; seq <= EVENTS; seq++) {
    const id = 1 + Math.floor(rand() * 50);
    events.push({ seq, user_id: id % 7 === 0 ? id + 1 : id, v: Math.floor(rand() * 100) });
  }
  return { users, events };
}

const lines = (records: readonly object[]) => records.map((r) => JSON.stringify(r) + '\n').join('');

function ddl(usersPath: string, eventsPath: string, out: string, monitored: boolean): string {
  const monitor = monitored ? ", 'source.monitor-interval' = '50 ms'" : '';
  return `
SET 'execution.checkpointing.interval' = '100 ms';
CREATE TABLE users (id INT, name STRING) WITH ('connector' = 'filesystem', 'path' = '${usersPath}', 'format' = 'json'${monitor});
CREATE TABLE events (seq INT, user_id INT, v BIGINT) WITH ('connector' = 'filesystem', 'path' = '${eventsPath}', 'format' = 'json'${monitor});
CREATE TABLE user_totals (id INT, name STRING, cnt BIGINT, total BIGINT, PRIMARY KEY (id) NOT ENFORCED)
  WITH ('connector' = 'sqlite', 'path' = '${out}/totals.db', 'table-name' = 'user_totals');
CREATE TABLE pairs (seq INT, name STRING) WITH ('connector' = 'filesystem', 'path' = '${out}/pairs', 'format' = 'json');`;
}

const INSERTS = `
BEGIN STATEMENT SET;
INSERT INTO user_totals
  SELECT u.id, u.name, e.cnt, e.total
  FROM users u LEFT JOIN (SELECT user_id, COUNT(*) AS cnt, SUM(v) AS total FROM events GROUP BY user_id) e ON u.id = e.user_id;
INSERT INTO pairs SELECT e.seq, u.name FROM events e JOIN users u ON e.user_id = u.id;
END;`;

interface Output {
  /** user_totals rows [id, name, cnt, total], sorted JSON. */
  totals: string[];
  /** pairs rows [seq, name], sorted JSON (duplicates kept: exactly-once means none). */
  pairs: string[];
}

function readOutput(out: string): Output {
  let totals: string[] = [];
  if (existsSync(join(out, 'totals.db'))) {
    const db = new Database(join(out, 'totals.db'), { readonly: true });
    try {
      totals = (db.prepare('SELECT id, name, cnt, total FROM user_totals').raw(true).all() as unknown[][]).map((r) => JSON.stringify(r)).sort();
    } catch {
      totals = []; // not created yet
    } finally {
      db.close();
    }
  }
  const file = join(out, 'pairs', 'part-0.json');
  const pairs = existsSync(file)
    ? readFileSync(file, 'utf8')
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => {
          const r = JSON.parse(l) as { seq: number; name: string };
          return JSON.stringify([r.seq, r.name]);
        })
        .sort()
    : [];
  return { totals, pairs };
}

/** The batch answer, by nested loops over the final inputs. */
function batch(users: readonly User[], events: readonly Event[]): Output {
  const totals = users.map((u) => {
    const mine = events.filter((e) => e.user_id === u.id);
    return JSON.stringify([u.id, u.name, mine.length > 0 ? mine.length : null, mine.length > 0 ? mine.reduce((s, e) => s + e.v, 0) : null]);
  });
  const pairs: string[] = [];
  for (const e of events) for (const u of users) if (e.user_id === u.id) pairs.push(JSON.stringify([e.seq, u.name]));
  return { totals: totals.sort(), pairs: pairs.sort() };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function eventually(what: string, predicate: () => boolean, ms = 30_000): Promise<void> {
  const start = Date.now();
  while (!predicate()) {
    if (Date.now() - start > ms) throw new Error(`not reached in time: ${what}`);
    await sleep(20);
  }
}

async function startJobs(eddy: Eddy): Promise<JobHandle> {
  const result = await eddy.execute(INSERTS);
  if (result.kind !== 'job') throw new Error(`expected a job, got ${result.kind}`);
  return result.job;
}

/** The lines a checkpoint's filesystem sources had read (the sum of their files' line counts). */
function linesRead(sources: Readonly<Record<string, unknown>>): number {
  let n = 0;
  for (const positions of Object.values(sources)) for (const p of positions as { line: number }[]) n += p.line;
  return n;
}

/** Rows each job of a handle has read. */
const rowsRead = (handle: JobHandle) => handle.jobs.map((j) => summarize([j.metrics]).rowsIn);

describe('jobs with joins resume from their state directory', () => {
  const { users, events } = generate();
  let expected: Output;

  beforeAll(async () => {
    const dir = tempDir('eddy-join-ref-');
    writeFileSync(join(dir, 'users.json'), lines(users));
    writeFileSync(join(dir, 'events.json'), lines(events));
    const eddy = new Eddy();
    await executeAll(eddy, ddl(join(dir, 'users.json'), join(dir, 'events.json'), join(dir, 'out'), false));
    const handle = await startJobs(eddy);
    await handle.done;
    expected = readOutput(join(dir, 'out'));
  });

  it('the uninterrupted run equals the batch answer', () => {
    const answer = batch(users, events);
    expect(expected.totals).toHaveLength(USERS);
    expect(expected.totals).toEqual(answer.totals);
    expect(expected.pairs.length).toBeGreaterThan(EVENTS / 2);
    expect(expected.pairs).toEqual(answer.pairs);
    // Some users have no events (their totals are NULL), some events no user.
    expect(expected.totals.some((t) => t.endsWith(',null,null]'))).toBe(true);
    expect(expected.pairs.length).toBeLessThan(EVENTS);
  });

  for (const interruption of ['stop', 'cancel'] as const) {
    it(`${interruption === 'stop' ? 'stopped' : 'cancelled'} part-way and resumed, the jobs end with the same output`, async () => {
      const dir = tempDir('eddy-join-restart-');
      const usersDir = join(dir, 'users');
      const eventsDir = join(dir, 'events');
      mkdirSync(usersDir);
      mkdirSync(eventsDir);
      const usersFile = join(usersDir, 'users.json');
      const eventsFile = join(eventsDir, 'events.json');
      const out = join(dir, 'out');
      const stateDir = join(dir, 'state');
      writeFileSync(usersFile, '');
      writeFileSync(eventsFile, '');

      // Before the interruption: half the users and a third of the events, in pieces.
      const first = new Eddy({ stateDir });
      await executeAll(first, ddl(usersDir, eventsDir, out, true));
      const handle = await startJobs(first);
      appendFileSync(usersFile, lines(users.slice(0, 20)));
      for (let i = 0; i < 300; i += 100) {
        appendFileSync(eventsFile, lines(events.slice(i, i + 100)));
        await sleep(120);
      }
      await eventually('both jobs read the first part', () => rowsRead(handle).every((n) => n === 320));
      await eventually('a checkpoint after it', () => handle.progress().checkpoints >= 2);
      const readBefore = rowsRead(handle);
      if (interruption === 'stop') await handle.stop();
      else await handle.cancel();
      await handle.done;
      const between = readOutput(out);
      expect(between.totals.length).toBeGreaterThan(0);
      expect(between.totals.length).toBeLessThan(USERS);

      // While the jobs are down, more users and events arrive; the rest after they resume.
      appendFileSync(usersFile, lines(users.slice(20, 30)));
      appendFileSync(eventsFile, lines(events.slice(300, 600)));
      const second = new Eddy({ stateDir });
      await executeAll(second, ddl(usersDir, eventsDir, out, true));
      const resumed = await startJobs(second);
      expect(resumed.jobs.map((j) => j.restoredFrom !== undefined)).toEqual([true]);
      appendFileSync(usersFile, lines(users.slice(30)));
      for (let i = 600; i < EVENTS; i += 100) {
        appendFileSync(eventsFile, lines(events.slice(i, i + 100)));
        await sleep(60);
      }
      // Each resumed job reads on from the lines its checkpoint had read: together, every line once.
      const total = USERS + EVENTS;
      const atCheckpoint = resumed.jobs.map((j) => linesRead(j.restoredFrom!.sources));
      if (interruption === 'stop') expect(atCheckpoint).toEqual(readBefore);
      else atCheckpoint.forEach((n, i) => expect(n).toBeLessThanOrEqual(readBefore[i]!));
      await eventually('the resumed jobs read the rest', () => rowsRead(resumed).every((n, i) => n + atCheckpoint[i]! === total));
      await resumed.stop();
      await resumed.done;

      const got = readOutput(out);
      expect(got.totals).toEqual(expected.totals);
      expect(got.pairs).toEqual(expected.pairs);
    }, 90_000);
  }
});
