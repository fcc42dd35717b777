/** Runs a planned pipeline as a job in memory and collects its rows: insertions only, or a changelog's final state. */
import { expect } from 'vitest';
import { builtinConnectors } from '../../src/connectors/index.js';
import { CollectWriter } from '../../src/engine/query-handle.js';
import type { PhysicalPipeline } from '../../src/planner/physical-plan.js';
import type { Row } from '../../src/runtime/changelog.js';
import { buildJob } from '../../src/runtime/build-job.js';
import { StateBackend } from '../../src/runtime/state/state-backend.js';

/** The rows the pipeline's job emits, in order; fails on any change other than +I. */
export function runInsertOnly(pipeline: PhysicalPipeline, name: string): Promise<Row[]> {
  return runCollecting(pipeline, name, false);
}

/**
 * The final state of the pipeline's changelog: +I/+U add a row, -U/-D remove one equal row (which must be
 * there).
 */
export function runFinalState(pipeline: PhysicalPipeline, name: string): Promise<Row[]> {
  return runCollecting(pipeline, name, true);
}

async function runCollecting(pipeline: PhysicalPipeline, name: string, updating: boolean): Promise<Row[]> {
  const connectors = builtinConnectors();
  const collect = new CollectWriter();
  const rows: Row[] = [];
  collect.listen((b) => {
    for (let i = 0; i < b.rows.length; i++) {
      if (!updating) expect(b.kinds[i]).toBe(0);
      if (b.kinds[i] === 0 || b.kinds[i] === 2) rows.push(b.rows[i]!);
      else {
        const at = rows.findIndex((r) => JSON.stringify(r) === JSON.stringify(b.rows[i]));
        expect(at).toBeGreaterThanOrEqual(0);
        rows.splice(at, 1);
      }
    }
  });
  const job = buildJob(pipeline, {
    name,
    timeZone: 'UTC',
    connector: (id) => connectors.find((c) => c.identifier === id),
    collect,
    state: new StateBackend(),
  });
  await job.run();
  return rows;
}
