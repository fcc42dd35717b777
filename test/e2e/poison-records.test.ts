/**
 * No poison pill: whatever a record holds, decoding it either gives a row or a bad record under the source's
 * error policy — never a failed job under `skip` / `dead-letter`, and never a value that is not a value (a
 * NaN timestamp). Through real `eddy run` processes:
 *
 * - JSON nested deeper than 1000 levels (a 12 KB `[[[[...]]]]` in a STRING column) is a `too-deep` bad record;
 *   999 levels inside the record's object still read (and print) as a string.
 * - Epoch numbers that are not milliseconds (micro-, nanoseconds) in a TIMESTAMP(3) field, and text whose
 *   time lies past 9999-12-31, are `out-of-range` bad records with their position; later rows are not late.
 * - datagen generates timestamps at the column's precision and refuses a `max-past` before the year 0000.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { readJsonLinesFile as readJsonLines, runEddy, tempDir } from './helpers.js';

function eddyRun(script: string, stateDir?: string) {
  return runEddy(['run', script, ...(stateDir ? ['--state-dir', stateDir] : [])]);
}

function deadLetters(stateDir: string): { location: string; kind: string; message: string }[] {
  const db = new Database(join(stateDir, 'dead-letters.db'), { readonly: true });
  try {
    return db.prepare('SELECT location, kind, message FROM dead_letters ORDER BY location').all() as { location: string; kind: string; message: string }[];
  } finally {
    db.close();
  }
}

/** `depth` nested empty arrays: `[[...]]`. */
const nested = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);

describe('deeply nested JSON is a bad record, not a poison pill', () => {
  // Line 2: the 12 KB value. Line 4: nested 1000 deep in a field no column reads (the whole record
  // counts). Line 5: 999 levels in `s`, 1000 with the record's own object: at the limit, read.
  const lines = [
    JSON.stringify({ id: 1, s: 'a' }),
    `{"id": 2, "s": ${nested(6000)}}`,
    JSON.stringify({ id: 3, s: 'bcd' }),
    `{"id": 4, "s": "e", "other": ${nested(1000)}}`,
    `{"id": 5, "s": ${nested(999)}}`,
    JSON.stringify({ id: 6, s: 'fghij' }),
  ];
  // id and CHAR_LENGTH(s) of the good records, by hand: the nested value reads as its JSON text, 2 × 999 brackets.
  const expected = [
    { id: 1, n: 1 },
    { id: 3, n: 3 },
    { id: 5, n: 1998 },
    { id: 6, n: 5 },
  ];

  function setup(policy: string) {
    const dir = tempDir();
    const input = join(dir, 'input.json');
    writeFileSync(input, lines.join('\n') + '\n');
    expect(Buffer.byteLength(lines[1]!)).toBeGreaterThan(12_000);
    const out = join(dir, 'out.json');
    const script = join(dir, 'job.sql');
    writeFileSync(
      script,
      `CREATE TABLE t (id INT, s STRING) WITH ('connector' = 'filesystem', 'path' = '${input}', 'format' = 'json', 'errors.policy' = '${policy}');
       CREATE TABLE o (id INT, n INT) WITH ('connector' = 'filesystem', 'path' = '${out}', 'format' = 'json');
       INSERT INTO o SELECT id, CHAR_LENGTH(s) FROM t;`,
    );
    return { dir, input, out, script };
  }

  it("'skip': the job finishes with the good records, the two bad ones counted", async () => {
    const { out, script } = setup('skip');
    const r = await eddyRun(script);
    expect(r.stderr).not.toContain('Maximum call stack');
    expect(r.status).toBe(0);
    expect(r.stderr).toContain('2 bad rows skipped (2 too-deep)');
    expect(readJsonLines(out)).toEqual(expected);
  }, 60_000);

  it("'dead-letter': the bad records go to the dead-letter table as too-deep, with their lines; a rerun on the state finishes too", async () => {
    const { dir, input, out, script } = setup('dead-letter');
    const state = join(dir, 'state');
    const r = await eddyRun(script, state);
    expect(r.status).toBe(0);
    expect(readJsonLines(out)).toEqual(expected);
    expect(deadLetters(state)).toEqual([
      { location: `${input}:2`, kind: 'too-deep', message: 'JSON nested more than 1000 levels deep' },
      { location: `${input}:4`, kind: 'too-deep', message: 'JSON nested more than 1000 levels deep' },
    ]);
    const again = await eddyRun(script, state);
    expect(again.status).toBe(0);
  }, 60_000);

  it("'fail' (the default): a clear bad-record error naming the line, not a stack overflow", async () => {
    const { input, script } = setup('fail');
    const r = await eddyRun(script);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`error[EDDY-R001]: Bad record in \`t\` at ${input}:2 (too-deep): JSON nested more than 1000 levels deep`);
  }, 60_000);
});

