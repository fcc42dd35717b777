/** Dates and timestamps of years 0–99 are those years (JavaScript's Date.UTC maps them to 1900–1999). */
import { describe, expect, it } from 'vitest';
import { formatDate, formatTimestamp, parseDate, parseTimestamp } from '../../src/common/time.js';

describe('years 0 to 99', () => {
  it('parses and formats dates of the first century', () => {
    expect(formatDate(parseDate('0001-01-01')!)).toBe('0001-01-01');
    expect(formatDate(parseDate('0099-12-31')!)).toBe('0099-12-31');
    // 0001-01-01 is 719,162 days before 1970-01-01 (proleptic Gregorian calendar).
    expect(parseDate('0001-01-01')).toBe(-719_162);
  });

  it('knows their leap years: year 0 and year 4 are, year 1 is not', () => {
    expect(parseDate('0000-02-29')).not.toBeNull();
    expect(parseDate('0004-02-29')).not.toBeNull();
    expect(parseDate('0001-02-29')).toBeNull();
    expect(parseTimestamp('0000-02-29 12:00:00')).not.toBeNull();
    expect(parseTimestamp('0001-02-29 12:00:00')).toBeNull();
  });

  it('parses and formats timestamps of the first century', () => {
    expect(formatTimestamp(parseTimestamp('0042-03-04 05:06:07.890')!)).toBe('0042-03-04 05:06:07.890');
    expect(formatTimestamp(parseTimestamp('1999-12-31 23:59:59.999')!)).toBe('1999-12-31 23:59:59.999');
  });
});
