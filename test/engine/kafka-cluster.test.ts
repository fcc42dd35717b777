// Which Kafka cluster SHOW TOPICS and PRINT talk to (kafka-cluster.ts): the setting, else the tables declaring
// the topic, else all Kafka tables, when they name one cluster, else the session's embedded log; and the access
// rule for served clients.
import { afterEach, describe, expect, it } from 'vitest';
import { Eddy, EddyError } from '../../src/index.js';
import { resolveKafkaCluster } from '../../src/engine/kafka-cluster.js';
import { Catalog, type TableDef } from '../../src/planner/catalog.js';
import { T } from '../../src/common/types.js';

const sessions: Eddy[] = [];
afterEach(async () => {
  await Promise.all(sessions.splice(0).map((e) => e.close()));
});

/** A session with kafka tables created by CREATE TABLE (topic: the table's name unless given). */
async function session(tables: Record<string, { servers: string; topic?: string }>): Promise<Eddy> {
  const eddy = new Eddy();
  sessions.push(eddy);
  for (const [name, t] of Object.entries(tables)) {
    await eddy.execute(`CREATE TABLE ${name} (v STRING) WITH ('connector' = 'kafka', 'topic' = '${t.topic ?? name}', 'properties.bootstrap.servers' = '${t.servers}', 'format' = 'json')`);
  }
  return eddy;
}

/**
 * A catalog holding tables of any connector and options, as the catalog keeps them (for options other
 * helpers' connectors bring: `topic-pattern`, `upsert-kafka`).
 */
function catalogOf(tables: Record<string, Record<string, string>>): Catalog {
  const catalog = new Catalog();
  for (const [name, options] of Object.entries(tables)) {
    catalog.add({ kind: 'table', name, columns: [{ name: 'v', type: T.string() }], options, temporary: false, statement: {} as TableDef['statement'] });
  }
  return catalog;
}

function resolve(eddy: Eddy | Catalog, topic?: string) {
  const c = eddy instanceof Eddy ? resolveKafkaCluster(eddy.catalog, eddy.settings.get('kafka.bootstrap-servers'), undefined, topic) : resolveKafkaCluster(eddy, '', undefined, topic);
  return { servers: c.config.bootstrapServers, source: c.source, ...(c.embedded ? { embedded: true } : {}) };
}

