// Reading ksqlDB's test formats: query-validation JSON with format/config expansion, REST responses, the
// test-runner layout, and what makes a test unsupported or a file unreadable.

import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadTestCases, splitStatements, testFileCases, TestFileError } from '../../src/ksql-test/test-case.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'eddy-ksql-test-'));
  dirs.push(d);
  return d;
}

const base = { statements: ["CREATE STREAM S (ID INT KEY, V INT) WITH (kafka_topic='in', value_format='{FORMAT}');"], inputs: [{ topic: 'in', key: 1, value: { V: 1 } }], outputs: [] };

describe('query-validation files', () => {
  it('expands "format" into one test per format, substituting {FORMAT}, named as ksqlDB names them', () => {
    const cases = testFileCases('/x/filter.json', { tests: [{ name: 'by format', format: ['JSON', 'DELIMITED'], ...base }] });
    expect(cases.map((c) => c.name)).toEqual(['filter - by format - JSON', 'filter - by format - DELIMITED']);
    expect(cases[1]!.statements[0]).toContain("value_format='DELIMITED'");
    expect(cases.every((c) => c.unsupported.length === 0)).toBe(true);
  });

  it('expands "config": objects merge into the properties, strings replace {CONFIG}', () => {
    const cases = testFileCases('/x/c.json', {
      tests: [
        { name: 'props', config: [{ 'ksql.a': true }, { 'ksql.a': false, 'ksql.b': 3 }], properties: { 'ksql.c': 'x' }, ...base, statements: ['CREATE STREAM S (V INT) WITH (kafka_topic=\'in\', value_format=\'JSON\');'] },
        { name: 'text', config: ['JSON', 'KAFKA'], ...base, statements: ["CREATE STREAM S (V INT) WITH (kafka_topic='in', value_format='{CONFIG}');"] },
      ],
    });
    expect(cases.map((c) => [c.name, c.properties])).toEqual([
      ['c - props - ksql.a=true', { 'ksql.c': 'x', 'ksql.a': 'true' }],
      ['c - props - ksql.a=false, ksql.b=3', { 'ksql.c': 'x', 'ksql.a': 'false', 'ksql.b': '3' }],
      ['c - text - JSON', {}],
      ['c - text - KAFKA', {}],
    ]);
    expect(cases[3]!.statements[0]).toContain("value_format='KAFKA'");
  });

  it('reads records, windows, tombstones, expected exceptions; topics come from declarations and records', () => {
    const [c] = testFileCases('/x/w.json', {
      tests: [
        {
          name: 'w',
          statements: ['CREATE TABLE T AS SELECT 1;'],
          topics: [{ name: 'declared', partitions: 2 }],
          inputs: [{ topic: 'in', key: 0, value: '0', timestamp: 5, comment: 'ignored' }],
          outputs: [{ topic: 'out', key: 0, value: null, timestamp: 5, window: { start: 0, end: 30000, type: 'TIME' } }],
          expectedException: { message: 'boom' },
          enabled: true,
          comments: ['x'],
        },
      ],
    });
    expect(c!.inputs).toEqual([{ topic: 'in', key: 0, value: '0', timestamp: 5 }]);
    expect(c!.outputs).toEqual([{ topic: 'out', key: 0, value: null, timestamp: 5, window: { start: 0, end: 30000, type: 'time' } }]);
    expect(c!.expectedError).toEqual({ message: 'boom' });
    expect(c!.topics).toEqual([{ name: 'declared', partitions: 2 }, { name: 'in', partitions: 1 }, { name: 'out', partitions: 1 }]);
    expect(c!.unsupported).toEqual([]);
  });

  it('a missing key is null; a test without outputs reads nothing back', () => {
    const [c] = testFileCases('/x/k.json', { tests: [{ name: 'k', statements: ['X;'], inputs: [{ topic: 'in', value: {} }] }] });
    expect(c!.inputs[0]!.key).toBeNull();
    expect(c!.outputs).toBeUndefined();
  });

  it('disabled tests are left out', () => {
    expect(testFileCases('/x/d.json', { tests: [{ name: 'off', enabled: false, ...base, format: ['JSON'] }] })).toEqual([]);
  });

  it('what Eddy cannot check makes a test unsupported, with the reasons', () => {
    const [c] = testFileCases('/x/u.json', {
      tests: [
        {
          name: 'u',
          statements: ['X;'],
          inputs: [{ topic: 'in', value: {}, headers: [{ KEY: 'h', VALUE: 'aGk=' }] }],
          outputs: [{ topic: 'out', value: {}, extra: 1 }],
          post: { sources: [] },
          surprise: 1,
          topics: [{ name: 'in', valueSchema: {} }],
        },
      ],
    });
    expect(c!.unsupported).toEqual([
      'unknown field "surprise"',
      '"post" conditions (the sources\' schemas and formats after the test) are not checked',
      'record headers are not supported',
      'unknown record field "extra"',
      "topic 'in': \"valueSchema\" (schema registry) is not supported",
    ]);
    const [f] = testFileCases('/x/f.json', { tests: [{ name: 'f', ...base, statements: ["CREATE STREAM S (V INT) WITH (value_format='{FORMAT}');"] }] });
    expect(f!.unsupported).toEqual(['a statement uses {FORMAT} but the test has no "format"']);
  });

  it('malformed files are errors naming the file and what is wrong', () => {
    const bad = (json: unknown) => () => testFileCases('/x/bad.json', json);
    expect(bad({})).toThrow(new TestFileError('/x/bad.json', 'has no "tests" array'));
    expect(bad({ tests: [{ statements: ['X;'] }] })).toThrow('tests[0] has no "name"');
    expect(bad({ tests: [{ name: 'n', statements: [] }] })).toThrow(`test 'n': "statements" must be a non-empty array of strings`);
    expect(bad({ tests: [{ name: 'n', statements: ['X;'], inputs: [{ value: 1 }] }] })).toThrow("test 'n': inputs[0] has no \"topic\"");
    expect(bad({ tests: [{ name: 'n', statements: ['X;'], inputs: [{ topic: 't', value: 1, timestamp: 'now' }] }] })).toThrow('"timestamp" must be an integer');
    expect(bad({ tests: [{ name: 'n', statements: ['X;'], outputs: [{ topic: 't', value: 1, window: { start: 0 } }] }] })).toThrow('"window" must be');
    expect(bad({ tests: [{ name: 'n', statements: ['X;'], expectedException: {} }] })).toThrow('needs a "type" or a "message"');
    expect(bad({ tests: [{ name: 'n', statements: ['X;'], format: 'JSON' }] })).toThrow('"format" must be a non-empty array');
    expect(bad({ tests: [{ name: 'n', statements: ['X;'], responses: [{ admin: {}, query: [] }] }] })).toThrow('responses[0] must be');
  });
});

