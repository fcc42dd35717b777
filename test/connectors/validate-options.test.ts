import { describe, expect, it } from 'vitest';
import { parseDuration, validateOptions } from '../../src/connectors/validate-options.js';
import { builtinConnectors, builtinFormats, findConnector } from '../../src/connectors/index.js';

const formats = builtinFormats();
const fs = findConnector('filesystem')!;

describe('validateOptions', () => {
  it('accepts valid options, including format options and pattern keys', () => {
    expect(
      validateOptions(fs, formats, {
        connector: 'filesystem',
        path: '/tmp/x',
        format: 'json',
        'json.ignore-parse-errors': 'TRUE',
        'source.monitor-interval': '1 s',
        'replay.speedup': '60',
        'scan.watermark.idle-timeout': '10 s',
      }),
    ).toEqual([]);
    const datagen = findConnector('DataGen')!;
    expect(validateOptions(datagen, formats, { connector: 'datagen', 'fields.ride_id.kind': 'sequence', 'fields.a.b.min': '1' })).toEqual([]);
  });

  it('reports an unknown key with did-you-mean and the valid keys', () => {
    expect(validateOptions(fs, formats, { connector: 'filesystem', pth: '/x', format: 'json' })).toEqual([
      {
        key: 'pth',
        kind: 'unknown-option',
        message:
          "Unknown option 'pth' for connector 'filesystem'; valid options: connector, path, format, source.monitor-interval, " +
          'source.restore.on-change, replay.speedup, scan.watermark.idle-timeout, errors.policy, errors.dead-letter.table, errors.max-record-bytes, ' +
          'json.ignore-parse-errors, json.fail-on-missing-field, json.timestamp-format.standard',
        hint: 'did you mean `path`?',
      },
      {
        key: 'path',
        kind: 'missing-option',
        message: "Missing required option 'path' for connector 'filesystem'",
        hint: fs.options[0]!.description,
      },
    ]);
  });

  it('suggests pattern keys with the field name filled in', () => {
    const problems = validateOptions(findConnector('datagen')!, formats, { connector: 'datagen', 'fields.id.knd': 'sequence' });
    expect(problems.map((p) => p.hint)).toEqual(['did you mean `fields.id.kind`?']);
  });

  it('reports a bad enumerated value, a bad duration, an unknown format, and another format’s option', () => {
    const problems = validateOptions(fs, formats, {
      connector: 'filesystem',
      path: '/x',
      format: 'jsn',
      'source.monitor-interval': 'often',
    });
    expect(problems).toEqual([
      {
        key: 'format',
        kind: 'unknown-format',
        message: "Unknown format 'jsn' for connector 'filesystem'; available formats: json, csv, debezium-json, canal-json, raw, avro, kafka",
        hint: 'did you mean `json`?',
      },
      {
        key: 'source.monitor-interval',
        kind: 'invalid-value',
        message: "Invalid value 'often' for option 'source.monitor-interval'; expected a duration such as '1 s' or '500 ms'",
      },
    ]);
    const enumProblem = validateOptions(fs, formats, { connector: 'filesystem', path: '/x', format: 'csv', 'csv.allow-comments': 'yes' });
    expect(enumProblem).toEqual([
      {
        key: 'csv.allow-comments',
        kind: 'invalid-value',
        message: "Invalid value 'yes' for option 'csv.allow-comments'; expected one of: true, false",
        hint: undefined,
      },
    ]);
    const wrongFormat = validateOptions(fs, formats, { connector: 'filesystem', path: '/x', format: 'json', 'csv.field-delimiter': ';' });
    expect(wrongFormat.map((p) => p.message)).toEqual([
      "Option 'csv.field-delimiter' belongs to format 'csv', but the table's format is 'json'",
    ]);
  });

  it('accepts the errors.* options for every connector that can be a source, and only those', () => {
    const errors = { 'errors.policy': 'Dead-Letter', 'errors.dead-letter.table': 'bad_rides', 'errors.max-record-bytes': '65536' };
    expect(validateOptions(fs, formats, { connector: 'filesystem', path: '/x', format: 'csv', 'csv.ignore-parse-errors': 'true', ...errors })).toEqual([]);
    expect(validateOptions(findConnector('datagen')!, formats, { connector: 'datagen', ...errors })).toEqual([]);
    expect(validateOptions(findConnector('sqlite')!, formats, { connector: 'sqlite', path: '/x.db', 'table-name': 't', ...errors })).toEqual([]);
    const print = validateOptions(findConnector('print')!, formats, { connector: 'print', 'errors.policy': 'skip' });
    expect(print.map((p) => [p.key, p.kind])).toEqual([['errors.policy', 'unknown-option']]);
  });

  it('reports an unknown error policy with the allowed values, and a bad max record size', () => {
    expect(validateOptions(fs, formats, { connector: 'filesystem', path: '/x', format: 'json', 'errors.policy': 'skp' })).toEqual([
      {
        key: 'errors.policy',
        kind: 'invalid-value',
        message: "Invalid value 'skp' for option 'errors.policy'; expected one of: fail, skip, dead-letter",
        hint: 'did you mean `skip`?',
      },
    ]);
    for (const bad of ['0', '-5', '1.5', '1 MiB', '']) {
      expect(validateOptions(fs, formats, { connector: 'filesystem', path: '/x', format: 'json', 'errors.max-record-bytes': bad })).toEqual([
        {
          key: 'errors.max-record-bytes',
          kind: 'invalid-value',
          message: `Invalid value '${bad}' for option 'errors.max-record-bytes'; expected a positive integer (bytes)`,
        },
      ]);
    }
    const alias = validateOptions(fs, formats, { connector: 'filesystem', path: '/x', format: 'json', 'json.ignore-parse-errors': 'maybe' });
    expect(alias.map((p) => p.message)).toEqual(["Invalid value 'maybe' for option 'json.ignore-parse-errors'; expected one of: true, false"]);
  });

  it('reports an unknown or missing connector', () => {
    expect(validateOptions(undefined, formats, { connector: 'filesytem' }, builtinConnectors())).toEqual([
      {
        key: 'connector',
        kind: 'unknown-connector',
        message: "Unknown connector 'filesytem'; available connectors: filesystem, datagen, print, blackhole, sqlite, kafka, upsert-kafka, nexmark",
        hint: 'did you mean `filesystem`?',
      },
    ]);
    expect(validateOptions(undefined, formats, {}, builtinConnectors())[0]!.kind).toBe('missing-option');
  });
});

describe('parseDuration', () => {
  it('reads Flink durations', () => {
    expect(parseDuration('10 s')).toBe(10_000);
    expect(parseDuration('10s')).toBe(10_000);
    expect(parseDuration('500 ms')).toBe(500);
    expect(parseDuration('1 min')).toBe(60_000);
    expect(parseDuration('2 h')).toBe(7_200_000);
    expect(parseDuration('1 d')).toBe(86_400_000);
    expect(parseDuration('3 SECONDS')).toBe(3000);
    expect(parseDuration('250')).toBe(250);
    expect(parseDuration('1.5 s')).toBeUndefined();
    expect(parseDuration('ten s')).toBeUndefined();
    expect(parseDuration('1 fortnight')).toBeUndefined();
  });
});
