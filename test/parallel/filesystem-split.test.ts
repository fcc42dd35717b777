/**
 * The filesystem source's split (ConnectorContext.split): each of `count` readers decodes its blocks of lines
 * (block k of a file to split k % count); together they read every line of every file exactly once, bad lines
 * included (reported by the split that owns them), and each split's rows keep the file's order.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileSystemSourceReader, filesystemConnector } from '../../src/connectors/filesystem.js';
import { SPLIT_BLOCK_LINES } from '../../src/connectors/filesystem-source.js';
import { T } from '../../src/common/types.js';
import { testContext } from '../connectors/context.js';

async function readSplit(dir: string, index: number, count: number) {
  const ctx = { ...testContext([{ name: 'id', type: T.bigint() }], { path: dir, format: 'json' }), split: { index, count } };
  const reader = new FileSystemSourceReader(ctx);
  await reader.open();
  const ids: number[] = [];
  for (let chunk = await reader.next(); chunk; chunk = await reader.next()) for (const row of chunk.rows) ids.push(row[0] as number);
  await reader.close();
  return { ids, bad: ctx.badRecords.map((b) => b.position) };
}

describe('filesystem source split', () => {
  it('is splittable', () => {
    expect(filesystemConnector.splittable).toBe(true);
  });

  it.each([2, 3])('%i splits read every line of every file once, in blocks of lines', async (count) => {
    const dir = mkdtempSync(join(tmpdir(), 'eddy-split-'));
    // Two files of different lengths; line 700 of the first is not JSON.
    const sizes = [3 * SPLIT_BLOCK_LINES + 17, SPLIT_BLOCK_LINES - 3];
    const all: number[] = [];
    sizes.forEach((size, f) => {
      const lines: string[] = [];
      for (let i = 1; i <= size; i++) {
        const id = f * 100_000 + i;
        if (f === 0 && i === 700) lines.push('{not json');
        else {
          lines.push(JSON.stringify({ id }));
          all.push(id);
        }
      }
      writeFileSync(join(dir, `part-${f}.json`), lines.join('\n') + '\n');
    });
    const splits = await Promise.all(Array.from({ length: count }, (_, i) => readSplit(dir, i, count)));
    // Each split has exactly the lines of its blocks, in order.
    splits.forEach(({ ids }, index) => {
      const mine = all.filter((id) => Math.floor(((id % 100_000) - 1) / SPLIT_BLOCK_LINES) % count === index);
      expect(ids).toEqual(mine);
    });
    expect(splits.flatMap((s) => s.ids).sort((a, b) => a - b)).toEqual(all);
    // The bad line is reported once, by the split owning its block (line 700 is in block 1).
    expect(splits.map((s) => s.bad.length)).toEqual(Array.from({ length: count }, (_, i) => (i === 1 % count ? 1 : 0)));
  });
});
