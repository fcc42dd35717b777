import { describe, expect, it } from 'vitest';
import { T, typeToString } from '../../src/common/types.js';
import { evalFn, fixedEnv, resolveError, resolveFn, typed } from './helpers.js';

const ms = (s: string) => Date.parse(s.replace(' ', 'T') + 'Z');
const tsv = (s: string) => typed(ms(s), T.timestamp(3));
const ltz = (s: string) => typed(ms(s), T.timestampLtz(3));
const date = (s: string) => typed(Math.floor(ms(s) / 86_400_000), T.date());
const shanghai = { env: fixedEnv('Asia/Shanghai') };

describe('DATE_FORMAT', () => {
  const t = tsv('2024-03-05 14:07:09.045'); // a Tuesday, day 65 of the year
  const cases: [string, string][] = [
    ['yyyy-MM-dd HH:mm:ss', '2024-03-05 14:07:09'],
    ["yyyy-MM-dd'T'HH:mm:ss.SSS", '2024-03-05T14:07:09.045'],
    ['yy/M/d h:mm a', '24/3/5 2:07 PM'],
    ['EEE, d MMM yyyy', 'Tue, 5 Mar 2024'],
    ['EEEE MMMM', 'Tuesday March'],
    ['D', '65'],
    ['yyyyMMddHHmm', '202403051407'],
    ["'at' H 'o''clock'", "at 14 o'clock"],
    ['SS', '04'],
  ];
  for (const [pattern, want] of cases) {
    it(`formats '${pattern}'`, () => {
      expect(evalFn('DATE_FORMAT', [t, pattern], { literal: true })).toBe(want);
    });
  }

  it('formats midnight in 12-hour clock as 12 AM', () => {
    expect(evalFn('DATE_FORMAT', [tsv('2024-03-05 00:15:00'), 'hh:mm a'])).toBe('12:15 AM');
  });

  it('renders TIMESTAMP_LTZ in the session time zone', () => {
    expect(evalFn('DATE_FORMAT', [ltz('2024-03-05 14:07:09'), 'yyyy-MM-dd HH:mm:ss'], shanghai)).toBe('2024-03-05 22:07:09');
  });

  it('accepts a timestamp string, NULL when unparseable', () => {
    expect(evalFn('DATE_FORMAT', ['2024-03-05 14:07:09', 'yyyyMMdd'])).toBe('20240305');
    expect(evalFn('DATE_FORMAT', ['not a time', 'yyyyMMdd'])).toBe(null);
    expect(evalFn('DATE_FORMAT', [typed(null, T.timestamp(3)), 'yyyy'])).toBe(null);
  });
});

describe('EXTRACT and field functions', () => {
  const t = tsv('2024-03-05 14:07:09.045');
  const units: [string, number][] = [
    ['YEAR', 2024], ['QUARTER', 1], ['MONTH', 3], ['DAY', 5], ['HOUR', 14], ['MINUTE', 7], ['SECOND', 9],
    ['DOW', 3], ['DOY', 65], ['WEEK', 10], ['MILLISECOND', 9045], ['DECADE', 202], ['CENTURY', 21], ['ISODOW', 2],
  ];
  for (const [unit, want] of units) {
    it(`EXTRACT(${unit})`, () => {
      expect(evalFn('EXTRACT', [unit, t], { literal: true })).toBe(want);
    });
  }

  it('shortcut functions', () => {
    expect(evalFn('YEAR', [date('2024-03-05')])).toBe(2024);
    expect(evalFn('MONTH', [t])).toBe(3);
    expect(evalFn('DAYOFMONTH', [t])).toBe(5);
    expect(evalFn('DAYOFYEAR', [t])).toBe(65);
    expect(evalFn('DAYOFWEEK', [date('2024-03-10')])).toBe(1); // Sunday
    expect(evalFn('DAYOFWEEK', [date('2024-03-16')])).toBe(7); // Saturday
    expect(evalFn('QUARTER', [date('2024-11-30')])).toBe(4);
    expect(evalFn('WEEK', [date('2021-01-01')])).toBe(53); // ISO: belongs to 2020's week 53
    expect(evalFn('HOUR', [t])).toBe(14);
    expect(evalFn('MINUTE', [typed(3_723_000, T.time())])).toBe(2);
    expect(evalFn('SECOND', [t])).toBe(9);
    expect(typeToString(resolveFn('YEAR', [t]).type)).toBe('BIGINT');
  });

  it('reads TIMESTAMP_LTZ on the session wall clock', () => {
    expect(evalFn('HOUR', [ltz('2024-03-05 20:00:00')], shanghai)).toBe(4);
    expect(evalFn('DAYOFMONTH', [ltz('2024-03-05 20:00:00')], shanghai)).toBe(6);
  });

  it('extracts from intervals and before 1970', () => {
    expect(evalFn('EXTRACT', ['DAY', typed(93_600_000, T.intervalDayTime())], { literal: true })).toBe(1);
    expect(evalFn('EXTRACT', ['HOUR', typed(93_600_000, T.intervalDayTime())], { literal: true })).toBe(2);
    expect(evalFn('EXTRACT', ['YEAR', typed(14, T.intervalYearMonth())], { literal: true })).toBe(1);
    expect(evalFn('EXTRACT', ['HOUR', tsv('1969-12-31 23:30:00')], { literal: true })).toBe(23);
    expect(evalFn('EXTRACT', ['YEAR', tsv('1969-12-31 23:30:00')], { literal: true })).toBe(1969);
  });

  it('rejects nonsense', () => {
    expect(() => resolveFn('EXTRACT', ['FORTNIGHT', t], { literal: true })).toThrow(/unit/);
    expect(() => resolveFn('EXTRACT', ['HOUR', date('2024-01-01')], { literal: true })).toThrow(/Cannot EXTRACT HOUR from DATE/);
    expect(resolveError('YEAR', [T.string()])).toMatch(/YEAR expects/);
  });
});

