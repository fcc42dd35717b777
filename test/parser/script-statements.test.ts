// ksqlDB's scripting and inspection statements: RUN SCRIPT, DEFINE, UNDEFINE, UNSET, TERMINATE, SHOW|LIST
// STREAMS|TABLES|QUERIES|PROPERTIES|FUNCTIONS|VARIABLES [EXTENDED], DESCRIBE name EXTENDED — and their words
// staying usable as names.
import { describe, expect, it } from 'vitest';
import { parseScript } from '../../src/parser/index.js';
import { select, stmt } from './helpers.js';

/** The diagnostics of a script that does not parse. */
function problems(sql: string): { message: string; text: string; hint?: string }[] {
  return parseScript(sql).diagnostics.map((d) => ({ message: d.message, text: sql.slice(d.span?.start ?? 0, d.span?.end ?? 0), ...(d.hint ? { hint: d.hint } : {}) }));
}

describe('RUN SCRIPT', () => {
  it('takes a quoted path, kept as written, with its span', () => {
    const sql = "RUN SCRIPT 'dir/it''s.sql'";
    const s = stmt(sql, 'RunScriptStatement');
    expect(s.path).toBe("dir/it's.sql");
    expect(sql.slice(s.pathSpan.start, s.pathSpan.end)).toBe("'dir/it''s.sql'");
    expect(stmt("run script '/abs/x.sql';", 'RunScriptStatement').path).toBe('/abs/x.sql');
  });

  it('refuses an unquoted or empty path', () => {
    expect(problems('RUN SCRIPT x.sql').length).toBeGreaterThan(0);
    expect(problems("RUN SCRIPT ''")).toEqual([{ message: 'RUN SCRIPT needs a file name', text: "''" }]);
  });
});

describe('DEFINE and UNDEFINE', () => {
  it('parses a name and a quoted value (triple quotes keep one quote, as in ksqlDB)', () => {
    expect(stmt("DEFINE format = 'JSON'", 'DefineStatement')).toMatchObject({ name: 'format', value: 'JSON' });
    expect(stmt("define topicName = '''my_topic'''", 'DefineStatement')).toMatchObject({ name: 'topicName', value: "'my_topic'" });
    expect(stmt("DEFINE empty = ''", 'DefineStatement').value).toBe('');
  });

  it('parses UNDEFINE with the span of the name', () => {
    const s = stmt('UNDEFINE replica_count', 'UndefineStatement');
    expect(s.name).toBe('replica_count');
    expect(s.nameSpan).toMatchObject({ start: 9, end: 22 });
  });

  it('refuses a backquoted name and a value that is not a string', () => {
    expect(problems("DEFINE `a b` = 'x'")).toEqual([
      { message: "A variable's name is a plain name (a letter or '_', then letters, digits or '_'), not `a b`", text: '`a b`' },
    ]);
    expect(problems('DEFINE a = 3').length).toBe(1);
    expect(problems("DEFINE a 'x'").length).toBe(1);
  });
});

describe('UNSET and TERMINATE', () => {
  it('parses UNSET of a quoted key', () => {
    expect(stmt("UNSET 'auto.offset.reset'", 'UnsetStatement').key).toBe('auto.offset.reset');
    expect(problems('UNSET auto').length).toBe(1);
  });

  it('parses TERMINATE of a query id (a name or a quoted id) and TERMINATE ALL', () => {
    const s = stmt('TERMINATE CSAS_PAGEVIEWS_1', 'TerminateStatement');
    expect(s.queryId).toBe('CSAS_PAGEVIEWS_1');
    expect(s.queryIdSpan).toMatchObject({ start: 10, end: 26 });
    expect(stmt("terminate 'job-3'", 'TerminateStatement').queryId).toBe('job-3');
    const unquoted = stmt('TERMINATE job-12', 'TerminateStatement');
    expect(unquoted).toMatchObject({ queryId: 'job-12', queryIdSpan: { start: 10, end: 16 } });
    expect(problems('TERMINATE job - 12')).toEqual([{ message: 'Not a query id: job - 12', text: 'job - 12', hint: "TERMINATE 'job-12'" }]);
    const all = stmt('TERMINATE ALL', 'TerminateStatement');
    expect(all.queryId).toBeUndefined();
    expect(problems('TERMINATE').length).toBe(1);
  });
});

