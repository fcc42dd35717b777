// Validation of the `kafka` connector's options (no broker needed).
import { describe, expect, it } from 'vitest';
import { validateOptions } from '../../src/connectors/validate-options.js';
import { builtinFormats, findConnector } from '../../src/connectors/index.js';
import { specificOffsets } from '../../src/connectors/kafka/kafka-options.js';

const formats = builtinFormats();
const kafka = findConnector('kafka')!;
const base = { connector: 'kafka', topic: 't', 'properties.bootstrap.servers': '127.0.0.1:9092', format: 'json', 'scan.startup.mode': 'earliest-offset' };
const problems = (options: Record<string, string>) => validateOptions(kafka, formats, options).map((p) => [p.key, p.kind, p.message]);

describe('kafka options', () => {
  it('accepts every startup and bounded mode with what it needs', () => {
    expect(problems(base)).toEqual([]);
    expect(problems({ ...base, 'scan.startup.mode': 'group-offsets', 'properties.group.id': 'g', 'properties.auto.offset.reset': 'earliest' })).toEqual([]);
    expect(problems({ ...base, 'scan.startup.mode': 'latest-offset', 'scan.bounded.mode': 'unbounded' })).toEqual([]);
    expect(problems({ ...base, 'scan.startup.mode': 'timestamp', 'scan.startup.timestamp-millis': '1700000000000' })).toEqual([]);
    expect(problems({ ...base, 'scan.startup.mode': 'specific-offsets', 'scan.startup.specific-offsets': 'partition:0,offset:42;partition:1,offset:300' })).toEqual([]);
    expect(problems({ ...base, 'scan.bounded.mode': 'latest-offset', topic: 'a;b' })).toEqual([]);
    expect(problems({ ...base, 'scan.bounded.mode': 'timestamp', 'scan.bounded.timestamp-millis': '5' })).toEqual([]);
    expect(problems({ ...base, 'scan.bounded.mode': 'specific-offsets', 'scan.bounded.specific-offsets': 'partition:2,offset:7' })).toEqual([]);
    expect(problems({ ...base, 'properties.isolation.level': 'read_committed', 'json.fail-on-missing-field': 'true', 'errors.policy': 'skip' })).toEqual([]);
  });

  it('rejects unknown options, missing ones and bad values', () => {
    expect(problems({ ...base, 'scan.startup.mod': 'earliest-offset' })[0]!.slice(0, 2)).toEqual(['scan.startup.mod', 'unknown-option']);
    expect(problems({ ...base, 'properties.sasl.mechanism': 'PLAIN' })[0]!.slice(0, 2)).toEqual(['properties.sasl.mechanism', 'invalid-value']);
    const { topic: _t, ...noTopic } = base;
    expect(problems(noTopic)).toEqual([['topic', 'invalid-value', "The kafka connector needs 'topic' (or, to read, 'topic-pattern')"]]);
    expect(problems({ ...base, 'scan.startup.mode': 'earliest' })[0]!.slice(0, 2)).toEqual(['scan.startup.mode', 'invalid-value']);
    expect(problems({ ...base, 'scan.bounded.mode': 'group-offsets' })[0]!.slice(0, 2)).toEqual(['scan.bounded.mode', 'invalid-value']);
  });

  it('checks the options of each mode together', () => {
    const { 'scan.startup.mode': _m, ...defaultMode } = base;
    // The default mode is not checked at CREATE TABLE (a table only written needs no group); the source refuses it at start.
    expect(problems(defaultMode)).toEqual([]);
    expect(problems({ ...defaultMode, 'scan.startup.mode': 'group-offsets' })).toEqual([
      ['properties.group.id', 'invalid-value', "'scan.startup.mode' = 'group-offsets' needs 'properties.group.id'"],
    ]);
    expect(problems({ ...base, 'scan.startup.mode': 'timestamp' })).toEqual([
      ['scan.startup.timestamp-millis', 'invalid-value', "'scan.startup.mode' = 'timestamp' needs 'scan.startup.timestamp-millis' (milliseconds since the epoch)"],
    ]);
    expect(problems({ ...base, 'scan.startup.mode': 'timestamp', 'scan.startup.timestamp-millis': 'yesterday' })[0]![2]).toContain("not 'yesterday'");
    expect(problems({ ...base, 'scan.startup.timestamp-millis': '5' })).toEqual([
      ['scan.startup.timestamp-millis', 'invalid-value', "Option 'scan.startup.timestamp-millis' applies only with 'scan.startup.mode' = 'timestamp'"],
    ]);
    expect(problems({ ...base, 'scan.startup.mode': 'specific-offsets', 'scan.startup.specific-offsets': 'partition:0;offset:42' })[0]![0]).toBe('scan.startup.specific-offsets');
    expect(problems({ ...base, topic: 'a;b', 'scan.startup.mode': 'specific-offsets', 'scan.startup.specific-offsets': 'partition:0,offset:1' })).toEqual([
      ['scan.startup.specific-offsets', 'invalid-value', "Option 'scan.startup.specific-offsets' needs a single topic; 'topic' names 2"],
    ]);
    expect(problems({ ...base, 'scan.bounded.mode': 'specific-offsets' })[0]![0]).toBe('scan.bounded.specific-offsets');
    expect(problems({ ...base, topic: ' ; ' })).toEqual([['topic', 'invalid-value', "Option 'topic' names no topic"]]);
  });

  it("parses Flink's specific offsets", () => {
    expect(specificOffsets('partition:0,offset:42;partition:1,offset:300')).toEqual(new Map([[0, 42n], [1, 300n]]));
    expect(specificOffsets(' partition : 3 , offset : 9223372036854775807 ;')).toEqual(new Map([[3, 9223372036854775807n]]));
    expect(specificOffsets('partition:0,offset:1;partition:0,offset:2')).toBeUndefined();
    expect(specificOffsets('offset:1,partition:0')).toBeUndefined();
    expect(specificOffsets('')).toBeUndefined();
  });
});
