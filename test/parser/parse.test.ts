import { describe, expect, it } from 'vitest';
import { EddyError } from '../../src/common/errors.js';
import { parseScript, parseStatement } from '../../src/parser/index.js';
import type { JoinRef, TableFunctionRef, TableName } from '../../src/parser/index.js';
import { as, query, select, stmt } from './helpers.js';

const names = (ids: readonly { name: string }[] | undefined) => ids?.map((i) => i.name);

describe('CREATE TABLE', () => {
  const sql = `CREATE TEMPORARY TABLE IF NOT EXISTS cat.db.rides (
  ride_id BIGINT NOT NULL PRIMARY KEY NOT ENFORCED COMMENT 'the id',
  \`value\` STRING, key INT, data DOUBLE, name VARCHAR(10), type DECIMAL(10, 2), comment STRING, size INT,
  ts TIMESTAMP(3),
  fare AS ride_id * 2 COMMENT 'computed',
  p AS PROCTIME(),
  WATERMARK FOR ts AS ts - INTERVAL '5' SECOND
) COMMENT 'rides' PARTITIONED BY (key) WITH ('connector' = 'kafka', 'scan.startup.mode' = 'earliest-offset')`;

  it('parses columns, computed columns, watermark, key, comment, partitions and options', () => {
    const t = stmt(sql, 'CreateTable');
    expect(t.temporary).toBe(true);
    expect(t.ifNotExists).toBe(true);
    expect(names(t.name.parts)).toEqual(['cat', 'db', 'rides']);
    expect(t.columns.map((c) => `${c.kind}:${c.name.name}`)).toEqual([
      'PhysicalColumn:ride_id', 'PhysicalColumn:value', 'PhysicalColumn:key', 'PhysicalColumn:data',
      'PhysicalColumn:name', 'PhysicalColumn:type', 'PhysicalColumn:comment', 'PhysicalColumn:size',
      'PhysicalColumn:ts', 'ComputedColumn:fare', 'ComputedColumn:p',
    ]);
    const first = t.columns[0]!;
    expect(first.kind === 'PhysicalColumn' && first.type).toEqual({ name: 'BIGINT', nullable: false });
    expect(first.comment).toBe('the id');
    expect(t.columns[1]!.name.quoted).toBe(true);
    expect(t.columns[9]!.comment).toBe('computed');
    const p = t.columns[10]!;
    expect(p.kind === 'ComputedColumn' && as(p.expr, 'FunctionCall').name.parts[0]!.name).toBe('PROCTIME');
    expect(t.watermark?.column.name).toBe('ts');
    expect(as(t.watermark?.expr, 'BinaryExpr').op).toBe('-');
    expect(names(t.primaryKey)).toEqual(['ride_id']);
    expect(names(t.partitionedBy)).toEqual(['key']);
    expect(t.comment).toBe('rides');
    expect(t.options.map((o) => [o.key, o.value])).toEqual([
      ['connector', 'kafka'],
      ['scan.startup.mode', 'earliest-offset'],
    ]);
  });

  it('gives option key and value spans', () => {
    const t = stmt("CREATE TABLE t (a INT) WITH ('connector' = 'datagen')", 'CreateTable');
    const o = t.options[0]!;
    expect(o.keySpan).toMatchObject({ start: 29, end: 40, line: 1, column: 30 });
    expect(o.valueSpan).toMatchObject({ start: 43, end: 52 });
  });

  it('takes a PRIMARY KEY constraint over several columns', () => {
    const t = stmt('CREATE TABLE t (a INT, b INT, PRIMARY KEY (a, b) NOT ENFORCED) WITH ()', 'CreateTable');
    expect(names(t.primaryKey)).toEqual(['a', 'b']);
  });

  it('keeps the statement text without the trailing semicolon, and its span', () => {
    const r = parseScript("  -- tables\nCREATE TABLE t (a INT) WITH ('k' = 'v');\n");
    expect(r.diagnostics).toEqual([]);
    const s = r.statements[0]!;
    expect(s.text).toBe("CREATE TABLE t (a INT) WITH ('k' = 'v')");
    expect(s.span).toMatchObject({ start: 12, line: 2, column: 1 });
  });
});

