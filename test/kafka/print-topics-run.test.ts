// PRINT and SHOW TOPICS in scripts, through real `eddy run` processes against the real broker: ksqlDB's lines on
// stdout, the formats on stderr; a PRINT without LIMIT is refused in a script, at the statement.

import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KafkaAdmin, KafkaClient } from '../../src/connectors/kafka/client.js';
import { createKafkajsClient } from '../../src/connectors/kafka/kafkajs-client.js';
import { runEddy, tempDir } from '../e2e/helpers.js';
import { kafkaBootstrap, produceRecords, uniqueTopic } from './broker.js';

let client: KafkaClient;
let admin: KafkaAdmin;

beforeAll(async () => {
  client = createKafkajsClient({ bootstrapServers: [kafkaBootstrap()], clientId: 'eddy-print-run-test' });
  admin = await client.admin();
});

afterAll(async () => {
  await admin?.close();
});

/**
 * Record timestamps a minute ago, whole seconds (plus 10 ms in the run test): the broker deletes records older
 * than its retention (7 days) by their timestamps, so fixed dates in the past would vanish under the test.
 */
const BASE = Math.floor(Date.now() / 1000) * 1000 - 60_000 + 10;
/** A TIMESTAMP_LTZ(3) as Eddy prints it in UTC: `2025-05-06 07:08:09.010`. */
const utc = (ms: number) => new Date(ms).toISOString().replace('T', ' ').replace('Z', '');

function script(text: string): string {
  const path = join(tempDir('eddy-print-run-'), 'print.sql');
  writeFileSync(path, text);
  return path;
}

describe('PRINT in eddy run', () => {
  it("prints ksqlDB's lines, values decoded by the declaring table, then SHOW TOPICS lists the topic", async () => {
    const topic = uniqueTopic('run-print');
    await admin.createTopic({ topic, partitions: 1 });
    await produceRecords(client, [
      { topic, partition: 0, key: 'k0', value: '{"id":0,"name":"ann","x":1}', timestamp: BASE },
      { topic, partition: 0, key: null, value: '{"name":"bob","id":1}', timestamp: BASE + 1000 },
      { topic, partition: 0, key: 'k2', value: '{"id":2}', timestamp: BASE + 2000 },
    ]);
    const r = await runEddy([
      'run',
      script(
        `CREATE TABLE people (id INT, name STRING) WITH ('connector' = 'kafka', 'topic' = '${topic}', 'properties.bootstrap.servers' = '${kafkaBootstrap()}', 'format' = 'json');\n` +
          `PRINT '${topic}' FROM BEGINNING LIMIT 2;\nSHOW TOPICS;\n`,
      ),
    ]);
    expect(r.stderr).not.toMatch(/error/i);
    expect(r.status).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines.slice(0, 2)).toEqual([
      `rowtime: ${utc(BASE)}, key: k0, value: {"id":0,"name":"ann"}, partition: 0, offset: 0`,
      `rowtime: ${utc(BASE + 1000)}, key: <null>, value: {"id":1,"name":"bob"}, partition: 0, offset: 1`,
    ]);
    expect(r.stdout).toMatch(new RegExp(`\\| ${topic} +\\| 1 +\\| 1 +\\|`));
    expect(r.stderr).toContain(`[INFO] Topic '${topic}' (1 partition) at ${kafkaBootstrap()} (table people), from the beginning, at most 2 records.`);
    expect(r.stderr).toContain('[INFO] Value format: JSON (declared by table people; decoded to its columns, shown as JSON)');
    expect(r.stderr).toContain('[INFO] PRINT finished: 2 rows in, 2 rows out');
  });

  it('refuses a PRINT without LIMIT in a script, at the statement, and runs nothing after it', async () => {
    const topic = uniqueTopic('run-print-nolimit');
    await admin.createTopic({ topic, partitions: 1 });
    const path = script(`SET 'kafka.bootstrap-servers' = '${kafkaBootstrap()}';\nPRINT '${topic}' FROM BEGINNING;\nSHOW TOPICS;\n`);
    const r = await runEddy(['run', path], {}, 60_000);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('error[EDDY-B013]: PRINT without LIMIT never ends: a script needs a LIMIT');
    expect(r.stderr).toContain(`${path}:2:1`);
    expect(r.stderr).toContain(`hint: PRINT '${topic}' FROM BEGINNING LIMIT 10; or run it in the shell (eddy), where Ctrl-C stops it`);
    expect(r.stdout).not.toContain(topic);
  });
});
