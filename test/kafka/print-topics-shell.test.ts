// PRINT in the shell, in a real terminal (tmux, see test/e2e/tmux.ts) against the real broker: the formats, then
// ksqlDB's lines as records arrive, until Ctrl-C brings the prompt back. Needs `npm run build` first.

import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createKafkajsClient } from '../../src/connectors/kafka/kafkajs-client.js';
import { tempDir } from '../e2e/helpers.js';
import { killTerminals, promptLine, Tmux } from '../e2e/tmux.js';
import { kafkaBootstrap, produceRecords, uniqueTopic } from './broker.js';

afterEach(killTerminals);

/**
 * Record timestamps a minute ago, whole seconds (plus 10 ms in the run test): the broker deletes records older
 * than its retention (7 days) by their timestamps, so fixed dates in the past would vanish under the test.
 */
const BASE = Math.floor(Date.now() / 1000) * 1000 - 60_000;

/** A TIMESTAMP_LTZ(3) as Eddy prints it in UTC: `2025-05-06 07:08:09.000`. */
const utc = (ms: number) => new Date(ms).toISOString().replace('T', ' ').replace('Z', '');

const produce = (topic: string, values: { key: string; value: string; timestamp: number }[]) =>
  produceRecords(createKafkajsClient({ bootstrapServers: [kafkaBootstrap()] }), values.map((v) => ({ topic, partition: 0, ...v })));

describe('PRINT in the shell', () => {
  it('prints the formats, then records as they arrive, until Ctrl-C', async () => {
    const topic = uniqueTopic('shell-print');
    const admin = await createKafkajsClient({ bootstrapServers: [kafkaBootstrap()] }).admin();
    await admin.createTopic({ topic, partitions: 1 }).finally(() => admin.close());
    await produce(topic, [
      { key: 'k0', value: 'hello0', timestamp: BASE },
      { key: 'k1', value: 'hello1', timestamp: BASE + 1000 },
    ]);
    const t = new Tmux();
    t.start([], { EDDY_HISTORY_FILE: join(tempDir('eddy-print-shell-'), 'history') }, { width: 160, height: 40 });
    await t.waitFor('the prompt', (s) => promptLine(s) === 'eddy>');
    t.type(`SET 'kafka.bootstrap-servers' = '${kafkaBootstrap()}';`);
    t.key('Enter');
    await t.see("[INFO] Set 'kafka.bootstrap-servers'");
    t.type(`PRINT '${topic}' FROM BEGINNING;`);
    t.key('Enter');
    let screen = await t.see(`rowtime: ${utc(BASE + 1000)}, key: k1, value: hello1, partition: 0, offset: 1`);
    expect(screen).toContain('Key format: not decoded');
    expect(screen).toContain('Value format: no table declares this topic with a format');
    expect(screen).toContain(`rowtime: ${utc(BASE)}, key: k0, value: hello0, partition: 0, offset: 0`);
    expect(screen).toContain('● running');

    // A record produced while it runs shows up.
    await produce(topic, [{ key: 'k2', value: 'late news', timestamp: BASE + 2000 }]);
    await t.see(`rowtime: ${utc(BASE + 2000)}, key: k2, value: late news, partition: 0, offset: 2`);

    t.key('C-c');
    screen = await t.waitFor('the prompt after Ctrl-C', (s) => promptLine(s) === 'eddy>' && s.includes('cancelled'));
    expect(screen).toContain('Printed a total of 3 records');
    expect(screen).toMatch(/\[INFO\] Query job-1 cancelled: 3 rows in, 3 rows out/);
    // Each record once: no table box, no repeated lines.
    expect(screen.split('\n').filter((l) => l.startsWith('rowtime: '))).toHaveLength(3);
    t.type('SHOW JOBS;');
    t.key('Enter');
    await t.see('0 rows in set');
  });
});
