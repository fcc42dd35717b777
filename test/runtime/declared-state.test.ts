/**
 * Each operator keeps exactly the state its plan node declares: for a query of every stateful operator
 * kind, the state list EXPLAIN prints on each node's line equals the tables and values that node's
 * operator actually wrote while the job ran (recorded by a backend that watches every put), and nodes
 * that declare no state write none.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { builtinConnectors } from '../../src/connectors/index.js';
import { CollectWriter } from '../../src/engine/query-handle.js';
import { explainPhysical } from '../../src/planner/explain.js';
import { nodeId } from '../../src/planner/node-id.js';
import { physicalInputs, type PhysicalPlan } from '../../src/planner/physical-plan.js';
import { buildJob } from '../../src/runtime/build-job.js';
import { StateBackend, type DeclaredState } from '../../src/runtime/state/state-backend.js';
import type { OperatorState } from '../../src/runtime/state/state-types.js';
import { tempDir } from '../e2e/helpers.js';
import { TestPlanner } from '../planner/helpers.js';

/** A memory backend that records, per operator, the names of the tables and values it wrote. */
class WatchingBackend extends StateBackend {
  readonly written = new Map<string, Set<string>>();

  override forOperator(operator: string, declared?: readonly DeclaredState[]): OperatorState {
    const inner = super.forOperator(operator, declared);
    const record = (name: string) => {
      const set = this.written.get(operator) ?? new Set<string>();
      set.add(name);
      this.written.set(operator, set);
    };
    return {
      restored: inner.restored,
      table: (name, codec, request) => {
        const t = inner.table(name, codec, request);
        const put = t.put.bind(t);
        t.put = (k, v, ns) => {
          record(name);
          put(k, v, ns);
        };
        return t;
      },
      value: (name, codec) => {
        const v = inner.value(name, codec);
        const set = v.set.bind(v);
        v.set = (x) => {
          record(name);
          set(x);
        };
        return v;
      },
    };
  }
}

/** The nodes of a plan in the order EXPLAIN prints them (pre-order, inputs in order). */
function preOrder(p: PhysicalPlan, out: PhysicalPlan[] = []): PhysicalPlan[] {
  out.push(p);
  for (const i of physicalInputs(p)) preOrder(i, out);
  return out;
}

const dir = tempDir();
const events = join(dir, 'events.json');
const base = Date.UTC(2024, 0, 1);
writeFileSync(
  events,
  Array.from({ length: 200 }, (_, i) => JSON.stringify({ k: i % 5, v: i, ts: new Date(base + i * 7_000).toISOString() })).join('\n') + '\n',
);
const tp = new TestPlanner([
  `CREATE TABLE events (k INT, v BIGINT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL '1' SECOND)
   WITH ('connector' = 'filesystem', 'path' = '${events}', 'format' = 'json')`,
  `CREATE TABLE versions (k INT, v BIGINT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL '1' SECOND, PRIMARY KEY (k) NOT ENFORCED)
   WITH ('connector' = 'filesystem', 'path' = '${events}', 'format' = 'json')`,
]);

