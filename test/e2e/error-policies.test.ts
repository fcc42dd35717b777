/**
 * Bad input under every error policy: a file holding one record of each kind of problem among good
 * records. With `skip` and `dead-letter` the output equals the output over the good records alone, every
 * kind is counted exactly, and the dead-letter table holds exactly the bad records; with `fail` the job
 * stops at once, naming the table, the position, the kind and the record.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import { Eddy } from '../../src/engine/eddy.js';
import { executeAll, materialize, runQuery, sortedRows, tempDir } from './helpers.js';

const BIN = join(__dirname, '..', '..', 'bin', 'eddy.js');
const ts = (s: number) => `2024-01-01 00:00:${String(s).padStart(2, '0')}.000`;
const good = (id: number, v: number, s: number) => JSON.stringify({ id, v, ts: ts(s), name: `n${id}` });

/** Lines of the input file, with the kind of problem of each bad one (line numbers are 1-based). */
const LINES: { text: string | Buffer; bad?: string }[] = [
  { text: good(1, 10, 1) },
  { text: '{"id": 2, "v": ', bad: 'invalid-json' },
  { text: good(3, 4, 2) },
  { text: '', bad: 'empty' },
  { text: JSON.stringify({ id: 4, v: 'abc', ts: ts(3) }), bad: 'wrong-type' },
  { text: JSON.stringify({ v: 5, ts: ts(3) }), bad: 'missing-not-null' },
  { text: JSON.stringify({ id: 6, v: 1, ts: null }), bad: 'null-event-time' },
  { text: JSON.stringify({ id: 7, v: 1, ts: 'yesterday' }), bad: 'wrong-type' },
  { text: JSON.stringify({ id: 8, v: 1, ts: ts(4), name: 'x'.repeat(300) }), bad: 'too-large' },
  { text: Buffer.concat([Buffer.from('{"id": 9, "v": 1, "ts": "' + ts(4) + '", "name": "'), Buffer.from([0xff, 0xfe]), Buffer.from('"}')]), bad: 'invalid-utf8' },
  { text: JSON.stringify({ id: 99_999_999_999, v: 1, ts: ts(5) }), bad: 'numeric-overflow' },
  { text: good(10, 7, 5), bad: 'expression-error' }, // 100 / (v - 7) divides by zero
  { text: good(11, 27, 6) },
  { text: good(12, -3, 7) },
];

/** The good rows' expected output, computed here: id, 100 / (v - 7) with integer division truncating. */
const EXPECTED = LINES.filter((l) => !l.bad).map((l) => {
  const r = JSON.parse(l.text as string) as { id: number; v: number };
  return { id: r.id, r: Math.trunc(100 / (r.v - 7)) };
});

let dir: string;
let input: string;

beforeAll(() => {
  dir = tempDir('eddy-errors-');
  input = join(dir, 'input.json');
  writeFileSync(input, Buffer.concat(LINES.flatMap((l) => [typeof l.text === 'string' ? Buffer.from(l.text) : l.text, Buffer.from('\n')])));
});

function script(policy: string, out: string): string {
  return `
CREATE TABLE t (id INT NOT NULL, v BIGINT, ts TIMESTAMP(3), name STRING, WATERMARK FOR ts AS ts)
  WITH ('connector' = 'filesystem', 'path' = '${input}', 'format' = 'json',
        'errors.policy' = '${policy}', 'errors.max-record-bytes' = '200');
CREATE TABLE out (id INT, r BIGINT) WITH ('connector' = 'filesystem', 'path' = '${out}', 'format' = 'json');
INSERT INTO out SELECT id, 100 / (v - 7) FROM t;
`;
}

function readOutput(path: string): unknown[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as unknown)
    .sort((a, b) => (a as { id: number }).id - (b as { id: number }).id);
}

async function run(policy: string, stateDir?: string) {
  const out = join(tempDir(), 'out.json');
  const eddy = new Eddy({ stateDir });
  let summary;
  for await (const r of eddy.executeScript(script(policy, out))) {
    if (r.kind === 'job') {
      await r.job.done;
      summary = r.job.summary();
    }
  }
  return { output: readOutput(out), summary: summary! };
}

