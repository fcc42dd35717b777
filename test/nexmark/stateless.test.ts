/**
 * Nexmark's stateless queries — q0 (pass-through), q1 (DECIMAL arithmetic), q2 (filter), q21 (CASE and
 * REGEXP_EXTRACT), q22 (SPLIT_INDEX) — each equal to its batch computation over the same events (see
 * suite.ts). q14 needs a user-defined function.
 */
import { it } from 'vitest';
import * as oracle from './oracle.js';
import { describeQueries } from './suite.js';

describeQueries('Nexmark stateless queries', [
  { query: 'q0', expected: oracle.q0, minRows: 5000, retracts: false },
  { query: 'q1', expected: oracle.q1, minRows: 5000, retracts: false },
  { query: 'q2', expected: oracle.q2, minRows: 20, retracts: false },
  { query: 'q21', expected: oracle.q21, minRows: 3000, retracts: false },
  { query: 'q22', expected: oracle.q22, minRows: 5000, retracts: false },
]);

// q14 calls count_char, a Java UDF of the Nexmark project (`CREATE FUNCTION count_char AS
// 'com.github.nexmark.flink.udf.CountChar'`): Eddy has no user-defined functions yet (issue 19: "a TypeScript
// UDF, once UDFs exist").
it.todo('q14 equals its batch computation (needs a user-defined function: count_char; Eddy has no UDFs yet)');