describe('CREATE VIEW / DROP', () => {
  it('parses views', () => {
    const v = stmt('CREATE TEMPORARY VIEW IF NOT EXISTS v (a, b) AS SELECT x, y FROM t', 'CreateView');
    expect(v.temporary).toBe(true);
    expect(v.ifNotExists).toBe(true);
    expect(names(v.columnNames)).toEqual(['a', 'b']);
    expect(v.query.body.kind).toBe('Select');
  });

  it('parses DROP', () => {
    expect(stmt('DROP TEMPORARY VIEW IF EXISTS v', 'DropStatement')).toMatchObject({ objectType: 'VIEW', ifExists: true, temporary: true });
    expect(stmt('drop table db.t', 'DropStatement')).toMatchObject({ objectType: 'TABLE', ifExists: false, temporary: false });
  });
});

describe('INSERT and statement sets', () => {
  it('parses INSERT INTO with columns and INSERT OVERWRITE', () => {
    const i = stmt('INSERT INTO sink (a, b) SELECT a, b FROM src', 'InsertStatement');
    expect(names(i.target.parts)).toEqual(['sink']);
    expect(names(i.columns)).toEqual(['a', 'b']);
    expect(i.overwrite).toBe(false);
    expect(stmt('INSERT OVERWRITE sink VALUES (1, 2)', 'InsertStatement').overwrite).toBe(true);
    expect(stmt('INSERT INTO sink (SELECT 1)', 'InsertStatement').columns).toBeUndefined();
  });

  it('parses EXECUTE STATEMENT SET with inner semicolons as one statement', () => {
    const r = parseScript(
      'EXECUTE STATEMENT SET BEGIN INSERT INTO a SELECT * FROM x; INSERT INTO b SELECT CASE WHEN v THEN 1 END FROM y; END; SHOW TABLES',
    );
    expect(r.diagnostics).toEqual([]);
    expect(r.statements.map((s) => s.kind)).toEqual(['StatementSet', 'ShowStatement']);
    const set = r.statements[0]!;
    expect(set.kind === 'StatementSet' && set.inserts.map((i) => i.text)).toEqual([
      'INSERT INTO a SELECT * FROM x',
      'INSERT INTO b SELECT CASE WHEN v THEN 1 END FROM y',
    ]);
  });

  it('parses BEGIN STATEMENT SET; ... END;', () => {
    const r = parseScript('BEGIN STATEMENT SET;\nINSERT INTO a SELECT 1;\nINSERT INTO b SELECT 2;\nEND;\nSELECT 3;');
    expect(r.diagnostics).toEqual([]);
    expect(r.statements.map((s) => s.kind)).toEqual(['StatementSet', 'QueryStatement']);
  });
});

