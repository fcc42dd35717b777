// ksqlDB's Kafka statements: SHOW [ALL] TOPICS [EXTENDED] and PRINT 'topic' [FROM BEGINNING] [INTERVAL n] [LIMIT n].
import { describe, expect, it } from 'vitest';
import { parseScript } from '../../src/parser/index.js';
import { select, stmt } from './helpers.js';

/** The diagnostics of a script that does not parse. */
function problems(sql: string): { code: string; message: string; start: number; end: number }[] {
  return parseScript(sql).diagnostics.map((d) => ({ code: d.code, message: d.message, start: d.span?.start ?? -1, end: d.span?.end ?? -1 }));
}

describe('SHOW TOPICS', () => {
  it('parses SHOW TOPICS, SHOW ALL TOPICS and EXTENDED', () => {
    expect(stmt('SHOW TOPICS', 'ShowTopicsStatement')).toMatchObject({ all: false, extended: false, text: 'SHOW TOPICS' });
    expect(stmt('show all topics', 'ShowTopicsStatement')).toMatchObject({ all: true, extended: false });
    expect(stmt('SHOW TOPICS EXTENDED', 'ShowTopicsStatement')).toMatchObject({ all: false, extended: true });
    expect(stmt('SHOW ALL TOPICS EXTENDED', 'ShowTopicsStatement')).toMatchObject({ all: true, extended: true });
  });

  it('lists SHOW TOPICS among the SHOW forms of an unknown one', () => {
    const [p] = problems('SHOW TOPIX');
    expect(p!.message).toContain('SHOW [ALL] TOPICS');
  });

  it('refuses SHOW ALL without TOPICS', () => {
    expect(problems('SHOW ALL TABLES').length).toBeGreaterThan(0);
  });
});

describe('PRINT', () => {
  it('takes a quoted topic name as written', () => {
    const p = stmt("PRINT 'Rider-Locations'", 'PrintStatement');
    expect(p).toMatchObject({ topic: 'Rider-Locations', fromBeginning: false, interval: 1 });
    expect(p.limit).toBeUndefined();
    expect(p.topicSpan).toMatchObject({ start: 6, end: 23 });
  });

  it('takes a name, keeping its case, and a backquoted one', () => {
    expect(stmt('PRINT Orders', 'PrintStatement').topic).toBe('Orders');
    expect(stmt('PRINT `my.topic`', 'PrintStatement').topic).toBe('my.topic');
    expect(stmt("PRINT 'it''s'", 'PrintStatement').topic).toBe("it's");
  });

  it('parses FROM BEGINNING, INTERVAL (or SAMPLE) and LIMIT', () => {
    expect(stmt("PRINT 'orders' FROM BEGINNING INTERVAL 3 LIMIT 10", 'PrintStatement')).toMatchObject({ topic: 'orders', fromBeginning: true, interval: 3, limit: 10 });
    expect(stmt("print 'orders' sample 2", 'PrintStatement')).toMatchObject({ fromBeginning: false, interval: 2 });
    expect(stmt("PRINT 'orders' LIMIT 1", 'PrintStatement')).toMatchObject({ interval: 1, limit: 1 });
    expect(stmt("PRINT 'orders' FROM BEGINNING", 'PrintStatement').fromBeginning).toBe(true);
  });

  it('refuses a count that is not a whole number of at least 1, at the number', () => {
    const sql = "PRINT 'orders' INTERVAL 0 LIMIT 2.5";
    const ps = problems(sql);
    expect(ps.map((p) => p.message)).toEqual([
      'INTERVAL takes a whole number of records, at least 1, not 0',
      'LIMIT takes a whole number of records, at least 1, not 2.5',
    ]);
    expect(sql.slice(ps[0]!.start, ps[0]!.end)).toBe('0');
    expect(sql.slice(ps[1]!.start, ps[1]!.end)).toBe('2.5');
  });

  it('refuses an empty topic name, clauses out of order, and a missing topic', () => {
    expect(problems("PRINT ''").map((p) => p.message)).toEqual(['PRINT needs a topic name']);
    expect(problems("PRINT 'orders' LIMIT 3 FROM BEGINNING").length).toBeGreaterThan(0);
    expect(problems('PRINT').length).toBeGreaterThan(0);
    expect(problems("PRINT 'orders' FROM 'x'").length).toBeGreaterThan(0);
  });

  it('leaves print, topics and beginning usable as names', () => {
    const s = select('SELECT print, topics, beginning, sample, extended FROM t');
    expect(s.items).toHaveLength(5);
  });
});
