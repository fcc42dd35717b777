/**
 * Nexmark's unbounded aggregations — q15 (per day: counts and COUNT DISTINCTs with FILTER), q16 (the same
 * per channel and day, with MAX of a formatted minute), q17 (per auction and day: counts with FILTER, MIN,
 * MAX, AVG, SUM) — updating results, each equal to its batch computation over the same events (see suite.ts).
 * The events span midnight, so there are two days.
 */
import * as oracle from './oracle.js';
import { describeQueries } from './suite.js';

describeQueries('Nexmark aggregation queries', [
  { query: 'q15', expected: oracle.q15, minRows: 1, retracts: true },
  { query: 'q16', expected: oracle.q16, minRows: 100, retracts: true },
  { query: 'q17', expected: oracle.q17, minRows: 300, retracts: true },
]);
