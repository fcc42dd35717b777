/**
 * Regular expressions cannot freeze a real `eddy serve`: a GET whose REGEXP / SIMILAR TO / LIKE would take
 * 2^40 steps on a backtracking engine is answered at once while a Postgres client is answered too, and a
 * pattern no linear-time engine can run (a backreference) gets a clear, positioned error. Needs the build.
 */
import { describe, expect, it } from 'vitest';
import { pgClient } from '../server/helpers.js';
import { httpGet, pgFailure, useServe } from './eddy-process.js';

const EVIL = `'${'a'.repeat(40)}b'`;

describe('regular expressions against a real eddy serve', () => {
  const serve = useServe();

  it('answers a GET with a catastrophic pattern, and another client meanwhile', async () => {
    const client = await pgClient(serve().pgPort, { password: serve().token });
    try {
      const evil = httpGet(
        serve(),
        `SELECT REGEXP(s, '^(a|a)+$') AS r, s SIMILAR TO '(a|aa)+' AS st, s LIKE '%a%a%a%a%a%a%a%a%c' AS l, REGEXP_REPLACE(s, '(a*)*b', 'x') AS rr FROM (VALUES (${EVIL}), ('aaaa')) AS t(s)`,
      );
      const other = client.query('SELECT 1 + 1 AS two');
      const [e, o] = await Promise.all([evil, other]);
      expect(o.rows).toEqual([{ two: 2 }]);
      expect(e.status).toBe(200);
      // Hand-checked: the 40 a's and b match none of the anchored patterns, and REGEXP_REPLACE replaces
      // the whole string; 'aaaa' matches the first two, has no c for LIKE, and has no b for the replacement.
      expect(e.body.rows).toEqual([
        [false, false, false, 'x'],
        [true, true, false, 'aaaa'],
      ]);
    } finally {
      await client.end();
    }
    expect(serve().alive()).toBe(true);
  });

  it('refuses a backreference with a clear error, over HTTP and Postgres', async () => {
    const sql = `SELECT REGEXP(s, '(a+)+\\1$') FROM (VALUES (${EVIL})) AS t(s)`;
    const get = await httpGet(serve(), sql);
    expect(get.status).toBe(400);
    expect(get.body.error.code).toBe('EDDY-B006');
    expect(get.body.error.message).toBe("REGEXP: Regular expression '(a+)+\\1$' is not supported: backreferences cannot be matched in linear time (at character 6 of the pattern)");

    const client = await pgClient(serve().pgPort, { password: serve().token });
    try {
      const err = await pgFailure(client.query(sql));
      expect(err?.message).toMatch(/not supported: backreferences/);
      expect(err?.detail).toContain('EDDY-B006');
      // The call starts at character 8 of the query.
      expect(err?.position).toBe('8');
      // A pattern from the data is checked when it is met: the query fails with the pattern named.
      const fromData = await pgFailure(client.query(`SELECT REGEXP('aa', p) FROM (VALUES ('(a)\\1')) AS t(p)`));
      expect(fromData?.message).toMatch(/Regular expression '\(a\)\\1' is not supported/);
      expect((await client.query('SELECT 2 AS two')).rows).toEqual([{ two: 2 }]);
    } finally {
      await client.end();
    }
  });
});
