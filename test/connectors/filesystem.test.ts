import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { appendFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileSystemSourceReader, filesystemConnector } from '../../src/connectors/filesystem.js';
import type { SourceChunk, SourceReader } from '../../src/runtime/connector.js';
import { insertBatch, UPDATE_AFTER } from '../../src/runtime/changelog.js';
import { CounterNames } from '../../src/runtime/metrics.js';
import { EddyError, ErrorCode } from '../../src/common/errors.js';
import { T, type Schema } from '../../src/common/types.js';
import { parseTimestamp } from '../../src/common/time.js';
import { testContext } from './context.js';

const schema: Schema = [
  { name: 'id', type: T.bigint() },
  { name: 'name', type: T.string() },
];

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'eddy-fs-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function source(options: Record<string, string>, tableName = 't', fail = false): { reader: FileSystemSourceReader; ctx: ReturnType<typeof testContext> } {
  const ctx = testContext(schema, { connector: 'filesystem', format: 'json', ...options }, tableName, fail);
  return { reader: filesystemConnector.createSource!(ctx) as FileSystemSourceReader, ctx };
}

async function readAll(reader: SourceReader): Promise<SourceChunk[]> {
  await reader.open();
  const chunks: SourceChunk[] = [];
  for (let c = await reader.next(); c !== null; c = await reader.next()) chunks.push(c);
  await reader.close();
  return chunks;
}

const line = (id: number, name = `n${id}`) => JSON.stringify({ id, name }) + '\n';

describe('filesystem source (bounded)', () => {
  it('reads a file, including a last line without newline and CRLF lines, then ends', async () => {
    const file = join(dir, 'a.json');
    await writeFile(file, '{"id":1,"name":"x"}\r\n\n{"id":2,"name":"y"}');
    const { reader, ctx } = source({ path: file });
    expect(reader.bounded).toBe(true);
    const chunks = await readAll(reader);
    expect(chunks).toEqual([{ split: file, rows: [[1, 'x'], [2, 'y']], splitEnded: true }]);
    expect(reader.position()).toEqual([{ file, offset: 41, line: 3, finished: true }]);
    // The blank line is a record, and an empty one.
    expect(ctx.badRecords).toEqual([{ kind: 'empty', message: 'the record is empty', position: `${file}:2`, raw: '' }]);
  });

  it('reads a directory in sorted name order, one split per file, skipping hidden and _ files', async () => {
    await writeFile(join(dir, 'b.json'), line(3));
    await writeFile(join(dir, 'a.json'), line(1) + line(2));
    await writeFile(join(dir, 'c.json'), '');
    await writeFile(join(dir, '.hidden.json'), line(9));
    await writeFile(join(dir, '_SUCCESS'), 'x');
    await mkdir(join(dir, 'sub'));
    const chunks = await readAll(source({ path: dir }).reader);
    expect(chunks).toEqual([
      { split: join(dir, 'a.json'), rows: [[1, 'n1'], [2, 'n2']], splitEnded: true },
      { split: join(dir, 'b.json'), rows: [[3, 'n3']], splitEnded: true },
      { split: join(dir, 'c.json'), rows: [], splitEnded: true },
    ]);
  });

  it('reads a large file in chunks with splitEnded only on the last, and exact offsets', async () => {
    const file = join(dir, 'big.json');
    const lines = Array.from({ length: 20_000 }, (_, i) => line(i, 'x'.repeat(i % 50)));
    await writeFile(file, lines.join(''));
    const { reader } = source({ path: file });
    const chunks = await readAll(reader);
    expect(chunks.length).toBeGreaterThan(1);
    expect(chunks.every((c) => c.rows.length <= 4000 || c === chunks[0])).toBe(true);
    expect(chunks.map((c) => c.splitEnded === true)).toEqual(chunks.map((_, i) => i === chunks.length - 1));
    const ids = chunks.flatMap((c) => c.rows.map((r) => r[0]));
    expect(ids).toEqual(lines.map((_, i) => i));
    expect(reader.position()).toEqual([{ file, offset: Buffer.byteLength(lines.join('')), line: 20_000, finished: true }]);
  });

  it('reads CSV', async () => {
    const file = join(dir, 'a.csv');
    await writeFile(file, '1,"a,b"\n2,\n');
    const ctx = testContext(schema, { connector: 'filesystem', format: 'csv', path: file });
    const chunks = await readAll(filesystemConnector.createSource!(ctx));
    expect(chunks[0]!.rows).toEqual([[1, 'a,b'], [2, null]]);
  });

  it('fails with FILE_NOT_FOUND naming the table and path', async () => {
    const missing = join(dir, 'nope.json');
    const err = await source({ path: missing }, 'rides').reader.open().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EddyError);
    expect((err as EddyError).code).toBe(ErrorCode.FILE_NOT_FOUND);
    expect((err as EddyError).message).toBe(`Table \`rides\`: path '${missing}' does not exist`);
  });

  it('reports a bad record with kind, file:line, reason and its whole text; a throwing policy stops the read', async () => {
    const file = join(dir, 'a.json');
    const bad = '{"id":"x1","name":"' + 'z'.repeat(200) + '"}';
    await writeFile(file, line(1) + bad + '\n' + line(2));
    const { reader, ctx } = source({ path: file }, 'rides', true);
    const err = await readAll(reader).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EddyError);
    expect((err as EddyError).code).toBe(ErrorCode.BAD_RECORD);
    expect(ctx.badRecords).toEqual([
      { kind: 'wrong-type', message: 'column `id` (BIGINT): expected an integer, got "x1"', position: `${file}:2`, raw: bad },
    ]);
  });

  it('goes on with the next record when the policy returns, and leaves counting to the runtime', async () => {
    const file = join(dir, 'a.json');
    await writeFile(file, line(1) + 'not json\n' + '{"id":1.5}\n' + line(2));
    const { reader, ctx } = source({ path: file, 'json.ignore-parse-errors': 'true' });
    const chunks = await readAll(reader);
    expect(chunks.flatMap((c) => c.rows)).toEqual([[1, 'n1'], [2, 'n2']]);
    expect(ctx.badRecords.map((b) => [b.kind, b.position, b.raw])).toEqual([
      ['invalid-json', `${file}:2`, 'not json'],
      ['wrong-type', `${file}:3`, '{"id":1.5}'],
    ]);
    expect(ctx.metrics.total(CounterNames.badRecordsSkipped)).toBe(0);
  });

  it('resumes from checkpointed positions', async () => {
    const file = join(dir, 'a.json');
    await writeFile(file, line(1) + line(2) + line(3));
    const ctx = testContext(schema, { connector: 'filesystem', format: 'json', path: file });
    const offset = Buffer.byteLength(line(1));
    const chunks = await readAll(new FileSystemSourceReader(ctx, [{ file, offset, line: 1 }]));
    expect(chunks.flatMap((c) => c.rows.map((r) => r[0]))).toEqual([2, 3]);
  });
});

