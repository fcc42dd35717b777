import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../src/common/errors.js';
import { compileExpr } from '../../../src/expr/compile.js';
import { exprToString } from '../../../src/planner/explain.js';
import { TestPlanner, expectError, findLogical, spanText, ty } from '../helpers.js';

const DDL = [
  `CREATE TABLE ev (
     kind INT,
     person ROW<id BIGINT, name STRING, \`dateTime\` TIMESTAMP(3), addr ROW<city STRING, \`zip code\` INT>>,
     bid ROW<auction BIGINT, price BIGINT, \`dateTime\` TIMESTAMP(3)>,
     n INT,
     \`dateTime\` AS CASE WHEN kind = 0 THEN person.\`dateTime\` ELSE bid.\`dateTime\` END,
     WATERMARK FOR \`dateTime\` AS \`dateTime\` - INTERVAL '4' SECOND
   ) WITH ('connector' = 'filesystem', 'path' = '/tmp/ev', 'format' = 'json')`,
  // A table whose name is also the name of a ROW column of `ev`.
  `CREATE TABLE person (id BIGINT, bid ROW<price BIGINT>) WITH ('connector' = 'filesystem', 'path' = '/tmp/p', 'format' = 'json')`,
];

const planner = () => new TestPlanner(DDL);

/** Row of `ev`'s physical columns: kind, person, bid, n. */
const personRow = [0, [7, 'Ann', 1000, ['Bend', 97701]], null, 1];
const bidRow = [2, null, [1001, 55, 2000], 2];

describe('nested field access', () => {
  it('reads column.field as an index into the ROW value, with the field type, nullable as the ROW', () => {
    const p = planner();
    const e = p.expr('person.name', 'ev');
    expect(ty(e.type)).toBe('STRING');
    const f = compileExpr(e);
    expect(f(personRow)).toBe('Ann');
    expect(f(bidRow)).toBe(null);
    expect(compileExpr(p.expr('bid.price', 'ev'))(bidRow)).toBe(55);
    expect(exprToString(e)).toBe('person.`name`');
  });

  it('reaches deeper fields, quoted names and case-insensitive ones', () => {
    const p = planner();
    expect(compileExpr(p.expr('person.addr.`zip code`', 'ev'))(personRow)).toBe(97701);
    expect(compileExpr(p.expr('ev.person.addr.city', 'ev'))(personRow)).toBe('Bend');
    expect(compileExpr(p.expr('x.person.addr.CITY', 'ev AS x'))(personRow)).toBe('Bend');
    expect(compileExpr(p.expr('person.addr.city', 'ev'))(bidRow)).toBe(null);
    expect(ty(p.expr('person.addr', 'ev').type)).toBe('ROW<`city` STRING, `zip code` INT>');
  });

  it('uses a field in a computed column (the event time of the Nexmark DDL)', () => {
    const p = planner();
    const q = p.bind('SELECT `dateTime`, person.id FROM ev');
    expect(q.plan.schema.map((c) => c.name)).toEqual(['dateTime', 'id']);
    const scan = findLogical(q.plan, 'LogicalScan');
    const computed = scan.computed.find((c) => c !== undefined)!;
    expect(compileExpr(computed)(personRow)).toBe(1000);
    expect(compileExpr(computed)(bidRow)).toBe(2000);
    expect(ty(q.plan.schema[0]!.type)).toBe('TIMESTAMP(3) *ROWTIME*');
  });

  it('works in WHERE, GROUP BY and the select list of an aggregation', () => {
    const p = planner();
    const q = p.bind('SELECT bid.auction, COUNT(*), MAX(bid.price) FROM ev WHERE bid.price > 10 GROUP BY bid.auction');
    expect(q.plan.schema.map((c) => c.name)).toEqual(['auction', 'EXPR$1', 'EXPR$2']);
    expect(ty(q.plan.schema[0]!.type)).toBe('BIGINT');
    const filter = findLogical(q.plan, 'LogicalFilter');
    expect(compileExpr(filter.condition)(bidRow)).toBe(true);
    expect(compileExpr(filter.condition)(personRow)).toBe(null);
  });

  it('names a select item by its last field, as Flink does', () => {
    const q = planner().bind('SELECT person.addr.city, ev.bid.price AS p FROM ev');
    expect(q.plan.schema.map((c) => c.name)).toEqual(['city', 'p']);
  });

  it('lets a table or alias in scope win over a ROW column of the same name (Flink)', () => {
    const p = planner();
    // In a join of ev and person, `person.id` is the column of table person (BIGINT), not ev.person's field.
    const q = p.bind('SELECT person.id, person.bid.price, ev.person.id FROM ev, person');
    const project = findLogical(q.plan, 'LogicalProject');
    expect(project.exprs.map((e) => exprToString(e))).toEqual(['id', 'bid.`price`', 'person.`id`']);
    const row = [...personRow, 1000, 42, [9]]; // ev (with its computed dateTime), then person
    expect(project.exprs.map((e) => compileExpr(e)(row))).toEqual([42, 9, 7]);
    // Alone, `person` in FROM ev is the ROW column.
    expect(compileExpr(p.expr('person.id', 'ev'))(personRow)).toBe(7);
  });

  it('reports an unknown field at its name, with the fields it has', () => {
    const sql = 'SELECT person.nme FROM ev';
    const d = expectError(() => planner().bind(sql), ErrorCode.UNKNOWN_COLUMN);
    expect(spanText(sql, d)).toBe('nme');
    expect(d.message).toContain("has no field 'nme'");
    expect(d.hint).toContain('name');
    const deep = 'SELECT ev.person.addr.`zip` FROM ev';
    const d2 = expectError(() => planner().bind(deep), ErrorCode.UNKNOWN_COLUMN);
    expect(spanText(deep, d2)).toBe('`zip`');
    expect(d2.message).toContain("'person.addr'");
  });

  it('refuses a field of a column that is not a ROW, at the field', () => {
    const sql = 'SELECT n.x FROM ev';
    const d = expectError(() => planner().bind(sql), ErrorCode.TYPE_MISMATCH);
    expect(spanText(sql, d)).toBe('x');
    expect(d.message).toContain("'n' is of type INT, not a ROW");
  });

  it('says when a dotted name is neither a table in scope nor a column', () => {
    const sql = 'SELECT nope.id FROM ev';
    const d = expectError(() => planner().bind(sql), ErrorCode.UNKNOWN_TABLE);
    expect(spanText(sql, d)).toBe('nope.id');
    expect(d.message).toBe("Table or alias 'nope' is not in scope here, nor is a column of that name");
    // A qualifier that is in scope, with a column it does not have: the column is unknown (no ROW fallback).
    const sql2 = 'SELECT ev.nope.id FROM ev';
    expectError(() => planner().bind(sql2), ErrorCode.UNKNOWN_COLUMN);
  });

  it('checks fields in computed columns at CREATE TABLE', () => {
    const sql = `CREATE TABLE t2 (r ROW<a INT>, b AS r.c + 1) WITH ('connector' = 'filesystem', 'path' = '/tmp/t2', 'format' = 'json')`;
    const d = expectError(() => planner().createTable(sql), ErrorCode.UNKNOWN_COLUMN);
    expect(spanText(sql, d)).toBe('c');
  });
});