describe('queries', () => {
  it('parses a windowed aggregation over a TUMBLE TVF', () => {
    const s = select(`SELECT window_start, window_end, COUNT(*) AS rides
      FROM TABLE(TUMBLE(TABLE rides, DESCRIPTOR(ts), INTERVAL '10' MINUTES)) GROUP BY window_start, window_end`);
    const from = s.from as TableFunctionRef;
    expect(from.kind).toBe('TableFunctionRef');
    expect(from.name.parts[0]!.name).toBe('TUMBLE');
    expect(from.args.map((a) => a.value.kind)).toEqual(['TableArg', 'DescriptorArg', 'IntervalLiteral']);
    expect(from.args[2]!.value).toMatchObject({ value: '10', from: 'MINUTE' });
    expect(s.groupBy.map((g) => as(g, 'ColumnRef').name.parts[0]!.name)).toEqual(['window_start', 'window_end']);
    const count = s.items[2]!;
    expect(count.kind === 'SelectExpr' && count.alias?.name).toBe('rides');
    expect(count.kind === 'SelectExpr' && as(count.expr, 'FunctionCall').star).toBe(true);
  });

  it('parses HOP, CUMULATE, SESSION with PARTITION BY, and named arguments', () => {
    const hop = select("SELECT * FROM TABLE(HOP(TABLE t, DESCRIPTOR(ts), INTERVAL '5' MINUTE, INTERVAL '1' HOUR)) AS w").from as TableFunctionRef;
    expect(hop.args).toHaveLength(4);
    expect(hop.alias?.name).toBe('w');
    const cum = select("SELECT * FROM TABLE(CUMULATE(TABLE t, DESCRIPTOR(ts), INTERVAL '1' MINUTE, INTERVAL '1' HOUR))").from as TableFunctionRef;
    expect(cum.name.parts[0]!.name).toBe('CUMULATE');
    const session = select("SELECT * FROM TABLE(SESSION(TABLE bids PARTITION BY item, DESCRIPTOR(ts), INTERVAL '5' MINUTE))").from as TableFunctionRef;
    const table = session.args[0]!.value;
    expect(table.kind === 'TableArg' && table.partitionBy.map((e) => as(e, 'ColumnRef').name.parts[0]!.name)).toEqual(['item']);
    const named = select(
      "SELECT * FROM TABLE(TUMBLE(DATA => TABLE t, TIMECOL => DESCRIPTOR(ts), SIZE => INTERVAL '1' HOUR))",
    ).from as TableFunctionRef;
    expect(named.args.map((a) => a.name?.name)).toEqual(['DATA', 'TIMECOL', 'SIZE']);
  });

  it('parses legacy group windows', () => {
    const s = select("SELECT TUMBLE_START(ts, INTERVAL '1' HOUR), COUNT(*) FROM t GROUP BY k, TUMBLE(ts, INTERVAL '1' HOUR)");
    expect(as(s.groupBy[1], 'FunctionCall').name.parts[0]!.name).toBe('TUMBLE');
    const item = s.items[0]!;
    expect(item.kind === 'SelectExpr' && as(item.expr, 'FunctionCall').name.parts[0]!.name).toBe('TUMBLE_START');
  });

  it('parses joins of every kind', () => {
    const s = select(`SELECT * FROM a JOIN b ON a.id = b.id LEFT OUTER JOIN c USING (id) RIGHT JOIN d ON TRUE
      FULL JOIN e ON TRUE CROSS JOIN f INNER JOIN g ON TRUE, h`);
    const types: string[] = [];
    let ref = s.from!;
    while (ref.kind === 'JoinRef') {
      types.unshift(ref.joinType);
      ref = ref.left;
    }
    expect(types).toEqual(['INNER', 'LEFT', 'RIGHT', 'FULL', 'CROSS', 'INNER', 'CROSS']);
    const top = s.from as JoinRef;
    expect((top.right as TableName).name.parts[0]!.name).toBe('h');
  });

  it('parses aliases, column aliases, temporal joins, subqueries and LATERAL TABLE', () => {
    const s = select(`SELECT o.id, r.rate FROM orders AS o (id, cur)
      JOIN rates FOR SYSTEM_TIME AS OF o.ts r ON o.cur = r.cur
      JOIN (SELECT 1 AS x) sub ON TRUE, LATERAL TABLE(split(o.tags)) AS tg (tag)`);
    const outer = s.from as JoinRef;
    const tf = outer.right as TableFunctionRef;
    expect(tf).toMatchObject({ kind: 'TableFunctionRef', lateral: true });
    expect(tf.alias?.name).toBe('tg');
    expect(names(tf.columnAliases)).toEqual(['tag']);
    const j2 = outer.left as JoinRef;
    expect(j2.right).toMatchObject({ kind: 'SubqueryRef', lateral: false });
    const j1 = j2.left as JoinRef;
    const rates = j1.right as TableName;
    expect(rates.alias?.name).toBe('r');
    expect(as(rates.forSystemTimeAsOf, 'ColumnRef').name.parts.map((p) => p.name)).toEqual(['o', 'ts']);
    const orders = j1.left as TableName;
    expect(orders.alias?.name).toBe('o');
    expect(names(orders.columnAliases)).toEqual(['id', 'cur']);
  });

  it('parses WITH, set operations, ORDER BY, LIMIT, OFFSET and EMIT', () => {
    const q = query(`WITH a AS (SELECT 1), b (x) AS (SELECT 2)
      SELECT * FROM a UNION ALL SELECT * FROM b EXCEPT SELECT 3 ORDER BY 1 DESC NULLS LAST, 2 LIMIT 10 OFFSET 5 EMIT CHANGES`);
    expect(q.with.map((c) => c.name.name)).toEqual(['a', 'b']);
    expect(names(q.with[1]!.columnNames)).toEqual(['x']);
    expect(q.body).toMatchObject({ kind: 'SetOperation', op: 'EXCEPT', all: false, left: { kind: 'SetOperation', op: 'UNION', all: true } });
    expect(q.orderBy.map((o) => [o.descending, o.nullsFirst])).toEqual([[true, false], [false, undefined]]);
    expect(q.limit).toMatchObject({ kind: 'Literal', text: '10' });
    expect(q.offset).toMatchObject({ kind: 'Literal', text: '5' });
    expect(q.emit).toBe('CHANGES');
    expect(query('SELECT 1 INTERSECT SELECT 2 EMIT FINAL').emit).toBe('FINAL');
  });

  it('parses parenthesized queries, VALUES, DISTINCT, qualified stars, WHERE and HAVING', () => {
    expect(query('(SELECT 1) UNION (SELECT 2)').body).toMatchObject({ kind: 'SetOperation', left: { kind: 'Select' }, right: { kind: 'Select' } });
    expect(query('VALUES (1, 2), (3, 4)').body).toMatchObject({ kind: 'Values', rows: [[{ text: '1' }, { text: '2' }], [{}, {}]] });
    const s = select('SELECT DISTINCT t.*, * FROM t WHERE a > 1 GROUP BY a HAVING COUNT(*) > 2');
    expect(s.distinct).toBe(true);
    expect(s.items[0]).toMatchObject({ kind: 'SelectStar', qualifier: { parts: [{ name: 't' }] } });
    expect(s.items[1]).toMatchObject({ kind: 'SelectStar' });
    expect(s.where?.kind).toBe('BinaryExpr');
    expect(s.having?.kind).toBe('BinaryExpr');
  });

  it('accepts non-reserved keywords as names', () => {
    const s = select('SELECT value, key, data, name, type, comment, size, timestamp, date, hour, minute, `select` FROM tables');
    expect(s.items.map((i) => i.kind === 'SelectExpr' && as(i.expr, 'ColumnRef').name.parts[0]!.name)).toEqual([
      'value', 'key', 'data', 'name', 'type', 'comment', 'size', 'timestamp', 'date', 'hour', 'minute', 'select',
    ]);
  });
});

