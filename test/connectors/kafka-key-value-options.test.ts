// Validation of the Kafka key and value options (`key.format`, `value.format`/`format`, `key.fields`,
// `key.fields-prefix`, `value.fields-include`, their format options) and of `upsert-kafka`'s options; no broker needed.
import { describe, expect, it } from 'vitest';
import { validateOptions } from '../../src/connectors/validate-options.js';
import { builtinFormats, findConnector } from '../../src/connectors/index.js';
import { recordLayout } from '../../src/connectors/kafka/record-layout.js';
import { errorPolicyOf } from '../../src/runtime/bad-records.js';
import { T } from '../../src/common/types.js';
import type { TableShape } from '../../src/runtime/connector.js';
import { Eddy, EddyError } from '../../src/index.js';

const formats = builtinFormats();
const kafka = findConnector('kafka')!;
const upsert = findConnector('upsert-kafka')!;
const base = { connector: 'kafka', topic: 't', 'properties.bootstrap.servers': '127.0.0.1:9092', 'scan.startup.mode': 'earliest-offset' };
const table: TableShape = { columns: ['id', 'name', 'k_id', 'amount'] };
const problems = (options: Record<string, string>) => validateOptions(kafka, formats, options, [], table).map((p) => [p.key, p.kind, p.message]);

