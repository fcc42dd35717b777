import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createJsonDecoder } from '../../src/connectors/formats/json-format.js';
import { RecordError, type RecordDecoder } from '../../src/connectors/formats/record-codec.js';
import { parseCanonicalTimestamp } from '../../src/connectors/formats/convert-value.js';
import { FileSystemSourceReader } from '../../src/connectors/filesystem-source.js';
import { T, withNullable, type Schema } from '../../src/common/types.js';
import { testContext } from './context.js';

/** The bytes path of `decoder` on `text`, placed inside a larger buffer (so offsets matter). */
function fast(decoder: RecordDecoder, text: string): unknown {
  const bytes = Buffer.from(`xx\n${text}\nyy`, 'utf8');
  const start = 3;
  const end = start + Buffer.byteLength(text, 'utf8');
  return decoder.decodeBytes!(bytes, start, end);
}

/**
 * The bytes path agrees with the text path (JSON.parse and the column readers): the same row, or it leaves
 * the record to the text path (undefined). With `columnsRead`, unread STRING columns are NULL.
 * Returns the fast result.
 */
function agree(schema: Schema, text: string, options: Record<string, string> = {}, columnsRead?: number[]): unknown {
  const decoder = createJsonDecoder(schema, options, columnsRead);
  const slow = decoder.decodeText(text);
  const quick = fast(decoder, text);
  if (quick === undefined) return quick;
  if (slow instanceof RecordError) throw new Error(`fast path accepted ${JSON.stringify(text)}, text path: ${slow.kind}: ${slow.message}`);
  const expected = (slow as unknown[]).map((v, i) => (columnsRead && !columnsRead.includes(i) && schema[i]!.type.name === 'STRING' ? null : v));
  expect(quick).toEqual(expected);
  // Whatever the path, decode() of the UTF-8 bytes (a Kafka message) gives the same as the text path.
  const viaMessage = decoder.decode({ value: new TextEncoder().encode(text) });
  if (slow instanceof RecordError) expect(viaMessage).toEqual(slow);
  return quick;
}

const bid: Schema = [
  { name: 'auction', type: T.bigint() },
  { name: 'bidder', type: T.bigint() },
  { name: 'price', type: T.bigint() },
  { name: 'channel', type: T.string() },
  { name: 'url', type: T.string() },
  { name: 'dateTime', type: T.timestamp(3) },
  { name: 'extra', type: T.string() },
];

const BID_LINE =
  '{"auction":1007,"bidder":2001,"price":1071267,"channel":"channel-6106","url":"https://www.nexmark.com/crd/yyny/_ald/item.htm?query=1&channel_id=1541931008","dateTime":"2026-03-01 00:00:00.000","extra":"tenxwsrov"}';
// 2026-03-01: 20,513 days after 1970-01-01 (56 years, 14 of them leap years, then Jan and Feb 2026).
const MARCH_1_2026 = (56 * 365 + 14 + 31 + 28) * 86_400_000;