describe('other statements', () => {
  it('parses SET, RESET, SHOW, DESCRIBE', () => {
    expect(stmt("SET 'table.exec.mini-batch.enabled' = 'true'", 'SetStatement')).toMatchObject({ key: 'table.exec.mini-batch.enabled', value: 'true' });
    expect(stmt('SET', 'SetStatement').key).toBeUndefined();
    expect(stmt("RESET 'k'", 'ResetStatement').key).toBe('k');
    expect(stmt('RESET', 'ResetStatement').key).toBeUndefined();
    expect(stmt('SHOW TABLES', 'ShowStatement').what).toBe('TABLES');
    expect(stmt('show views', 'ShowStatement').what).toBe('VIEWS');
    expect(stmt('SHOW FUNCTIONS', 'ShowStatement').what).toBe('FUNCTIONS');
    expect(names(stmt('DESCRIBE db.t', 'DescribeStatement').name.parts)).toEqual(['db', 't']);
    expect(stmt('DESC t', 'DescribeStatement').kind).toBe('DescribeStatement');
  });

  it('parses EXPLAIN of a query, an INSERT and a statement set', () => {
    expect(stmt('EXPLAIN SELECT 1', 'ExplainStatement').statement).toMatchObject({ kind: 'QueryStatement', text: 'SELECT 1' });
    expect(stmt('EXPLAIN PLAN FOR INSERT INTO t SELECT 1', 'ExplainStatement').statement.kind).toBe('InsertStatement');
    expect(stmt('EXPLAIN EXECUTE STATEMENT SET BEGIN INSERT INTO t SELECT 1; END', 'ExplainStatement').statement.kind).toBe('StatementSet');
  });
});

describe('scripts', () => {
  it('splits on semicolons, with an optional last one, ignoring empty statements', () => {
    const r = parseScript('SELECT 1;;\nSELECT 2;\n-- done\n');
    expect(r.diagnostics).toEqual([]);
    expect(r.statements.map((s) => s.text)).toEqual(['SELECT 1', 'SELECT 2']);
  });

  it('keeps going after a bad statement', () => {
    const r = parseScript('SELECT 1; SELECT FROM t; SELECT 3');
    expect(r.statements.map((s) => s.text)).toEqual(['SELECT 1', 'SELECT 3']);
    expect(r.diagnostics).toHaveLength(1);
  });

  it('parseStatement rejects two statements and empty input', () => {
    expect(() => parseStatement('SELECT 1; SELECT 2')).toThrow(/Expected one statement/);
    expect(() => parseStatement('  -- nothing')).toThrow(EddyError);
    expect(parseStatement('SELECT 1;').kind).toBe('QueryStatement');
  });

  it('puts spans at offsets of the whole script', () => {
    const text = 'SELECT 1;\nSELECT a,\n  b FROM t';
    const r = parseScript(text);
    const s = r.statements[1]!;
    expect(s.span).toMatchObject({ start: 10, end: text.length, line: 2, column: 1 });
    const b = s.kind === 'QueryStatement' && s.query.body.kind === 'Select' ? s.query.body.items[1]! : undefined;
    expect(b?.span).toEqual({ start: 22, end: 23, line: 3, column: 3 });
  });

  it('numbers ? parameters per statement', () => {
    const s = select('SELECT ?, a + ? FROM t WHERE b = ?');
    const where = as(s.where, 'BinaryExpr');
    expect(as(where.right, 'ParameterExpr').index).toBe(3);
  });
});