const expectedKinds = (): Record<string, number> => {
  const counts: Record<string, number> = {};
  for (const l of LINES) if (l.bad) counts[l.bad] = (counts[l.bad] ?? 0) + 1;
  return counts;
};

describe('error policies', () => {
  it('skip: the output of the good records, every bad one counted by kind', async () => {
    const { output, summary } = await run('skip');
    expect(output).toEqual(EXPECTED);
    expect(summary.badRowsByKind).toEqual(expectedKinds());
    expect(summary.badRowsSkipped).toBe(LINES.filter((l) => l.bad).length);
    expect(summary.badRowsDeadLettered).toBe(0);
  });

  it("Flink's json.ignore-parse-errors = 'true' means skip", async () => {
    const out = join(tempDir(), 'out.json');
    const eddy = new Eddy();
    const text = script('skip', out).replace("'errors.policy' = 'skip'", "'json.ignore-parse-errors' = 'true'");
    for await (const r of eddy.executeScript(text)) if (r.kind === 'job') await r.job.done;
    expect(readOutput(out)).toEqual(EXPECTED);
  });

  it('dead-letter: the same output, and the dead-letter table holds exactly the bad records', async () => {
    const stateDir = join(tempDir(), 'state');
    const { output, summary } = await run('dead-letter', stateDir);
    expect(output).toEqual(EXPECTED);
    expect(summary.badRowsDeadLettered).toBe(LINES.filter((l) => l.bad).length);
    const db = new Database(join(stateDir, 'dead-letters.db'), { readonly: true });
    const rows = db.prepare('SELECT source, location, kind, message, raw FROM dead_letters').all() as { source: string; location: string; kind: string; message: string; raw: string }[];
    db.close();
    const expected = LINES.map((l, i) => ({ line: i + 1, ...l }))
      .filter((l) => l.bad)
      .map((l) => ({ kind: l.bad!, line: l.line }));
    const got = rows.map((r) => ({ kind: r.kind, line: r.kind === 'expression-error' ? 12 : Number(/:(\d+)$/.exec(r.location)?.[1]) }));
    expect(got.sort((a, b) => a.line - b.line)).toEqual(expected);
    for (const r of rows) {
      expect(r.source).toBe('t');
      expect(r.message.length).toBeGreaterThan(0);
    }
    expect(rows.find((r) => r.kind === 'invalid-json')!.raw).toBe('{"id": 2, "v": ');

    // The dead letters can be queried with SQL, through the sqlite connector (a pull query: final rows).
    const eddy = new Eddy();
    await executeAll(
      eddy,
      `CREATE TABLE dl (source STRING, location STRING, kind STRING, message STRING, raw STRING, ts TIMESTAMP_LTZ(3))
       WITH ('connector' = 'sqlite', 'path' = '${join(stateDir, 'dead-letters.db')}', 'table-name' = 'dead_letters')`,
    );
    const byKind = await eddy.execute('SELECT kind, COUNT(*) AS n FROM dl GROUP BY kind');
    if (byKind.kind !== 'rows') throw new Error(`expected a pull query, got ${byKind.kind}`);
    expect(sortedRows(byKind.result.rows as [string, number][])).toEqual(sortedRows(Object.entries(expectedKinds())));
  });

  it('fail: eddy run stops at the first bad record within a second, naming table, position, kind and record', () => {
    const out = join(tempDir(), 'out.json');
    const job = join(tempDir(), 'job.sql');
    writeFileSync(job, script('fail', out));
    const started = Date.now();
    const r = spawnSync(process.execPath, [BIN, 'run', job], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('EDDY-R001');
    expect(r.stderr).toContain('`t`');
    expect(r.stderr).toContain('input.json:2');
    expect(r.stderr).toContain('invalid-json');
    expect(r.stderr).toContain('{"id": 2, "v": ');
    // Start-up (loading the engine) is most of this; the failure itself is immediate.
    expect(Date.now() - started).toBeLessThan(5000);
  });
});
