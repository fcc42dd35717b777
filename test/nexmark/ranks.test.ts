/**
 * Nexmark's ROW_NUMBER queries — q18 (the last bid of each bidder on each auction: deduplication on event
 * time) and q19 (the 10 highest bids of each auction: top-N) — updating results, each equal to its batch
 * computation over the same events (see suite.ts).
 */
import { expect } from 'vitest';
import type { Events } from './events.js';
import * as oracle from './oracle.js';
import { describeQueries } from './suite.js';

describeQueries('Nexmark ROW_NUMBER queries', [
  {
    query: 'q18',
    expected: (e: Events) => {
      expect(oracle.q18Deterministic(e)).toBe(true);
      return oracle.q18(e);
    },
    minRows: 1000,
    retracts: true,
  },
  // Ties in price make ROW_NUMBER's order among them arbitrary: the rows are checked rank by rank.
  { query: 'q19', check: oracle.checkQ19, minRows: 1000, retracts: true },
]);
