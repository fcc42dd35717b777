/**
 * Stream properties derived on every physical node (stream-properties.ts), the Exchange before keyed
 * operators, stable node ids (node-id.ts), and sources that declare their changelog.
 */
import { describe, expect, it } from 'vitest';
import { builtinConnectors, builtinFormats } from '../../src/connectors/index.js';
import { connectorLookup } from '../../src/engine/connector-lookup.js';
import { builtinFunctions } from '../../src/functions/registry.js';
import { parseStatement } from '../../src/parser/parse.js';
import { Catalog } from '../../src/planner/catalog.js';
import { nodeId } from '../../src/planner/node-id.js';
import { Planner } from '../../src/planner/planner.js';
import type { ConnectorFactory } from '../../src/runtime/connector.js';
import { TestPlanner, expectError, findPhysical, physicalNodes } from './helpers.js';
import { ErrorCode } from '../../src/common/errors.js';

const tp = new TestPlanner();
const root = (sql: string) => tp.plan(sql).pipeline.root;
const names = (p: { schema: readonly { name: string }[] }, cols: readonly number[]) => cols.map((c) => (c < 0 ? '-' : p.schema[c]!.name));

describe('stream properties', () => {
  it('a scan knows its rowtime and watermark column; a projection maps them, and drops what it does not pass on', () => {
    const scan = findPhysical(root('SELECT id, ts FROM orders'), 'TableSourceScan');
    expect(names(scan, scan.props.rowtimes)).toEqual(['ts']);
    expect(names(scan, scan.props.watermarkColumns)).toEqual(['ts']);
    const calc = root('SELECT ts AS t, id FROM orders');
    expect(names(calc, calc.props.rowtimes)).toEqual(['t']);
    expect(names(calc, calc.props.watermarkColumns)).toEqual(['t']);
    const noTime = root('SELECT id FROM orders');
    expect(noTime.props.watermarkColumns).toEqual([]);
  });

  it('a window TVF adds its window columns; they stay visible through projections that pass them on', () => {
    const sql = `SELECT window_end AS e, id, window_start AS s FROM TABLE(HOP(TABLE orders, DESCRIPTOR(ts), INTERVAL '1' MINUTE, INTERVAL '5' MINUTES))`;
    const r = root(sql);
    expect(r.props.windows).toHaveLength(1);
    const w = r.props.windows[0]!;
    expect(w.spec).toEqual({ kind: 'hop', slide: 60_000, size: 300_000, offset: 0 });
    expect(names(r, [w.start, w.end, w.time])).toEqual(['s', 'e', '-']);
    // A projection that drops window_start loses the window.
    expect(root(`SELECT window_end, id FROM TABLE(TUMBLE(TABLE orders, DESCRIPTOR(ts), INTERVAL '1' MINUTE))`).props.windows).toEqual([]);
  });

  it('a window aggregate is insert-only and identified by its keys and window; a group aggregate by its keys', () => {
    const w = root(`SELECT user_id, window_start, window_end, COUNT(*) FROM TABLE(TUMBLE(TABLE orders, DESCRIPTOR(ts), INTERVAL '1' MINUTE)) GROUP BY user_id, window_start, window_end`);
    expect(w.changelog.kind).toBe('insert-only');
    expect(names(w, w.props.uniqueKey!)).toEqual(['user_id', 'window_start', 'window_end']);
    const g = root('SELECT user_id, COUNT(*) FROM orders GROUP BY user_id');
    expect(names(g, g.props.uniqueKey!)).toEqual(['user_id']);
    expect(g.props.distribution.kind).toBe('hash');
  });

  it('an Exchange hashes the input of every keyed operator by its keys (single without keys)', () => {
    const g = findPhysical(root('SELECT user_id, COUNT(*) FROM orders GROUP BY user_id'), 'GroupAggregate');
    expect(g.input.kind).toBe('Exchange');
    expect(g.input.props.distribution).toMatchObject({ kind: 'hash', keys: [{ kind: 'InputRef', index: 0 }] });
    const global = findPhysical(root('SELECT COUNT(*) FROM orders'), 'GroupAggregate');
    expect(global.input.props.distribution).toEqual({ kind: 'single' });
    const join = findPhysical(root('SELECT * FROM orders o JOIN clicks c ON o.user_id = c.user_id'), 'Join');
    expect(join.left.kind).toBe('Exchange');
    expect(join.right.kind).toBe('Exchange');
  });
});

describe('node ids', () => {
  it('are derived from the structure: the same query planned twice, or in another session, has the same ids', () => {
    const sql = 'SELECT user_id, COUNT(*) FROM orders WHERE qty > 1 GROUP BY user_id';
    const a = physicalNodes(root(sql)).map(nodeId);
    expect(physicalNodes(root(sql)).map(nodeId)).toEqual(a);
    expect(physicalNodes(new TestPlanner().plan(sql).pipeline.root).map(nodeId)).toEqual(a);
    expect(new Set(a).size).toBe(a.length);
    for (const id of a) expect(id).toMatch(/^[A-Za-z]+-[0-9a-f]{10}$/);
  });

  it('change with what a node computes and with anything below it, not with what is above it', () => {
    const scanOf = (sql: string) => nodeId(findPhysical(root(sql), 'TableSourceScan'));
    const aggOf = (sql: string) => nodeId(findPhysical(root(sql), 'GroupAggregate'));
    expect(aggOf('SELECT user_id, COUNT(*) FROM orders WHERE qty > 1 GROUP BY user_id')).not.toBe(aggOf('SELECT user_id, COUNT(*) FROM orders WHERE qty > 2 GROUP BY user_id'));
    expect(aggOf('SELECT user_id, COUNT(*) FROM orders GROUP BY user_id')).not.toBe(aggOf('SELECT user_id, SUM(qty) FROM orders GROUP BY user_id'));
    expect(scanOf('SELECT user_id FROM orders WHERE qty > 1')).toBe(scanOf('SELECT user_id FROM orders WHERE qty > 5'));
  });
});