describe('REST files', () => {
  it('reads admin and query responses; unknown parts are unsupported', () => {
    const [c] = testFileCases('/x/r.json', {
      tests: [
        {
          name: 'r',
          statements: ['CREATE X;', 'SELECT 1;'],
          inputs: [],
          responses: [
            { admin: { '@type': 'currentStatus', statementText: '{STATEMENT}' } },
            { query: [{ header: { schema: '`A` INTEGER' } }, { row: { columns: [1] } }, { row: { columns: [2] } }, { finalMessage: 'Limit Reached' }] },
          ],
          expectedError: { type: 'io.confluent.ksql.rest.entity.KsqlStatementErrorMessage', message: 'm', status: 400 },
        },
      ],
    });
    expect(c!.responses).toEqual([
      { kind: 'admin', fields: { '@type': 'currentStatus', statementText: '{STATEMENT}' } },
      { kind: 'query', schema: '`A` INTEGER', rows: [[1], [2]], finalMessage: 'Limit Reached' },
    ]);
    expect(c!.expectedError).toEqual({ type: 'io.confluent.ksql.rest.entity.KsqlStatementErrorMessage', message: 'm' });
    expect(c!.unsupported).toEqual([]);
    const [u] = testFileCases('/x/r.json', { tests: [{ name: 'u', statements: ['X;'], inputs: [], responses: [{ admin: { '@type': 'streams', streams: [] } }, { query: [{ error: 'x' }] }] }] });
    expect(u!.unsupported).toEqual(['responses[0]: the admin field "streams" is not checked', 'responses[1]: the query response part {"error":"x"} is not supported']);
  });
});