describe('TIMESTAMPDIFF', () => {
  const diff = (unit: string, a: unknown, b: unknown) => evalFn('TIMESTAMPDIFF', [unit, a, b], { literal: true });

  it('counts whole fixed units, negative when reversed', () => {
    expect(diff('DAY', tsv('2024-01-01 00:00:00'), tsv('2024-01-03 12:00:00'))).toBe(2);
    expect(diff('HOUR', tsv('2024-01-03 12:00:00'), tsv('2024-01-01 00:00:00'))).toBe(-60);
    expect(diff('SECOND', tsv('2024-01-01 00:00:00'), tsv('2024-01-01 00:00:01.999'))).toBe(1);
    expect(diff('MINUTE', tsv('2024-01-01 00:00:30'), tsv('2024-01-01 00:01:29'))).toBe(0);
    expect(diff('WEEK', date('2024-01-01'), date('2024-01-15'))).toBe(2);
    expect(diff('DAY', date('2024-03-01'), date('2024-03-05'))).toBe(4);
  });

  it('counts calendar months across month ends (Calcite semantics)', () => {
    expect(diff('MONTH', tsv('2024-01-31 00:00:00'), tsv('2024-02-29 00:00:00'))).toBe(1);
    expect(diff('MONTH', tsv('2024-01-31 10:00:00'), tsv('2024-02-29 09:00:00'))).toBe(0);
    expect(diff('MONTH', tsv('2024-01-15 00:00:00'), tsv('2024-02-14 23:59:59'))).toBe(0);
    expect(diff('MONTH', tsv('2024-01-15 00:00:00'), tsv('2024-02-15 00:00:00'))).toBe(1);
    expect(diff('MONTH', tsv('2024-02-29 00:00:00'), tsv('2024-03-31 00:00:00'))).toBe(1);
    expect(diff('MONTH', tsv('2024-03-31 00:00:00'), tsv('2024-02-29 00:00:00'))).toBe(-1);
    expect(diff('YEAR', tsv('2020-02-29 00:00:00'), tsv('2021-02-28 00:00:00'))).toBe(1);
    expect(diff('YEAR', tsv('2020-03-01 00:00:00'), tsv('2021-02-28 00:00:00'))).toBe(0);
    expect(diff('QUARTER', date('2024-01-01'), date('2024-12-31'))).toBe(3);
  });

  it('is NULL for NULL input and checks the unit', () => {
    expect(diff('DAY', typed(null, T.timestamp(3)), tsv('2024-01-01 00:00:00'))).toBe(null);
    expect(() => resolveFn('TIMESTAMPDIFF', ['EON', tsv('2024-01-01 00:00:00'), tsv('2024-01-01 00:00:00')], { literal: true })).toThrow(/time unit/);
  });
});

