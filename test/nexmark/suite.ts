/**
 * The shape of every query test: run a query file over each input, apply its changelog, compare the final
 * multiset with the oracle's batch computation over the same events, and check that no row was late.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, generateEvents, type Events } from './events.js';
import { applyChangelog, atParallelism, connectorInput, expectSameRows, fileInput, queryText, runQueryText, type Change, type Input } from './harness.js';

export interface QueryCase {
  readonly query: string;
  /** The final rows, by the batch computation (unless `check` is given). */
  readonly expected?: (e: Events) => unknown[][];
  /** Checks the final rows and returns what is wrong (for queries whose answer is not unique). */
  readonly check?: (e: Events, rows: unknown[][]) => string[];
  /** Columns compared to a relative tolerance. */
  readonly approx?: readonly number[];
  /** At least this many final rows (the input gives the query something to find). */
  readonly minRows: number;
  /** The changelog holds retractions (-U/-D): the query's result is updating and the test covers it. */
  readonly retracts?: boolean;
  /** A variant of the query file's text (e.g. another side input table); gets the input's data directory. */
  readonly transform?: (text: string, dir: string) => string;
  /** The test's title, when not `<query> equals its batch computation`. */
  readonly title?: string;
  /** Skipped (the test stays, for when Eddy runs it): the reason, with Eddy's error. */
  readonly skip?: string;
  /** Extra checks of the changelog. */
  readonly changes?: (changes: readonly Change[]) => void;
}

let fileEvents: Events | undefined;
/**
 * The inputs each query runs over: the test's own events as JSON files, and the nexmark connector's table
 * (8,000 events at 100 events/s: 80 s of event time) with the events of its generator module.
 *
 * With NEXMARK_TEST_PARALLELISM=N (N > 1), each query also runs over both at `parallelism.default` = N (needs
 * `npm run build`: the instances' worker threads load the build; off by default, as each such run starts
 * threads and takes seconds).
 */
export function inputs(): Input[] {
  fileEvents ??= generateEvents(DEFAULT_CONFIG);
  const base = [fileInput(fileEvents), connectorInput(8000, 100)];
  const parallelism = Number(process.env.NEXMARK_TEST_PARALLELISM ?? '1');
  return parallelism > 1 ? [...base, ...base.map((i) => atParallelism(i, parallelism))] : base;
}

/** One test per query case and input. */
export function describeQueries(title: string, cases: readonly QueryCase[]): void {
  for (const input of inputs()) {
    describe(`${title} (${input.name})`, () => {
      for (const c of cases) {
        (c.skip !== undefined ? it.skip : it)(c.title ?? `${c.query} equals its batch computation`, async () => {
          const { eddy, dir } = await input.session();
          try {
            const text = queryText(c.query);
            const { changes, summary } = await runQueryText(eddy, c.transform ? c.transform(text, dir) : text);
            // In-order events: nothing is late (and nothing is dropped as bad).
            expect(summary.lateRowsDropped).toBe(0);
            expect(summary.badRowsSkipped).toBe(0);
            const rows = applyChangelog(changes);
            expect(rows.length).toBeGreaterThanOrEqual(c.minRows);
            if (c.expected) expectSameRows(rows, c.expected(input.events), c.approx);
            if (c.check) expect(c.check(input.events, rows)).toEqual([]);
            if (c.retracts !== undefined) expect(changes.some((ch) => ch.kind === 1 || ch.kind === 3)).toBe(c.retracts);
            c.changes?.(changes);
          } finally {
            await eddy.close();
          }
        });
      }
    });
  }
}