describe('the test-runner layout and directories', () => {
  it('reads a directory with statements.sql, input.json and output.json as one test', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'statements.sql'), "-- the pipeline\nCREATE STREAM S (V INT) WITH (kafka_topic='in', value_format='JSON');\n\nCREATE STREAM O AS SELECT V FROM S;\n");
    writeFileSync(join(dir, 'input.json'), JSON.stringify({ inputs: [{ topic: 'in', key: null, value: { V: 1 }, timestamp: 0 }] }));
    writeFileSync(join(dir, 'output.json'), JSON.stringify({ outputs: [{ topic: 'O', key: null, value: { V: 1 }, timestamp: 0 }] }));
    const [c] = loadTestCases([dir]);
    expect(c!.name).toBe('statements - KSQL_Test');
    expect(c!.statements).toEqual(["-- the pipeline\nCREATE STREAM S (V INT) WITH (kafka_topic='in', value_format='JSON');", 'CREATE STREAM O AS SELECT V FROM S;']);
    expect(c!.inputs).toHaveLength(1);
    expect(c!.outputs).toEqual([{ topic: 'O', key: null, value: { V: 1 }, timestamp: 0 }]);
    // The same files given as three paths (ksql-test-runner -s -i -o).
    const [same] = loadTestCases([join(dir, 'statements.sql'), join(dir, 'input.json'), join(dir, 'output.json')]);
    expect(same).toEqual(c);
  });

  it('searches directories for JSON files and runner directories, in name order', () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'b-runner'));
    writeFileSync(join(dir, 'b-runner', 'statements.sql'), 'CREATE STREAM S (V INT) WITH (kafka_topic=\'in\', value_format=\'JSON\');');
    writeFileSync(join(dir, 'b-runner', 'output.json'), '{"outputs": []}');
    writeFileSync(join(dir, 'a.json'), JSON.stringify({ tests: [{ name: 'one', ...base, format: ['JSON'] }] }));
    writeFileSync(join(dir, 'notes.txt'), 'not a test');
    mkdirSync(join(dir, 'c'));
    writeFileSync(join(dir, 'c', 'd.json'), JSON.stringify({ tests: [{ name: 'two', ...base, format: ['JSON'] }] }));
    expect(loadTestCases([dir]).map((c) => c.name)).toEqual(['a - one - JSON', 'statements - KSQL_Test', 'd - two - JSON']);
  });

  it('paths that are not tests are errors', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'x.txt'), '');
    writeFileSync(join(dir, 'broken.json'), '{"tests": [');
    expect(() => loadTestCases([join(dir, 'missing')])).toThrow('no such file or directory');
    expect(() => loadTestCases([join(dir, 'x.txt')])).toThrow('not a test file');
    expect(() => loadTestCases([join(dir, 'broken.json')])).toThrow('not valid JSON');
    mkdirSync(join(dir, 'runner'));
    writeFileSync(join(dir, 'runner', 'statements.sql'), 'X;');
    expect(() => loadTestCases([join(dir, 'runner')])).toThrow('the test-runner layout needs output.json');
  });
});

describe('splitStatements', () => {
  it('splits at semicolons outside strings and comments, keeping comments that lead a statement', () => {
    expect(splitStatements("SET 'a' = 'x;y';\n-- only a comment;\nSELECT 1; /* trailing */")).toEqual(["SET 'a' = 'x;y';", '-- only a comment;\nSELECT 1;']);
    expect(splitStatements('SELECT 1')).toEqual(['SELECT 1']);
    expect(splitStatements('  -- nothing\n')).toEqual([]);
  });
});
