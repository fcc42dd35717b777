/** Runs a planned pipeline as a job in memory and collects its rows, which must all be insertions (+I). */
import { expect } from 'vitest';
import { builtinConnectors } from '../../src/connectors/index.js';
import { CollectWriter } from '../../src/engine/query-handle.js';
import type { PhysicalPipeline } from '../../src/planner/physical-plan.js';
import type { Row } from '../../src/runtime/changelog.js';
import { buildJob } from '../../src/runtime/build-job.js';
import { StateBackend } from '../../src/runtime/state/state-backend.js';

/** The rows the pipeline's job emits, in order; fails on any change other than +I. */
export async function runInsertOnly(pipeline: PhysicalPipeline, name: string): Promise<Row[]> {
  const connectors = builtinConnectors();
  const collect = new CollectWriter();
  const rows: Row[] = [];
  collect.listen((b) => {
    for (let i = 0; i < b.rows.length; i++) {
      expect(b.kinds[i]).toBe(0);
      rows.push(b.rows[i]!);
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
