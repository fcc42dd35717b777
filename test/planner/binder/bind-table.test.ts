import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../src/common/errors.js';
import { findLogical, TestPlanner, catchEddy, expectError, spanText, ty } from '../helpers.js';

const tp = new TestPlanner([]);
const BH = "WITH ('connector' = 'blackhole')";

describe('CREATE TABLE columns', () => {
  it('physical and computed columns: computed types are derived from their expressions', () => {
    const t = tp.createTable(
      `CREATE TABLE a (x INT, ms BIGINT, y AS x * 2, z AS UPPER(CAST(x AS STRING)), r AS x + ms, t AS TO_TIMESTAMP_LTZ(ms, 3), WATERMARK FOR t AS t - INTERVAL '1' SECOND) ${BH}`,
    );
    expect(t.columns.map((c) => `${c.name} ${ty(c.type)}${c.computed ? ' (computed)' : ''}`)).toEqual([
      'x INT',
      'ms BIGINT',
      'y INT (computed)',
      'z STRING (computed)',
      'r BIGINT (computed)',
      't TIMESTAMP_LTZ(3) *ROWTIME* (computed)',
    ]);
    expect(t.watermark?.column).toBe('t');
  });

  it('a computed column reading an unknown column is EDDY-B002 spanning the name', () => {
    const sql = `CREATE TABLE a (x INT, y AS nope + 1) ${BH}`;
    const d = expectError(() => tp.createTable(sql), ErrorCode.UNKNOWN_COLUMN);
    expect(spanText(sql, d)).toBe('nope');
  });

  it('a computed column may not read another computed column (as in Flink)', () => {
    expectError(() => tp.createTable(`CREATE TABLE a (x INT, y AS x + 1, z AS y + 1) ${BH}`), ErrorCode.UNKNOWN_COLUMN);
  });

  it('a duplicate column (case-insensitively) is EDDY-B010 spanning the second one', () => {
    const sql = `CREATE TABLE a (x INT, y STRING, X BIGINT) ${BH}`;
    const d = expectError(() => tp.createTable(sql), ErrorCode.DUPLICATE_NAME);
    expect(d.message).toContain("'X'");
    expect(d.span!.start).toBe(sql.indexOf('X BIGINT'));
    expect(spanText(sql, d)).toBe('X');
  });

  it('PRIMARY KEY columns become NOT NULL; others stay nullable', () => {
    const t = tp.createTable(`CREATE TABLE a (x INT, y STRING, z INT, PRIMARY KEY (x, y) NOT ENFORCED) ${BH}`);
    expect(t.columns.map((c) => ty(c.type))).toEqual(['INT NOT NULL', 'STRING NOT NULL', 'INT']);
    expect(t.primaryKey).toEqual(['x', 'y']);
  });

  it('a PRIMARY KEY on an unknown column is EDDY-B002 with did-you-mean', () => {
    const sql = `CREATE TABLE a (xid INT, PRIMARY KEY (xd) NOT ENFORCED) ${BH}`;
    const d = expectError(() => tp.createTable(sql), ErrorCode.UNKNOWN_COLUMN);
    expect(d.hint).toBe('did you mean `xid`?');
    expect(spanText(sql, d)).toBe('xd');
  });
});

describe('CREATE TABLE watermarks', () => {
  it('the watermark column becomes a rowtime attribute', () => {
    const t = tp.createTable(`CREATE TABLE a (x INT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL '5' SECOND) ${BH}`);
    expect(ty(t.columns[1]!.type)).toBe('TIMESTAMP(3) *ROWTIME*');
    expect(t.columns[0]!.type.timeAttribute).toBeUndefined();
  });

  it('a watermark on an unknown column is EDDY-B002 with did-you-mean, spanning the name', () => {
    const sql = `CREATE TABLE a (x INT, ts TIMESTAMP(3), WATERMARK FOR tss AS tss) ${BH}`;
    const d = expectError(() => tp.createTable(sql), ErrorCode.UNKNOWN_COLUMN);
    expect(d.hint).toBe('did you mean `ts`?');
    expect(spanText(sql, d)).toBe('tss');
  });

  it('a watermark on a non-timestamp column is EDDY-B007 naming the type, hinting a conversion', () => {
    const sql = `CREATE TABLE a (x INT, ts TIMESTAMP(3), WATERMARK FOR x AS ts) ${BH}`;
    const d = expectError(() => tp.createTable(sql), ErrorCode.NOT_A_TIME_ATTRIBUTE);
    expect(d.message).toContain('INT');
    expect(d.hint).toContain('TO_TIMESTAMP_LTZ');
    expect(spanText(sql, d)).toBe('x');
  });

  it('a watermark on a TIMESTAMP(6) column is EDDY-B007 (rowtimes are TIMESTAMP(3))', () => {
    const d = expectError(() => tp.createTable(`CREATE TABLE a (ts TIMESTAMP(6), WATERMARK FOR ts AS ts) ${BH}`), ErrorCode.NOT_A_TIME_ATTRIBUTE);
    expect(d.message).toContain('TIMESTAMP(6)');
  });

  it('a watermark expression that is not a timestamp is EDDY-B005 spanning it', () => {
    const sql = `CREATE TABLE a (x INT, ts TIMESTAMP(3), WATERMARK FOR ts AS x + 1) ${BH}`;
    const d = expectError(() => tp.createTable(sql), ErrorCode.TYPE_MISMATCH);
    expect(spanText(sql, d)).toBe('x + 1');
  });

  it('a watermark expression reading an unknown column is EDDY-B002', () => {
    expectError(() => tp.createTable(`CREATE TABLE a (ts TIMESTAMP(3), WATERMARK FOR ts AS tz - INTERVAL '1' SECOND) ${BH}`), ErrorCode.UNKNOWN_COLUMN);
  });

  it('the scan of a table carries its computed columns and its watermark over the full row', () => {
    const p = new TestPlanner([
      `CREATE TABLE e (ms BIGINT, v INT, t AS TO_TIMESTAMP_LTZ(ms, 3), WATERMARK FOR t AS t - INTERVAL '1' SECOND) WITH ('connector' = 'filesystem', 'path' = '/x', 'format' = 'json')`,
    ]);
    const scan = findLogical(p.bind('SELECT * FROM e').plan, 'LogicalScan');
    expect(scan.projection).toEqual([0, 1, 2]);
    expect(scan.computed.map((c) => c !== undefined)).toEqual([false, false, true]);
    expect(scan.watermark!.rowtimeIndex).toBe(2);
    expect(scan.schema.map((f) => ty(f.type))).toEqual(['BIGINT', 'INT', 'TIMESTAMP_LTZ(3) *ROWTIME*']);
  });
});

