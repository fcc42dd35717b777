import { describe, expect, it } from 'vitest';
import { parseStatement } from '../../src/parser/index.js';
import type { DataType } from '../../src/common/types.js';
import { T, withNullable } from '../../src/common/types.js';
import { stmt } from './helpers.js';

function typeOf(sql: string): DataType {
  const t = stmt(`CREATE TABLE t (c ${sql})`, 'CreateTable');
  const c = t.columns[0]!;
  if (c.kind !== 'PhysicalColumn') throw new Error('not physical');
  return c.type;
}

describe('data types', () => {
  it.each([
    ['BOOLEAN', T.boolean()],
    ['TINYINT', T.tinyint()],
    ['SMALLINT', T.smallint()],
    ['INT', T.int()],
    ['integer', T.int()],
    ['BIGINT', T.bigint()],
    ['FLOAT', T.float()],
    ['REAL', T.float()],
    ['DOUBLE', T.double()],
    ['DOUBLE PRECISION', T.double()],
    ['DECIMAL', T.decimal(10, 0)],
    ['DEC(5)', T.decimal(5, 0)],
    ['NUMERIC(12, 3)', T.decimal(12, 3)],
    ['STRING', T.string()],
    ['VARCHAR(20)', T.string(20)],
    ['CHAR(3)', T.string(3)],
    ['BYTES', T.bytes()],
    ['VARBINARY', T.bytes()],
    ['BINARY(4)', T.bytes()],
    ['DATE', T.date()],
    ['TIME', T.time()],
    ['TIME(3)', T.time(3)],
    ['TIMESTAMP', T.timestamp()],
    ['TIMESTAMP(6) WITHOUT TIME ZONE', T.timestamp(6)],
    ['TIMESTAMP(3) WITH LOCAL TIME ZONE', T.timestampLtz(3)],
    ['TIMESTAMP_LTZ(3)', T.timestampLtz(3)],
    ['ARRAY<INT>', T.array(T.int())],
    ['MAP<STRING, ARRAY<DOUBLE>>', T.map(T.string(), T.array(T.double()))],
    ['ROW<a INT, `b c` STRING NOT NULL>', T.row([{ name: 'a', type: T.int() }, { name: 'b c', type: withNullable(T.string(), false) }])],
    ['ROW(a INT)', T.row([{ name: 'a', type: T.int() }])],
    ['BIGINT NOT NULL', withNullable(T.bigint(), false)],
  ])('%s', (text, expected) => {
    expect(typeOf(text)).toEqual(expected);
  });

  it('reports unknown types with a suggestion', () => {
    try {
      parseStatement('CREATE TABLE t (c STRNG)');
      expect.unreachable();
    } catch (e) {
      expect((e as { diagnostics: unknown[] }).diagnostics).toEqual([
        expect.objectContaining({ code: 'EDDY-P006', message: "Unknown type 'STRNG'", hint: 'did you mean `STRING`?' }),
      ]);
    }
  });

  it('rejects parameters a type does not take', () => {
    expect(() => typeOf('INT(3)')).toThrow('INT takes no parameters');
    expect(() => typeOf('ARRAY<a INT>')).toThrow('ARRAY takes one element type');
    expect(() => typeOf('DECIMAL(50)')).toThrow('precision');
  });
});