describe('TIMESTAMPADD', () => {
  it('adds units, calendar months clamped', () => {
    expect(evalFn('TIMESTAMPADD', ['MONTH', 1, tsv('2024-01-31 10:00:00')], { literal: true })).toBe(ms('2024-02-29 10:00:00'));
    expect(evalFn('TIMESTAMPADD', ['HOUR', -2, tsv('2024-01-01 01:00:00')], { literal: true })).toBe(ms('2023-12-31 23:00:00'));
    expect(evalFn('TIMESTAMPADD', ['DAY', 2, date('2024-02-28')], { literal: true })).toBe(date('2024-03-01').v);
    expect(evalFn('TIMESTAMPADD', ['YEAR', 1, date('2024-02-29')], { literal: true })).toBe(date('2025-02-28').v);
    const r = resolveFn('TIMESTAMPADD', ['HOUR', 1, date('2024-03-01')], { literal: true });
    expect(typeToString(r.type)).toBe('TIMESTAMP(3)');
    expect(evalFn('TIMESTAMPADD', ['HOUR', 1, date('2024-03-01')], { literal: true })).toBe(ms('2024-03-01 01:00:00'));
  });
});

describe('TIME_FLOOR and TIME_CEIL', () => {
  const floor = (unit: string, v: unknown, opts = {}) => evalFn('TIME_FLOOR', [unit, v], { literal: true, ...opts });
  const ceil = (unit: string, v: unknown) => evalFn('TIME_CEIL', [unit, v], { literal: true });
  const t = tsv('2024-05-20 14:07:09.045'); // a Monday

  it('floors to each unit', () => {
    expect(floor('SECOND', t)).toBe(ms('2024-05-20 14:07:09'));
    expect(floor('MINUTE', t)).toBe(ms('2024-05-20 14:07:00'));
    expect(floor('HOUR', t)).toBe(ms('2024-05-20 14:00:00'));
    expect(floor('DAY', t)).toBe(ms('2024-05-20 00:00:00'));
    expect(floor('WEEK', t)).toBe(ms('2024-05-19 00:00:00'));
    expect(floor('MONTH', t)).toBe(ms('2024-05-01 00:00:00'));
    expect(floor('QUARTER', t)).toBe(ms('2024-04-01 00:00:00'));
    expect(floor('YEAR', t)).toBe(ms('2024-01-01 00:00:00'));
    expect(floor('HOUR', tsv('1969-12-31 23:30:00'))).toBe(ms('1969-12-31 23:00:00'));
    expect(floor('MONTH', date('2024-03-05'))).toBe(date('2024-03-01').v);
  });

  it('ceils to the next boundary, leaving boundaries alone', () => {
    expect(ceil('HOUR', t)).toBe(ms('2024-05-20 15:00:00'));
    expect(ceil('HOUR', tsv('2024-05-20 14:00:00'))).toBe(ms('2024-05-20 14:00:00'));
    expect(ceil('MONTH', tsv('2024-12-15 00:00:00'))).toBe(ms('2025-01-01 00:00:00'));
    expect(ceil('DAY', date('2024-03-05'))).toBe(date('2024-03-05').v);
    expect(ceil('YEAR', date('2024-03-05'))).toBe(date('2025-01-01').v);
  });

  it('floors TIMESTAMP_LTZ on the session wall clock', () => {
    // 2024-03-05 18:00 UTC is 2024-03-06 02:00 in Shanghai; the local day starts at 2024-03-05 16:00 UTC.
    expect(floor('DAY', ltz('2024-03-05 18:00:00'), shanghai)).toBe(ms('2024-03-05 16:00:00'));
  });

  it('keeps the input type', () => {
    expect(typeToString(resolveFn('TIME_FLOOR', ['HOUR', ltz('2024-01-01 00:00:00')], { literal: true }).type)).toBe('TIMESTAMP_LTZ(3)');
  });
});

