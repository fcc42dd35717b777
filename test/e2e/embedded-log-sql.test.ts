// The embedded log through SQL: `kafka` and `upsert-kafka` tables with 'client.library' = 'embedded' read and write
// topics of the session's log (no broker), with keys, json values and METADATA; what is written is checked record by
// record through Eddy.topicAdmin(); jobs in the job thread use the same file; the file lives in the state directory
// (or a temporary one deleted on close); SHOW TOPICS and PRINT show it; bad options are clear errors.

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Eddy, EddyError } from '../../src/index.js';
import { createEmbeddedLogClient, keyPartition } from '../../src/connectors/kafka/embedded-log.js';
import type { TopicRecordOut } from '../../src/engine/topic-admin.js';
import { failureOf, materialize, resultQuery as query, resultTable as table, runQuery, tempDir } from './helpers.js';

const sessions: Eddy[] = [];
afterEach(async () => {
  await Promise.all(sessions.splice(0).map((e) => e.close()));
});

function session(options: ConstructorParameters<typeof Eddy>[0] = {}): Eddy {
  const eddy = new Eddy(options);
  sessions.push(eddy);
  return eddy;
}

async function run(eddy: Eddy, sql: string): Promise<void> {
  const r = await eddy.execute(sql);
  if (r.kind !== 'job') throw new Error(`expected a job, got ${r.kind}`);
  await r.job.done;
}

const text = (b: Buffer | null) => (b === null ? null : b.toString('utf8'));
const BASE = Date.UTC(2024, 0, 1, 12, 0, 0);
const EMBEDDED = "'connector' = 'kafka', 'client.library' = 'embedded'";