describe('sources declare their changelog', () => {
  const retracting: ConnectorFactory = {
    identifier: 'test-changelog',
    description: 'a source of retractions',
    options: [],
    createSource: () => {
      throw new Error('not read in this test');
    },
    sourceChangelogMode: () => 'retract',
  };
  const upserting: ConnectorFactory = { ...retracting, identifier: 'test-upsert', sourceChangelogMode: () => 'upsert' };
  const catalog = new Catalog();
  const planner = new Planner({
    catalog,
    functions: builtinFunctions(),
    env: { timeZone: 'UTC', now: () => 0 },
    connectors: connectorLookup([...builtinConnectors(), retracting, upserting], builtinFormats()),
  });
  const ddl = (sql: string) => {
    const stmt = parseStatement(sql);
    if (stmt.kind !== 'CreateTable') throw new Error('not CREATE TABLE');
    catalog.add(planner.createTable(stmt));
  };
  ddl(`CREATE TABLE accounts (id INT, balance BIGINT, PRIMARY KEY (id) NOT ENFORCED) WITH ('connector' = 'test-changelog')`);
  ddl(`CREATE TABLE latest (id INT, v BIGINT, PRIMARY KEY (id) NOT ENFORCED) WITH ('connector' = 'test-upsert')`);
  const plan = (sql: string) => {
    const stmt = parseStatement(sql);
    if (stmt.kind !== 'QueryStatement') throw new Error('not a query');
    return planner.planQuery(stmt.query).pipeline.root;
  };

  it('a retracting source is updating, keyed by its primary key, and what reads it plans accordingly', () => {
    const scan = findPhysical(plan('SELECT balance, id FROM accounts'), 'TableSourceScan');
    expect(scan.changelog).toEqual({ kind: 'updating', upsertKey: [0] });
    const calc = plan('SELECT balance, id FROM accounts');
    expect(calc.changelog).toEqual({ kind: 'updating', upsertKey: [1] });
    // MIN/MAX over an updating input keep every value (the retracting implementation).
    const agg = findPhysical(plan('SELECT MAX(balance) FROM accounts'), 'GroupAggregate');
    expect(agg.aggs[0]!.impl.supportsRetract).toBe(true);
    // A window needs an insert-only input.
    expect(plan('SELECT * FROM accounts').changelog.kind).toBe('updating');
  });

  it('an interval join over a retracting source is refused with a reason (it needs insert-only inputs)', () => {
    ddl(`CREATE TABLE moves (id INT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts, PRIMARY KEY (id) NOT ENFORCED) WITH ('connector' = 'test-changelog')`);
    const d = expectError(() => plan(`SELECT * FROM moves a JOIN moves b ON a.id = b.id AND a.ts BETWEEN b.ts AND b.ts + INTERVAL '1' MINUTE`), ErrorCode.UNSUPPORTED);
    expect(d.message).toContain('An interval join needs an insert-only input');
    expect(d.hint).toContain('source of updates');
    expect(d.span).toBeDefined();
  });

  it('so is one with its bounds in WHERE over a comma join (an interval join too)', () => {
    ddl(`CREATE TABLE moves2 (id INT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts, PRIMARY KEY (id) NOT ENFORCED) WITH ('connector' = 'test-changelog')`);
    const d = expectError(() => plan(`SELECT * FROM moves2 a, moves2 b WHERE a.id = b.id AND a.ts BETWEEN b.ts AND b.ts + INTERVAL '1' MINUTE`), ErrorCode.UNSUPPORTED);
    expect(d.message).toContain('An interval join needs an insert-only input');
    expect(d.span).toBeDefined();
  });

  it('an upsert source is read through a ChangelogNormalize keyed by its primary key, updating with that key as upsert key', () => {
    const root = plan('SELECT v, id FROM latest');
    const normalize = findPhysical(root, 'ChangelogNormalize');
    expect(normalize.keys).toEqual([0]);
    expect(normalize.changelog).toEqual({ kind: 'updating', upsertKey: [0] });
    expect(normalize.props.uniqueKey).toEqual([0]);
    // Keyed: the rows of a key meet in one partition.
    expect(normalize.input.kind).toBe('Exchange');
    expect(root.changelog).toEqual({ kind: 'updating', upsertKey: [1] });
    // A query that does not read the key still reads it from the scan (rows are matched by key first).
    const scan = findPhysical(plan('SELECT SUM(v) FROM latest'), 'TableSourceScan');
    expect(scan.schema.map((f) => f.name)).toEqual(['id', 'v']);
    // Node ids are stable: the same query plans the same ids.
    expect(nodeId(findPhysical(plan('SELECT v, id FROM latest'), 'ChangelogNormalize'))).toBe(nodeId(normalize));
  });

  it('an upsert source without a PRIMARY KEY is refused with a reason', () => {
    ddl(`CREATE TABLE keyless (id INT, v BIGINT) WITH ('connector' = 'test-upsert')`);
    const d = expectError(() => plan('SELECT * FROM keyless'), ErrorCode.UNSUPPORTED);
    expect(d.message).toContain("'keyless' is read as an upsert stream");
    expect(d.message).toContain('no PRIMARY KEY');
    expect(d.hint).toContain('PRIMARY KEY (<columns>) NOT ENFORCED');
  });

  it('the built-in sources are insert-only', () => {
    expect(physicalNodes(root('SELECT * FROM orders')).every((n) => n.changelog.kind === 'insert-only')).toBe(true);
  });
});