describe('json decoder: the bytes path', () => {
  it('decodes a flat record itself (no text path), with hand-checked values', () => {
    const decoder = createJsonDecoder(bid);
    expect(fast(decoder, BID_LINE)).toEqual([
      1007,
      2001,
      1071267,
      'channel-6106',
      'https://www.nexmark.com/crd/yyny/_ald/item.htm?query=1&channel_id=1541931008',
      MARCH_1_2026,
      'tenxwsrov',
    ]);
    expect(agree(bid, BID_LINE)).toBeDefined();
  });

  it('builds only the STRING columns the query reads', () => {
    const decoder = createJsonDecoder(bid, {}, [0, 2, 5]);
    expect(fast(decoder, BID_LINE)).toEqual([1007, 2001, 1071267, null, null, MARCH_1_2026, null]);
    // Unread columns of other types are still converted: a bad value there is still a bad record.
    const bad = BID_LINE.replace('"bidder":2001', '"bidder":"x"');
    expect(fast(decoder, bad)).toBeUndefined();
    expect(decoder.decodeText(bad)).toMatchObject({ kind: 'wrong-type' });
    // A NOT NULL STRING column is checked even when not read.
    const notNull: Schema = [bid[0]!, { name: 'channel', type: withNullable(T.string(), false) }];
    expect(fast(createJsonDecoder(notNull, {}, [0]), '{"auction":1,"channel":null}')).toBeUndefined();
    expect(fast(createJsonDecoder(notNull, {}, [0]), '{"auction":1}')).toBeUndefined();
    expect(fast(createJsonDecoder(notNull, {}, [0]), '{"auction":1,"channel":"c"}')).toEqual([1, null]);
  });

  it('reads escapes, and leaves non-ASCII text to the text path', () => {
    const s: Schema = [{ name: 's', type: T.string() }];
    expect(agree(s, '{"s":"a\\"b\\\\c\\/d\\b\\f\\n\\r\\t"}')).toEqual(['a"b\\c/d\b\f\n\r\t']);
    expect(agree(s, '{"s":"\\u00e9\\u20AC\\ud83d\\ude00"}')).toEqual(['é€😀']);
    expect(agree(s, '{"s":"\\ud800"}')).toEqual(['\ud800']); // a lone surrogate, as JSON.parse reads it
    expect(agree(s, '{"s":"zoë"}')).toBeUndefined();
    expect(createJsonDecoder(s).decode({ value: new TextEncoder().encode('{"s":"zoë"}') })).toEqual(['zoë']);
    for (const bad of ['{"s":"\\x"}', '{"s":"\\u12G4"}', '{"s":"\\u123"}', '{"s":"a\tb"}', '{"s":"a', '{"s":"\\']) expect(agree(s, bad)).toBeUndefined();
  });

  it('skips nested values of columns it does not read, and reads nested values as the text path does', () => {
    const s: Schema = [
      { name: 'a', type: T.bigint() },
      { name: 's', type: T.string() },
    ];
    expect(agree(s, '{"x":{"y":[1,2,{"z":"}"}],"w":{}},"a":1,"e":[],"f":[[]],"s":"t"}')).toEqual([1, 't']);
    expect(agree(s, '{"a":1,"s":{"k":[1,"two",null,true]}}')).toEqual([1, '{"k":[1,"two",null,true]}']);
    expect(agree(s, '{"a":1,"s":[ 1 , 2 ]}')).toEqual([1, '[1,2]']);
    const row: Schema = [{ name: 'r', type: T.row([{ name: 'id', type: T.bigint() }, { name: 'tags', type: T.array(T.string()) }]) }];
    expect(agree(row, '{"r":{"tags":["a","b"],"id":5}}')).toEqual([[5, ['a', 'b']]]);
    for (const bad of ['{"x":{"y":1,}}', '{"x":[1,]}', '{"x":{1:2}}', '{"x":{"a" 1}}', '{"x":[1 2]}', '{"x":{"a":1]}', '{"x":[}', '{"x":{"a":tru}}']) {
      expect(agree(s, bad)).toBeUndefined();
    }
    // Nested deeper than 1000 levels: the text path's too-deep.
    const deep = `{"x":${'['.repeat(1000)}${']'.repeat(1000)},"a":1}`;
    expect(agree(s, deep)).toBeUndefined();
    expect(createJsonDecoder(s).decodeText(deep)).toMatchObject({ kind: 'too-deep' });
    const fine = `{"x":${'['.repeat(998)}${']'.repeat(998)},"a":1}`;
    expect(agree(s, fine)).toEqual([1, null]);
  });

  it('reads numbers in all JSON forms as JSON.parse does', () => {
    const s: Schema = [
      { name: 'b', type: T.bigint() },
      { name: 'i', type: T.int() },
      { name: 'd', type: T.double() },
      { name: 'f', type: T.float() },
      { name: 'm', type: T.decimal(20, 4) },
      { name: 's', type: T.string() },
    ];
    const numbers = ['0', '-0', '7', '-7', '1.5', '-1.25', '0.1', '0.30000000000000004', '1e3', '1E3', '1e+3', '1e-3', '-12.5e+2', '2.5E-1', '123456789012345', '1234567890123456', '12345678901234567890', '9007199254740993', '1e22', '1e23', '1.7976931348623157e308', '1e400', '5e-324', '1e-400', '0.000001', '100000000000000000000000'];
    for (const n of numbers) {
      for (const col of ['b', 'i', 'd', 'f', 'm', 's']) agree(s, `{"${col}":${n}}`);
    }
    expect(agree(s, '{"b":-42,"i":2147483647,"d":-12.5e+2,"f":0.1,"s":1.50}')).toEqual([-42, 2147483647, -1250, 0.1, null, '1.5']);
    for (const bad of ['01', '-', '1.', '.5', '+1', '1e', '1e+', '--1', '0x10', 'NaN', 'Infinity', '-Infinity', '1.5.5']) expect(agree(s, `{"d":${bad}}`)).toBeUndefined();
    // Integers out of a column's range, or not integral: the text path decides (and says why).
    expect(agree(s, '{"i":2147483648}')).toBeUndefined();
    expect(agree(s, '{"b":1.5}')).toBeUndefined();
  });

  it('takes the last of duplicated keys, as JSON.parse does', () => {
    const s: Schema = [
      { name: 'a', type: T.bigint() },
      { name: 's', type: T.string() },
    ];
    expect(agree(s, '{"a":1,"s":"x","a":2,"s":"y"}')).toEqual([2, 'y']);
    expect(agree(s, '{"a":"bad","a":3}')).toBeUndefined(); // only the last counts: left to the text path, which reads 3
    expect(createJsonDecoder(s).decodeText('{"a":"bad","a":3}')).toEqual([3, null]);
  });

  it('handles whitespace, missing and extra fields, and matches names as the text path does', () => {
    const s: Schema = [
      { name: 'a', type: T.bigint() },
      { name: 's', type: T.string() },
      { name: 't', type: T.timestamp(3) },
    ];
    expect(agree(s, ' \t{ "s" : "x" ,\r"a"\t:\t1 , "zz" : [ {} ] }\t ')).toEqual([1, 'x', null]);
    expect(agree(s, '{}')).toEqual([null, null, null]);
    expect(agree(s, '{"other":1}')).toEqual([null, null, null]);
    // A key matching a column only case-insensitively: the text path's lookup decides.
    expect(agree(s, '{"A":1}')).toBeUndefined();
    expect(createJsonDecoder(s).decodeText('{"A":1}')).toEqual([1, null, null]);
    // Missing fields that are errors: left to the text path, which reports them.
    expect(agree(s, '{"a":1}', { 'json.fail-on-missing-field': 'true' })).toBeUndefined();
    expect(agree(s, '{"a":1,"s":"x","t":null}', { 'json.fail-on-missing-field': 'true' })).toEqual([1, 'x', null]);
    const notNull: Schema = [{ name: 'a', type: withNullable(T.bigint(), false) }];
    expect(agree(notNull, '{}')).toBeUndefined();
    expect(agree(notNull, '{"a":null}')).toBeUndefined();
    for (const bad of ['', ' ', '[]', '1', 'null', '"s"', '{', '{"a":1', '{"a":1}}', '{"a":1} x', '{"a" 1}', '{"a":1,}', "{'a':1}", '{a:1}', '{"a":1,,"s":"x"}', '{"a":1 "s":"x"}', '{"a":1}\u000b']) {
      expect(agree(s, bad)).toBeUndefined();
    }
  });

  it('reads timestamps as the text path does', () => {
    const s: Schema = [
      { name: 't', type: T.timestamp(3) },
      { name: 't0', type: T.timestamp(0) },
      { name: 'l', type: T.timestampLtz(3) },
    ];
    const texts = ['2024-02-29 23:59:59.999', '2023-02-29 00:00:00', '2024-01-01T00:00:00', '0000-01-01 00:00:00.000', '9999-12-31 23:59:59.999', '1969-12-31 23:59:59.999', '1900-03-01 12:00:00', '2000-02-29 00:00:00.5', '2024-13-01 00:00:00', '2024-01-01 24:00:00', '2024-01-01 00:00:00.abc', '2024-01-01 00:00:00Z', '2024-01-01'];
    for (const t of texts) for (const col of ['t', 't0', 'l']) agree(s, `{"${col}":"${t}"}`);
    agree(s, '{"t":1700000000123,"t0":1700000000999}');
    // Every day of some years against the text path's own reading.
    for (const year of [0, 4, 100, 400, 1600, 1900, 1970, 2000, 2024, 2100, 9999]) {
      for (let day = 0; day < 366; day += 1) {
        const d = new Date(Date.UTC(2000, 0, 1 + day));
        const text = `${String(year).padStart(4, '0')}-${String(d.getUTCMonth() + 1).padStart(2, '0')}-${String(d.getUTCDate()).padStart(2, '0')} 13:14:15.167`;
        const quick = fast(createJsonDecoder(s), `{"t":"${text}"}`) as unknown[] | undefined;
        const expected = parseCanonicalTimestamp(text);
        if (expected === undefined) expect(quick).toBeUndefined();
        else expect(quick?.[0]).toBe(expected);
      }
    }
  });

  it('agrees with the text path on random records and their corruptions', () => {
    const s: Schema = [
      { name: 'a', type: T.bigint() },
      { name: 'b', type: T.int() },
      { name: 'd', type: T.double() },
      { name: 's', type: T.string() },
      { name: 't', type: T.timestamp(3) },
      { name: 'ok', type: T.boolean() },
      { name: 'n', type: withNullable(T.string(), false) },
    ];
    let seed = 12345;
    const random = (): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    const pick = <X>(xs: readonly X[]): X => xs[Math.floor(random() * xs.length)]!;
    const values = ['1', '-3', '2147483648', '1.5', '-0.25e2', '"x"', '"\\n"', '"\\u0041"', 'true', 'false', 'null', '{}', '[1,{"q":"r"}]', '"2024-05-06 07:08:09.010"', '1e400', '12345678901234567'];
    const keys = ['a', 'b', 'd', 's', 't', 'ok', 'n', 'A', 'zz', 'a'];
    const junk = ['"', ',', ':', '{', '}', '[', ']', '\\', ' ', 'e', '-', '.', '0', '\t', 'x', '\u0001'];
    let fastCount = 0;
    for (let r = 0; r < 3000; r++) {
      const fields: string[] = [];
      const count = Math.floor(random() * 6);
      for (let f = 0; f < count; f++) fields.push(`"${pick(keys)}"${pick(['', ' '])}:${pick(['', ' '])}${pick(values)}`);
      if (random() < 0.7) fields.push(`"n":"v"`);
      let text = `{${fields.join(pick([',', ' , ']))}}`;
      if (random() < 0.4) {
        const at = Math.floor(random() * (text.length + 1));
        text = random() < 0.5 ? text.slice(0, at) + pick(junk) + text.slice(at) : text.slice(0, at) + text.slice(at + 1);
      }
      for (const read of [undefined, [0, 4]]) if (agree(s, text, {}, read) !== undefined) fastCount++;
    }
    // Most records take the fast path (the rest were corrupted or need the text path's judgement).
    expect(fastCount).toBeGreaterThan(1000);
  });

  it('in a file: rows from the bytes path, and bad records with their positions and text', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'eddy-json-bytes-'));
    const path = join(dir, 'bids.jsonl');
    const lines = [BID_LINE, '{"auction":"x"}', '{"auction":2,"extra":"é"}', '{"auction":3', '', '{"auction":4}\r'];
    writeFileSync(path, lines.join('\n'));
    const base = testContext(bid, { path, format: 'json' });
    const bad = base.badRecords;
    const ctx = Object.assign(base, { columnsRead: [0, 6] });
    const reader = new FileSystemSourceReader(ctx);
    await reader.open();
    const rows: unknown[][] = [];
    const described: string[] = [];
    for (let chunk = await reader.next(); chunk !== null; chunk = await reader.next()) {
      chunk.rows.forEach((row, i) => {
        rows.push(row as unknown[]);
        const d = chunk.describe!(i);
        described.push(`${d.position} ${d.raw}`);
      });
    }
    await reader.close();
    expect(rows).toEqual([
      [1007, 2001, 1071267, null, null, MARCH_1_2026, 'tenxwsrov'],
      [2, null, null, null, null, null, 'é'],
      [4, null, null, null, null, null, null],
    ]);
    expect(described).toEqual([`${path}:1 ${BID_LINE}`, `${path}:3 {"auction":2,"extra":"é"}`, `${path}:6 {"auction":4}`]);
    expect(bad.map((b) => [b.kind, b.position, b.raw])).toEqual([
      ['wrong-type', `${path}:2`, '{"auction":"x"}'],
      ['invalid-json', `${path}:4`, '{"auction":3'],
      ['empty', `${path}:5`, ''],
    ]);
  });
});
