// The runner against a scripted fake engine: statement order, inputs one at a time with a settle after each,
// output comparison with a readable diff, expected errors, REST responses, and unsupported tests never passing.

import { describe, expect, it } from 'vitest';
import { runCase, runCases, isQuery } from '../../src/ksql-test/runner.js';
import { testFileCases, type KsqlTestCase } from '../../src/ksql-test/test-case.js';
import type { TopicFormat } from '../../src/ksql-test/record-codec.js';
import { FakeEngine, jsonStream, type MemoryTopics, type Scripted } from './fakes.js';

const CREATE_IN = 'CREATE STREAM IN_S (K STRING KEY, V INT) WITH (kafka_topic=\'in\', value_format=\'JSON\');';
const CREATE_OUT = 'CREATE STREAM OUT_S AS SELECT K, V * 2 AS V FROM IN_S;';

/** The "persistent query" of CREATE_OUT: doubles V of each new record of `in` into `out`, keeping key and timestamp. */
function doubler(): (topics: MemoryTopics) => void {
  let done = 0;
  return (topics) => {
    const input = topics.topics.get('in')!;
    for (; done < input.length; done++) {
      const r = input[done]!;
      const v = r.value === null ? null : Buffer.from(JSON.stringify({ V: (JSON.parse(r.value.toString()) as { V: number }).V * 2 }));
      topics.append('out', r.key, v, r.timestamp);
    }
  };
}

function script(extra: Record<string, Scripted> = {}): Record<string, Scripted> {
  return {
    [CREATE_IN]: { format: jsonStream('in') },
    [CREATE_OUT]: { format: jsonStream('out'), query: doubler() },
    ...extra,
  };
}

function oneCase(test: Record<string, unknown>): KsqlTestCase {
  return testFileCases('/t/doubling.json', { tests: [{ name: 'doubles', statements: [CREATE_IN, CREATE_OUT], ...test }] })[0]!;
}

const inputs = [
  { topic: 'in', key: 'a', value: { V: 1 }, timestamp: 10 },
  { topic: 'in', key: 'b', value: { V: 2 }, timestamp: 20 },
  { topic: 'in', key: 'a', value: null, timestamp: 30 },
];

