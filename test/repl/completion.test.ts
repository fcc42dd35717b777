/** Tab completion from a live catalog (a real Eddy session with tables and a view). */
import { beforeAll, describe, expect, it } from 'vitest';
import { Eddy } from '../../src/index.js';
import { catalogSource, complete, referencedTables, type CompletionSource } from '../../repl/completion.js';

let src: CompletionSource;

beforeAll(async () => {
  const eddy = new Eddy();
  const ddl = `
    CREATE TABLE rides (ride_id BIGINT, taxi_id INT, passenger_cnt INT, pickup_ts TIMESTAMP(3))
      WITH ('connector' = 'filesystem', 'path' = '/tmp/none.json', 'format' = 'json');
    CREATE TABLE fares (ride_id BIGINT, fare DOUBLE) WITH ('connector' = 'datagen');
    CREATE VIEW busy AS SELECT taxi_id, COUNT(*) AS trips FROM rides GROUP BY taxi_id;`;
  for await (const _ of eddy.executeScript(ddl)) void _;
  src = catalogSource(eddy);
});

/** Completes at the `|` in `text`; returns the new text with `|` at the cursor, and the candidates. */
function tab(text: string): { text: string; candidates: readonly string[] } | undefined {
  const cursor = text.indexOf('|');
  const plain = text.replace('|', '');
  const c = complete(plain, cursor, src);
  if (!c) return undefined;
  const out = plain.slice(0, c.from) + c.insert + '|' + plain.slice(c.to);
  return { text: out, candidates: c.candidates };
}

