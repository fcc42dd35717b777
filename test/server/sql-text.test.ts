/**
 * Splitting query strings into statements and counting `$n` parameters: quotes, comments, statement sets.
 */
import { describe, expect, it } from 'vitest';
import { countParameters, splitStatements, stripComments } from '../../src/server/sql-text.js';
import { FinalRows } from '../../src/engine/final-rows.js';

describe('splitStatements', () => {
  it('splits at top-level semicolons only, keeping offsets', () => {
    const sql = "SELECT ';' AS a; -- a ; comment\nSELECT `x;y` FROM t /* ; */ ;  SHOW TABLES";
    expect(splitStatements(sql)).toEqual([
      { text: "SELECT ';' AS a", offset: 0 },
      { text: '-- a ; comment\nSELECT `x;y` FROM t /* ; */', offset: 17 },
      { text: 'SHOW TABLES', offset: 63 },
    ]);
    expect(splitStatements(' ; -- only a comment\n')).toEqual([]);
  });

  it('keeps a statement set together', () => {
    const sql = 'BEGIN STATEMENT SET; INSERT INTO a SELECT * FROM b; INSERT INTO c SELECT * FROM b; END; SHOW JOBS';
    expect(splitStatements(sql).map((s) => s.text)).toEqual(['BEGIN STATEMENT SET; INSERT INTO a SELECT * FROM b; INSERT INTO c SELECT * FROM b; END', 'SHOW JOBS']);
  });

  it('ends a -- comment at a carriage return too, as the lexer does', () => {
    expect(splitStatements('SELECT 1 --c\r; DROP TABLE t').map((s) => s.text.trim())).toEqual(['SELECT 1 --c', 'DROP TABLE t']);
  });

  it('strips comments but not quoted text', () => {
    expect(stripComments("/* c */ SET x = '--not a comment' -- c")).toBe("SET x = '--not a comment'");
  });
});

describe('countParameters', () => {
  it('counts the highest $n outside strings, quoted names and comments', () => {
    expect(countParameters("SELECT $2, '$3', $1")).toBe(2);
    expect(countParameters("SELECT '$1', `$1`, \"$4\", $1 /* $5 */, $1 -- $6")).toBe(1);
    expect(countParameters('SELECT a$7 FROM t')).toBe(0); // a name, as the lexer reads it
    expect(countParameters('SELECT 1')).toBe(0);
    expect(countParameters('SELECT $10 + $9')).toBe(10);
  });
});

describe('FinalRows', () => {
  it('applies retractions and keeps updated rows in place', () => {
    const final = new FinalRows();
    final.apply({ rows: [['a', 1], ['b', 1]], kinds: [0, 0] });
    final.apply({ rows: [['a', 1], ['a', 2], ['c', 1]], kinds: [1, 2, 0] });
    final.apply({ rows: [['b', 1]], kinds: [3] });
    expect(final.rows()).toEqual([
      ['a', 2],
      ['c', 1],
    ]);
  });

  it('keeps duplicates as a multiset', () => {
    const final = new FinalRows();
    final.apply({ rows: [[1], [1], [1]], kinds: [0, 0, 3] });
    expect(final.rows()).toEqual([[1]]);
  });
});