describe('runCase', () => {
  it('passes when the outputs match, producing the inputs one at a time with a settle after each', async () => {
    const engine = new FakeEngine(script());
    const test = oneCase({
      inputs,
      outputs: [
        { topic: 'out', key: 'a', value: { V: 2 }, timestamp: 10 },
        { topic: 'out', key: 'b', value: { V: 4 }, timestamp: 20 },
        { topic: 'out', key: 'a', value: null, timestamp: 30 },
      ],
    });
    const result = await runCase(test, async () => engine);
    expect(result).toEqual({ name: 'doubling - doubles', status: 'passed', details: [] });
    expect(engine.properties).toEqual([['auto.offset.reset', 'earliest']]);
    expect(engine.topics.created).toEqual(['in', 'out']);
    expect(engine.executed).toEqual([CREATE_IN, CREATE_OUT]);
    // After each input: in has n records, out n (the query ran at that settle).
    expect(engine.settles).toEqual([2, 4, 6]);
    expect(engine.closed).toBe(true);
    // The input bytes: KAFKA string key, JSON value, a tombstone for null.
    const stored = engine.topics.topics.get('in')!;
    expect(stored.map((r) => [r.key?.toString(), r.value?.toString() ?? null, r.timestamp])).toEqual([
      ['a', '{"V":1}', 10],
      ['b', '{"V":2}', 20],
      ['a', null, 30],
    ]);
  });

  it('fails with a diff naming the record that differs, and the ones missing', async () => {
    const test = oneCase({
      inputs,
      outputs: [
        { topic: 'out', key: 'a', value: { V: 2 }, timestamp: 10 },
        { topic: 'out', key: 'b', value: { V: 5 }, timestamp: 20 },
        { topic: 'out', key: 'a', value: null, timestamp: 30 },
        { topic: 'out', key: 'c', value: { V: 6 }, timestamp: 40 },
      ],
    });
    const result = await runCase(test, async () => new FakeEngine(script()));
    expect(result.status).toBe('failed');
    expect(result.details).toEqual([
      "topic 'out': expected 4 records, got 3",
      '    #1    ok        key="a" value={"V":2} timestamp=10',
      '  ! #2    expected  key="b" value={"V":5} timestamp=20',
      '          actual    key="b" value={"V":4} timestamp=20',
      '    #3    ok        key="a" value=null (tombstone) timestamp=30',
      '  ! #4    expected  key="c" value={"V":6} timestamp=40',
      '          actual    (nothing)',
    ]);
  });

  it('fails on an extra output record and on a wrong timestamp', async () => {
    const extra = await runCase(oneCase({ inputs, outputs: [{ topic: 'out', key: 'a', value: { V: 2 }, timestamp: 10 }] }), async () => new FakeEngine(script()));
    expect(extra.status).toBe('failed');
    expect(extra.details[0]).toBe("topic 'out': expected 1 record, got 3");
    const time = await runCase(oneCase({ inputs: inputs.slice(0, 1), outputs: [{ topic: 'out', key: 'a', value: { V: 2 }, timestamp: 11 }] }), async () => new FakeEngine(script()));
    expect(time.status).toBe('failed');
    expect(time.details).toContain('          actual    key="a" value={"V":2} timestamp=10');
  });

  it('an expected exception passes only when a statement fails with a message containing it', async () => {
    const failing = script({ [CREATE_OUT]: { error: { message: "Line 1: Column 'W' cannot be resolved.", unsupported: false } } });
    const expected = { type: 'io.confluent.ksql.util.KsqlStatementException', message: "Column 'W' cannot be resolved" };
    const pass = await runCase(oneCase({ expectedException: expected }), async () => new FakeEngine(failing));
    expect(pass.status).toBe('passed');
    expect(pass.details).toEqual(['the expected exception\'s type (io.confluent.ksql.util.KsqlStatementException) is not checked, only its message']);

    const wrong = await runCase(oneCase({ expectedException: { message: 'something else' } }), async () => new FakeEngine(failing));
    expect(wrong.status).toBe('failed');
    expect(wrong.details).toEqual(['expected an error containing:', '    something else', 'got:', "    Line 1: Column 'W' cannot be resolved."]);

    const none = await runCase(oneCase({ inputs, expectedException: { message: 'boom' } }), async () => new FakeEngine(script()));
    expect(none).toMatchObject({ status: 'failed', details: ['expected an error containing "boom", but every statement succeeded'] });
  });

  it('an expected exception is also met by a persistent query that failed', async () => {
    const engine = new FakeEngine(script());
    engine.failures = ['CSAS_OUT_S_1: division by zero'];
    const result = await runCase(oneCase({ inputs, expectedException: { message: 'division by zero' } }), async () => engine);
    expect(result.status).toBe('passed');
  });

  it('a failed persistent query fails a test that expects none', async () => {
    const engine = new FakeEngine(script());
    engine.failures = ['CSAS_OUT_S_1: disk full'];
    const result = await runCase(oneCase({ inputs, outputs: [] }), async () => engine);
    expect(result).toMatchObject({ status: 'failed', details: ['a persistent query failed:', '    CSAS_OUT_S_1: disk full'] });
  });

  it('a statement the engine refuses as unsupported makes the test unsupported, not failed', async () => {
    const refusing = script({ [CREATE_OUT]: { error: { message: 'WINDOW SESSION is not supported yet', unsupported: true } } });
    const result = await runCase(oneCase({ inputs, outputs: [] }), async () => new FakeEngine(refusing));
    expect(result).toMatchObject({ status: 'unsupported', details: ['statement 2 is not supported: WINDOW SESSION is not supported yet'] });
  });

  it('a failing statement fails the test with its message', async () => {
    const failing = script({ [CREATE_OUT]: { error: { message: 'no such column W', unsupported: false } } });
    const result = await runCase(oneCase({ inputs, outputs: [] }), async () => new FakeEngine(failing));
    expect(result).toMatchObject({ status: 'failed', details: [`statement 2 failed: ${CREATE_OUT}`, '    no such column W'] });
  });

  it('a test with what the runner cannot check is unsupported without running (no engine is made)', async () => {
    let made = 0;
    const test = oneCase({ inputs, outputs: [], post: { sources: [] } });
    const result = await runCase(test, async () => {
      made++;
      return new FakeEngine(script());
    });
    expect(result.status).toBe('unsupported');
    expect(result.details).toEqual(['"post" conditions (the sources\' schemas and formats after the test) are not checked']);
    expect(made).toBe(0);
  });

  it('an input on a topic no stream reads, a property the engine refuses, a format it cannot encode: unsupported', async () => {
    const orphan = await runCase(oneCase({ inputs: [{ topic: 'elsewhere', key: 'a', value: {} }], outputs: [] }), async () => new FakeEngine(script()));
    expect(orphan).toMatchObject({ status: 'unsupported', details: ["no stream or table reads topic 'elsewhere', so its key and value formats are unknown"] });

    const property = await runCase(oneCase({ inputs, outputs: [], properties: { 'ksql.some.setting': true } }), async () => new FakeEngine(script(), ['ksql.some.setting']));
    expect(property).toMatchObject({ status: 'unsupported', details: ["property 'ksql.some.setting' = 'true': Unknown setting 'ksql.some.setting'"] });

    const avro: TopicFormat = { ...jsonStream('in'), valueFormat: 'AVRO' };
    const format = await runCase(oneCase({ inputs, outputs: [] }), async () => new FakeEngine(script({ [CREATE_IN]: { format: avro } })));
    expect(format).toMatchObject({ status: 'unsupported', details: ["topic 'in' (STREAM IN): the value format AVRO is not supported by eddy test"] });
  });

  it('reads windowed output keys: time windows end at start + size, session keys carry their end', async () => {
    const windowed: TopicFormat = { ...jsonStream('out'), window: { type: 'HOPPING', sizeMs: 30_000 } };
    const query = (topics: MemoryTopics) => {
      if (topics.topics.get('out')!.length > 0) return;
      const key = Buffer.concat([Buffer.from('a'), Buffer.from([0, 0, 0, 0, 0, 0, 0x3a, 0x98])]); // start 15000
      topics.append('out', key, Buffer.from('{"V":3}'), 20_000);
    };
    const engine = () => new FakeEngine(script({ [CREATE_OUT]: { format: windowed, query } }));
    const ok = await runCase(oneCase({ inputs: inputs.slice(0, 1), outputs: [{ topic: 'out', key: 'a', value: { V: 3 }, timestamp: 20000, window: { start: 15000, end: 45000, type: 'time' } }] }), async () => engine());
    expect(ok.status).toBe('passed');
    const wrong = await runCase(oneCase({ inputs: inputs.slice(0, 1), outputs: [{ topic: 'out', key: 'a', value: { V: 3 }, timestamp: 20000, window: { start: 15000, end: 45000, type: 'session' } }] }), async () => engine());
    expect(wrong.status).toBe('failed');
    expect(wrong.details).toContain('          actual    key="a" value={"V":3} timestamp=20000 window=time[15000, 45000)');
  });

  it('REST tests: inputs are produced before the first query, and responses compared', async () => {
    const pull = 'SELECT * FROM OUT_S WHERE K=\'a\';';
    const engine = new FakeEngine(script({ [pull]: { outcome: { kind: 'query', schema: '`K` STRING KEY, `V` INTEGER', rows: [['a', 2]] } } }));
    const test = testFileCases('/t/rest.json', {
      tests: [
        {
          name: 'pull',
          statements: [CREATE_IN, CREATE_OUT, pull],
          inputs: inputs.slice(0, 1),
          responses: [
            { admin: { '@type': 'currentStatus', statementText: '{STATEMENT}' } },
            { admin: { '@type': 'currentStatus' } },
            { query: [{ header: { schema: '`K` STRING KEY, `V` INTEGER' } }, { row: { columns: ['a', 2] } }] },
          ],
        },
      ],
    })[0]!;
    expect(await runCase(test, async () => engine)).toMatchObject({ status: 'passed' });
    // The input was produced (and settled) before the query ran.
    expect(engine.settles).toEqual([2]);

    const differs = testFileCases('/t/rest.json', {
      tests: [{ name: 'pull', statements: [CREATE_IN, CREATE_OUT, pull], inputs: inputs.slice(0, 1), responses: [{ admin: { '@type': 'streams' } }, { admin: {} }, { query: [{ header: { schema: '`K` STRING KEY, `V` BIGINT' } }, { row: { columns: ['a', 3] } }, { finalMessage: 'Limit Reached' }] }] }],
    })[0]!;
    const result = await runCase(differs, async () => new FakeEngine(script({ [pull]: { outcome: { kind: 'query', schema: '`K` STRING KEY, `V` INTEGER', rows: [['a', 2]] } } })));
    expect(result.status).toBe('failed');
    expect(result.details).toEqual([
      `responses[0] (${CREATE_IN.slice(0, 60)}): expected @type "streams", got "currentStatus"`,
      `responses[2] (${pull}): schema differs`,
      '    expected  `K` STRING KEY, `V` BIGINT',
      '    actual    `K` STRING KEY, `V` INTEGER',
      `responses[2] (${pull}): expected 1 row, got 1`,
      '  ! #1 expected  ["a",3]',
      '       actual    ["a",2]',
      `responses[2] (${pull}): expected final message "Limit Reached", got null`,
    ]);
  });

  it('a runner error (the engine cannot be made) fails the test, it does not pass', async () => {
    const result = await runCase(oneCase({ inputs, outputs: [] }), async () => {
      throw new Error('no embedded log');
    });
    expect(result).toEqual({ name: 'doubling - doubles', status: 'failed', details: ['the runner failed: no embedded log'] });
  });
});

