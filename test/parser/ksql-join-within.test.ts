/** ksqlDB's join window: `JOIN s WITHIN n unit | WITHIN (before, after) [GRACE PERIOD n unit] ON ...`. */
import { describe, expect, it } from 'vitest';
import { EddyError } from '../../src/common/errors.js';
import { parseStatement } from '../../src/parser/index.js';
import type { JoinRef } from '../../src/parser/index.js';
import { select } from './helpers.js';

function join(sql: string): JoinRef {
  const from = select(sql).from;
  if (from?.kind !== 'JoinRef') throw new Error(`expected a join, got ${from?.kind}`);
  return from;
}

function parseError(sql: string): EddyError {
  try {
    parseStatement(sql);
  } catch (e) {
    if (e instanceof EddyError) return e;
    throw e;
  }
  throw new Error(`expected a parse error for: ${sql}`);
}

describe('JOIN ... WITHIN', () => {
  it('one size is both before and after, in ms', () => {
    const sql = 'SELECT * FROM a JOIN b WITHIN 2 HOURS ON a.id = b.id';
    const j = join(sql);
    expect(j.within).toMatchObject({ kind: 'KsqlWithin', beforeMs: 7_200_000, afterMs: 7_200_000 });
    expect(j.within!.graceMs).toBeUndefined();
    expect(sql.slice(j.within!.span.start, j.within!.span.end)).toBe('WITHIN 2 HOURS');
    expect(j.on?.kind).toBe('BinaryExpr');
  });

  it('(before, after) and GRACE PERIOD, with every ksqlDB unit, singular or plural', () => {
    const j = join('SELECT * FROM a AS l LEFT OUTER JOIN b r WITHIN (1 DAY, 30 SECONDS) GRACE PERIOD 500 MILLISECONDS ON l.id = r.id');
    expect(j.joinType).toBe('LEFT');
    expect(j.within).toMatchObject({ beforeMs: 86_400_000, afterMs: 30_000, graceMs: 500 });
    expect(j.right).toMatchObject({ kind: 'TableName', alias: { name: 'r' } });
    expect(join('SELECT * FROM a FULL JOIN b WITHIN 3 MINUTE GRACE PERIOD 1 SECOND ON a.k = b.k').within).toMatchObject({ beforeMs: 180_000, afterMs: 180_000, graceMs: 1000 });
    expect(join('SELECT * FROM a JOIN b WITHIN (0 MILLISECOND, 1 HOUR) ON a.k = b.k').within).toMatchObject({ beforeMs: 0, afterMs: 3_600_000 });
  });

  it('a join without WITHIN has none; GRACE and PERIOD stay usable as names', () => {
    expect(join('SELECT * FROM a JOIN b ON a.k = b.k').within).toBeUndefined();
    const j = join('SELECT grace, period FROM a grace JOIN b period ON grace.k = period.k');
    expect(j.left).toMatchObject({ alias: { name: 'grace' } });
  });

  it('joins after the first keep their own windows', () => {
    const outer = join('SELECT * FROM a JOIN b WITHIN 1 SECOND ON a.k = b.k JOIN c ON a.k = c.k');
    expect(outer.within).toBeUndefined();
    expect((outer.left as JoinRef).within).toMatchObject({ beforeMs: 1000 });
  });

  it('refuses units ksqlDB does not have, fractions, and a missing unit, with positions', () => {
    const sql = 'SELECT * FROM a JOIN b WITHIN 1 MONTH ON a.k = b.k';
    const month = parseError(sql);
    expect(month.message).toMatch(/'MONTH' is not a unit of a join window/);
    expect(month.diagnostics[0]!.span?.start).toBe(sql.indexOf('MONTH'));
    const frac = parseError('SELECT * FROM a JOIN b WITHIN 1.5 SECONDS ON a.k = b.k');
    expect(frac.message).toMatch(/whole number/);
    expect(() => parseStatement('SELECT * FROM a JOIN b WITHIN 10 ON a.k = b.k')).toThrow(EddyError);
    expect(() => parseStatement('SELECT * FROM a JOIN b WITHIN (1 SECOND) ON a.k = b.k')).toThrow(EddyError);
    expect(() => parseStatement('SELECT * FROM a JOIN b WITHIN 1 SECOND GRACE 2 SECONDS ON a.k = b.k')).toThrow(EddyError);
  });
});
