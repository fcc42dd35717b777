/**
 * ksqlDB's window clause (`WINDOW TUMBLING (SIZE 1 HOUR, GRACE PERIOD 10 MINUTES)`): which properties each
 * window type takes, and the checks ksqlDB makes on their values, turning the parsed properties into a
 * {@link KsqlWindow} with durations in milliseconds.
 */
import { ErrorCode, type Span } from '../common/errors.js';
import type { KsqlWindow } from './ast.js';

/** A property as written: its name (`''` for SESSION's bare gap), amount, unit, and where it stands. */
export interface KsqlWindowProperty {
  readonly name: '' | 'SIZE' | 'ADVANCE' | 'RETENTION' | 'GRACE';
  /** The amount as written (may be negative, fractional or 0: checked here). */
  readonly amount: number;
  /** The singular unit (`SECOND`, `HOUR`, ...). */
  readonly unit: string;
  readonly span: Span;
  /** The span of the duration alone (`10 SECONDS`). */
  readonly durationSpan: Span;
}

/** Milliseconds per ksqlDB window unit (ksqlDB accepts these: DAY down to MILLISECOND); joins' WITHIN too. */
export const UNIT_MS: Readonly<Record<string, number>> = { DAY: 86_400_000, HOUR: 3_600_000, MINUTE: 60_000, SECOND: 1_000, MILLISECOND: 1 };

/** How a property is written in messages. */
const PROPERTY_TEXT: Readonly<Record<KsqlWindowProperty['name'], string>> = { '': 'the session gap', SIZE: 'SIZE', ADVANCE: 'ADVANCE BY', RETENTION: 'RETENTION', GRACE: 'GRACE PERIOD' };

/** Which properties each window type takes (the first is required: SIZE, or SESSION's gap). */
const ALLOWED: Readonly<Record<KsqlWindow['type'], readonly KsqlWindowProperty['name'][]>> = {
  TUMBLING: ['SIZE', 'RETENTION', 'GRACE'],
  HOPPING: ['SIZE', 'ADVANCE', 'RETENTION', 'GRACE'],
  SESSION: ['', 'RETENTION', 'GRACE'],
};

/** A problem found in a window clause: reported with its position, the clause still builds. */
export type ReportWindowError = (code: ErrorCode, message: string, span: Span, hint?: string) => void;

/**
 * Builds the window of `WINDOW type (props)`, reporting every problem: a property the type does not take or
 * given twice, a missing SIZE / ADVANCE BY / gap, a unit ksqlDB does not accept, a duration that is not a
 * positive whole number of milliseconds (GRACE PERIOD and RETENTION may be 0), ADVANCE BY larger than SIZE.
 */
export function buildKsqlWindow(type: KsqlWindow['type'], props: readonly KsqlWindowProperty[], span: Span, report: ReportWindowError): KsqlWindow {
  const found = new Map<KsqlWindowProperty['name'], number>();
  const spans = new Map<KsqlWindowProperty['name'], Span>();
  for (const p of props) {
    if (!ALLOWED[type].includes(p.name)) {
      const hint = type === 'SESSION' ? 'WINDOW SESSION (5 MINUTES [, RETENTION n unit] [, GRACE PERIOD n unit])' : type === 'TUMBLING' ? 'WINDOW TUMBLING (SIZE n unit [, RETENTION n unit] [, GRACE PERIOD n unit])' : 'WINDOW HOPPING (SIZE n unit, ADVANCE BY n unit [, RETENTION n unit] [, GRACE PERIOD n unit])';
      report(ErrorCode.INVALID_WINDOW, `A ${type} window does not take ${p.name === '' ? 'a bare duration' : PROPERTY_TEXT[p.name]}`, p.span, hint);
      continue;
    }
    if (found.has(p.name)) {
      report(ErrorCode.INVALID_WINDOW, `${PROPERTY_TEXT[p.name]} is given twice`, p.span);
      continue;
    }
    const unitMs = UNIT_MS[p.unit];
    if (unitMs === undefined) {
      report(ErrorCode.INVALID_WINDOW, `ksqlDB windows do not take the unit ${p.unit}`, p.durationSpan, 'use DAYS, HOURS, MINUTES, SECONDS or MILLISECONDS');
      continue;
    }
    const ms = p.amount * unitMs;
    const mayBeZero = p.name === 'GRACE' || p.name === 'RETENTION';
    if (!Number.isSafeInteger(ms) || ms < 0 || (ms === 0 && !mayBeZero)) {
      report(ErrorCode.INVALID_WINDOW, `${PROPERTY_TEXT[p.name].replace(/^the s/, 'The s')} must be ${mayBeZero ? 'zero or positive' : 'positive'}, a whole number of milliseconds`, p.durationSpan);
      continue;
    }
    found.set(p.name, ms);
    spans.set(p.name, p.span);
  }
  const size = found.get(type === 'SESSION' ? '' : 'SIZE');
  const required: KsqlWindowProperty['name'][] = type === 'HOPPING' ? ['SIZE', 'ADVANCE'] : [type === 'SESSION' ? '' : 'SIZE'];
  for (const r of required) {
    // A property given with a bad value was reported already.
    if (!found.has(r) && !props.some((p) => p.name === r)) report(ErrorCode.INVALID_WINDOW, `A ${type} window needs ${PROPERTY_TEXT[r]}`, span);
  }
  const advance = found.get('ADVANCE');
  if (size !== undefined && advance !== undefined && advance > size) {
    report(ErrorCode.INVALID_WINDOW, 'ADVANCE BY must not be larger than SIZE', spans.get('ADVANCE')!, 'a hopping window advances by at most its size');
  }
  const retention = found.get('RETENTION');
  const grace = found.get('GRACE');
  return {
    kind: 'KsqlWindow',
    type,
    sizeMs: size ?? 1,
    ...(advance === undefined ? {} : { advanceMs: advance }),
    ...(retention === undefined ? {} : { retentionMs: retention }),
    ...(grace === undefined ? {} : { graceMs: grace }),
    span,
  };
}
