import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/common/errors.js';
import { parseStatement } from '../../src/parser/parse.js';
import { compileExpr } from '../../src/expr/compile.js';
import { TestPlanner, catchEddy, expectError, findPhysical, spanText, ty } from './helpers.js';
import { bag, evaluate, prng, randomOrders } from './evaluate.js';

const tp = new TestPlanner()
  .ddl(`CREATE VIEW vv AS SELECT user_id AS k, id AS c FROM orders`)
  .ddl(`CREATE TABLE wide (a INT, b STRING, c BIGINT NOT NULL) WITH ('connector' = 'blackhole')`);

const GROUPED = 'SELECT user_id, COUNT(*) FROM orders GROUP BY user_id';

describe('planInsert: changelog checks', () => {
  it('an updating query into a filesystem table is EDDY-L001 naming the table, the connector and the cause, with a fix', () => {
    const sql = `INSERT INTO out_file ${GROUPED}`;
    const d = expectError(() => tp.insert(sql), ErrorCode.UPDATING_INTO_APPEND_ONLY);
    expect(d.message).toContain("'out_file'");
    expect(d.message).toContain("'filesystem'");
    expect(d.message).toContain('GroupAggregate');
    expect(d.hint).toMatch(/window/i);
    expect(d.hint).toMatch(/print|blackhole/);
    expect(spanText(sql, d)).toBe(GROUPED);
  });

  it('SELECT DISTINCT into a filesystem table is EDDY-L001 too', () => {
    expectError(() => tp.insert('INSERT INTO out_file SELECT DISTINCT qty, id FROM orders'), ErrorCode.UPDATING_INTO_APPEND_ONLY);
  });

  it('an updating query into print or blackhole plans, keyed by the group key', () => {
    for (const table of ['out_print', 'out_hole']) {
      const p = tp.insert(`INSERT INTO ${table} ${GROUPED}`);
      expect(p.pipeline.sink).toMatchObject({ kind: 'table', table: { name: table } });
      expect(p.pipeline.root.changelog).toEqual({ kind: 'updating', upsertKey: [0] });
      expect(p.pipeline.schema.map((f) => f.name)).toEqual(['k', 'c']);
    }
  });

  it('a window aggregation into a filesystem table plans (its results are final)', () => {
    const p = tp.insert(`INSERT INTO out_file SELECT user_id, COUNT(*) FROM TABLE(TUMBLE(TABLE orders, DESCRIPTOR(ts), INTERVAL '10' MINUTES)) GROUP BY user_id, window_start, window_end`);
    expect(p.pipeline.root.changelog.kind).toBe('insert-only');
    expect(findPhysical(p.pipeline.root, 'WindowAggregate')).toBeDefined();
  });
});

describe('planInsert: columns', () => {
  it('too few or too many columns is EDDY-B005 naming both counts and listing the sink columns', () => {
    const sql = 'INSERT INTO out_file SELECT user_id FROM orders';
    const d = expectError(() => tp.insert(sql), ErrorCode.TYPE_MISMATCH);
    expect(d.message).toContain('1');
    expect(d.message).toContain('2');
    expect(d.hint).toBe('out_file (k INT, c BIGINT)');
    expect(spanText(sql, d)).toBe('SELECT user_id FROM orders');
    expectError(() => tp.insert('INSERT INTO out_file SELECT user_id, id, qty FROM orders'), ErrorCode.TYPE_MISMATCH);
  });

  it('an incompatible column type is EDDY-B005 naming both types and suggesting a CAST', () => {
    const d = expectError(() => tp.insert('INSERT INTO out_file SELECT product, id FROM orders'), ErrorCode.TYPE_MISMATCH);
    expect(d.message).toContain('STRING');
    expect(d.message).toContain('INT');
    expect(d.message).toContain('out_file.k');
    expect(d.hint).toBe('CAST(product AS INT)');
  });

  it('a narrowing conversion (BIGINT into INT) is not implicit', () => {
    const d = expectError(() => tp.insert('INSERT INTO out_file SELECT id, qty FROM orders'), ErrorCode.TYPE_MISMATCH);
    expect(d.message).toContain('BIGINT');
  });

  it('a widening conversion (INT into BIGINT) is cast implicitly', () => {
    const p = tp.insert('INSERT INTO out_file SELECT qty, qty FROM orders');
    expect(p.pipeline.schema.map((f) => `${f.name} ${ty(f.type)}`)).toEqual(['k INT', 'c BIGINT']);
    const rows = randomOrders(prng(3), 20);
    const out = evaluate(p.optimized, { orders: rows });
    expect(out).toEqual(rows.map((r) => [r[5], r[5]]));
  });

  it('a column list maps query columns by name and fills the other columns with NULL', () => {
    const p = tp.insert('INSERT INTO out_file (c) SELECT id FROM orders');
    expect(p.pipeline.schema.map((f) => f.name)).toEqual(['k', 'c']);
    const rows = randomOrders(prng(4), 10);
    expect(bag(evaluate(p.optimized, { orders: rows }))).toEqual(bag(rows.map((r) => [null, r[0]])));
  });

  it('a column list in another order reorders', () => {
    const p = tp.insert('INSERT INTO out_file (c, k) SELECT id, qty FROM orders');
    const rows = randomOrders(prng(5), 10);
    expect(evaluate(p.optimized, { orders: rows })).toEqual(rows.map((r) => [r[5], r[0]]));
  });

  it('a column list naming an unknown column is EDDY-B002 spanning it', () => {
    const sql = 'INSERT INTO out_file (kk) SELECT id FROM orders';
    const d = expectError(() => tp.insert(sql), ErrorCode.UNKNOWN_COLUMN);
    expect(spanText(sql, d)).toBe('kk');
    expect(d.hint).toBe('did you mean `k`?');
  });

  it('leaving out a NOT NULL column is an error', () => {
    const d = expectError(() => tp.insert("INSERT INTO wide (a, b) SELECT qty, product FROM orders"), ErrorCode.INVALID_STATEMENT);
    expect(d.message).toContain("'c'");
  });

  it('the NULL literal filling a column has the column type', () => {
    const p = tp.insert('INSERT INTO wide (c, a) SELECT id, qty FROM orders');
    const calc = findPhysical(p.pipeline.root, 'Calc');
    expect(ty(calc.projection[1]!.type)).toBe('STRING');
    expect(compileExpr(calc.projection[1]!)([])).toBeNull();
  });
});