describe('CREATE TABLE connector options', () => {
  it('no connector option is EDDY-C003 on the table name', () => {
    const sql = `CREATE TABLE a (x INT) WITH ('format' = 'json')`;
    const d = expectError(() => tp.createTable(sql), ErrorCode.MISSING_OPTION);
    expect(spanText(sql, d)).toBe('a');
    expect(d.hint).toContain("'connector'");
  });

  it('an unknown connector is EDDY-C001 on its value, with did-you-mean', () => {
    const sql = `CREATE TABLE a (x INT) WITH ('connector' = 'blackhol')`;
    const d = expectError(() => tp.createTable(sql), ErrorCode.UNKNOWN_CONNECTOR);
    expect(spanText(sql, d)).toBe("'blackhol'");
    expect(d.hint).toBe('did you mean `blackhole`?');
  });

  it('every option problem is reported at once, each with its code and span', () => {
    const sql = `CREATE TABLE a (x INT) WITH ('connector' = 'filesystem', 'format' = 'jsn', 'pth' = '/x', 'source.monitor-interval' = 'soon')`;
    const err = catchEddy(() => tp.createTable(sql));
    const found = err.diagnostics.map((d) => [d.code, sql.slice(d.span!.start, d.span!.end)]);
    expect(found).toEqual(
      expect.arrayContaining([
        [ErrorCode.UNKNOWN_FORMAT, "'jsn'"],
        [ErrorCode.UNKNOWN_OPTION, "'pth'"],
        [ErrorCode.INVALID_OPTION, "'soon'"],
        [ErrorCode.MISSING_OPTION, 'a'],
      ]),
    );
    expect(found).toHaveLength(4);
    const byCode = new Map(err.diagnostics.map((d) => [d.code, d]));
    expect(byCode.get(ErrorCode.UNKNOWN_OPTION)!.hint).toBe('did you mean `path`?');
    expect(byCode.get(ErrorCode.UNKNOWN_FORMAT)!.hint).toBe('did you mean `json`?');
    expect(byCode.get(ErrorCode.MISSING_OPTION)!.message).toContain("'path'");
  });

  it('an invalid enumerated value is EDDY-C004 on the value', () => {
    const sql = `CREATE TABLE a (x INT) WITH ('connector' = 'print', 'standard-error' = 'maybe')`;
    const d = expectError(() => tp.createTable(sql), ErrorCode.INVALID_OPTION);
    expect(spanText(sql, d)).toBe("'maybe'");
    expect(d.message).toContain('true, false');
  });

  it('an unknown key under a pattern option (fields.#.kind) gets a did-you-mean naming the field', () => {
    const sql = `CREATE TABLE a (x INT) WITH ('connector' = 'datagen', 'rows-per-second' = '-1', 'fields.x.kindd' = 'random')`;
    const err = catchEddy(() => tp.createTable(sql));
    expect(err.diagnostics.map((d) => d.code).sort()).toEqual([ErrorCode.UNKNOWN_OPTION, ErrorCode.INVALID_OPTION].sort());
    const unknown = err.diagnostics.find((d) => d.code === ErrorCode.UNKNOWN_OPTION)!;
    expect(spanText(sql, unknown)).toBe("'fields.x.kindd'");
    expect(unknown.hint).toBe('did you mean `fields.x.kind`?');
    expect(spanText(sql, err.diagnostics.find((d) => d.code === ErrorCode.INVALID_OPTION)!)).toBe("'-1'");
  });

  it('spans point into a multi-line statement correctly (line and column)', () => {
    const sql = `CREATE TABLE a (x INT)\nWITH (\n  'connector' = 'print',\n  'bogus' = '1'\n)`;
    const d = expectError(() => tp.createTable(sql), ErrorCode.UNKNOWN_OPTION);
    expect(spanText(sql, d)).toBe("'bogus'");
    expect(d.span!.line).toBe(4);
    expect(d.span!.column).toBe(3);
  });

  it('valid options produce the table with its options', () => {
    const t = tp.createTable(`CREATE TABLE a (x INT) WITH ('connector' = 'filesystem', 'path' = '/tmp/a', 'format' = 'csv')`);
    expect(t.options).toEqual({ connector: 'filesystem', path: '/tmp/a', format: 'csv' });
    expect(t.name).toBe('a');
  });
});

describe('primary keys (regressions)', () => {
  it('PRIMARY KEY columns match case-insensitively', () => {
    expect(tp.createTable(`CREATE TABLE pk (x INT, PRIMARY KEY (X) NOT ENFORCED) ${BH}`).primaryKey).toEqual(['x']);
  });
});