describe('timestamps out of range are bad records, never NaN', () => {
  // 2024-12-06 15:46:40.000 UTC = 1733500000000 ms; the same instant in µs and ns; text past 9999-12-31 by its offset.
  const ms = 1_733_500_000_000;
  const records = [
    { id: 1, ts: ms },
    { id: 2, ts: ms * 1_000_000 }, // nanoseconds (a double: 1.7335e18)
    { id: 3, ts: ms + 30_000 },
    { id: 4, ts: ms * 1000 }, // microseconds
    { id: 5, ts: '9999-12-31T23:30:00-01:00' },
    { id: 6, ts: ms + 70_000 },
    { id: 7, ts: ms + 130_000 },
  ];
  const windowScript = (input: string, out: string, format: string, policy: string) =>
    `CREATE TABLE t (id INT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts) WITH ('connector' = 'filesystem', 'path' = '${input}', 'format' = '${format}', 'errors.policy' = '${policy}');
     CREATE TABLE o (ws TIMESTAMP(3), c BIGINT) WITH ('connector' = 'filesystem', 'path' = '${out}', 'format' = 'json');
     INSERT INTO o SELECT window_start, COUNT(*) FROM TABLE(TUMBLE(TABLE t, DESCRIPTOR(ts), INTERVAL '1' MINUTE)) GROUP BY window_start, window_end;`;
  // Good rows: 1 at 15:46:40 (window 15:46), 3 at 15:47:10 and 6 at 15:47:50 (15:47), 7 at 15:48:50 (15:48).
  const expectedWindows = [
    { ws: '2024-12-06 15:46:00.000', c: 1 },
    { ws: '2024-12-06 15:47:00.000', c: 2 },
    { ws: '2024-12-06 15:48:00.000', c: 1 },
  ];

  it('JSON: epoch micro- and nanoseconds and text past the year 9999 are out-of-range dead letters; the windows are right', async () => {
    const dir = tempDir();
    const input = join(dir, 'input.json');
    writeFileSync(input, records.map((r) => JSON.stringify(r)).join('\n') + '\n');
    const out = join(dir, 'out.json');
    const script = join(dir, 'job.sql');
    writeFileSync(script, windowScript(input, out, 'json', 'dead-letter'));
    const state = join(dir, 'state');
    const r = await eddyRun(script, state);
    expect(r.status).toBe(0);
    expect(r.stderr).toContain('0 late rows dropped');
    const output = readFileSync(out, 'utf8');
    expect(output).not.toContain('NaN');
    expect(readJsonLines(out)).toEqual(expectedWindows);
    const letters = deadLetters(state);
    expect(letters.map((l) => [l.location, l.kind])).toEqual([
      [`${input}:2`, 'out-of-range'],
      [`${input}:4`, 'out-of-range'],
      [`${input}:5`, 'out-of-range'],
    ]);
    expect(letters[0]!.message).toContain('looks like epoch nanoseconds');
    expect(letters[1]!.message).toContain('looks like epoch microseconds');
    expect(letters[2]!.message).toContain('"9999-12-31T23:30:00-01:00" is out of range for TIMESTAMP(3) (years 0000 to 9999)');
  }, 60_000);

  it("JSON under 'fail': the first out-of-range value stops the job with its position and kind", async () => {
    const dir = tempDir();
    const input = join(dir, 'input.json');
    writeFileSync(input, records.map((r) => JSON.stringify(r)).join('\n') + '\n');
    const script = join(dir, 'job.sql');
    writeFileSync(script, windowScript(input, join(dir, 'out.json'), 'json', 'fail'));
    const r = await eddyRun(script);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`error[EDDY-R001]: Bad record in \`t\` at ${input}:2 (out-of-range): column \`ts\` (TIMESTAMP(3) *ROWTIME*): 1733500000000000000 is out of range for TIMESTAMP(3) as epoch milliseconds`);
  }, 60_000);

  it('CSV: a time past the year 9999 is an out-of-range bad record; the others make their windows', async () => {
    const dir = tempDir();
    const input = join(dir, 'input.csv');
    writeFileSync(input, ['1,2024-12-06 15:46:40', '5,9999-12-31T23:30:00-01:00', '3,2024-12-06 15:47:10', '6,2024-12-06 15:47:50', '7,2024-12-06 15:48:50'].join('\n') + '\n');
    const out = join(dir, 'out.json');
    const script = join(dir, 'job.sql');
    writeFileSync(script, windowScript(input, out, 'csv', 'skip'));
    const r = await eddyRun(script);
    expect(r.status).toBe(0);
    expect(r.stderr).toContain('1 bad row skipped (1 out-of-range)');
    expect(readJsonLines(out)).toEqual(expectedWindows);
  }, 60_000);

  it('datagen: TIMESTAMP(0) values are whole seconds; a max-past before the year 0000 is refused', async () => {
    const dir = tempDir();
    const out = join(dir, 'out.json');
    const script = join(dir, 'job.sql');
    writeFileSync(
      script,
      `CREATE TABLE g (ts TIMESTAMP(0)) WITH ('connector' = 'datagen', 'number-of-rows' = '50', 'seed' = '3', 'fields.ts.max-past' = '3650 d');
       CREATE TABLE o (ts TIMESTAMP(0)) WITH ('connector' = 'filesystem', 'path' = '${out}', 'format' = 'json');
       INSERT INTO o SELECT ts FROM g;`,
    );
    const r = await eddyRun(script);
    expect(r.status).toBe(0);
    const values = readJsonLines(out).map((row) => row['ts'] as string);
    expect(values).toHaveLength(50);
    for (const v of values) expect(v).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.000$/);

    const far = join(dir, 'far.sql');
    writeFileSync(
      far,
      `CREATE TABLE g (ts TIMESTAMP(3)) WITH ('connector' = 'datagen', 'number-of-rows' = '5', 'fields.ts.max-past' = '800000 d');
       CREATE TABLE o (ts TIMESTAMP(3)) WITH ('connector' = 'blackhole');
       INSERT INTO o SELECT ts FROM g;`,
    );
    const refused = await eddyRun(far);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain("error[EDDY-C004]: Option 'fields.ts.max-past' reaches before the year 0000, out of range for TIMESTAMP(3) (years 0000 to 9999)");
  }, 60_000);
});