describe('planInsert: targets', () => {
  it('INSERT INTO a view is EDDY-B013 spanning the name', () => {
    const sql = 'INSERT INTO vv SELECT user_id, id FROM orders';
    const d = expectError(() => tp.insert(sql), ErrorCode.INVALID_STATEMENT);
    expect(d.message).toContain("view 'vv'");
    expect(spanText(sql, d)).toBe('vv');
  });

  it('INSERT INTO a datagen table (a source only) is EDDY-B013 naming the connector, hinting at sinks', () => {
    const sql = 'INSERT INTO gen SELECT id, product FROM orders';
    const d = expectError(() => tp.insert(sql), ErrorCode.INVALID_STATEMENT);
    expect(d.message).toContain("'datagen'");
    expect(d.hint).toContain('print');
    expect(spanText(sql, d)).toBe('gen');
  });

  it('INSERT INTO an unknown table is EDDY-B001 with did-you-mean', () => {
    const d = expectError(() => tp.insert('INSERT INTO out_fil SELECT qty, id FROM orders'), ErrorCode.UNKNOWN_TABLE);
    expect(d.hint).toBe('did you mean `out_file`?');
  });
});

describe('planQuery and views', () => {
  it('planQuery returns the bound plan, the optimized plan and a collect pipeline named as the query names its columns', () => {
    const p = tp.plan('SELECT user_id AS u, COUNT(*) AS n FROM orders GROUP BY user_id');
    expect(p.pipeline.sink).toEqual({ kind: 'collect' });
    expect(p.pipeline.schema.map((f) => f.name)).toEqual(['u', 'n']);
    expect(p.logical).not.toBe(p.optimized);
  });

  it('CREATE VIEW with a column list of the wrong length is EDDY-B013', () => {
    const stmt = parseStatement('CREATE VIEW bad (a, b) AS SELECT id FROM orders');
    if (stmt.kind !== 'CreateView') throw new Error('not a view');
    const err = catchEddy(() => tp.planner.createView(stmt));
    expect(err.code).toBe(ErrorCode.INVALID_STATEMENT);
  });

  it('CREATE VIEW records the schema with its column names, and fails when its query does not bind', () => {
    const stmt = parseStatement('CREATE VIEW good (a, b) AS SELECT id, product FROM orders');
    if (stmt.kind !== 'CreateView') throw new Error('not a view');
    const v = tp.planner.createView(stmt);
    expect(v.schema.map((f) => `${f.name} ${ty(f.type)}`)).toEqual(['a BIGINT', 'b STRING']);
    const broken = parseStatement('CREATE VIEW broken AS SELECT nope FROM orders');
    if (broken.kind !== 'CreateView') throw new Error('not a view');
    expect(catchEddy(() => tp.planner.createView(broken)).code).toBe(ErrorCode.UNKNOWN_COLUMN);
  });
});

describe('planInsert: VALUES (regressions)', () => {
  it('VALUES with a NULL column inserts into a column of any type', () => {
    const p = tp.insert('INSERT INTO out_file VALUES (1, NULL)');
    expect(p.pipeline.schema.map((f) => f.type.name)).toEqual(['INT', 'BIGINT']);
  });
});
