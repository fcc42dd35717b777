/**
 * Binding values to a statement's parameters in its AST: each parameter gets its value, the rest of the
 * tree is shared, and a parameter with no value (or in a statement kept as text) is a positioned error.
 */
import { describe, expect, it } from 'vitest';
import { EddyError } from '../../src/common/errors.js';
import { T } from '../../src/common/types.js';
import { parametersOf, parseStatement, withParameterValues, type QueryStatement } from '../../src/parser/index.js';

describe('withParameterValues', () => {
  it('attaches each $n its value, leaving the statement it was given as it was', () => {
    const sql = "SELECT a, $2 FROM t WHERE b = $1 AND c = '$3' AND d IN (SELECT $1 FROM u)";
    const stmt = parseStatement(sql) as QueryStatement;
    const bound = withParameterValues(stmt, [{ text: 'x' }, { text: null, type: T.int() }]);
    expect(parametersOf(bound).map((p) => [sql.slice(p.span.start, p.span.end), p.value])).toEqual([
      ['$2', { text: null, type: T.int() }],
      ['$1', { text: 'x' }],
      ['$1', { text: 'x' }],
    ]);
    // The original has no values; parts without parameters are shared, not copied.
    expect(parametersOf(stmt).every((p) => p.value === undefined)).toBe(true);
    const from = (s: QueryStatement) => (s.query.body.kind === 'Select' ? s.query.body.from : undefined);
    expect(from(bound as QueryStatement)).toBe(from(stmt));
  });

  it('returns a statement without parameters as it is', () => {
    const stmt = parseStatement('SELECT 1');
    expect(withParameterValues(stmt, [{ text: '1' }])).toBe(stmt);
  });

  it('numbers ? parameters in order', () => {
    const bound = withParameterValues(parseStatement('SELECT ?, ?'), [{ text: 'a' }, { text: 'b' }]);
    expect(parametersOf(bound).map((p) => p.value?.text)).toEqual(['a', 'b']);
  });

  it('reports every parameter with no value, at the parameter', () => {
    const sql = 'SELECT $1, $3 FROM t WHERE x = $2';
    let error: unknown;
    try {
      withParameterValues(parseStatement(sql), [{ text: '1' }], { text: sql });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(EddyError);
    const diagnostics = (error as EddyError).diagnostics;
    expect(diagnostics.map((d) => [d.code, d.message, sql.slice(d.span!.start, d.span!.end)])).toEqual([
      ['EDDY-S005', 'No value for parameter $3: 1 value was bound', '$3'],
      ['EDDY-S005', 'No value for parameter $2: 1 value was bound', '$2'],
    ]);
    expect((error as EddyError).source).toEqual({ text: sql });
  });

  it('refuses parameters in statements kept as text (a view would keep one Bind\'s values forever)', () => {
    const view = parseStatement('CREATE VIEW v AS SELECT * FROM t WHERE x = $1');
    expect(() => withParameterValues(view, [{ text: '1' }])).toThrow('Parameters cannot be used in CREATE VIEW: it is kept as its SQL text, not run with values');
    const mv = parseStatement('CREATE MATERIALIZED VIEW v AS SELECT * FROM t WHERE x = $1');
    expect(() => withParameterValues(mv, [{ text: '1' }])).toThrow('Parameters cannot be used in CREATE MATERIALIZED VIEW');
    // INSERT and EXPLAIN run with their values.
    expect(parametersOf(withParameterValues(parseStatement('INSERT INTO s SELECT $1'), [{ text: '1' }]))[0]!.value).toEqual({ text: '1' });
    expect(parametersOf(withParameterValues(parseStatement('EXPLAIN SELECT $1'), [{ text: '1' }]))[0]!.value).toEqual({ text: '1' });
  });
});
