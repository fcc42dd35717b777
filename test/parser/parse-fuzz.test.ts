import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EddyError } from '../../src/common/errors.js';
import { parseScript, parseStatement } from '../../src/parser/index.js';

const VALID = [
  "CREATE TABLE rides (id BIGINT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL '5' SECOND) WITH ('connector' = 'kafka')",
  "SELECT window_start, COUNT(*) AS n FROM TABLE(TUMBLE(TABLE rides, DESCRIPTOR(ts), INTERVAL '10' MINUTES)) GROUP BY window_start",
  "INSERT INTO out SELECT a, CASE WHEN b > 1 THEN 'x' ELSE 'y' END FROM t WHERE c IN (1, 2) AND d LIKE 'a%'",
  'EXECUTE STATEMENT SET BEGIN INSERT INTO a SELECT * FROM b; INSERT INTO c SELECT * FROM d; END',
  'SELECT SUM(x) OVER (PARTITION BY k ORDER BY ts ROWS BETWEEN 1 PRECEDING AND CURRENT ROW) FROM t LEFT JOIN u ON t.k = u.k',
];

const TOKENS = [
  'SELECT', 'FROM', 'WHERE', 'GROUP', 'BY', '(', ')', ',', ';', '*', '+', '-', '=', 'a', 'b', '`q`', "'s'", "'", '`',
  '1', '1.5', 'TABLE', 'TUMBLE', 'DESCRIPTOR', 'INTERVAL', 'MINUTE', 'CASE', 'WHEN', 'THEN', 'END', 'AS', 'CREATE',
  'INSERT', 'INTO', 'BEGIN', 'STATEMENT', 'SET', 'EXECUTE', 'JOIN', 'ON', 'OVER', 'CAST', 'INT', '?', '#', '"', '/*',
  '--', '\n', 'NOT', 'NULL', 'IS', 'IN', 'WITH', 'VALUES', 'ROW<', '>', 'ARRAY', 'TIMESTAMP', 'EMIT', 'CHANGES',
];

/** Only EddyError may escape parseStatement; parseScript returns diagnostics and never throws. */
function check(text: string): void {
  const result = parseScript(text);
  expect(Array.isArray(result.diagnostics)).toBe(true);
  for (const d of result.diagnostics) {
    expect(d.code).toMatch(/^EDDY-P00\d$/);
    if (d.span) {
      expect(d.span.start).toBeGreaterThanOrEqual(0);
      expect(d.span.end).toBeLessThanOrEqual(text.length + 1);
    }
  }
  try {
    parseStatement(text);
  } catch (e) {
    if (!(e instanceof EddyError)) throw e;
  }
}

describe('parser robustness', () => {
  it('random token soup', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...TOKENS), { maxLength: 30 }), (parts) => check(parts.join(' '))),
      { numRuns: 300 },
    );
  });

  it('mutated valid SQL', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...VALID),
        fc.array(fc.tuple(fc.nat(), fc.nat(3), fc.constantFrom(...TOKENS)), { minLength: 1, maxLength: 4 }),
        (sql, edits) => {
          let text = sql;
          for (const [at, op, token] of edits) {
            const i = at % (text.length + 1);
            if (op === 0) text = text.slice(0, i) + text.slice(i + 1);
            else if (op === 1) text = `${text.slice(0, i)} ${token} ${text.slice(i)}`;
            else if (op === 2) text = text.slice(0, i) + token + text.slice(i + token.length);
            else text = text.slice(0, i);
          }
          check(text);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('arbitrary strings', () => {
    fc.assert(fc.property(fc.string({ maxLength: 60 }), (s) => check(s)), { numRuns: 300 });
  });
});
