import { describe, expect, it } from 'vitest';
import { parseScript } from '../../src/parser/index.js';
import type { ColumnDef } from '../../src/parser/index.js';
import { stmt } from './helpers.js';

const columnsOf = (sql: string): readonly ColumnDef[] => stmt(sql, 'CreateTable').columns;

describe('METADATA columns (Flink syntax)', () => {
  it("`name TYPE METADATA [FROM 'key'] [VIRTUAL]`: the key defaults to the column's name", () => {
    const sql = `CREATE TABLE t (
      id INT,
      \`offset\` BIGINT NOT NULL METADATA VIRTUAL,
      ts TIMESTAMP_LTZ(3) METADATA FROM 'timestamp',
      part INT METADATA FROM 'partition' VIRTUAL COMMENT 'where',
      headers MAP<STRING, BYTES> METADATA,
      metadata STRING,
      virtual INT
    ) WITH ('connector' = 'kafka')`;
    const cols = columnsOf(sql);
    expect(cols.map((c) => (c.kind === 'MetadataColumn' ? [c.name.name, c.key, c.virtual, c.type.nullable] : [c.name.name, c.kind]))).toEqual([
      ['id', 'PhysicalColumn'],
      ['offset', 'offset', true, false],
      ['ts', 'timestamp', false, true],
      ['part', 'partition', true, true],
      ['headers', 'headers', false, true],
      // METADATA and VIRTUAL are not reserved: still ordinary column names.
      ['metadata', 'PhysicalColumn'],
      ['virtual', 'PhysicalColumn'],
    ]);
    const part = cols[3]!;
    expect(part.kind === 'MetadataColumn' && part.comment).toBe('where');
    // The key's span is the FROM string, or the column's name without FROM.
    const ts = cols[2]!;
    const off = cols[1]!;
    if (ts.kind !== 'MetadataColumn' || off.kind !== 'MetadataColumn') throw new Error('expected metadata columns');
    expect(sql.slice(ts.keySpan.start, ts.keySpan.end)).toBe("'timestamp'");
    expect(sql.slice(off.keySpan.start, off.keySpan.end)).toBe('`offset`');
  });

  it('misuse gives positioned errors', () => {
    const first = (sql: string) => {
      const d = parseScript(sql).diagnostics[0];
      expect(d, sql).toBeDefined();
      return { message: d!.message, at: sql.slice(d!.span!.start, d!.span!.end) };
    };
    // VIRTUAL without METADATA, a key that is not a string, FROM without a key, METADATA on a computed column.
    expect(first("CREATE TABLE t (a INT VIRTUAL) WITH ('connector' = 'x')").at).toBe('VIRTUAL');
    expect(first("CREATE TABLE t (a INT METADATA FROM offset) WITH ('connector' = 'x')").at).toBe('offset');
    expect(first("CREATE TABLE t (a INT METADATA FROM) WITH ('connector' = 'x')").at).toBe(')');
    expect(first("CREATE TABLE t (a AS 1 METADATA) WITH ('connector' = 'x')").at).toBe('METADATA');
    expect(first("CREATE TABLE t (a INT METADATA VIRTUAL FROM 'k') WITH ('connector' = 'x')").at).toBe('FROM');
    expect(first("CREATE TABLE t (a INT METADATA FROM '') WITH ('connector' = 'x')")).toEqual({ message: 'A METADATA key cannot be empty', at: "''" });
    expect(first("CREATE TABLE t (a INT PRIMARY KEY NOT ENFORCED METADATA) WITH ('connector' = 'x')")).toEqual({
      message: "The METADATA column 'a' cannot be a PRIMARY KEY: a key is made of physical columns",
      at: 'PRIMARY',
    });
  });
});