describe("kafka tables with 'client.library' = 'embedded'", () => {
  it('write json records keyed by key.fields with their timestamps, and read them back with partition, offset and timestamp', async () => {
    const eddy = session();
    const topics = eddy.topicAdmin();
    expect(topics.embedded).toBe(true);
    await topics.createTopic('orders', 3);
    await eddy.execute(`CREATE TABLE orders (
        customer STRING, id INT, amount DOUBLE,
        ts TIMESTAMP_LTZ(3) METADATA FROM 'timestamp',
        part INT METADATA FROM 'partition' VIRTUAL,
        off BIGINT METADATA FROM 'offset' VIRTUAL
      ) WITH (${EMBEDDED}, 'topic' = 'orders', 'format' = 'json', 'key.format' = 'json', 'key.fields' = 'customer',
              'scan.startup.mode' = 'earliest-offset', 'scan.bounded.mode' = 'latest-offset')`);
    const input: [string, number, number, number][] = [
      ['alice', 1, 10.5, BASE],
      ['bob', 2, 20, BASE + 1000],
      ['carol', 3, 7.25, BASE + 2000],
      ['alice', 4, 1, BASE + 3000],
      ['dave', 5, 3.5, BASE + 4000],
      ['bob', 6, 8, BASE + 5000],
      ['erin', 7, 9, BASE + 6000],
    ];
    const values = input.map(([c, id, amount, ts]) => `('${c}', ${id}, ${amount}, TO_TIMESTAMP_LTZ(${ts}, 3))`).join(', ');
    await run(eddy, `INSERT INTO orders VALUES ${values}`);

    // Independently: each record in the partition of its JSON key (Kafka's partitioner), offsets counting from 0 per
    // partition in the order written.
    const next = new Map<number, number>();
    const expected = input.map(([customer, id, amount, ts]) => {
      const key = JSON.stringify({ customer });
      const partition = keyPartition(Buffer.from(key), 3);
      const offset = next.get(partition) ?? 0;
      next.set(partition, offset + 1);
      return { customer, id, amount, ts, key, partition, offset };
    });
    expect(new Set(expected.map((e) => e.partition)).size).toBeGreaterThan(1);
    const raw = await topics.readAll('orders');
    const rawView = (r: TopicRecordOut) => [r.partition, Number(r.offset), r.timestamp, text(r.key), JSON.parse(text(r.value)!) as unknown];
    const byPosition = (a: unknown[], b: unknown[]) => (a[0] as number) - (b[0] as number) || (a[1] as number) - (b[1] as number);
    expect(raw.map(rawView).sort(byPosition)).toEqual(
      expected.map((e) => [e.partition, e.offset, e.ts, e.key, { customer: e.customer, id: e.id, amount: e.amount }]).sort(byPosition),
    );

    const { changes } = await runQuery(eddy, 'SELECT customer, id, amount, ts, part, off FROM orders');
    expect(changes.map((c) => c.row).sort((a, b) => (a[1] as number) - (b[1] as number))).toEqual(
      expected.map((e) => [e.customer, e.id, e.amount, e.ts, e.partition, e.offset]),
    );
  });

  it('upsert-kafka: an updating query writes each key’s latest row (tombstones delete), read back as a table', async () => {
    const eddy = session();
    const topics = eddy.topicAdmin();
    await topics.createTopic('clicks', 2);
    await topics.createTopic('totals', 2);
    const clicks: [string, number][] = [];
    for (let i = 0; i < 60; i++) clicks.push([`user-${i % 7}`, (i * 13) % 10]);
    await topics.produce('clicks', clicks.map(([user, n], i) => ({ key: user, value: JSON.stringify({ user, n }), timestamp: BASE + i })));
    await eddy.execute(`CREATE TABLE clicks (\`user\` STRING, n INT) WITH (${EMBEDDED}, 'topic' = 'clicks', 'format' = 'json',
        'scan.startup.mode' = 'earliest-offset', 'scan.bounded.mode' = 'latest-offset')`);
    await eddy.execute(`CREATE TABLE totals (\`user\` STRING, c BIGINT, s BIGINT, PRIMARY KEY (\`user\`) NOT ENFORCED) WITH (
        'connector' = 'upsert-kafka', 'client.library' = 'embedded', 'topic' = 'totals', 'key.format' = 'json', 'value.format' = 'json',
        'scan.bounded.mode' = 'latest-offset')`);
    await run(eddy, 'INSERT INTO totals SELECT `user`, COUNT(*), SUM(n) FROM clicks GROUP BY `user`');

    const want = new Map<string, { c: number; s: number }>();
    for (const [user, n] of clicks) {
      const t = want.get(user) ?? { c: 0, s: 0 };
      want.set(user, { c: t.c + 1, s: t.s + n });
    }
    // The topic compacted by key (the last record of each key) is the batch computation.
    const last = new Map<string, string | null>();
    for (const r of await topics.readAll('totals')) last.set(text(r.key)!, text(r.value));
    expect(new Map([...last].map(([k, v]) => [JSON.parse(k).user as string, JSON.parse(v!) as unknown]))).toEqual(
      new Map([...want].map(([user, t]) => [user, { user, ...t }])),
    );
    // A tombstone deletes its key; the upsert source reads the topic as a table.
    await topics.produce('totals', [{ key: JSON.stringify({ user: 'user-3' }), value: null }]);
    want.delete('user-3');
    const { changes } = await runQuery(eddy, 'SELECT `user`, c, s FROM totals');
    expect(materialize(changes)).toEqual([...want].map(([user, t]) => JSON.stringify([user, t.c, t.s])).sort());
  });

  it('a sink creates its missing topic with one partition; a source of a missing topic fails clearly', async () => {
    const eddy = session();
    await eddy.execute(`CREATE TABLE out (v STRING) WITH (${EMBEDDED}, 'topic' = 'fresh', 'format' = 'json', 'scan.startup.mode' = 'earliest-offset', 'scan.bounded.mode' = 'latest-offset')`);
    await run(eddy, "INSERT INTO out VALUES ('a'), ('b')");
    expect(await eddy.topicAdmin().describe('fresh')).toEqual({ topic: 'fresh', partitions: 1 });
    expect((await runQuery(eddy, 'SELECT v FROM out')).changes.map((c) => c.row)).toEqual([['a'], ['b']]);
    await eddy.execute(`CREATE TABLE missing (v STRING) WITH (${EMBEDDED}, 'topic' = 'nowhere', 'format' = 'json', 'scan.startup.mode' = 'earliest-offset')`);
    const err = await failureOf(eddy, 'SELECT v FROM missing');
    expect(err.message).toMatch(/^Table `missing`: the embedded log \(.*topics\.db\): Kafka topic 'nowhere' does not exist$/);
  });

  it('refuses broker options and a missing bootstrap.servers clearly', async () => {
    const eddy = session();
    const create = (options: string) => eddy.execute(`CREATE TABLE t (v STRING) WITH ('connector' = 'kafka', 'topic' = 't', 'format' = 'json', ${options})`).then(() => undefined, (e: unknown) => e as EddyError);
    const withServers = await create("'client.library' = 'embedded', 'properties.bootstrap.servers' = 'h:9092'");
    expect(withServers?.message).toBe(
      "'properties.bootstrap.servers' does not apply to the embedded log ('client.library' = 'embedded'): its topics live in a file of Eddy's state directory, not in a Kafka cluster",
    );
    expect(withServers?.diagnostics[0]!.hint).toMatch(/remove it to use the embedded log/);
    const secured = await create("'client.library' = 'embedded', 'properties.security.protocol' = 'SSL'");
    expect(secured?.message).toMatch(/^'properties.security.protocol' does not apply to the embedded log/);
    const missing = await create("'properties.group.id' = 'g'");
    expect(missing?.code).toBe('EDDY-C003');
    expect(missing?.message).toBe("Missing required option 'properties.bootstrap.servers' for connector 'kafka'");
    const upsertMissing = await eddy
      .execute("CREATE TABLE u (v STRING, PRIMARY KEY (v) NOT ENFORCED) WITH ('connector' = 'upsert-kafka', 'topic' = 'u', 'key.format' = 'json', 'value.format' = 'json')")
      .then(() => undefined, (e: unknown) => e as EddyError);
    expect(upsertMissing?.message).toBe("Missing required option 'properties.bootstrap.servers' for connector 'upsert-kafka'");
    // What applies to the embedded log is accepted.
    expect(await create("'client.library' = 'embedded', 'properties.group.id' = 'g', 'properties.isolation.level' = 'read_committed'")).toBeUndefined();
  });

  it('jobs in the job thread use the session’s log file', async () => {
    const eddy = session({ jobThread: true });
    const topics = eddy.topicAdmin();
    await topics.createTopic('src', 2);
    await topics.produce('src', Array.from({ length: 50 }, (_, i) => ({ partition: i % 2, key: null, value: JSON.stringify({ n: i }), timestamp: BASE + i })));
    await eddy.execute(`CREATE TABLE src (n INT) WITH (${EMBEDDED}, 'topic' = 'src', 'format' = 'json', 'scan.startup.mode' = 'earliest-offset', 'scan.bounded.mode' = 'latest-offset')`);
    await eddy.execute(`CREATE TABLE dst (n INT, sq INT) WITH (${EMBEDDED}, 'topic' = 'dst', 'format' = 'json')`);
    await run(eddy, 'INSERT INTO dst SELECT n, n * n FROM src WHERE MOD(n, 5) = 0');
    const written = (await topics.readAll('dst')).map((r) => JSON.parse(text(r.value)!) as { n: number; sq: number });
    expect(written.sort((a, b) => a.n - b.n)).toEqual(Array.from({ length: 10 }, (_, i) => ({ n: i * 5, sq: i * i * 25 })));
  });

  it('lives in <state dir>/topics.db across sessions; without a state directory in a temporary file deleted on close', async () => {
    const dir = tempDir('eddy-elog-state-');
    const first = session({ stateDir: dir });
    await first.topicAdmin().createTopic('kept', 2);
    await first.topicAdmin().produce('kept', [{ partition: 1, key: 'k', value: 'v', timestamp: BASE }]);
    await first.close();
    expect(existsSync(join(dir, 'topics.db'))).toBe(true);
    const second = session({ stateDir: dir });
    expect(await second.topicAdmin().listTopics()).toEqual(['kept']);
    expect((await second.topicAdmin().readAll('kept')).map((r) => [r.partition, Number(r.offset), text(r.key), text(r.value), r.timestamp])).toEqual([[1, 0, 'k', 'v', BASE]]);

    const temporary = session();
    const admin = temporary.topicAdmin();
    const path = /the embedded log \((.*topics\.db)\)/.exec(admin.where)?.[1];
    expect(path).toBeDefined();
    expect(existsSync(path!)).toBe(false); // created when first used
    await admin.createTopic('scratch', 1);
    expect(existsSync(path!)).toBe(true);
    await temporary.close();
    expect(existsSync(path!)).toBe(false);
  });
});

