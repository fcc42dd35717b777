import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { appendFile, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileSystemSourceReader, filesystemConnector, type FilePosition } from '../../src/connectors/filesystem.js';
import type { SinkWriter, SourceChunk } from '../../src/runtime/connector.js';
import { insertBatch, type Row } from '../../src/runtime/changelog.js';
import { EddyError, ErrorCode } from '../../src/common/errors.js';
import { T, type Schema } from '../../src/common/types.js';
import { testContext } from './context.js';

const schema: Schema = [
  { name: 'id', type: T.bigint() },
  { name: 'name', type: T.string() },
];

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'eddy-fs-resume-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const line = (id: number, name = `n${id}`) => JSON.stringify({ id, name }) + '\n';
/** What a checkpoint stores: plain JSON, as it comes back from the state store. */
const throughJson = (v: unknown): unknown => JSON.parse(JSON.stringify(v));

function source(options: Record<string, string>, restored?: unknown, fail = true): FileSystemSourceReader {
  const ctx = { ...testContext(schema, { connector: 'filesystem', format: 'json', ...options }, 'events', fail), restored };
  return filesystemConnector.createSource!(ctx) as FileSystemSourceReader;
}

/** Reads to the end, with the position after each chunk. */
async function readWithPositions(reader: FileSystemSourceReader): Promise<{ chunks: SourceChunk[]; positions: unknown[] }> {
  await reader.open();
  const chunks: SourceChunk[] = [];
  const positions: unknown[] = [];
  for (let c = await reader.next(); c !== null; c = await reader.next()) {
    chunks.push(c);
    positions.push(throughJson(reader.position()));
  }
  await reader.close();
  return { chunks, positions };
}

describe('filesystem source resume (bounded)', () => {
  it('resumed at every chunk boundary of a multi-file directory, gives exactly the remaining rows', async () => {
    // Files of several chunks each, an empty file, blank and CRLF lines, and a last line without newline.
    const a = Array.from({ length: 12_000 }, (_, i) => line(i, 'a'.repeat(i % 40))).join('');
    const c = Array.from({ length: 9_000 }, (_, i) => (i % 100 === 0 ? '\n' : '') + line(100_000 + i).replace(/\n$/, i % 7 === 0 ? '\r\n' : '\n')).join('');
    await writeFile(join(dir, 'a.json'), a);
    await writeFile(join(dir, 'b.json'), '');
    await writeFile(join(dir, 'c.json'), c + JSON.stringify({ id: -1, name: 'last' }));
    await writeFile(join(dir, 'd.json'), line(200_000));

    const full = await readWithPositions(source({ path: dir }, undefined, false));
    const allRows = full.chunks.flatMap((ch) => ch.rows);
    expect(allRows.length).toBe(12_000 + 9_000 + 2);
    expect(full.chunks.length).toBeGreaterThan(6);
    const finalPosition = full.positions.at(-1) as FilePosition[];
    expect(finalPosition.every((p) => p.finished)).toBe(true);
    expect(finalPosition.find((p) => p.file.endsWith('a.json'))).toEqual({ file: join(dir, 'a.json'), offset: Buffer.byteLength(a), line: 12_000, finished: true });

    for (let k = 0; k < full.chunks.length; k++) {
      const resumed = await readWithPositions(source({ path: dir }, full.positions[k], false));
      const before = full.chunks.slice(0, k + 1).flatMap((ch) => ch.rows);
      const after = resumed.chunks.flatMap((ch) => ch.rows);
      expect([...before, ...after]).toEqual(allRows);
      // Each file not finished at the boundary reports its end once more; finished ones are not read again.
      const ended = (chunks: SourceChunk[]) => chunks.filter((ch) => ch.splitEnded).map((ch) => ch.split);
      expect(ended(resumed.chunks)).toEqual(ended(full.chunks.slice(k + 1)));
      if (k === full.chunks.length - 1) expect(resumed.chunks).toEqual([]);
    }
  });

  it('keeps line numbers of bad records right after a resume', async () => {
    const file = join(dir, 'a.json');
    await writeFile(file, line(1) + '\n' + line(2) + line(3) + 'oops\n');
    const offset = Buffer.byteLength(line(1) + '\n' + line(2));
    const err = await readWithPositions(source({ path: file }, [{ file, offset, line: 3, finished: false }])).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EddyError);
    expect((err as EddyError).code).toBe(ErrorCode.BAD_RECORD);
    expect((err as EddyError).message).toContain(`at ${file}:5 (invalid-json)`);
  });

  it('reads files that were not in the position from their start, and rejects an unreadable position', async () => {
    await writeFile(join(dir, 'a.json'), line(1));
    const first = await readWithPositions(source({ path: dir }));
    await writeFile(join(dir, 'b.json'), line(2) + line(3));
    const resumed = await readWithPositions(source({ path: dir }, first.positions.at(-1)));
    expect(resumed.chunks).toEqual([{ split: join(dir, 'b.json'), rows: [[2, 'n2'], [3, 'n3']], splitEnded: true }]);
    expect(() => source({ path: dir }, { nope: true })).toThrow(/checkpointed position of the filesystem source is not readable/);
  });
});