describe('kafka key and value options', () => {
  it('accepts format or value.format, key.format with key.fields, both value.fields-include strategies', () => {
    expect(problems({ ...base, format: 'json' })).toEqual([]);
    expect(problems({ ...base, 'value.format': 'csv' })).toEqual([]);
    expect(problems({ ...base, 'value.format': 'json', 'key.format': 'csv', 'key.fields': 'id;name' })).toEqual([]);
    expect(problems({ ...base, format: 'json', 'key.format': 'json', 'key.fields': 'id', 'value.fields-include': 'EXCEPT_KEY' })).toEqual([]);
    expect(problems({ ...base, format: 'json', 'key.format': 'json', 'key.fields': 'k_id', 'key.fields-prefix': 'k_', 'value.fields-include': 'except_key' })).toEqual([]);
  });

  it("'format' and 'value.format' are one option: exactly one of them", () => {
    expect(problems({ ...base, format: 'json', 'value.format': 'json' })).toEqual([
      ['value.format', 'invalid-value', "Options 'format' and 'value.format' are the same option ('format' is the fallback key of 'value.format'): give one of them"],
    ]);
    expect(problems(base)).toEqual([['value.format', 'missing-option', "Missing required option 'value.format' (or 'format') for connector 'kafka'"]]);
    expect(problems({ ...base, 'value.format': 'jsn' })[0]!.slice(0, 2)).toEqual(['value.format', 'unknown-format']);
    expect(problems({ ...base, format: 'json', 'key.format': 'xml', 'key.fields': 'id' })[0]!.slice(0, 2)).toEqual(['key.format', 'unknown-format']);
  });

  it('takes format options with Flink prefixes: key.<format>.x for the key, value.<format>.x or <format>.x for the value', () => {
    const keyed = { ...base, 'value.format': 'json', 'key.format': 'csv', 'key.fields': 'id' };
    expect(problems({ ...keyed, 'key.csv.field-delimiter': ';', 'value.json.fail-on-missing-field': 'true' })).toEqual([]);
    expect(problems({ ...keyed, 'json.fail-on-missing-field': 'true' })).toEqual([]);
    expect(problems({ ...keyed, 'key.json.fail-on-missing-field': 'true' })).toEqual([
      ['key.json.fail-on-missing-field', 'unknown-option', "Option 'key.json.fail-on-missing-field' belongs to format 'json', but the table's key format is 'csv'"],
    ]);
    expect(problems({ ...keyed, 'value.csv.field-delimiter': ';' })).toEqual([
      ['value.csv.field-delimiter', 'unknown-option', "Option 'value.csv.field-delimiter' belongs to format 'csv', but the table's value format is 'json'"],
    ]);
    expect(problems({ ...keyed, 'key.csv.allow-comments': 'maybe' })[0]!.slice(0, 2)).toEqual(['key.csv.allow-comments', 'invalid-value']);
    // Without a key format, a key format option names none.
    expect(problems({ ...base, format: 'json', 'key.json.fail-on-missing-field': 'true' })[0]![2]).toBe(
      "Option 'key.json.fail-on-missing-field' belongs to format 'json', but the table's key format is '(none)'",
    );
  });

  it('refuses key options that do not fit together or with the columns', () => {
    const json = { ...base, format: 'json' };
    expect(problems({ ...json, 'key.fields': 'id' })).toEqual([['key.fields', 'invalid-value', "'key.fields' needs 'key.format' (the format of the record key)"]]);
    expect(problems({ ...json, 'key.format': 'json' })).toEqual([['key.format', 'invalid-value', "'key.format' needs 'key.fields' (the columns of the record key)"]]);
    expect(problems({ ...json, 'key.format': 'json', 'key.fields': 'id;nope' })).toEqual([
      ['key.fields', 'invalid-value', "'key.fields' names column 'nope', which the table does not have (a key column must be a physical column)"],
    ]);
    expect(problems({ ...json, 'key.format': 'json', 'key.fields': 'id;id' })[0]![2]).toBe("'key.fields' names column 'id' twice");
    expect(problems({ ...json, 'key.format': 'json', 'key.fields': 'k_id', 'key.fields-prefix': 'k_' })).toEqual([
      ['key.fields-prefix', 'invalid-value', "'key.fields-prefix' needs 'value.fields-include' = 'EXCEPT_KEY' (with 'ALL' the value's fields would overlap the key's)"],
    ]);
    expect(problems({ ...json, 'key.format': 'json', 'key.fields': 'id', 'key.fields-prefix': 'k_', 'value.fields-include': 'EXCEPT_KEY' })).toEqual([
      [
        'key.fields-prefix',
        'invalid-value',
        "Key column 'id' does not start with 'key.fields-prefix' 'k_' (every key column's name carries the prefix, which the key format does not see)",
      ],
    ]);
    expect(problems({ ...json, 'key.fields-prefix': 'k_', 'value.fields-include': 'EXCEPT_KEY' })[0]![2]).toBe("'key.fields-prefix' applies to the key columns: it needs 'key.format'");
    expect(problems({ ...json, 'value.fields-include': 'SOME' })[0]!.slice(0, 2)).toEqual(['value.fields-include', 'invalid-value']);
    // Without the table's columns (a check that has none), the column checks wait for the source or sink.
    expect(validateOptions(kafka, formats, { ...json, 'key.format': 'json', 'key.fields': 'nope' })).toEqual([]);
  });

  it('lays the columns out: key columns without the prefix, value columns per value.fields-include', () => {
    const schema = [
      { name: 'k_id', type: T.int() },
      { name: 'name', type: T.string() },
      { name: 'id', type: T.bigint() },
    ];
    const layout = recordLayout(
      't',
      { ...base, 'value.format': 'json', 'value.json.timestamp-format.standard': 'ISO-8601', 'key.format': 'csv', 'key.csv.field-delimiter': ';', 'key.fields': 'k_id', 'key.fields-prefix': 'k_', 'value.fields-include': 'EXCEPT_KEY' },
      schema,
      undefined,
      false,
    );
    expect(layout.keyColumns).toEqual([0]);
    expect(layout.keySchema.map((f) => f.name)).toEqual(['id']);
    expect(layout.valueColumns).toEqual([1, 2]);
    expect(layout.keyOptions).toEqual({ 'csv.field-delimiter': ';' });
    expect(layout.valueOptions).toEqual({ 'json.timestamp-format.standard': 'ISO-8601' });
    const all = recordLayout('t', { ...base, format: 'json', 'key.format': 'json', 'key.fields': 'id;name' }, schema, undefined, false);
    expect(all.keyColumns).toEqual([2, 1]);
    expect(all.valueColumns).toEqual([0, 1, 2]);
    expect(() => recordLayout('t', { ...base, format: 'json', 'key.format': 'json', 'key.fields': 'nope' }, schema, undefined, false)).toThrow(
      "Table `t`: 'key.fields' names column 'nope'",
    );
  });

  it("the key or value format's ignore-parse-errors means errors.policy = 'skip'", () => {
    expect(errorPolicyOf({ 'value.format': 'json', 'value.json.ignore-parse-errors': 'true' })).toBe('skip');
    expect(errorPolicyOf({ 'value.format': 'json', 'json.ignore-parse-errors': 'true' })).toBe('skip');
    expect(errorPolicyOf({ format: 'json', 'key.format': 'csv', 'key.csv.ignore-parse-errors': 'true' })).toBe('skip');
    expect(errorPolicyOf({ format: 'json', 'key.format': 'csv', 'key.json.ignore-parse-errors': 'true' })).toBe('fail');
  });
});