const QUERIES: [string, string][] = [
  ['TUMBLE window aggregate', `SELECT k, window_start, COUNT(*) FROM TABLE(TUMBLE(TABLE events, DESCRIPTOR(ts), INTERVAL '1' MINUTE)) GROUP BY window_start, window_end, k`],
  ['HOP window aggregate', `SELECT k, window_start, SUM(v) FROM TABLE(HOP(TABLE events, DESCRIPTOR(ts), INTERVAL '1' MINUTE, INTERVAL '3' MINUTE)) GROUP BY window_start, window_end, k`],
  ['CUMULATE window aggregate', `SELECT window_end, MAX(v) FROM TABLE(CUMULATE(TABLE events, DESCRIPTOR(ts), INTERVAL '1' MINUTE, INTERVAL '4' MINUTE)) GROUP BY window_start, window_end`],
  ['SESSION window aggregate', `SELECT k, window_start, COUNT(*) FROM TABLE(SESSION(TABLE events PARTITION BY k, DESCRIPTOR(ts), INTERVAL '30' SECOND)) GROUP BY window_start, window_end, k`],
  ['non-windowed aggregate', 'SELECT k, COUNT(*), MIN(v) FROM events GROUP BY k'],
  ['regular join and union', 'SELECT a.k, b.v FROM events a JOIN (SELECT k, v FROM events UNION ALL SELECT k, v + 1 FROM events) b ON a.k = b.k AND a.v = b.v'],
  ['interval join', `SELECT a.k, a.v, b.v FROM events a FULL JOIN events b ON a.k = b.k AND a.ts BETWEEN b.ts - INTERVAL '10' SECOND AND b.ts + INTERVAL '5' SECOND`],
  ['window join', `SELECT a.k, a.v, b.v FROM TABLE(TUMBLE(TABLE events, DESCRIPTOR(ts), INTERVAL '1' MINUTE)) a LEFT JOIN TABLE(TUMBLE(TABLE events, DESCRIPTOR(ts), INTERVAL '1' MINUTE)) b ON a.k = b.k AND a.window_start = b.window_start AND a.window_end = b.window_end`],
  ['semi and anti joins (IN, NOT EXISTS, NOT IN)', 'SELECT k, v FROM events a WHERE v IN (SELECT v * 2 FROM events) AND NOT EXISTS (SELECT * FROM events b WHERE b.k = a.k AND b.v = a.v + 1) AND k NOT IN (SELECT k + 3 FROM events)'],
  ['scalar subqueries', 'SELECT k, v, (SELECT MAX(v) FROM events) AS m, (SELECT COUNT(*) FROM events b WHERE b.k = a.k) AS c FROM events a'],
  ['temporal join', 'SELECT a.k, a.v, b.v FROM events a LEFT JOIN versions FOR SYSTEM_TIME AS OF a.ts AS b ON a.k = b.k'],
  ['temporal sort', 'SELECT k, ts FROM events ORDER BY ts'],
  ['limit', 'SELECT k FROM events LIMIT 3'],
  ['values', 'SELECT * FROM (VALUES (1, 2), (3, 4)) AS t(a, b)'],
  ['Top-N', 'SELECT * FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY k ORDER BY v DESC) AS rn FROM events) WHERE rn <= 2'],
  ['ORDER BY .. LIMIT (Top-N without the rank column)', 'SELECT k, v FROM events ORDER BY v DESC LIMIT 3'],
  ['keep-first deduplication', 'SELECT k, v FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY k ORDER BY ts) AS rn FROM events) WHERE rn = 1'],
  [
    'window Top-N after a window aggregate',
    `SELECT * FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY window_start, window_end ORDER BY c DESC) AS rn FROM (SELECT window_start, window_end, k, COUNT(*) AS c FROM TABLE(TUMBLE(TABLE events, DESCRIPTOR(ts), INTERVAL '1' MINUTE)) GROUP BY window_start, window_end, k)) WHERE rn <= 2`,
  ],
  ['window deduplication', `SELECT k, v FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY window_start, window_end, k ORDER BY ts DESC) AS rn FROM TABLE(HOP(TABLE events, DESCRIPTOR(ts), INTERVAL '1' MINUTE, INTERVAL '3' MINUTE))) WHERE rn = 1`],
];

describe('declared state', () => {
  for (const [name, sql] of QUERIES) {
    it(`${name}: each node's EXPLAIN state list is what its operator wrote`, async () => {
      const planned = tp.plan(sql);
      const backend = new WatchingBackend();
      const connectors = builtinConnectors();
      const job = buildJob(planned.pipeline, {
        name: 'declared-state',
        timeZone: 'UTC',
        connector: (id) => connectors.find((c) => c.identifier === id),
        collect: new CollectWriter(),
        state: backend,
      });
      await job.run();
      const lines = explainPhysical(planned.pipeline.root).split('\n');
      const nodes = preOrder(planned.pipeline.root);
      expect(lines.length).toBe(nodes.length);
      nodes.forEach((node, i) => {
        const listed = /, state=\[([^\]]*)\]/.exec(lines[i]!)?.[1]?.split(', ') ?? [];
        const written = [...(backend.written.get(nodeId(node)) ?? [])];
        expect(written.sort(), `${node.kind}: ${lines[i]!.trim()}`).toEqual([...listed].sort());
      });
      // Something stateful ran, and nothing wrote state under a name that is not a node's.
      expect(backend.written.size).toBeGreaterThan(0);
      const ids = new Set(nodes.map(nodeId));
      for (const op of backend.written.keys()) expect(ids.has(op), op).toBe(true);
    });
  }

  it('an operator that opens a table its node does not declare fails', () => {
    const state = new StateBackend().forOperator('Calc-0000000000', []);
    expect(() => state.table('extra')).toThrow(/does not declare/);
    const declared = new StateBackend().forOperator('Limit-0000000000', [{ name: 'seen', kind: 'value' }]);
    expect(() => declared.value('seen')).not.toThrow();
    expect(() => declared.table('seen')).toThrow(/does not declare/);
  });
});