describe('filesystem source (monitored)', () => {
  it('picks up appended lines and new files, holds a partial line, and ends promptly on close', async () => {
    await writeFile(join(dir, 'a.json'), line(1));
    const { reader } = source({ path: dir, 'source.monitor-interval': '20 ms' });
    expect(reader.bounded).toBe(false);
    await reader.open();
    expect(await reader.next()).toEqual({ split: join(dir, 'a.json'), rows: [[1, 'n1']] });

    await appendFile(join(dir, 'a.json'), line(2) + '{"id":3,');
    expect(await reader.next()).toEqual({ split: join(dir, 'a.json'), rows: [[2, 'n2']] });
    await appendFile(join(dir, 'a.json'), '"name":"n3"}\n');
    expect(await reader.next()).toEqual({ split: join(dir, 'a.json'), rows: [[3, 'n3']] });

    await writeFile(join(dir, 'b.json'), line(4));
    expect(await reader.next()).toEqual({ split: join(dir, 'b.json'), rows: [[4, 'n4']] });
    expect(reader.position().map((p) => p.line)).toEqual([3, 1]);

    const pending = reader.next();
    const started = Date.now();
    await reader.close();
    expect(await pending).toBeNull();
    expect(Date.now() - started).toBeLessThan(1000);
  });
});

describe('filesystem sink', () => {
  const rowsSchema: Schema = [...schema, { name: 'ts', type: T.timestamp(3) }];
  const rows = [
    [1, 'a', parseTimestamp('2024-01-01 00:00:00.000')],
    [2, null, null],
  ];

  it('writes part-0.<format> into a created directory, and reads back the same rows', async () => {
    for (const format of ['json', 'csv']) {
      const out = join(dir, `out-${format}`, 'nested');
      const ctx = testContext(rowsSchema, { connector: 'filesystem', format, path: out });
      const sink = filesystemConnector.createSink!(ctx);
      await sink.open();
      sink.write(insertBatch(rows.slice(0, 1)));
      await sink.flush();
      sink.write(insertBatch(rows.slice(1)));
      await sink.close();
      const file = join(out, `part-0.${format}`);
      const text = await readFile(file, 'utf8');
      expect(text.split('\n').length).toBe(3);
      const back = await readAll(filesystemConnector.createSource!(testContext(rowsSchema, { connector: 'filesystem', format, path: file })));
      expect(back.flatMap((c) => c.rows)).toEqual(rows);
    }
  });

  it('writes a file path ending in .json as is, and rejects updates', async () => {
    const file = join(dir, 'x', 'result.json');
    const sink = filesystemConnector.createSink!(testContext(rowsSchema, { connector: 'filesystem', format: 'json', path: file }));
    await sink.open();
    sink.write(insertBatch([rows[0]!]));
    expect(() => sink.write({ rows: [rows[0]!], kinds: [UPDATE_AFTER] })).toThrow(/only accepts inserts, got a \+U change/);
    await sink.close();
    expect(await readFile(file, 'utf8')).toBe('{"id":1,"name":"a","ts":"2024-01-01 00:00:00.000"}\n');
  });
});
