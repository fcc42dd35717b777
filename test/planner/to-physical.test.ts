import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/common/errors.js';
import { toPhysical, updatingSource } from '../../src/planner/to-physical.js';
import type { LogicalPlan } from '../../src/planner/logical-plan.js';
import { TestPlanner, expectError, findLogical, findPhysical, physicalNodes } from './helpers.js';

const tp = new TestPlanner().ddl(`CREATE VIEW counts AS SELECT user_id, COUNT(*) AS c, MAX(product) AS m FROM orders GROUP BY user_id`);
const root = (sql: string) => tp.plan(sql).pipeline.root;
const W = "TABLE(TUMBLE(TABLE orders, DESCRIPTOR(ts), INTERVAL '10' MINUTES))";

describe('changelog modes', () => {
  it('a scan and a projection/filter over it are insert-only', () => {
    const r = root('SELECT id, qty + 1 FROM orders WHERE qty > 0');
    for (const n of physicalNodes(r)) expect(n.changelog).toEqual({ kind: 'insert-only' });
    expect(findPhysical(r, 'TableSourceScan').table.name).toBe('orders');
  });

  it('VALUES is insert-only', () => {
    expect(root("VALUES (1, 'a')").changelog.kind).toBe('insert-only');
  });

  it('a GroupAggregate is updating, keyed by its group keys', () => {
    const r = root('SELECT user_id, product, COUNT(*) FROM orders GROUP BY user_id, product');
    const agg = findPhysical(r, 'GroupAggregate');
    expect(agg.changelog).toEqual({ kind: 'updating', upsertKey: [0, 1] });
    expect(agg.groupKeys).toEqual([0, 1]);
    expect(r.changelog.kind).toBe('updating');
  });

  it('a global aggregation is updating with an empty upsert key (one row)', () => {
    expect(findPhysical(root('SELECT COUNT(*) FROM orders'), 'GroupAggregate').changelog).toEqual({ kind: 'updating', upsertKey: [] });
  });

  it('a Calc over an updating input maps the upsert key to its new position', () => {
    const r = root('SELECT c, m, user_id FROM counts');
    expect(r.kind).toBe('Calc');
    expect(r.changelog).toEqual({ kind: 'updating', upsertKey: [2] });
    expect(r.schema[2]!.name).toBe('user_id');
  });

  it('a Calc that keeps the key in place keeps the upsert key; a filter on the key keeps it too', () => {
    expect(root('SELECT user_id, c + 1 FROM counts').changelog).toEqual({ kind: 'updating', upsertKey: [0] });
    expect(root('SELECT c, user_id FROM counts WHERE c > 1').changelog).toEqual({ kind: 'updating', upsertKey: [1] });
  });

  it('a Calc that projects the key away is updating with no upsert key', () => {
    const r = root('SELECT c, m FROM counts');
    expect(r.changelog.kind).toBe('updating');
    expect(r.changelog.upsertKey).toBeUndefined();
  });

  it('a Calc that computes from the key (not passing it through) loses the upsert key', () => {
    const r = root('SELECT user_id + 1 AS k, c FROM counts');
    expect(r.changelog.kind).toBe('updating');
    expect(r.changelog.upsertKey).toBeUndefined();
  });

  it('with a composite key, losing one key column loses the whole key', () => {
    const r = root('SELECT k1, n FROM (SELECT user_id AS k1, product AS k2, COUNT(*) AS n FROM orders GROUP BY user_id, product)');
    expect(r.changelog.kind).toBe('updating');
    expect(r.changelog.upsertKey).toBeUndefined();
  });

  it('window aggregates (TVF, legacy, session) are insert-only', () => {
    const tumble = root(`SELECT user_id, window_start, COUNT(*) FROM ${W} GROUP BY user_id, window_start, window_end`);
    expect(findPhysical(tumble, 'WindowAggregate').changelog).toEqual({ kind: 'insert-only' });
    expect(tumble.changelog.kind).toBe('insert-only');
    const legacy = root(`SELECT COUNT(*) FROM orders GROUP BY HOP(ts, INTERVAL '1' MINUTE, INTERVAL '2' MINUTE)`);
    expect(findPhysical(legacy, 'WindowAggregate').window).toEqual({ kind: 'hop', slide: 60_000, size: 120_000, offset: 0 });
    expect(legacy.changelog.kind).toBe('insert-only');
    const session = root(`SELECT user_id, COUNT(*) FROM orders GROUP BY user_id, SESSION(ts, INTERVAL '5' MINUTE)`);
    const s = findPhysical(session, 'SessionWindowAggregate');
    expect(s.gap).toBe(300_000);
    expect(s.changelog.kind).toBe('insert-only');
  });

  it('a window TVF without aggregation is insert-only; a bare SESSION TVF is EDDY-L002', () => {
    expect(findPhysical(root(`SELECT * FROM ${W}`), 'WindowTableFunction').changelog.kind).toBe('insert-only');
    const d = expectError(() => tp.plan("SELECT * FROM TABLE(SESSION(TABLE orders, DESCRIPTOR(ts), INTERVAL '1' MINUTE))"), ErrorCode.UNSUPPORTED);
    expect(d.message).toContain('SESSION');
  });

  it('UNION ALL of an updating and an insert-only input is updating without a key', () => {
    const r = root('SELECT user_id, c FROM counts UNION ALL SELECT user_id, id FROM orders');
    expect(r.kind).toBe('Union');
    expect(r.changelog).toEqual({ kind: 'updating' });
    expect(root('SELECT id FROM orders UNION ALL SELECT id FROM orders').changelog.kind).toBe('insert-only');
  });

  it('SELECT DISTINCT is a GroupAggregate: updating, keyed by all columns', () => {
    const r = root('SELECT DISTINCT user_id, product FROM orders');
    expect(findPhysical(r, 'GroupAggregate').changelog).toEqual({ kind: 'updating', upsertKey: [0, 1] });
  });

  it('LIMIT over an updating input is EDDY-L002 naming the GroupAggregate', () => {
    const d = expectError(() => tp.plan('SELECT * FROM counts LIMIT 3'), ErrorCode.UNSUPPORTED);
    expect(d.message).toContain('LIMIT');
    expect(d.message).toContain('GroupAggregate');
    expect(d.hint).toBeTruthy();
    expect(root('SELECT * FROM orders LIMIT 3').changelog.kind).toBe('insert-only');
  });

  it('a window aggregate over an updating input is EDDY-L002 naming the window, with the GROUP BY span', () => {
    // The binder never produces this (non-windowed aggregates drop time attributes), so build it by hand:
    // a TUMBLE aggregation over the output of a GroupAggregate.
    const updating = tp.bind('SELECT user_id, MAX(ts) AS t FROM orders GROUP BY user_id').plan;
    const windowed = tp.bind(`SELECT COUNT(*) FROM orders GROUP BY TUMBLE(ts, INTERVAL '10' MINUTE)`).plan;
    const w = findLogical(windowed, 'LogicalAggregate');
    const bad: LogicalPlan = { ...w, input: updating, window: { spec: w.window!.spec, timeIndex: 1 } };
    const d = expectError(() => toPhysical(bad), ErrorCode.UNSUPPORTED);
    expect(d.message).toContain('TUMBLE(size=[10 min])');
    expect(d.message).toContain('insert-only');
    expect(d.message).toContain('GroupAggregate');
    expect(d.span).toEqual(w.span);
    expect(d.hint).toBeTruthy();
  });

  it('updatingSource finds the operator that makes a plan updating', () => {
    const r = root('SELECT c FROM counts WHERE c > 1');
    expect(updatingSource(r)?.kind).toBe('GroupAggregate');
    expect(updatingSource(root('SELECT id FROM orders'))).toBeUndefined();
  });
});

describe('physical translation', () => {
  it('a projection over a filter runs as one Calc with a condition', () => {
    const r = root('SELECT id FROM orders WHERE qty > 1');
    expect(r.kind).toBe('Calc');
    expect(r.kind === 'Calc' && r.condition).toBeTruthy();
    expect(physicalNodes(r).map((n) => n.kind)).toEqual(['Calc', 'TableSourceScan']);
  });

  it('a window aggregate reads the pruned scan and keeps the watermark', () => {
    const r = root(`SELECT window_start, COUNT(*) FROM ${W} GROUP BY window_start, window_end`);
    const scan = findPhysical(r, 'TableSourceScan');
    expect(scan.schema.map((f) => f.name)).toEqual(['ts']);
    expect(scan.watermark).toBeDefined();
    const agg = findPhysical(r, 'WindowAggregate');
    expect(agg.input.schema[agg.timeIndex]!.name).toBe('ts');
  });
});
