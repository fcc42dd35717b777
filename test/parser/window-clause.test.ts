/** The WINDOW clause of a SELECT (`WINDOW w AS (...)`, used as `OVER w`) and frames in OVER. */
import { describe, expect, it } from 'vitest';
import { EddyError } from '../../src/common/errors.js';
import { parseStatement } from '../../src/parser/index.js';
import { select } from './helpers.js';

describe('WINDOW clause', () => {
  it('parses named windows after HAVING, each with its PARTITION BY, ORDER BY and frame', () => {
    const sql = "SELECT SUM(b) OVER w FROM t WINDOW w AS (PARTITION BY k ORDER BY ts RANGE BETWEEN INTERVAL '1' HOUR PRECEDING AND CURRENT ROW), w2 AS (ORDER BY ts)";
    const s = select(sql);
    expect(s.windows?.map((w) => w.name.name)).toEqual(['w', 'w2']);
    const w = s.windows![0]!;
    expect(w.spec.partitionBy).toMatchObject([{ kind: 'ColumnRef' }]);
    expect(w.spec.orderBy).toMatchObject([{ descending: false }]);
    expect(w.spec.frame).toMatchObject({ units: 'RANGE', start: { type: 'PRECEDING', offset: { kind: 'IntervalLiteral' } }, end: { type: 'CURRENT_ROW' } });
    // The spec's span covers the parentheses.
    expect(sql.slice(w.spec.span.start, w.spec.span.end)).toBe("(PARTITION BY k ORDER BY ts RANGE BETWEEN INTERVAL '1' HOUR PRECEDING AND CURRENT ROW)");
    expect(s.windows![1]!.spec.frame).toBeUndefined();
  });

  it('a SELECT without the clause has no windows; OVER (...) still parses its frame', () => {
    const s = select('SELECT COUNT(*) OVER (PARTITION BY k ORDER BY ts ROWS BETWEEN 2 PRECEDING AND CURRENT ROW) FROM t');
    expect(s.windows).toBeUndefined();
    const item = s.items[0]!;
    expect(item.kind === 'SelectExpr' && item.expr).toMatchObject({ over: { frame: { units: 'ROWS', start: { type: 'PRECEDING' } } } });
  });

  it('rejects a WINDOW clause without AS (...) with a positioned error', () => {
    expect(() => parseStatement('SELECT SUM(b) OVER w FROM t WINDOW w (ORDER BY ts)')).toThrow(EddyError);
  });
});