describe('SHOW TOPICS and PRINT on the embedded log', () => {
  type PrintRow = [number, string | null, string | null, number, number, string | null];

  it('SHOW [ALL] TOPICS [EXTENDED] lists the topics with their partitions and the groups that committed offsets', async () => {
    const dir = tempDir('eddy-elog-show-');
    const eddy = session({ stateDir: dir });
    const topics = eddy.topicAdmin();
    await topics.createTopic('b-topic', 3);
    await topics.createTopic('a-topic', 1);
    await topics.createTopic('c-topic', 2);
    const client = createEmbeddedLogClient(join(dir, 'topics.db'));
    for (const [group, topic] of [['g1', 'a-topic'], ['g2', 'a-topic'], ['g3', 'c-topic']] as const) {
      const c = await client.consumer({ isolationLevel: 'read_committed', groupId: group });
      await c.commit([{ topic, partition: 0, offset: 0n }]);
      await c.close();
    }
    const shown = table(await eddy.execute('SHOW TOPICS'));
    expect(shown.columns).toEqual(['kafka topic', 'partitions', 'replicas']);
    expect(shown.rows).toEqual([
      ['a-topic', '1', '1'],
      ['b-topic', '3', '1'],
      ['c-topic', '2', '1'],
    ]);
    expect(shown.footer).toEqual([`Embedded log ${join(dir, 'topics.db')} (no Kafka cluster configured).`]);
    expect(table(await eddy.execute('SHOW ALL TOPICS')).rows).toEqual(shown.rows);
    expect(table(await eddy.execute('SHOW TOPICS EXTENDED')).rows).toEqual([
      ['a-topic', '1', '1', '0', '2'],
      ['b-topic', '3', '1', '0', '0'],
      ['c-topic', '2', '1', '0', '1'],
    ]);
  });

  it('PRINT reads a topic from the beginning, decodes with a declaring table, and follows new records', async () => {
    const eddy = session();
    const topics = eddy.topicAdmin();
    await topics.createTopic('events', 2);
    await topics.produce('events', [
      { partition: 0, key: 'k0', value: '{"name":"ann","id":1}', timestamp: BASE },
      { partition: 1, key: null, value: Buffer.from([0, 255]), timestamp: BASE + 1 },
      { partition: 0, key: 'k2', value: null, timestamp: BASE + 2 },
    ]);
    const q = query(await eddy.execute("PRINT 'events' FROM BEGINNING LIMIT 3"));
    const rows = (await q.collect()).flatMap((b) => b.rows) as PrintRow[];
    expect(rows.sort((a, b) => a[3] - b[3] || a[4] - b[4])).toEqual([
      [BASE, 'k0', '{"name":"ann","id":1}', 0, 0, null],
      [BASE + 2, 'k2', null, 0, 1, null],
      [BASE + 1, null, '0x00ff', 1, 0, null],
    ]);
    const missing = await eddy.execute("PRINT 'nope' LIMIT 1").then(() => undefined, (e: unknown) => e as EddyError);
    expect(missing?.message).toMatch(/^Kafka topic 'nope' does not exist in the embedded log .*topics\.db \(no Kafka cluster configured\)$/);

    // A declaring table's format decodes; PRINT from now on wakes up for records written after it started.
    await eddy.execute(`CREATE TABLE events (id INT, name STRING) WITH (${EMBEDDED}, 'topic' = 'events', 'format' = 'json')`);
    const live = await eddy.execute("PRINT 'events' LIMIT 2");
    expect(live.kind === 'query' && live.notes?.[0]).toMatch(/^Topic 'events' \(2 partitions\) in the embedded log .*topics\.db \(table events\), from now on, at most 2 records\.$/);
    const handle = query(live);
    const collected = handle.collect();
    await new Promise((r) => setTimeout(r, 300));
    const t0 = Date.now();
    await topics.produce('events', [
      { partition: 1, key: 'x', value: '{"id":7,"name":"zed","extra":1}', timestamp: BASE + 10 },
      { partition: 1, key: 'y', value: 'not json', timestamp: BASE + 11 },
    ]);
    const liveRows = (await collected).flatMap((b) => b.rows) as PrintRow[];
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(liveRows.map((r) => [r[1], r[2], r[3], r[4], r[5] === null ? null : 'error'])).toEqual([
      ['x', '{"id":7,"name":"zed"}', 1, 1, null],
      ['y', 'not json', 1, 2, 'error'],
    ]);
  });
});
