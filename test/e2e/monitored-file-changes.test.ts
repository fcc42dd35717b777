/**
 * A monitored file that changes under the reader in a way appends cannot explain — truncated, replaced,
 * deleted — stops the query with a clear error instead of hanging silently or skipping data; in a monitored
 * directory, deleting a file already read is ordinary clean-up and reading goes on.
 */
import { appendFileSync, renameSync, rmSync, truncateSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Eddy, EddyError, type QueryHandle } from '../../src/index.js';
import { tempDir } from './helpers.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** `{"id":1}\n`: 9 bytes. */
const line = (id: number) => JSON.stringify({ id }) + '\n';

async function follow(path: string): Promise<{ eddy: Eddy; query: QueryHandle; ids: number[] }> {
  const eddy = new Eddy();
  await eddy.execute(`CREATE TABLE t (id INT) WITH ('connector' = 'filesystem', 'path' = '${path}', 'format' = 'json', 'source.monitor-interval' = '20 ms')`);
  const r = await eddy.execute('SELECT id FROM t');
  if (r.kind !== 'query') throw new Error('expected a query');
  const ids: number[] = [];
  r.query.onChanges((b) => b.rows.forEach((row) => ids.push(row[0] as number)));
  return { eddy, query: r.query, ids };
}

async function until(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 250 && !cond(); i++) await new Promise((r) => setTimeout(r, 20));
}

async function failure(query: QueryHandle): Promise<EddyError> {
  const err = await query.done.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(EddyError);
  return err as EddyError;
}

describe('monitored files that change under the reader', () => {
  it('a truncated file fails the query, naming the file and both sizes', async () => {
    const dir = tempDir();
    dirs.push(dir);
    const path = join(dir, 'in.json');
    writeFileSync(path, line(1) + line(2));
    const { query, ids } = await follow(path);
    await until(() => ids.length === 2);
    truncateSync(path, 0);
    appendFileSync(path, line(3));
    const err = await failure(query);
    expect(err.diagnostics[0]!.code).toBe('EDDY-R004');
    expect(err.message).toContain(`file '${path}' shrank to 9 bytes while being read (18 bytes were read)`);
    expect(ids).toEqual([1, 2]);
  });

  it('a replaced file fails the query', async () => {
    const dir = tempDir();
    dirs.push(dir);
    const path = join(dir, 'in.json');
    writeFileSync(path, line(1));
    const { query, ids } = await follow(path);
    await until(() => ids.length === 1);
    writeFileSync(join(dir, 'new.tmp'), line(1) + line(2) + line(3));
    renameSync(join(dir, 'new.tmp'), path);
    const err = await failure(query);
    expect(err.message).toContain('was replaced by another file while being read (9 bytes of the old one were read)');
  });

  it('a deleted single file fails the query: nothing could arrive any more', async () => {
    const dir = tempDir();
    dirs.push(dir);
    const path = join(dir, 'in.json');
    writeFileSync(path, line(1));
    const { query, ids } = await follow(path);
    await until(() => ids.length === 1);
    unlinkSync(path);
    const err = await failure(query);
    expect(err.diagnostics[0]!.code).toBe('EDDY-R002');
    expect(err.message).toContain('was deleted while monitored (all 9 bytes of it were read)');
  });

  it('in a monitored directory, deleting a file already read is clean-up: new files are still read', async () => {
    const dir = tempDir();
    dirs.push(dir);
    writeFileSync(join(dir, 'a.json'), line(1) + line(2));
    const { eddy, query, ids } = await follow(dir);
    await until(() => ids.length === 2);
    unlinkSync(join(dir, 'a.json'));
    await new Promise((r) => setTimeout(r, 100));
    writeFileSync(join(dir, 'b.json'), line(3));
    await until(() => ids.length === 3);
    expect(ids).toEqual([1, 2, 3]);
    expect(query.status).toBe('running');
    await eddy.close();
  });
});