describe('complete', () => {
  it('completes a column of the table the statement reads', () => {
    expect(tab('SELECT pass| FROM rides')?.text).toBe('SELECT passenger_cnt| FROM rides');
    // Before FROM is typed: columns of every table (here with the keyword FALSE).
    expect(tab('SELECT fa|')?.candidates).toEqual(['fare', 'fares', 'false']);
    expect(tab('SELECT far|')?.text).toBe('SELECT fare|');
    expect(tab('SELECT far|')?.candidates).toEqual(['fare', 'fares']);
  });

  it('completes table and view names after FROM, JOIN, DESCRIBE', () => {
    expect(tab('SELECT * FROM bu|')?.text).toBe('SELECT * FROM busy|');
    expect(tab('SELECT * FROM rides JOIN fa|')?.text).toBe('SELECT * FROM rides JOIN fares|');
    expect(tab('DESCRIBE ri|')?.text).toBe('DESCRIBE rides|');
    expect(tab('SELECT * FROM |')?.candidates).toEqual(['busy', 'fares', 'rides']);
  });

  it('completes columns after a table name or alias and a dot', () => {
    expect(tab('SELECT r.pi| FROM rides r')?.text).toBe('SELECT r.pickup_ts| FROM rides r');
    expect(tab('SELECT f.| FROM rides AS r JOIN fares f ON r.ride_id = f.ride_id')?.candidates).toEqual(['ride_id', 'fare']);
    expect(tab('SELECT busy.tr| FROM busy')?.text).toBe('SELECT busy.trips| FROM busy');
  });

  it('completes to the common prefix and lists candidates when several fit', () => {
    // Columns first, then functions, tables and keywords.
    const r = tab('SELECT ride_id, ta| FROM rides');
    expect(r?.candidates).toEqual(['taxi_id', 'tan', 'table', 'tables']);
    expect(r?.text).toBe('SELECT ride_id, ta| FROM rides');
    expect(tab('SELECT ride_id, tax| FROM rides')?.text).toBe('SELECT ride_id, taxi_id| FROM rides');
    const many = tab('SELECT COU|');
    expect(many?.candidates).toEqual(['COUNT', 'COUNT_DISTINCT']);
    const cur = tab('SELECT cur|');
    expect(cur!.candidates.length).toBeGreaterThan(1);
    expect(cur!.candidates.every((c) => c.toLowerCase().startsWith('cur'))).toBe(true);
    expect(cur!.text).toBe('SELECT current|');
  });

  it('completes keywords and functions in the case typed', () => {
    expect(tab('sel|')?.text).toBe('select|');
    expect(tab('SELECT * FROM rides WHE|')?.candidates).toEqual(['WHEN', 'WHERE']);
    expect(tab('SELECT * FROM rides WHER|')?.text).toBe('SELECT * FROM rides WHERE|');
    expect(tab('SELECT regexp_rep|')?.text).toBe('SELECT regexp_replace|');
    expect(tab('SELECT CHAR_L|')?.text).toBe('SELECT CHAR_LENGTH|');
  });

  it('completes connector names and their option keys inside WITH (...)', () => {
    expect(tab("CREATE TABLE t (a INT) WITH ('connector' = 'file|")?.text).toBe("CREATE TABLE t (a INT) WITH ('connector' = 'filesystem'|");
    expect(tab("CREATE TABLE t (a INT) WITH ('connector' = 'filesystem', 'source.mon|")?.text).toBe(
      "CREATE TABLE t (a INT) WITH ('connector' = 'filesystem', 'source.monitor-interval'|",
    );
    // Options of the format named in the statement, prefixed with it.
    expect(tab("CREATE TABLE t (a INT) WITH ('connector' = 'filesystem', 'format' = 'csv', 'csv.|")!.candidates.every((c) => c.startsWith('csv.'))).toBe(true);
    expect(tab("CREATE TABLE t (a INT) WITH ('connector' = 'filesystem', 'format' = 'j|")?.text).toBe("CREATE TABLE t (a INT) WITH ('connector' = 'filesystem', 'format' = 'json'|");
  });

  it('offers each format option once prefixed, the error-policy options, and datagen fields of the declared columns', () => {
    const json = tab("CREATE TABLE t (a INT) WITH ('connector' = 'filesystem', 'format' = 'json', 'json.|")!;
    expect(json.candidates).toContain('json.ignore-parse-errors');
    expect(json.candidates.some((c) => c.startsWith('json.json.'))).toBe(false);
    expect(tab("CREATE TABLE t (a INT) WITH ('connector' = 'filesystem', 'format' = 'csv', 'csv.ig|")?.text).toBe(
      "CREATE TABLE t (a INT) WITH ('connector' = 'filesystem', 'format' = 'csv', 'csv.ignore-parse-errors'|",
    );
    expect(tab("CREATE TABLE t (a INT) WITH ('connector' = 'filesystem', 'format' = 'json', 'err|")?.candidates).toEqual([
      'errors.policy',
      'errors.dead-letter.table',
      'errors.max-record-bytes',
    ]);
    // A sink-only connector has no error policy.
    expect(tab("CREATE TABLE t (a INT) WITH ('connector' = 'blackhole', 'err|")).toBeUndefined();
    const fields = tab("CREATE TABLE g (id BIGINT, `name` STRING, ts TIMESTAMP(3), WATERMARK FOR ts AS ts) WITH ('connector' = 'datagen', 'fields.|")!;
    expect(fields.candidates).toContain('fields.id.kind');
    expect(fields.candidates).toContain('fields.name.max');
    expect(fields.candidates).toContain('fields.ts.kind');
    expect(fields.candidates.some((c) => c.includes('#') || c.includes('WATERMARK'))).toBe(false);
    expect(tab("CREATE TABLE g (id BIGINT, v DECIMAL(10, 2)) WITH ('connector' = 'datagen', 'fields.v.mi|")?.text).toBe(
      "CREATE TABLE g (id BIGINT, v DECIMAL(10, 2)) WITH ('connector' = 'datagen', 'fields.v.min'|",
    );
  });

  it('completes setting keys and values after SET', () => {
    expect(tab("SET 'sql-client.execution.res|")?.text).toBe("SET 'sql-client.execution.result-mode'|");
    expect(tab("SET 'sql-client.execution.result-mode' = 'ch|")?.text).toBe("SET 'sql-client.execution.result-mode' = 'changelog'|");
  });

  it('offers nothing for an unknown prefix or inside a comment', () => {
    expect(tab('SELECT zzz|')).toBeUndefined();
    expect(tab('SELECT 1 -- pass|')).toBeUndefined();
  });
});

describe('referencedTables', () => {
  it('finds tables with their aliases, not keywords taken for aliases', () => {
    expect(referencedTables('SELECT * FROM rides r JOIN fares AS f ON r.id = f.id WHERE x')).toEqual([
      { name: 'rides', alias: 'r' },
      { name: 'fares', alias: 'f' },
    ]);
    expect(referencedTables('SELECT * FROM rides WHERE x')).toEqual([{ name: 'rides', alias: undefined }]);
  });
});
