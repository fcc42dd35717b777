/**
 * Time functions and time zones: a text with its own offset names an instant that no session (or given)
 * time zone shifts again; text after what a pattern reads, and text that cannot be read, give Flink's
 * documented results. Expected values are Flink's documented examples (quoted) or computed by hand.
 */
import { describe, expect, it } from 'vitest';
import { Eddy } from '../../src/engine/eddy.js';
import { executeAll, runQuery } from '../e2e/helpers.js';
import { evalFn, fixedEnv } from './helpers.js';

const berlin = { env: fixedEnv('Europe/Berlin') };
const tokyo = { env: fixedEnv('Asia/Tokyo') };
const LONG_MIN = -9223372036854775808n;

describe("UNIX_TIMESTAMP: Flink's documented results", () => {
  // Flink's docs (UNIX_TIMESTAMP(string1[, string2])), under SET 'table.local-time-zone' = 'Europe/Berlin':
  //   -- Returns 25201
  //   SELECT UNIX_TIMESTAMP('1970-01-01 08:00:01.001', 'yyyy-MM-dd HH:mm:ss.SSS');
  //   -- Returns 1
  //   SELECT UNIX_TIMESTAMP('1970-01-01 08:00:01.001 +0800', 'yyyy-MM-dd HH:mm:ss.SSS X');
  //   -- Returns 25201
  //   SELECT UNIX_TIMESTAMP('1970-01-01 08:00:01.001 +0800', 'yyyy-MM-dd HH:mm:ss.SSS');
  //   -- Returns -9223372036854775808
  //   SELECT UNIX_TIMESTAMP('1970-01-01 08:00:01.001', 'yyyy-MM-dd HH:mm:ss.SSS X');
  it('reads a text without an offset in the session zone', () => {
    expect(evalFn('UNIX_TIMESTAMP', ['1970-01-01 08:00:01.001', 'yyyy-MM-dd HH:mm:ss.SSS'], berlin)).toBe(25201);
  });

  it("uses the text's own offset instead of the session zone", () => {
    expect(evalFn('UNIX_TIMESTAMP', ['1970-01-01 08:00:01.001 +0800', 'yyyy-MM-dd HH:mm:ss.SSS X'], berlin)).toBe(1);
  });

  it('ignores text after what the pattern reads', () => {
    expect(evalFn('UNIX_TIMESTAMP', ['1970-01-01 08:00:01.001 +0800', 'yyyy-MM-dd HH:mm:ss.SSS'], berlin)).toBe(25201);
  });

  it('gives Long.MIN_VALUE for text it cannot read', () => {
    expect(evalFn('UNIX_TIMESTAMP', ['1970-01-01 08:00:01.001', 'yyyy-MM-dd HH:mm:ss.SSS X'], berlin)).toBe(LONG_MIN);
    expect(evalFn('UNIX_TIMESTAMP', ['yesterday'], berlin)).toBe(LONG_MIN);
  });

  it('default pattern: Confluent\'s example "returns 1683201600" for 2023-05-04 12:00:00 (UTC session)', () => {
    expect(evalFn('UNIX_TIMESTAMP', ['2023-05-04 12:00:00'])).toBe(1683201600);
    // An ISO-8601 offset is the text's own: 12:00 at +02:00 is 10:00 UTC, whatever the session zone.
    expect(evalFn('UNIX_TIMESTAMP', ['2023-05-04T12:00:00+02:00'], tokyo)).toBe(1683201600 - 7200);
  });

  it('the documented results through SQL, with the session zone SET', async () => {
    const eddy = new Eddy();
    await executeAll(eddy, "SET 'table.local-time-zone' = 'Europe/Berlin';");
    const r = await runQuery(
      eddy,
      `SELECT UNIX_TIMESTAMP('1970-01-01 08:00:01.001', 'yyyy-MM-dd HH:mm:ss.SSS'),
              UNIX_TIMESTAMP('1970-01-01 08:00:01.001 +0800', 'yyyy-MM-dd HH:mm:ss.SSS X'),
              UNIX_TIMESTAMP('1970-01-01 08:00:01.001 +0800', 'yyyy-MM-dd HH:mm:ss.SSS'),
              UNIX_TIMESTAMP('1970-01-01 08:00:01.001', 'yyyy-MM-dd HH:mm:ss.SSS X')`,
    );
    expect(r.changes.map((c) => c.row)).toEqual([[25201, 1, 25201, LONG_MIN]]);
  });
});

