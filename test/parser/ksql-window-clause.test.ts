/** ksqlDB's window clause (`WINDOW TUMBLING|HOPPING|SESSION (...)` after FROM) and `EMIT FINAL`. */
import { describe, expect, it } from 'vitest';
import { EddyError, ErrorCode } from '../../src/common/errors.js';
import { parseStatement } from '../../src/parser/index.js';
import { query, select } from './helpers.js';

/** The diagnostics of a statement that must not parse, with the text each one points at. */
function problems(sql: string): { message: string; at: string; code: string }[] {
  try {
    parseStatement(sql);
  } catch (e) {
    if (!(e instanceof EddyError)) throw e;
    return e.diagnostics.map((d) => ({ message: d.message, at: d.span ? sql.slice(d.span.start, d.span.end) : '', code: d.code }));
  }
  throw new Error(`parsed: ${sql}`);
}

describe('ksqlDB WINDOW clause', () => {
  it('parses TUMBLING with SIZE, RETENTION and GRACE PERIOD into milliseconds', () => {
    const sql = 'SELECT k, COUNT(*) FROM s WINDOW TUMBLING (SIZE 30 SECONDS, RETENTION 2 DAYS, GRACE PERIOD 10 MINUTES) WHERE x > 1 GROUP BY k EMIT CHANGES';
    const s = select(sql);
    expect(s.ksqlWindow).toMatchObject({ kind: 'KsqlWindow', type: 'TUMBLING', sizeMs: 30_000, retentionMs: 2 * 86_400_000, graceMs: 600_000 });
    expect(s.ksqlWindow!.advanceMs).toBeUndefined();
    expect(sql.slice(s.ksqlWindow!.span.start, s.ksqlWindow!.span.end)).toBe('WINDOW TUMBLING (SIZE 30 SECONDS, RETENTION 2 DAYS, GRACE PERIOD 10 MINUTES)');
    expect(s.where).toBeDefined();
    expect(s.groupBy).toHaveLength(1);
    expect(query(sql).emit).toBe('CHANGES');
  });

  it('parses HOPPING with ADVANCE BY, singular and plural units, any case', () => {
    const s = select('select k, count(*) from s window hopping (size 1 hour, advance by 500 milliseconds) group by k');
    expect(s.ksqlWindow).toMatchObject({ type: 'HOPPING', sizeMs: 3_600_000, advanceMs: 500 });
    expect(s.ksqlWindow!.graceMs).toBeUndefined();
    expect(select('SELECT k FROM s WINDOW HOPPING (SIZE 1 DAY, ADVANCE BY 1 MINUTE, GRACE PERIOD 0 SECONDS) GROUP BY k').ksqlWindow).toMatchObject({ sizeMs: 86_400_000, advanceMs: 60_000, graceMs: 0 });
  });

  it('parses SESSION with a bare gap', () => {
    const s = select('SELECT k, COUNT(*) FROM s WINDOW SESSION (60 SECONDS, GRACE PERIOD 1 SECOND) GROUP BY k');
    expect(s.ksqlWindow).toMatchObject({ type: 'SESSION', sizeMs: 60_000, graceMs: 1_000 });
  });

  it('stands after the FROM clause with its joins', () => {
    const s = select('SELECT a.k, COUNT(*) FROM a JOIN b ON a.k = b.k WINDOW TUMBLING (SIZE 1 MINUTE) GROUP BY a.k');
    expect(s.from?.kind).toBe('JoinRef');
    expect(s.ksqlWindow?.type).toBe('TUMBLING');
  });

  it('EMIT FINAL is the query\'s emit mode', () => {
    expect(query('SELECT k, COUNT(*) FROM s WINDOW TUMBLING (SIZE 1 MINUTE) GROUP BY k EMIT FINAL').emit).toBe('FINAL');
  });

  it("keeps Flink's named WINDOW clause working, with and without WHERE / GROUP BY before it", () => {
    const a = select('SELECT SUM(b) OVER w FROM t WINDOW w AS (PARTITION BY k ORDER BY ts)');
    expect(a.windows?.map((w) => w.name.name)).toEqual(['w']);
    expect(a.ksqlWindow).toBeUndefined();
    // A window named like a ksqlDB keyword is still a named window.
    const b = select('SELECT SUM(b) OVER tumbling FROM t WINDOW tumbling AS (ORDER BY ts)');
    expect(b.windows?.map((w) => w.name.name)).toEqual(['tumbling']);
    expect(b.ksqlWindow).toBeUndefined();
    // Both clauses in one select.
    const c = select('SELECT k FROM t WINDOW SESSION (5 SECONDS) GROUP BY k WINDOW w AS (ORDER BY ts)');
    expect(c.ksqlWindow?.type).toBe('SESSION');
    expect(c.windows).toHaveLength(1);
  });

  it('the new keywords stay usable as names', () => {
    const s = select('SELECT size, session, grace, period, advance, retention, tumbling, hopping FROM t');
    expect(s.items).toHaveLength(8);
  });

  it('rejects zero, negative and fractional durations with positioned errors', () => {
    expect(problems('SELECT k FROM s WINDOW TUMBLING (SIZE 0 SECONDS) GROUP BY k')).toEqual([
      { message: 'SIZE must be positive, a whole number of milliseconds', at: '0 SECONDS', code: ErrorCode.INVALID_WINDOW },
    ]);
    expect(problems('SELECT k FROM s WINDOW SESSION (-5 MINUTES) GROUP BY k')).toEqual([
      { message: 'The session gap must be positive, a whole number of milliseconds', at: '-5 MINUTES', code: ErrorCode.INVALID_WINDOW },
    ]);
    expect(problems('SELECT k FROM s WINDOW TUMBLING (SIZE 1 SECOND, GRACE PERIOD -1 SECOND) GROUP BY k')[0]).toMatchObject({ message: 'GRACE PERIOD must be zero or positive, a whole number of milliseconds', at: '-1 SECOND' });
    expect(problems('SELECT k FROM s WINDOW TUMBLING (SIZE 1.5 MILLISECONDS) GROUP BY k')[0]).toMatchObject({ at: '1.5 MILLISECONDS' });
  });

  it('rejects ADVANCE BY larger than SIZE, and a missing ADVANCE BY or SIZE', () => {
    expect(problems('SELECT k FROM s WINDOW HOPPING (SIZE 10 SECONDS, ADVANCE BY 11 SECONDS) GROUP BY k')).toEqual([
      { message: 'ADVANCE BY must not be larger than SIZE', at: 'ADVANCE BY 11 SECONDS', code: ErrorCode.INVALID_WINDOW },
    ]);
    expect(problems('SELECT k FROM s WINDOW HOPPING (SIZE 10 SECONDS) GROUP BY k')).toEqual([
      { message: 'A HOPPING window needs ADVANCE BY', at: 'WINDOW HOPPING (SIZE 10 SECONDS)', code: ErrorCode.INVALID_WINDOW },
    ]);
    expect(problems('SELECT k FROM s WINDOW TUMBLING (GRACE PERIOD 1 SECOND) GROUP BY k')[0]).toMatchObject({ message: 'A TUMBLING window needs SIZE' });
  });

  it('rejects properties a window type does not take, given twice, or in units ksqlDB does not accept', () => {
    expect(problems('SELECT k FROM s WINDOW TUMBLING (SIZE 1 SECOND, ADVANCE BY 1 SECOND) GROUP BY k')[0]).toMatchObject({ message: 'A TUMBLING window does not take ADVANCE BY', at: 'ADVANCE BY 1 SECOND' });
    expect(problems('SELECT k FROM s WINDOW SESSION (SIZE 1 SECOND) GROUP BY k').map((p) => p.message)).toEqual([
      'A SESSION window needs the session gap',
      'A SESSION window does not take SIZE',
    ]);
    expect(problems('SELECT k FROM s WINDOW TUMBLING (SIZE 1 SECOND, SIZE 2 SECONDS) GROUP BY k')[0]).toMatchObject({ message: 'SIZE is given twice', at: 'SIZE 2 SECONDS' });
    expect(problems('SELECT k FROM s WINDOW TUMBLING (SIZE 1 WEEK) GROUP BY k')[0]).toMatchObject({ message: 'ksqlDB windows do not take the unit WEEK', at: '1 WEEK' });
  });

  it('a window type ksqlDB does not have is a syntax error', () => {
    expect(problems('SELECT k FROM s WINDOW SLIDING (SIZE 1 SECOND) GROUP BY k').length).toBeGreaterThan(0);
  });
});