describe('SHOW and LIST', () => {
  it("parses ksqlDB's SHOW forms", () => {
    expect(stmt('SHOW STREAMS', 'ShowStatement')).toMatchObject({ what: 'STREAMS' });
    expect(stmt('SHOW STREAMS EXTENDED', 'ShowStatement')).toMatchObject({ what: 'STREAMS', extended: true });
    expect(stmt('SHOW QUERIES', 'ShowStatement')).toMatchObject({ what: 'QUERIES' });
    expect(stmt('show queries extended', 'ShowStatement')).toMatchObject({ what: 'QUERIES', extended: true });
    expect(stmt('SHOW PROPERTIES', 'ShowStatement')).toMatchObject({ what: 'PROPERTIES' });
    expect(stmt('SHOW VARIABLES', 'ShowStatement')).toMatchObject({ what: 'VARIABLES' });
    expect(stmt('SHOW TABLES EXTENDED', 'ShowStatement')).toMatchObject({ what: 'TABLES', extended: true });
  });

  it('keeps SHOW TABLES as it was (not LIST, not EXTENDED)', () => {
    const s = stmt('SHOW TABLES', 'ShowStatement');
    expect(s.what).toBe('TABLES');
    expect(s.list).toBeUndefined();
    expect(s.extended).toBeUndefined();
  });

  it('takes LIST as a synonym of SHOW, remembering it was written LIST', () => {
    for (const what of ['STREAMS', 'TABLES', 'QUERIES', 'PROPERTIES', 'FUNCTIONS', 'VARIABLES'] as const) {
      expect(stmt(`LIST ${what}`, 'ShowStatement')).toMatchObject({ what, list: true });
    }
    expect(stmt('list tables extended', 'ShowStatement')).toMatchObject({ what: 'TABLES', list: true, extended: true });
    expect(stmt('LIST TOPICS', 'ShowTopicsStatement')).toMatchObject({ all: false, extended: false });
    expect(stmt('LIST ALL TOPICS EXTENDED', 'ShowTopicsStatement')).toMatchObject({ all: true, extended: true });
  });

  it("refuses LIST before Flink's SHOW forms", () => {
    expect(problems('LIST JOBS')).toEqual([
      { message: "LIST is ksqlDB's synonym of SHOW for TABLES, STREAMS, QUERIES, PROPERTIES, FUNCTIONS, VARIABLES, TOPICS only", text: 'LIST JOBS', hint: 'write SHOW instead of LIST' },
    ]);
    expect(problems('LIST MATERIALIZED VIEWS').length).toBe(1);
    expect(problems('LIST CREATE TABLE t').length).toBe(1);
  });

  it('names the new forms when a SHOW form is unknown', () => {
    const [p] = problems('SHOW STREAMZ');
    expect(p!.message).toContain('SHOW STREAMS');
    expect(p!.hint).toBe('did you mean `SHOW STREAMS`?');
  });
});

describe('DESCRIBE ... EXTENDED', () => {
  it('parses EXTENDED after the name', () => {
    expect(stmt('DESCRIBE pageviews EXTENDED', 'DescribeStatement')).toMatchObject({ name: { parts: [{ name: 'pageviews' }] }, extended: true });
    expect(stmt('DESCRIBE pageviews', 'DescribeStatement').extended).toBeUndefined();
  });

  it('still describes a table called extended', () => {
    const s = stmt('DESCRIBE extended', 'DescribeStatement');
    expect(s.name.parts[0]!.name).toBe('extended');
    expect(s.extended).toBeUndefined();
    expect(stmt('DESCRIBE extended EXTENDED', 'DescribeStatement')).toMatchObject({ name: { parts: [{ name: 'extended' }] }, extended: true });
  });
});

describe("the new words stay names where names were", () => {
  const words = ['run', 'script', 'define', 'undefine', 'unset', 'terminate', 'list', 'streams', 'queries', 'properties', 'variables'];

  it('as columns, aliases and tables of a query', () => {
    const cols = words.join(', ');
    const s = select(`SELECT ${cols}, list AS queries FROM streams AS variables WHERE terminate > 0`);
    expect(s.items).toHaveLength(words.length + 1);
  });

  it('as column names of a CREATE TABLE, and table names of DDL, INSERT and DESCRIBE', () => {
    const ddl = stmt(`CREATE TABLE define (${words.map((w) => `${w} INT`).join(', ')}) WITH ('connector' = 'datagen')`, 'CreateTable');
    expect(ddl.columns.map((c) => c.name.name)).toEqual(words);
    expect(stmt('INSERT INTO queries SELECT * FROM list', 'InsertStatement').target.parts[0]!.name).toBe('queries');
    expect(stmt('DROP TABLE streams', 'DropStatement').name.parts[0]!.name).toBe('streams');
    expect(stmt('DESCRIBE variables', 'DescribeStatement').name.parts[0]!.name).toBe('variables');
    expect(stmt('SHOW COLUMNS FROM properties', 'ShowStatement').name!.parts[0]!.name).toBe('properties');
  });

  it('as the name of a defined variable', () => {
    expect(stmt("DEFINE list = 'x'", 'DefineStatement').name).toBe('list');
    expect(stmt('UNDEFINE streams', 'UndefineStatement').name).toBe('streams');
  });
});