describe('the other time functions and offsets', () => {
  it("FROM_UNIXTIME: Flink's example, 44 is '1970-01-01 00:00:44' in UTC and '1970-01-01 09:00:44' in Asia/Tokyo", () => {
    expect(evalFn('FROM_UNIXTIME', [44])).toBe('1970-01-01 00:00:44');
    expect(evalFn('FROM_UNIXTIME', [44], tokyo)).toBe('1970-01-01 09:00:44');
    // (long) seconds, toward zero as in Java: -1.5 s is -1 s.
    expect(evalFn('FROM_UNIXTIME', [-1.5])).toBe('1969-12-31 23:59:59');
  });

  it("CONVERT_TZ: Flink's example, and a text with its own offset is not read in the from-zone", () => {
    // "CONVERT_TZ('1970-01-01 00:00:00', 'UTC', 'America/Los_Angeles') returns '1969-12-31 16:00:00'"
    expect(evalFn('CONVERT_TZ', ['1970-01-01 00:00:00', 'UTC', 'America/Los_Angeles'])).toBe('1969-12-31 16:00:00');
    expect(evalFn('CONVERT_TZ', ['1970-01-01T00:00:00Z', 'Asia/Shanghai', 'UTC'])).toBe('1970-01-01 00:00:00');
    expect(evalFn('CONVERT_TZ', ['1970-01-01 08:00:00', 'Asia/Shanghai', 'UTC'])).toBe('1970-01-01 00:00:00');
  });

  it("TO_TIMESTAMP_LTZ: read in the given zone (default 'UTC'), unless the text has an offset", () => {
    expect(evalFn('TO_TIMESTAMP_LTZ', ['1970-01-01 08:00:00'], berlin)).toBe(8 * 3_600_000);
    expect(evalFn('TO_TIMESTAMP_LTZ', ['1970-01-01 08:00:00', 'yyyy-MM-dd HH:mm:ss', 'Europe/Berlin'])).toBe(7 * 3_600_000);
    expect(evalFn('TO_TIMESTAMP_LTZ', ['1970-01-01 08:00:00 +0800', 'yyyy-MM-dd HH:mm:ss X', 'Europe/Berlin'])).toBe(0);
    expect(evalFn('TO_TIMESTAMP_LTZ', ['1970-01-01T08:00:00+08:00'], berlin)).toBe(0);
    expect(evalFn('TO_TIMESTAMP_LTZ', ['1970-01-01 08:00:00 trailing', 'yyyy-MM-dd HH:mm:ss'])).toBe(null);
  });

  it('DATE_FORMAT of a text: read and written in the session zone (X prints its offset)', () => {
    expect(evalFn('DATE_FORMAT', ['1970-01-01 08:00:00', 'HH:mm X'], berlin)).toBe('08:00 +01');
    expect(evalFn('DATE_FORMAT', ['1970-01-01 08:00:00.250', 'HH:mm:ss.SSS'], berlin)).toBe('08:00:00.250');
    // Its own offset names an instant, shown in the session zone: 08:00 at +08:00 is 01:00 in Berlin.
    expect(evalFn('DATE_FORMAT', ['1970-01-01T08:00:00+08:00', 'HH:mm'], berlin)).toBe('01:00');
  });

  it('TO_DATE with a pattern ignores text after it, as SimpleDateFormat does', () => {
    expect(evalFn('TO_DATE', ['2024-03-05 10:00:00', 'yyyy-MM-dd'])).toBe(19787);
    expect(evalFn('TO_DATE', ['05.03.2024', 'yyyy-MM-dd'])).toBe(null);
  });
});