describe('runCases', () => {
  it('prints PASS/FAIL/UNSUPPORTED per test and the totals', async () => {
    const cases = testFileCases('/t/mixed.json', {
      tests: [
        { name: 'good', statements: [CREATE_IN, CREATE_OUT], inputs: inputs.slice(0, 1), outputs: [{ topic: 'out', key: 'a', value: { V: 2 } }] },
        { name: 'bad', statements: [CREATE_IN, CREATE_OUT], inputs: inputs.slice(0, 1), outputs: [{ topic: 'out', key: 'a', value: { V: 9 } }] },
        { name: 'odd', statements: [CREATE_IN], inputs: [], outputs: [], headers: [] },
      ],
    });
    let text = '';
    const summary = await runCases(cases, async () => new FakeEngine(script()), (t) => (text += t));
    expect(summary).toEqual({ passed: 1, failed: 1, unsupported: 1 });
    expect(text).toBe(
      [
        'PASS mixed - good',
        'FAIL mixed - bad',
        "    topic 'out': expected 1 record, got 1 (some differ)",
        '      ! #1    expected  key="a" value={"V":9}',
        '              actual    key="a" value={"V":2} timestamp=10',
        'UNSUPPORTED mixed - odd',
        '    unknown field "headers"',
        '1 passed, 1 failed, 1 unsupported',
        '',
      ].join('\n'),
    );
  });
});

describe('isQuery', () => {
  it('recognizes SELECT whatever the case and leading comments', () => {
    expect(isQuery('select * from t;')).toBe(true);
    expect(isQuery('-- a pull query\n  SELECT 1;')).toBe(true);
    expect(isQuery('CREATE STREAM s AS SELECT * FROM t;')).toBe(false);
    expect(isQuery('SELECTED;')).toBe(false);
  });
});

