/**
 * Splitting query strings into statements and binding `$n` parameters: quotes, comments, statement sets,
 * typed and untyped parameters, and literals that cannot escape their quotes.
 */
import { describe, expect, it } from 'vitest';
import { bindParameters, countParameters, ParameterError, splitStatements, stripComments } from '../../src/server/sql-text.js';
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

describe('bindParameters', () => {
  it('writes untyped numbers as numbers and everything else as quoted strings', () => {
    expect(bindParameters('SELECT * FROM t WHERE a = $1 AND b = $2 AND c = $3', ['42', "it's", null]).text).toBe("SELECT * FROM t WHERE a = 42 AND b = 'it''s' AND c = NULL");
    expect(bindParameters('SELECT x -$1', ['-5']).text).toBe('SELECT x -(-5)');
    expect(bindParameters('SELECT $1', ['1.5e3']).text).toBe('SELECT 1.5e3');
  });

  it('leaves $n inside strings, identifiers and comments alone, and reuses repeated parameters', () => {
    expect(bindParameters("SELECT '$1', `$1`, $1 /* $1 */, $1 -- $2", ['7']).text).toBe("SELECT '$1', `$1`, 7 /* $1 */, 7 -- $2");
    expect(countParameters("SELECT $2, '$3', $1")).toBe(2);
  });

  it('checks values against declared types', () => {
    expect(bindParameters('SELECT $1, $2, $3, $4', ['true', '10', '2024-01-01 00:00:00', '42'], [16, 20, 1114, 25]).text).toBe("SELECT TRUE, 10, TIMESTAMP '2024-01-01 00:00:00', '42'");
    expect(() => bindParameters('SELECT $1', ['1; DROP TABLE t'], [23])).toThrow(ParameterError);
    expect(() => bindParameters('SELECT $2', ['1'])).toThrow('there is no parameter $2 (1 bound)');
  });

  it('maps offsets in the bound text back to the text as written', () => {
    const bound = bindParameters('SELECT $1 + nosuch', ["'long string'"]);
    expect(bound.text).toBe("SELECT '''long string''' + nosuch");
    expect(bound.originalOffset(bound.text.indexOf('nosuch'))).toBe(12);
    expect(bound.originalOffset(9)).toBe(7); // inside the literal: where $1 was
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
