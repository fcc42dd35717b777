/**
 * Bad records of the filesystem source: each kind is reported through `ctx.badRecord` with the exact
 * position (file:line) and raw text or bytes, and reading goes on with the next record.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { filesystemConnector } from '../../src/connectors/filesystem.js';
import type { BadRecord, SourceChunk } from '../../src/runtime/connector.js';
import { EddyError, ErrorCode } from '../../src/common/errors.js';
import { T, withNullable, type Schema } from '../../src/common/types.js';
import { parseTimestamp } from '../../src/common/time.js';
import { testContext, type TestContext } from './context.js';

const schema: Schema = [
  { name: 'id', type: T.int() },
  { name: 'name', type: T.string() },
];

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'eddy-bad-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Writes `content` to a file and reads it all; the reports and chunks come back. */
async function read(
  content: string | Buffer,
  options: Record<string, string> = {},
  s: Schema = schema,
  name = 'a.json',
): Promise<{ file: string; chunks: SourceChunk[]; rows: unknown[][]; bad: BadRecord[]; ctx: TestContext }> {
  const file = join(dir, name);
  await writeFile(file, content);
  const format = name.endsWith('.csv') ? 'csv' : 'json';
  const ctx = testContext(s, { connector: 'filesystem', format, path: file, ...options }, 'events');
  const reader = filesystemConnector.createSource!(ctx);
  await reader.open();
  const chunks: SourceChunk[] = [];
  for (let c = await reader.next(); c !== null; c = await reader.next()) chunks.push(c);
  await reader.close();
  return { file, chunks, rows: chunks.flatMap((c) => c.rows), bad: ctx.badRecords, ctx };
}

/** Kind, position and raw of each report (the message checked where it matters). */
const brief = (bad: BadRecord[]) => bad.map((b) => [b.kind, b.position, b.raw]);

