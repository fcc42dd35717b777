/** Where statements end in shell input. */
import { describe, expect, it } from 'vitest';
import { isSubmittable, scanTo, shellCommand, splitStatements } from '../../repl/statement-splitter.js';

describe('splitStatements', () => {
  it('ends statements at semicolons outside strings, quoted names and comments', () => {
    const text = "SELECT ';' AS a FROM `x;y`; -- not; here\nSELECT 2 /* ; */;\nSELECT";
    const r = splitStatements(text);
    expect(r.statements).toEqual(["SELECT ';' AS a FROM `x;y`;", '-- not; here\nSELECT 2 /* ; */;']);
    expect(r.ends).toEqual([27, 58]);
    expect(r.rest).toBe('\nSELECT');
  });

  it('treats doubled quotes as part of the string', () => {
    expect(splitStatements("SELECT 'it''s; fine';").statements).toEqual(["SELECT 'it''s; fine';"]);
  });

  it('skips empty statements', () => {
    expect(splitStatements(';  ;SELECT 1;').statements).toEqual(['SELECT 1;']);
  });
});

describe('isSubmittable', () => {
  it('is true only when the input ends a statement', () => {
    expect(isSubmittable('SELECT 1')).toBe(false);
    expect(isSubmittable('SELECT 1;')).toBe(true);
    expect(isSubmittable('SELECT 1;  -- done')).toBe(true);
    expect(isSubmittable("SELECT ';")).toBe(false);
    expect(isSubmittable('SELECT 1; SELECT')).toBe(false);
    expect(isSubmittable('')).toBe(false);
  });

  it('accepts shell commands without a semicolon', () => {
    expect(isSubmittable('help')).toBe(true);
    expect(isSubmittable('QUIT;')).toBe(true);
    expect(shellCommand(' exit ')).toBe('quit');
    expect(shellCommand('HELP;')).toBe('help');
    expect(shellCommand('help me')).toBeUndefined();
  });
});

describe('scanTo', () => {
  it('says whether a position is inside a string, and where it opened', () => {
    expect(scanTo("WITH ('conn", 11)).toEqual({ state: 'string', openedAt: 6 });
    expect(scanTo("WITH ('a' = 'b', ", 17).state).toBe('code');
    expect(scanTo('SELECT -- x', 11).state).toBe('line-comment');
  });
});