describe('the cluster of SHOW TOPICS and PRINT', () => {
  it('is the setting when it is set, whatever the tables say', async () => {
    const eddy = await session({ a: { servers: 'h1:9092' } });
    await eddy.execute("SET 'kafka.bootstrap-servers' = 'x:1, y:2'");
    expect(resolve(eddy, 'a')).toEqual({ servers: ['x:1', 'y:2'], source: "setting 'kafka.bootstrap-servers'" });
    await eddy.execute("RESET 'kafka.bootstrap-servers'");
    expect(resolve(eddy, 'a')).toEqual({ servers: ['h1:9092'], source: 'table a' });
  });

  it('is the one cluster of all Kafka tables; the same brokers in another order are one cluster', async () => {
    const eddy = await session({ a: { servers: 'h1:9092,h2:9092' }, b: { servers: ' h2:9092 , h1:9092' } });
    expect(resolve(eddy)).toEqual({ servers: ['h1:9092', 'h2:9092'], source: 'table a' });
  });

  it('for PRINT, is the cluster of the tables declaring the topic (by name or pattern) when others differ', async () => {
    const eddy = catalogOf({
      a: { connector: 'kafka', topic: 'orders', 'properties.bootstrap.servers': 'h1:9092' },
      b: { connector: 'kafka', topic: 'x;payments', 'properties.bootstrap.servers': 'h2:9092' },
      c: { connector: 'kafka', 'topic-pattern': 'log-.*', 'properties.bootstrap.servers': 'h3:9092' },
    });
    expect(resolve(eddy, 'payments')).toEqual({ servers: ['h2:9092'], source: 'table b' });
    expect(resolve(eddy, 'log-1')).toEqual({ servers: ['h3:9092'], source: 'table c' });
    expect(() => resolve(eddy, 'unknown')).toThrow(/The Kafka tables of this session name more than one Kafka cluster: 'h1:9092' \(a\); 'h2:9092' \(b\); 'h3:9092' \(c\)/);
    expect(() => resolve(eddy)).toThrow(EddyError);
  });

  it('refuses tables declaring the topic on two clusters, with the hint to set one', async () => {
    const eddy = await session({ a: { servers: 'h1:9092', topic: 'orders' }, b: { servers: 'h2:9092', topic: 'orders' } });
    try {
      resolve(eddy, 'orders');
      expect.unreachable();
    } catch (err) {
      expect((err as EddyError).message).toBe("The tables declaring topic 'orders' name more than one Kafka cluster: 'h1:9092' (a); 'h2:9092' (b)");
      expect((err as EddyError).diagnostics[0]!.hint).toBe("choose one: SET 'kafka.bootstrap-servers' = '<host:port,...>'");
    }
  });

  it('counts upsert-kafka tables and ignores other connectors', async () => {
    const catalog = catalogOf({ u: { connector: 'upsert-kafka', topic: 'u', 'properties.bootstrap.servers': 'h9:9092' }, f: { connector: 'filesystem', 'properties.bootstrap.servers': 'h8:9092' } });
    expect(resolve(catalog)).toEqual({ servers: ['h9:9092'], source: 'table u' });
    const none = await session({});
    await none.execute("CREATE TABLE f (v STRING) WITH ('connector' = 'datagen')");
    expect(resolve(none)).toEqual({ servers: [], source: 'no Kafka cluster configured', embedded: true });
  });

  it("is the embedded log when nothing names a cluster, or when the tables are in it ('client.library' = 'embedded')", async () => {
    const embedded = { connector: 'kafka', 'client.library': 'embedded' };
    expect(resolve(catalogOf({}))).toEqual({ servers: [], source: 'no Kafka cluster configured', embedded: true });
    expect(resolve(catalogOf({ e: { ...embedded, topic: 'orders' } }))).toEqual({ servers: [], source: 'table e', embedded: true });
    const mixed = catalogOf({
      e: { ...embedded, topic: 'orders' },
      u: { connector: 'upsert-kafka', 'client.library': 'EMBEDDED', topic: 'totals' },
      k: { connector: 'kafka', topic: 'remote', 'properties.bootstrap.servers': 'h1:9092' },
    });
    // PRINT: the tables declaring the topic choose.
    expect(resolve(mixed, 'orders')).toEqual({ servers: [], source: 'table e', embedded: true });
    expect(resolve(mixed, 'totals')).toEqual({ servers: [], source: 'table u', embedded: true });
    expect(resolve(mixed, 'remote')).toEqual({ servers: ['h1:9092'], source: 'table k' });
    expect(() => resolve(mixed)).toThrow("The Kafka tables of this session name more than one Kafka cluster: the embedded log (e, u); 'h1:9092' (k)");
    // The setting wins.
    expect(resolveKafkaCluster(mixed, 'h5:1', undefined).config.bootstrapServers).toEqual(['h5:1']);
  });

  it('checks the setting: a host:port list', async () => {
    const eddy = await session({});
    await expect(eddy.execute("SET 'kafka.bootstrap-servers' = 'localhost'")).rejects.toThrow(/Invalid value 'localhost' for 'kafka.bootstrap-servers'/);
    await expect(eddy.execute("SET 'kafka.bootstrap-servers' = ' , '")).rejects.toThrow(EddyError);
    await eddy.execute("SET 'kafka.bootstrap-servers' = '[::1]:9092,broker-1.example:19092'");
    expect(resolve(eddy).servers).toEqual(['[::1]:9092', 'broker-1.example:19092']);
    const typo = await eddy.execute("SET 'kafka.bootstrap-server' = 'a:1'").catch((e: unknown) => e);
    expect((typo as EddyError).diagnostics[0]!.hint).toBe('did you mean `kafka.bootstrap-servers`?');
  });
});

describe('served clients and SHOW TOPICS / PRINT', () => {
  it('are refused unless the access allows Kafka topics, read-only or not, before any broker is asked', async () => {
    const eddy = await session({});
    await eddy.execute("SET 'kafka.bootstrap-servers' = '127.0.0.1:1'");
    for (const sql of ['SHOW TOPICS', 'show all topics', "PRINT 'orders' FROM BEGINNING LIMIT 1", "/* hi */ print orders"]) {
      for (const access of [{}, { readOnly: true }, { readOnly: false, kafkaTopics: false }]) {
        const err = await eddy.execute(sql, { access }).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(err, sql).toBeInstanceOf(EddyError);
        expect((err as EddyError).code).toBe('EDDY-S006');
        expect((err as EddyError).message).toMatch(/^(SHOW TOPICS|PRINT) is refused: this server does not let clients read Kafka topics directly$/);
      }
    }
    expect(eddy.running()).toEqual([]);
  });

  it('may run when allowed, also for a read-only client (they change nothing)', async () => {
    const eddy = await session({});
    // Allowed: the statements get past the access check to the cluster (the embedded log here, which is empty).
    const access = { readOnly: true, kafkaTopics: true };
    const shown = await eddy.execute('SHOW TOPICS', { access });
    expect(shown.kind === 'table' && shown.table.rows).toEqual([]);
    const err = await eddy.execute("PRINT 'orders' LIMIT 1", { access }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect((err as EddyError).code).toBe('EDDY-B013');
    expect((err as EddyError).message).toMatch(/^Kafka topic 'orders' does not exist in the embedded log .*topics\.db \(no Kafka cluster configured\)$/);
  });
});
