/**
 * Nexmark's windowed queries — q5 (HOP counts joined with their per-window maximum), q7 (the highest bids
 * of each TUMBLE window, joined back to the bids), q8 (persons and sellers in the same TUMBLE window), q11
 * (session windows per bidder), q12e (TUMBLE on event time) — each equal to its batch computation over the
 * same events (see suite.ts).
 */
import * as oracle from './oracle.js';
import { describeQueries } from './suite.js';

describeQueries('Nexmark window queries', [
  { query: 'q5', expected: oracle.q5, minRows: 40 },
  { query: 'q7', expected: oracle.q7, minRows: 8 },
  { query: 'q8', expected: oracle.q8, minRows: 20, retracts: false },
  { query: 'q11', expected: oracle.q11, minRows: 100, retracts: false },
  { query: 'q12e', expected: oracle.q12e, minRows: 100, retracts: false },
]);
