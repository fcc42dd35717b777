import { describe, expect, it } from 'vitest';
import { EddyError, renderDiagnostic } from '../../src/common/errors.js';
import { parseExpression, parseScript, parseStatement } from '../../src/parser/index.js';

/** Every diagnostic of a script, rendered as the shell prints it. */
function rendered(text: string): string {
  const r = parseScript(text);
  return r.diagnostics.map((d) => renderDiagnostic(d, { text, name: 'job.sql' })).join('\n\n');
}

describe('rendered parse errors', () => {
  it('misspelled keyword read as an alias', () => {
    expect(rendered('SELECT a FORM t')).toBe(
      [
        "error[EDDY-P001]: Unexpected 'FORM'",
        ' --> job.sql:1:10',
        '  |',
        '1 | SELECT a FORM t',
        '  |          ^^^^',
        "  = expected one of: AS, ',', FROM, WINDOW, WHERE, GROUP, PARTITION, HAVING, UNION, INTERSECT, …",
        '  = hint: did you mean `FROM`?',
      ].join('\n'),
    );
  });

  it('misspelled keyword where only keywords fit', () => {
    expect(rendered('CREATE TABEL t (a INT)')).toBe(
      [
        "error[EDDY-P001]: Unexpected 'TABEL'",
        ' --> job.sql:1:8',
        '  |',
        '1 | CREATE TABEL t (a INT)',
        '  |        ^^^^^',
        '  = expected one of: TEMPORARY, SOURCE, TABLE, STREAM, MATERIALIZED, VIEW',
        '  = hint: did you mean `TABLE`?',
      ].join('\n'),
    );
  });

  it('missing comma in a select list', () => {
    expect(rendered('SELECT id name price\nFROM t')).toBe(
      [
        "error[EDDY-P001]: Unexpected 'price'",
        ' --> job.sql:1:16',
        '  |',
        '1 | SELECT id name price',
        '  |                ^^^^^',
        "  = expected one of: ',', FROM, WINDOW, WHERE, GROUP, PARTITION, HAVING, UNION, INTERSECT, EXCEPT, …",
        "  = hint: is a ',' missing? `name` was read as an alias of what comes before it",
      ].join('\n'),
    );
  });

  it('unclosed string', () => {
    expect(rendered("SELECT 'abc FROM t")).toBe(
      [
        'error[EDDY-P003]: Unterminated string',
        ' --> job.sql:1:8',
        '  |',
        "1 | SELECT 'abc FROM t",
        '  |        ^^^^^^^^^^^',
        "  = hint: add the closing '",
      ].join('\n'),
    );
  });

  it('unclosed parenthesis', () => {
    expect(rendered('SELECT COUNT(*\nFROM t')).toBe(
      [
        "error[EDDY-P001]: Unexpected 'FROM'",
        ' --> job.sql:2:1',
        '  |',
        '2 | FROM t',
        '  | ^^^^',
        "  = expected one of: ')'",
        "  = hint: the '(' at line 1, column 13 is not closed",
      ].join('\n'),
    );
  });

  it('unknown type', () => {
    expect(rendered('CREATE TABLE t (\n  a INTEGR\n)')).toBe(
      [
        "error[EDDY-P006]: Unknown type 'INTEGR'",
        ' --> job.sql:2:5',
        '  |',
        '2 |   a INTEGR',
        '  |     ^^^^^^',
        '  = hint: did you mean `INTEGER`?',
      ].join('\n'),
    );
  });

  it('stray character', () => {
    expect(rendered('SELECT a # b FROM t')).toBe(
      ["error[EDDY-P002]: Unrecognized character '#'", ' --> job.sql:1:10', '  |', '1 | SELECT a # b FROM t', '  |          ^'].join('\n'),
    );
  });

  it('end of input', () => {
    expect(rendered('SELECT * FROM t WHERE')).toBe(
      [
        'error[EDDY-P005]: Unexpected end of input',
        ' --> job.sql:1:22',
        '  |',
        '1 | SELECT * FROM t WHERE',
        '  |                      ^',
        '  = expected one of: expression',
      ].join('\n'),
    );
  });

  it('two bad statements in one script give two diagnostics, on their own lines', () => {
    const text = 'SELECT 1;\nSELEC 2;\nSELECT 3 FRM t;\nSELECT 4';
    const r = parseScript(text);
    expect(r.statements.map((s) => s.text)).toEqual(['SELECT 1', 'SELECT 4']);
    expect(r.diagnostics.map((d) => [d.message, d.span?.line, d.hint])).toEqual([
      ["Unexpected 'SELEC'", 2, 'did you mean `SELECT`?'],
      ["Unexpected 'FRM'", 3, 'did you mean `FROM`?'],
    ]);
    expect(rendered(text)).toContain("2 | SELEC 2;\n  | ^^^^^");
  });
});

describe('diagnostic details', () => {
  it('suggests time units and types', () => {
    const d = parseScript("SELECT INTERVAL '1' MINUTS").diagnostics;
    expect(d).toHaveLength(1);
    expect(d[0]).toMatchObject({ hint: 'did you mean `MINUTE`?' });
    expect(parseScript('SELECT CAST(a AS) FROM t').diagnostics[0]?.expected).toEqual(['type']);
  });

  it('requires a join condition except for CROSS JOIN', () => {
    expect(parseScript('SELECT x FROM t JOIN u').diagnostics[0]).toMatchObject({ code: 'EDDY-P005', expected: expect.arrayContaining(['ON', 'USING']) });
    expect(parseScript('SELECT x FROM t CROSS JOIN u').diagnostics).toEqual([]);
  });

  it('reports unterminated quoted names and comments, and double quotes', () => {
    expect(parseScript('SELECT `abc FROM t').diagnostics[0]).toMatchObject({ code: 'EDDY-P003', message: 'Unterminated quoted identifier' });
    expect(parseScript('SELECT 1 /* no end').diagnostics[0]).toMatchObject({ code: 'EDDY-P003', message: 'Unterminated comment' });
    expect(parseScript('SELECT "a" FROM t').diagnostics[0]?.hint).toMatch(/single quotes/);
  });

  it('reports malformed typed literals and misplaced t.*', () => {
    expect(parseScript("SELECT DATE '2024/01/01'").diagnostics[0]).toMatchObject({ code: 'EDDY-P004', message: "Invalid DATE literal '2024/01/01'" });
    expect(parseScript('SELECT a FROM t WHERE t.* = 1').diagnostics[0]?.message).toMatch(/only allowed in a select list/);
  });

  it('parseStatement throws one EddyError with every diagnostic and the source', () => {
    try {
      parseStatement('SELECT a FORM t; SELEC 1', 'q.sql');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(EddyError);
      const err = e as EddyError;
      expect(err.diagnostics).toHaveLength(2);
      expect(err.source).toEqual({ text: 'SELECT a FORM t; SELEC 1', name: 'q.sql' });
      expect(err.render()).toContain('--> q.sql:1:10');
    }
  });

  it('parseExpression reports trailing input', () => {
    expect(() => parseExpression('a + b c')).toThrow("Unexpected 'c'");
  });
});
