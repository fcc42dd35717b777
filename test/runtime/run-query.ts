/**
 * Runs a planned SELECT as a job over the built-in connectors, in memory, and collects its rows; the result
 * must be insert-only (each change is checked to be +I).
 */
import { expect } from 'vitest';
import { builtinConnectors } from '../../src/connectors/index.js';
import { CollectWriter } from '../../src/engine/query-handle.js';
import type { Row } from '../../src/runtime/changelog.js';
import { buildJob } from '../../src/runtime/build-job.js';
import { StateBackend } from '../../src/runtime/state/state-backend.js';
import type { TestPlanner } from '../planner/helpers.js';

/** The rows of `sql`, planned by `tp`, run to its end. */
export async function runInsertOnly(tp: TestPlanner, sql: string, name = 'query'): Promise<Row[]> {
  const planned = tp.plan(sql);
  const connectors = builtinConnectors();
  const collect = new CollectWriter();
  const rows: Row[] = [];
  collect.listen((b) => {
    for (let i = 0; i < b.rows.length; i++) {
      expect(b.kinds[i]).toBe(0);
      rows.push(b.rows[i]!);
    }
  });
  const job = buildJob(planned.pipeline, { name, timeZone: 'UTC', connector: (id) => connectors.find((c) => c.identifier === id), collect, state: new StateBackend() });
  await job.run();
  return rows;
}