describe('conversions', () => {
  it('TO_TIMESTAMP parses with the default or a given pattern, NULL when it cannot', () => {
    expect(evalFn('TO_TIMESTAMP', ['2024-03-05 14:07:09'])).toBe(ms('2024-03-05 14:07:09'));
    expect(evalFn('TO_TIMESTAMP', ['2024-03-05 14:07:09.5'])).toBe(ms('2024-03-05 14:07:09.500'));
    expect(evalFn('TO_TIMESTAMP', ['05/03/2024 14:07', 'dd/MM/yyyy HH:mm'])).toBe(ms('2024-03-05 14:07:00'));
    expect(evalFn('TO_TIMESTAMP', ['20240305', 'yyyyMMdd'])).toBe(ms('2024-03-05 00:00:00'));
    expect(evalFn('TO_TIMESTAMP', ['5 Mar 2024 2:07 PM', 'd MMM yyyy h:mm a'])).toBe(ms('2024-03-05 14:07:00'));
    expect(evalFn('TO_TIMESTAMP', ['garbage'])).toBe(null);
    expect(evalFn('TO_TIMESTAMP', ['2024-02-30', 'yyyy-MM-dd'])).toBe(null);
    expect(typeToString(resolveFn('TO_TIMESTAMP', ['x']).type)).toBe('TIMESTAMP(3)');
  });

  it('TO_DATE', () => {
    expect(evalFn('TO_DATE', ['2024-03-05'])).toBe(19787);
    expect(evalFn('TO_DATE', ['05.03.2024', 'dd.MM.yyyy'])).toBe(19787);
    expect(evalFn('TO_DATE', ['nope'])).toBe(null);
  });

  it('TO_TIMESTAMP_LTZ from epoch seconds or milliseconds', () => {
    expect(evalFn('TO_TIMESTAMP_LTZ', [typed(1_700_000_000, T.bigint()), 0])).toBe(1_700_000_000_000);
    expect(evalFn('TO_TIMESTAMP_LTZ', [typed(1_700_000_000_123, T.bigint()), 3])).toBe(1_700_000_000_123);
    expect(evalFn('TO_TIMESTAMP_LTZ', [1.5, 0])).toBe(1500);
    // Flink: "in time zone string3 (by default 'UTC')" — not the session zone.
    expect(evalFn('TO_TIMESTAMP_LTZ', ['1970-01-01 08:00:00'], shanghai)).toBe(28_800_000);
    expect(evalFn('TO_TIMESTAMP_LTZ', ['1970-01-01 08:00:00', 'yyyy-MM-dd HH:mm:ss', 'Asia/Shanghai'])).toBe(0);
    expect(typeToString(resolveFn('TO_TIMESTAMP_LTZ', [1, 3]).type)).toBe('TIMESTAMP_LTZ(3)');
  });

  it('UNIX_TIMESTAMP and FROM_UNIXTIME use the session time zone', () => {
    expect(evalFn('UNIX_TIMESTAMP', ['1970-01-01 08:00:00'], shanghai)).toBe(0);
    expect(evalFn('UNIX_TIMESTAMP', ['1970-01-01 08:00:00'])).toBe(28_800);
    expect(evalFn('UNIX_TIMESTAMP', ['1970/01/02', 'yyyy/MM/dd'])).toBe(86_400);
    expect(evalFn('UNIX_TIMESTAMP', [])).toBe(Math.floor(Date.UTC(2024, 0, 15, 10, 30) / 1000));
    expect(evalFn('FROM_UNIXTIME', [0])).toBe('1970-01-01 00:00:00');
    expect(evalFn('FROM_UNIXTIME', [0], shanghai)).toBe('1970-01-01 08:00:00');
    expect(evalFn('FROM_UNIXTIME', [typed(86_400, T.bigint()), 'yyyy/MM/dd'])).toBe('1970/01/02');
  });

  it('CONVERT_TZ', () => {
    expect(evalFn('CONVERT_TZ', ['1970-01-01 00:00:00', 'UTC', 'America/Los_Angeles'])).toBe('1969-12-31 16:00:00');
  });
});

describe('the clock', () => {
  const now = Date.UTC(2024, 0, 15, 10, 30, 0);
  const plus14 = { env: fixedEnv('+14:00', now) };

  it('CURRENT_TIMESTAMP, NOW and PROCTIME give env.now() as TIMESTAMP_LTZ', () => {
    expect(evalFn('CURRENT_TIMESTAMP', [])).toBe(now);
    expect(evalFn('NOW', [])).toBe(now);
    expect(evalFn('PROCTIME', [])).toBe(now);
    const r = resolveFn('PROCTIME', []);
    expect(typeToString(r.type)).toBe('TIMESTAMP_LTZ(3) NOT NULL *PROCTIME*');
    expect(r.deterministic).toBe(false);
  });

  it('local variants follow the session time zone', () => {
    expect(evalFn('LOCALTIMESTAMP', [], plus14)).toBe(now + 14 * 3_600_000);
    expect(evalFn('CURRENT_DATE', [], plus14)).toBe(19738); // 2024-01-16
    expect(evalFn('CURRENT_DATE', [])).toBe(19737);
    expect(evalFn('CURRENT_TIME', [])).toBe(37_800_000); // 10:30:00
  });
});