describe('upsert-kafka options', () => {
  const ubase = { connector: 'upsert-kafka', topic: 't', 'properties.bootstrap.servers': '127.0.0.1:9092', 'key.format': 'json', 'value.format': 'json' };
  const keyed: TableShape = { columns: ['id', 'name', 'n'], primaryKey: ['id'] };
  const uproblems = (options: Record<string, string>, shape: TableShape = keyed) =>
    validateOptions(upsert, formats, options, [], shape).map((p) => [p.key, p.kind, p.message]);

  it('accepts the key and value formats, the buffer (both options), bounded reads, the delivery guarantees', () => {
    expect(uproblems(ubase)).toEqual([]);
    expect(uproblems({ ...ubase, 'sink.buffer-flush.max-rows': '100', 'sink.buffer-flush.interval': '1 s' })).toEqual([]);
    expect(uproblems({ ...ubase, 'sink.buffer-flush.max-rows': '0', 'sink.buffer-flush.interval': '0 s' })).toEqual([]);
    expect(uproblems({ ...ubase, 'scan.bounded.mode': 'latest-offset', 'value.fields-include': 'EXCEPT_KEY' })).toEqual([]);
    expect(uproblems({ ...ubase, 'sink.delivery-guarantee': 'exactly-once', 'sink.transactional-id-prefix': 'p' })).toEqual([]);
    const { 'value.format': _v, ...withFormat } = ubase;
    expect(uproblems({ ...withFormat, format: 'csv' })).toEqual([]);
  });

  it('needs a PRIMARY KEY, key.format and a value format', () => {
    expect(uproblems(ubase, { columns: ['id', 'name'] })).toEqual([
      [
        'connector',
        'invalid-value',
        "'upsert-kafka' tables need a PRIMARY KEY: it names the columns the record key holds, and the key each record upserts or deletes",
      ],
    ]);
    const { 'key.format': _k, ...noKey } = ubase;
    expect(uproblems(noKey)).toEqual([['key.format', 'missing-option', "Missing required option 'key.format' for connector 'upsert-kafka'"]]);
    const { 'value.format': _v, ...noValue } = ubase;
    expect(uproblems(noValue)).toEqual([['value.format', 'missing-option', "Missing required option 'value.format' (or 'format') for connector 'upsert-kafka'"]]);
  });

  it('refuses what Flink refuses or Eddy does not do: one buffer option alone, key.fields, startup modes, sink.parallelism', () => {
    expect(uproblems({ ...ubase, 'sink.buffer-flush.max-rows': '100' })).toEqual([
      ['sink.buffer-flush.max-rows', 'invalid-value', "'sink.buffer-flush.max-rows' and 'sink.buffer-flush.interval' buffer together: set both above zero, or neither"],
    ]);
    expect(uproblems({ ...ubase, 'sink.buffer-flush.interval': '1 s', 'sink.buffer-flush.max-rows': '0' })[0]![0]).toBe('sink.buffer-flush.interval');
    expect(uproblems({ ...ubase, 'sink.buffer-flush.interval': 'soon' })[0]!.slice(0, 2)).toEqual(['sink.buffer-flush.interval', 'invalid-value']);
    expect(uproblems({ ...ubase, 'key.fields': 'id' })[0]!.slice(0, 2)).toEqual(['key.fields', 'unknown-option']);
    expect(uproblems({ ...ubase, 'scan.startup.mode': 'latest-offset' })[0]!.slice(0, 2)).toEqual(['scan.startup.mode', 'unknown-option']);
    expect(uproblems({ ...ubase, 'sink.parallelism': '2' })[0]![2]).toContain("'sink.parallelism' is not supported");
    expect(uproblems({ ...ubase, 'properties.auto.offset.reset': 'latest' })[0]![2]).toContain('always reads from the earliest offsets');
    expect(uproblems({ ...ubase, 'sink.delivery-guarantee': 'exactly-once' })[0]![2]).toContain("needs 'sink.transactional-id-prefix'");
    expect(uproblems({ ...ubase, 'key.fields-prefix': 'k_' })[0]![2]).toContain("needs 'value.fields-include' = 'EXCEPT_KEY'");
  });

  it('CREATE TABLE reports the problems positioned, with the PRIMARY KEY and key.fields checked against the columns', async () => {
    const eddy = new Eddy();
    try {
      const fail = (sql: string) => eddy.execute(sql).then(() => undefined, (e: unknown) => e as EddyError);
      const noKey = await fail(
        "CREATE TABLE u (id INT, name STRING) WITH ('connector' = 'upsert-kafka', 'topic' = 't', 'properties.bootstrap.servers' = '127.0.0.1:1', 'key.format' = 'json', 'value.format' = 'json')",
      );
      expect(noKey).toBeInstanceOf(EddyError);
      expect(noKey!.code).toBe('EDDY-C004');
      expect(noKey!.message).toContain("'upsert-kafka' tables need a PRIMARY KEY");
      expect(noKey!.diagnostics[0]!.span).toBeDefined();
      const badField = await fail(
        "CREATE TABLE k (id INT, name STRING) WITH ('connector' = 'kafka', 'topic' = 't', 'properties.bootstrap.servers' = '127.0.0.1:1', 'format' = 'json', 'key.format' = 'json', 'key.fields' = 'nam')",
      );
      expect(badField!.message).toContain("'key.fields' names column 'nam', which the table does not have");
      expect(badField!.diagnostics[0]!.hint).toBe('did you mean `name`?');
      // A computed column is not physical: it cannot be in the key.
      const computed = await fail(
        "CREATE TABLE c (id INT, twice AS id * 2) WITH ('connector' = 'kafka', 'topic' = 't', 'properties.bootstrap.servers' = '127.0.0.1:1', 'format' = 'json', 'key.format' = 'json', 'key.fields' = 'twice')",
      );
      expect(computed!.message).toContain("'key.fields' names column 'twice', which the table does not have");
      await eddy.execute(
        "CREATE TABLE ok (id INT, name STRING, PRIMARY KEY (id) NOT ENFORCED) WITH ('connector' = 'upsert-kafka', 'topic' = 't', 'properties.bootstrap.servers' = '127.0.0.1:1', 'key.format' = 'json', 'value.format' = 'json')",
      );
    } finally {
      await eddy.close();
    }
  });
});
