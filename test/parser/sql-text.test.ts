/** Lexical scanning without parsing: statement ends, comments, and the state at a position. */
import { describe, expect, it } from 'vitest';
import { scanStateAt, statementEnds, stripComments } from '../../src/parser/sql-text.js';

describe('sql-text', () => {
  it('finds the semicolons that end statements, not those in strings, names or comments', () => {
    const sql = "SELECT ';' AS `a;b` -- x;\r; /* ; */ SELECT 2;";
    expect(statementEnds(sql)).toEqual([26, 44]);
    // Postgres-style "quoted" names count only when asked for.
    expect(statementEnds('SELECT ";";')).toEqual([8, 10]);
    expect(statementEnds('SELECT ";";', `'\`"`)).toEqual([10]);
  });

  it('strips comments but keeps quoted text', () => {
    expect(stripComments("/* c */ SET x = '--not a comment' -- c")).toBe("SET x = '--not a comment'");
    expect(stripComments('-- only a comment\n')).toBe('');
  });

  it('tells the state at a position, with where an open run started', () => {
    expect(scanStateAt("WITH ('conn")).toEqual({ state: 'string', openedAt: 6 });
    expect(scanStateAt("SELECT 'it''s' ")).toEqual({ state: 'code', openedAt: -1 });
    expect(scanStateAt('SELECT -- x')).toEqual({ state: 'line-comment', openedAt: 7 });
    expect(scanStateAt('SELECT -- x\rFROM')).toEqual({ state: 'code', openedAt: -1 });
    expect(scanStateAt('SELECT /* x')).toEqual({ state: 'block-comment', openedAt: 7 });
    expect(scanStateAt('SELECT `a b')).toEqual({ state: 'quoted', openedAt: 7 });
    // Only the text up to the position counts: a `-` before it and a `-` after it make no comment.
    expect(scanStateAt('SELECT 1 -- 2', 10)).toEqual({ state: 'code', openedAt: -1 });
  });
});
