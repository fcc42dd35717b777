/**
 * Regression: a group aggregate whose state is over its memory budget must not lose a row when, within one
 * batch, a group it already changed would be evicted and read back (eviction now happens only between
 * chunks, and a group touched earlier in a batch is reused).
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GroupAggregate } from '../../../src/runtime/operators/group-aggregate.js';
import { StateBackend } from '../../../src/runtime/state/state-backend.js';
import { SqliteStateStore } from '../../../src/runtime/state/sqlite-state-store.js';
import { tempDir } from '../../e2e/helpers.js';
import { OperatorHarness } from '../operator-harness.js';
import { call, countImpl } from '../operators/test-aggregates.js';

describe('state eviction within a batch', () => {
  it('counts every row of a group that many other keys separate within one batch', () => {
    const store = new SqliteStateStore(join(tempDir(), 's.db'));
    const backend = new StateBackend(store, false, { maxEntries: 1000 });
    const h = new OperatorHarness(new GroupAggregate({ groupKeys: [0], aggs: [call('COUNT(*)', countImpl(true), -1)], inputUpdating: false }), backend);
    h.insert(['K']);
    store.commit({ id: 1, time: 1, sources: {}, sinks: {} }, () => backend.writeChanges());
    const rows: unknown[][] = [['K']];
    for (let i = 0; i < 1500; i++) rows.push([`other-${i}`]);
    rows.push(['K']);
    const out = h.insert(...rows);
    backend.maintain();
    const k = out.filter((c) => c.row[0] === 'K');
    expect(k.map((c) => `${c.kind}${JSON.stringify(c.row)}`)).toEqual(['-U["K",1]', '+U["K",3]']);
    store.close();
  });
});
