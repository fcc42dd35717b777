import { describe, expect, it } from 'vitest';
import { createPrintSink, printConnector } from '../../src/connectors/print.js';
import { blackholeConnector } from '../../src/connectors/blackhole.js';
import { DELETE, INSERT, UPDATE_AFTER, UPDATE_BEFORE, insertBatch } from '../../src/runtime/changelog.js';
import { T, type Schema } from '../../src/common/types.js';
import { parseTimestamp } from '../../src/common/time.js';
import { testContext } from './context.js';

const schema: Schema = [
  { name: 'id', type: T.int() },
  { name: 's', type: T.string() },
  { name: 'ts', type: T.timestamp(3) },
  { name: 'ok', type: T.boolean() },
];

function collector(): { text: string; write(t: string, cb: (e?: Error | null) => void): boolean } {
  return {
    text: '',
    write(t, cb) {
      this.text += t;
      cb();
      return true;
    },
  };
}

describe('print sink', () => {
  it('prints every change kind as Flink does, and only on flush', async () => {
    const out = collector();
    const sink = createPrintSink(testContext(schema, { connector: 'print' }), out);
    await sink.open();
    const row = [1, 'abc', parseTimestamp('2024-01-01 00:00:00'), true];
    sink.write({ rows: [row, row, row, [2, null, null, false]], kinds: [INSERT, UPDATE_BEFORE, UPDATE_AFTER, DELETE] });
    expect(out.text).toBe('');
    await sink.flush();
    expect(out.text).toBe(
      '+I[1, abc, 2024-01-01 00:00:00.000, true]\n' +
        '-U[1, abc, 2024-01-01 00:00:00.000, true]\n' +
        '+U[1, abc, 2024-01-01 00:00:00.000, true]\n' +
        '-D[2, NULL, NULL, false]\n',
    );
  });

  it('prefixes the print-identifier', async () => {
    const out = collector();
    const sink = createPrintSink(testContext(schema.slice(0, 1), { connector: 'print', 'print-identifier': 'job' }), out);
    sink.write(insertBatch([[7]]));
    await sink.close();
    expect(out.text).toBe('job> +I[7]\n');
  });

  it('accepts all changes; blackhole too', async () => {
    expect(printConnector.sinkChangelogMode).toBe('all');
    expect(blackholeConnector.sinkChangelogMode).toBe('all');
    const sink = blackholeConnector.createSink!(testContext(schema, { connector: 'blackhole' }));
    await sink.open();
    sink.write(insertBatch([[1, 'a', 0, true]]));
    await sink.flush();
    await sink.close();
  });
});