describe('filesystem source resume (monitored)', () => {
  it('picks up data appended while it was down, a held partial line included, and new files', async () => {
    const a = join(dir, 'a.json');
    await writeFile(a, line(1) + line(2) + '{"id":3,');
    const reader = source({ path: dir, 'source.monitor-interval': '10 ms' });
    await reader.open();
    expect((await reader.next())!.rows).toEqual([[1, 'n1'], [2, 'n2']]);
    const position = throughJson(reader.position());
    // The checksum of what was read (the file is shorter than TAIL_BYTES): the bytes of lines 1 and 2.
    const tail = createHash('sha1').update(line(1) + line(2)).digest('hex').slice(0, 16);
    expect(position).toEqual([{ file: a, offset: Buffer.byteLength(line(1) + line(2)), line: 2, finished: false, tail }]);
    await reader.close(); // a crash: nothing after the position is kept

    await appendFile(a, '"name":"n3"}\n' + line(4));
    await writeFile(join(dir, 'b.json'), line(5));
    const resumed = source({ path: dir, 'source.monitor-interval': '10 ms' }, position);
    await resumed.open();
    expect(await resumed.next()).toEqual({ split: a, rows: [[3, 'n3'], [4, 'n4']] });
    expect(await resumed.next()).toEqual({ split: join(dir, 'b.json'), rows: [[5, 'n5']] });
    expect(resumed.position().map((p) => [p.line, p.finished])).toEqual([[4, false], [1, false]]);
    await appendFile(join(dir, 'b.json'), 'bad\n');
    const err = await resumed.next().catch((e: unknown) => e);
    expect((err as EddyError).message).toContain(`at ${join(dir, 'b.json')}:2 (invalid-json)`);
    await resumed.close();
  });
});

describe('filesystem sink exactly-once', () => {
  const rows = (from: number, to: number): Row[] => Array.from({ length: to - from }, (_, i) => [from + i, `n${from + i}`]);
  const sink = (file: string, restored?: unknown): SinkWriter =>
    filesystemConnector.createSink!({ ...testContext(schema, { connector: 'filesystem', format: 'json', path: file }, 'out'), restored });
  const expected = (from: number, to: number) => rows(from, to).map((r) => line(r[0] as number, r[1] as string)).join('');

  it('after a crash, keeps exactly the committed part and continues from there', async () => {
    const file = join(dir, 'out', 'result.json');
    const first = sink(file);
    await first.open();
    first.write(insertBatch(rows(0, 100)));
    const info = throughJson(await first.preCommit!(1));
    expect(info).toEqual({ file, length: Buffer.byteLength(expected(0, 100)) });
    await first.commit!(info);
    first.write(insertBatch(rows(100, 150)));
    await first.flush();
    expect(await readFile(file, 'utf8')).toBe(expected(0, 150)); // visible, but not committed
    // Crash: the writer is dropped without close.

    const second = sink(file, info);
    await second.open();
    expect(await readFile(file, 'utf8')).toBe(expected(0, 100));
    second.write(insertBatch(rows(100, 120)));
    const info2 = throughJson(await second.preCommit!(2));
    second.write(insertBatch(rows(120, 130)));
    await second.close();
    expect(await readFile(file, 'utf8')).toBe(expected(0, 130));

    // Restoring again from the second checkpoint drops what followed it.
    const third = sink(file, info2);
    await third.open();
    await third.close();
    expect(await readFile(file, 'utf8')).toBe(expected(0, 120));
  });

  it('a fresh start replaces the file; a restore refuses a file shorter than committed', async () => {
    const file = join(dir, 'r.json');
    await writeFile(file, 'old\n');
    const fresh = sink(file);
    await fresh.open();
    const info = await fresh.preCommit!(1);
    expect(info).toEqual({ file, length: 0 });
    fresh.write(insertBatch(rows(0, 3)));
    const info2 = await fresh.preCommit!(2);
    await fresh.close();
    expect((await stat(file)).size).toBe((info2 as { length: number }).length);

    await writeFile(file, 'x');
    const err = await sink(file, info2).open().catch((e: unknown) => e);
    expect((err as EddyError).code).toBe(ErrorCode.IO_FAILED);
    expect((err as EddyError).message).toMatch(/committed \d+ bytes, but the file has only 1/);
    await expect(sink(join(dir, 'other.json'), info2).open()).rejects.toThrow(/checkpoint was taken writing/);
    // A checkpoint taken before anything was written: a missing file is fine.
    await rm(file);
    const empty = sink(file, { file, length: 0 });
    await empty.open();
    await empty.close();
    expect(await readFile(file, 'utf8')).toBe('');
  });
});