describe('filesystem source bad records', () => {
  it('invalid JSON and a JSON value that is not an object', async () => {
    const { file, rows, bad } = await read('{"id":1,"name":"a"}\n{"id":2,"na\n[1,2]\n{"id":3,"name":"c"}\n');
    expect(rows).toEqual([[1, 'a'], [3, 'c']]);
    expect(brief(bad)).toEqual([
      ['invalid-json', `${file}:2`, '{"id":2,"na'],
      ['invalid-json', `${file}:3`, '[1,2]'],
    ]);
    expect(bad[0]!.message).toMatch(/^invalid JSON: /);
    expect(bad[1]!.message).toBe('expected a JSON object, got an array');
  });

  it('invalid CSV: a broken quote and a wrong field count', async () => {
    const { file, rows, bad } = await read('1,a\n2,"b\n3\n4,d\n', {}, schema, 'a.csv');
    expect(rows).toEqual([[1, 'a'], [4, 'd']]);
    expect(bad.map((b) => [b.kind, b.position, b.raw, b.message])).toEqual([
      ['invalid-csv', `${file}:2`, '2,"b', 'invalid CSV: unterminated quoted field starting at column 3'],
      ['invalid-csv', `${file}:3`, '3', 'expected 2 fields, found 1'],
    ]);
  });

  it('empty records: blank and whitespace lines, but not the end of a file ending in a newline', async () => {
    const json = await read('{"id":1}\n\n  \r\n{"id":2}\n');
    expect(json.rows).toEqual([[1, null], [2, null]]);
    expect(brief(json.bad)).toEqual([
      ['empty', `${json.file}:2`, ''],
      ['empty', `${json.file}:3`, '  '],
    ]);
    const csv = await read('1,a\n\n2,b\n', {}, schema, 'b.csv');
    expect(csv.rows).toEqual([[1, 'a'], [2, 'b']]);
    expect(brief(csv.bad)).toEqual([['empty', `${csv.file}:2`, '']]);
    expect((await read('{"id":1}\n', {}, schema, 'c.json')).bad).toEqual([]);
  });

  it('wrong types, an unparseable timestamp included', async () => {
    const s: Schema = [...schema, { name: 'ts', type: T.timestamp(3) }];
    const { file, rows, bad } = await read('{"id":"x"}\n{"id":1,"ts":"yesterday"}\n{"id":2,"ts":"2024-01-01 00:00:00"}\n', {}, s);
    expect(rows).toEqual([[2, null, parseTimestamp('2024-01-01 00:00:00')]]);
    expect(bad.map((b) => [b.kind, b.position, b.message])).toEqual([
      ['wrong-type', `${file}:1`, 'column `id` (INT): expected an integer, got "x"'],
      [
        'wrong-type',
        `${file}:2`,
        "column `ts` (TIMESTAMP(3)): expected a timestamp ('yyyy-MM-dd HH:mm:ss.SSS', ISO-8601 or epoch milliseconds), got \"yesterday\"",
      ],
    ]);
  });

  it('a missing field (json.fail-on-missing-field) and NULL in a NOT NULL column', async () => {
    const missing = await read('{"id":1}\n{"id":2,"name":"b"}\n', { 'json.fail-on-missing-field': 'true' });
    expect(missing.rows).toEqual([[2, 'b']]);
    expect(missing.bad.map((b) => [b.kind, b.position, b.raw, b.message])).toEqual([
      ['missing-field', `${missing.file}:1`, '{"id":1}', 'column `name` (STRING) is missing'],
    ]);
    const strict: Schema = [{ name: 'id', type: withNullable(T.int(), false) }, schema[1]!];
    const notNull = await read('{"id":null,"name":"a"}\n{"name":"b"}\n{"id":3}\n', {}, strict, 'b.json');
    expect(notNull.rows).toEqual([[3, null]]);
    expect(brief(notNull.bad)).toEqual([
      ['missing-not-null', `${notNull.file}:1`, '{"id":null,"name":"a"}'],
      ['missing-not-null', `${notNull.file}:2`, '{"name":"b"}'],
    ]);
  });

  it('numeric overflow, told apart from a wrong type', async () => {
    const s: Schema = [
      { name: 'i', type: T.int() },
      { name: 't', type: T.tinyint() },
      { name: 'b', type: T.bigint() },
      { name: 'd', type: T.decimal(5, 2) },
    ];
    const lines = [
      '{"i":3000000000}',
      '{"t":128}',
      '{"t":-129}',
      '{"b":"9223372036854775808"}',
      '{"b":1e400}',
      '{"d":1000}',
      '{"d":"999.995"}',
      '{"i":"12a"}',
      '{"i":127,"t":-128,"b":"9223372036854775807","d":"-999.99"}',
    ];
    const { file, rows, bad } = await read(lines.join('\n') + '\n', {}, s);
    expect(rows).toEqual([[127, -128, 2n ** 63n - 1n, -999.99]]);
    expect(bad.map((b) => [b.kind, b.position, b.message])).toEqual([
      ['numeric-overflow', `${file}:1`, 'column `i` (INT): 3000000000 is out of range for INT'],
      ['numeric-overflow', `${file}:2`, 'column `t` (TINYINT): 128 is out of range for TINYINT'],
      ['numeric-overflow', `${file}:3`, 'column `t` (TINYINT): -129 is out of range for TINYINT'],
      ['numeric-overflow', `${file}:4`, 'column `b` (BIGINT): "9223372036854775808" is out of range for BIGINT'],
      ['numeric-overflow', `${file}:5`, 'column `b` (BIGINT): 1e400 is out of range for BIGINT'],
      ['numeric-overflow', `${file}:6`, 'column `d` (DECIMAL(5, 2)): 1000 does not fit DECIMAL(5, 2)'],
      ['numeric-overflow', `${file}:7`, 'column `d` (DECIMAL(5, 2)): "999.995" does not fit DECIMAL(5, 2)'],
      ['wrong-type', `${file}:8`, 'column `i` (INT): expected an integer, got "12a"'],
    ]);
  });

  it('numeric overflow in CSV', async () => {
    const { file, rows, bad } = await read('1,a\n99999999999,b\n2,c\n', {}, schema, 'a.csv');
    expect(rows).toEqual([[1, 'a'], [2, 'c']]);
    expect(brief(bad)).toEqual([['numeric-overflow', `${file}:2`, '99999999999,b']]);
  });

  it('too large: over errors.max-record-bytes, not decoded, raw is its first 1 KiB; CRLF does not count', async () => {
    const big = '{"id":' + '1'.repeat(3000); // invalid JSON too, but it must not be decoded
    const exact = '{"id":7,"name":"' + 'x'.repeat(100 - 18) + '"}';
    expect(Buffer.byteLength(exact)).toBe(100);
    const { file, rows, bad } = await read(`${big}\n${exact}\r\n${exact}x\n{"id":8}`, { 'errors.max-record-bytes': '100' });
    expect(rows).toEqual([[7, 'x'.repeat(82)], [8, null]]);
    expect(bad).toEqual([
      { kind: 'too-large', message: 'the record is 3006 bytes, more than errors.max-record-bytes (100)', position: `${file}:1`, raw: big.slice(0, 1024) },
      { kind: 'too-large', message: 'the record is 101 bytes, more than errors.max-record-bytes (100)', position: `${file}:3`, raw: `${exact}x` },
    ]);
  });

  it('too large by the default 1 MiB, across several reads and at the end of the file, with a character cut at 1 KiB', async () => {
    const huge = 'é'.repeat(700_000); // 1.4 MB, read in several chunks
    const { file, rows, bad } = await read(`{"id":1}\n${huge}\n{"id":2}\n${huge}`);
    expect(rows).toEqual([[1, null], [2, null]]);
    expect(bad.map((b) => [b.kind, b.position, b.message])).toEqual([
      ['too-large', `${file}:2`, 'the record is 1400000 bytes, more than errors.max-record-bytes (1048576)'],
      ['too-large', `${file}:4`, 'the record is 1400000 bytes, more than errors.max-record-bytes (1048576)'],
    ]);
    expect(bad[0]!.raw).toBe('é'.repeat(512));
  });

  it('invalid UTF-8: raw is the bytes; a real U+FFFD is fine', async () => {
    const badLine = Buffer.concat([Buffer.from('{"id":1,"name":"'), Buffer.from([0xc3, 0x28, 0xff]), Buffer.from('"}')]);
    const content = Buffer.concat([badLine, Buffer.from('\r\n{"id":2,"name":"\uFFFD"}\n')]);
    const { file, rows, bad } = await read(content);
    expect(rows).toEqual([[2, '\uFFFD']]);
    expect(bad).toEqual([{ kind: 'invalid-utf8', message: 'the record is not valid UTF-8', position: `${file}:1`, raw: new Uint8Array(badLine) }]);
    expect(bad[0]!.raw).toBeInstanceOf(Uint8Array);
  });

  it('describes each row of a chunk by file:line and text, around bad lines and CRLF', async () => {
    const { file, chunks } = await read('{"id":1}\r\nbad\n\n{"id":2,"name":"b"}\r\n{"id":3}');
    expect(chunks).toHaveLength(1);
    const chunk = chunks[0]!;
    expect(chunk.rows).toEqual([[1, null], [2, 'b'], [3, null]]);
    expect([0, 1, 2].map((i) => chunk.describe!(i))).toEqual([
      { position: `${file}:1`, raw: '{"id":1}' },
      { position: `${file}:4`, raw: '{"id":2,"name":"b"}' },
      { position: `${file}:5`, raw: '{"id":3}' },
    ]);
  });

  it('describes rows of later chunks with their own line numbers', async () => {
    const lines = Array.from({ length: 30_001 }, (_, i) => (i % 1000 === 999 ? 'bad' : JSON.stringify({ id: i })));
    const { file, chunks, bad } = await read(lines.join('\n') + '\n');
    expect(chunks.length).toBeGreaterThan(1);
    expect(bad).toHaveLength(30);
    const last = chunks.at(-1)!;
    const i = last.rows.length - 1;
    expect(last.describe!(i)).toEqual({ position: `${file}:30001`, raw: '{"id":30000}' });
    for (const c of chunks) {
      for (let k = 0; k < c.rows.length; k += 997) {
        const { position, raw } = c.describe!(k);
        const n = Number(position.slice(file.length + 1));
        expect(lines[n - 1]).toBe(raw);
        expect(c.rows[k]![0]).toBe(n - 1);
      }
    }
  });

  it('stops at the first bad record when the policy throws', async () => {
    const file = join(dir, 'f.json');
    await writeFile(file, '{"id":1}\n{"id":\n{"id":3}\n');
    const ctx = testContext(schema, { connector: 'filesystem', format: 'json', path: file }, 'events', true);
    const reader = filesystemConnector.createSource!(ctx);
    await reader.open();
    const err = await reader.next().catch((e: unknown) => e);
    await reader.close();
    expect((err as EddyError).code).toBe(ErrorCode.BAD_RECORD);
    expect((err as EddyError).message).toContain(`at ${file}:2 (invalid-json)`);
    expect(ctx.badRecords).toHaveLength(1);
  });
});

describe('monitored filesystem source bad records', () => {
  it('reports a bad line appended later and goes on; a partial line is not a record until its newline', async () => {
    const { appendFile } = await import('node:fs/promises');
    const file = join(dir, 'm.json');
    await writeFile(file, '{"id":1}\n');
    const ctx = testContext(schema, { connector: 'filesystem', format: 'json', path: file, 'source.monitor-interval': '10 ms' }, 'events');
    const reader = filesystemConnector.createSource!(ctx);
    await reader.open();
    expect((await reader.next())!.rows).toEqual([[1, null]]);
    await appendFile(file, 'oops\n{"id":2');
    await appendFile(file, '}\n');
    const chunk = (await reader.next())!;
    expect(chunk.rows).toEqual([[2, null]]);
    expect(chunk.describe!(0)).toEqual({ position: `${file}:3`, raw: '{"id":2}' });
    expect(brief(ctx.badRecords)).toEqual([['invalid-json', `${file}:2`, 'oops']]);
    await reader.close();
  });
});
