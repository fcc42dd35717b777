/**
 * Window normalization: window TVFs (`TABLE(TUMBLE(TABLE t, DESCRIPTOR(ts), size))`, HOP, CUMULATE, SESSION,
 * positional or named arguments) and legacy group windows (`GROUP BY TUMBLE(ts, size)`) both become one
 * {@link WindowSpec} over a rowtime column. This is the only place that knows the surface syntaxes.
 */
import type * as ast from '../../parser/ast.js';
import { assertNever } from '../../common/assert-never.js';
import { T, asTimeAttribute, typeToString, type Field } from '../../common/types.js';
import { EddyError, ErrorCode, type Span } from '../../common/errors.js';
import type { WindowSpec } from '../../common/window.js';
import type { BoundExpr } from '../../expr/bound-expr.js';
import { compileExpr } from '../../expr/compile.js';
import type { LogicalPlan } from '../logical-plan.js';
import type { BinderContext } from './binder-context.js';
import { ExprBinder } from './bind-expr.js';
import { Scope, type ScopeColumn } from './scope.js';

/** Parameter names of the window TVFs, in positional order (Flink's names). */
const TVF_PARAMS: Record<string, readonly string[]> = {
  TUMBLE: ['DATA', 'TIMECOL', 'SIZE', 'OFFSET'],
  HOP: ['DATA', 'TIMECOL', 'SLIDE', 'SIZE', 'OFFSET'],
  CUMULATE: ['DATA', 'TIMECOL', 'STEP', 'SIZE', 'OFFSET'],
  SESSION: ['DATA', 'TIMECOL', 'GAP'],
};

/** True when `name` is a window TVF. */
export function isWindowTvf(name: string): boolean {
  return TVF_PARAMS[name.toUpperCase()] !== undefined;
}

function windowError(message: string, span: Span, hint?: string): never {
  throw new EddyError({ code: ErrorCode.INVALID_WINDOW, message, span, hint });
}

/** Evaluates a constant day-time interval argument to milliseconds (> 0 unless `allowZero`). */
export function intervalArg(ctx: BinderContext, e: ast.Expr, what: string, allowZero = false): number {
  const bound: BoundExpr = new ExprBinder(ctx, new Scope([]), { clause: `the window ${what}` }).bind(e);
  if (bound.type.name !== 'INTERVAL_DAY_TIME') {
    windowError(`The window ${what} must be a day-time interval such as INTERVAL '10' MINUTES, got ${typeToString(bound.type)}`, e.span);
  }
  const ms = compileExpr(bound)([]) as number;
  if (!(ms > 0) && !(allowZero && ms === 0)) windowError(`The window ${what} must be positive`, e.span);
  return ms;
}

/**
 * Whether column `index` of `plan` is a column a regular join passed on without its rowtime attribute
 * (through projections, filters and the like that pass it on unchanged).
 */
function rowtimeDroppedByJoin(plan: LogicalPlan, index: number): boolean {
  switch (plan.kind) {
    case 'LogicalProject': {
      const e = plan.exprs[index];
      return e?.kind === 'InputRef' && rowtimeDroppedByJoin(plan.input, e.index);
    }
    case 'LogicalFilter':
    case 'LogicalSort':
    case 'LogicalLimit':
    case 'LogicalRank':
      return rowtimeDroppedByJoin(plan.input, index);
    case 'LogicalWindowTableFunction':
    case 'LogicalOverAggregate':
      return index < plan.input.schema.length && rowtimeDroppedByJoin(plan.input, index);
    case 'LogicalJoin': {
      const width = plan.left.schema.length;
      const [input, i] = index < width ? [plan.left, index] : [plan.right, index - width];
      return input.schema[i]?.type.timeAttribute === 'rowtime';
    }
    case 'LogicalScan':
    case 'LogicalValues':
    case 'LogicalAggregate':
    case 'LogicalUnion':
    case 'LogicalKsqlWindowAggregate':
      return false;
    default:
      return assertNever(plan);
  }
}

/**
 * Checks that a column is an event-time attribute a window can be defined on. `plan` (what the column
 * belongs to) lets the message say when a regular join took the attribute away.
 */
export function checkRowtime(col: ScopeColumn, span: Span, plan?: LogicalPlan): void {
  if (col.type.timeAttribute === 'rowtime') return;
  if (col.type.timeAttribute === 'proctime') {
    throw new EddyError({ code: ErrorCode.UNSUPPORTED, message: `Windows on processing time ('${col.name}') are not supported yet`, span, hint: 'use an event-time column declared with WATERMARK FOR' });
  }
  if (plan && rowtimeDroppedByJoin(plan, col.index)) {
    throw new EddyError({
      code: ErrorCode.NOT_A_TIME_ATTRIBUTE,
      message: `Column '${col.name}' comes out of a regular join, which does not keep time attributes (its rows can be updated at any time), so it cannot define windows`,
      span,
      hint: 'window each input before joining them (a window aggregation per input, then join the results), as in Flink',
    });
  }
  throw new EddyError({
    code: ErrorCode.NOT_A_TIME_ATTRIBUTE,
    message: `Column '${col.name}' (${typeToString(col.type)}) is not a time attribute, so it cannot define windows`,
    span,
    hint: `declare event time in the table: WATERMARK FOR ${col.name} AS ${col.name} - INTERVAL '5' SECOND`,
  });
}

/** A window size as the user wrote it (`INTERVAL '15' MINUTE`), or else in the largest unit that divides it. */
function intervalText(ms: number, e?: ast.Expr): string {
  if (e?.kind === 'IntervalLiteral') return `INTERVAL '${e.value}' ${e.from}${e.to ? ` TO ${e.to}` : ''}`;
  const units: [number, string][] = [[86_400_000, 'DAY'], [3_600_000, 'HOUR'], [60_000, 'MINUTE'], [1000, 'SECOND']];
  const unit = units.find(([u]) => ms % u === 0);
  return unit ? `INTERVAL '${ms / unit[0]}' ${unit[1]}` : `INTERVAL '${ms / 1000}' SECOND`;
}

/**
 * Checks that a HOP's size is a whole multiple of its slide (a CUMULATE's max size of its step), in the
 * units the user wrote. A step longer than the size is usually the two given in the wrong order: say so.
 */
function checkMultiple(fn: 'HOP' | 'CUMULATE', step: number, size: number, args: WindowArgs, span: Span): void {
  if (size % step === 0) return;
  const [stepName, sizeName] = fn === 'HOP' ? ['slide', 'size'] : ['step', 'max size'];
  const stepKey = fn === 'HOP' ? 'SLIDE' : 'STEP';
  const stepText = intervalText(step, args.sizes[stepKey]);
  const sizeText = intervalText(size, args.sizes['SIZE']);
  if (step > size) {
    windowError(
      `${fn} window ${stepName} (${stepText}) is longer than its ${sizeName} (${sizeText})`,
      span,
      `${fn} takes the ${stepName} before the ${sizeName}: were they swapped? ${fn}(${args.lead}, ${sizeText}, ${stepText}) makes windows of ${stepText} every ${sizeText}`,
    );
  }
  const below = Math.floor(size / step) * step;
  windowError(
    `${fn} window ${sizeName} (${sizeText}) must be a whole multiple of the ${stepName} (${stepText})`,
    span,
    `make the ${sizeName} ${intervalText(below)} or ${intervalText(below + step)}, or pick a ${stepName} that divides ${sizeText}`,
  );
}

/** A window call's size arguments as written, and how the call starts (`TABLE t, DESCRIPTOR(ts)`), for messages. */
interface WindowArgs {
  readonly sizes: Record<string, ast.Expr>;
  readonly lead: string;
}

/** Builds the window spec from named sizes (milliseconds), checking Flink's constraints. */
function makeSpec(kind: string, sizes: Record<string, number>, args: WindowArgs, span: Span): WindowSpec {
  const offset = sizes['OFFSET'] ?? 0;
  switch (kind) {
    case 'TUMBLE':
      return { kind: 'tumble', size: sizes['SIZE']!, offset };
    case 'HOP': {
      const slide = sizes['SLIDE']!;
      const size = sizes['SIZE']!;
      checkMultiple('HOP', slide, size, args, span);
      return { kind: 'hop', slide, size, offset };
    }
    case 'CUMULATE': {
      const step = sizes['STEP']!;
      const maxSize = sizes['SIZE']!;
      checkMultiple('CUMULATE', step, maxSize, args, span);
      return { kind: 'cumulate', step, maxSize, offset };
    }
    default:
      return { kind: 'session', gap: sizes['GAP']! };
  }
}

/** The output of a bound window TVF. */
export interface BoundWindowTvf {
  readonly spec: WindowSpec;
  readonly timeIndex: number;
  readonly partitionKeys: readonly number[];
  /** Output fields appended to the input: window_start, window_end, window_time. */
  readonly windowFields: readonly Field[];
}

/**
 * Binds the arguments of a window TVF call given the bound DATA table (its plan and scope), returning the
 * normalized window.
 */
export function bindWindowTvfArgs(ctx: BinderContext, ref: ast.TableFunctionRef, table: { readonly plan: LogicalPlan; readonly scope: Scope }): BoundWindowTvf {
  const dataScope = table.scope;
  const name = ref.name.parts[ref.name.parts.length - 1]!.name.toUpperCase();
  const params = TVF_PARAMS[name]!;
  const byName = new Map<string, ast.TableFunctionArg>();
  ref.args.forEach((arg, i) => {
    const key = arg.name ? arg.name.name.toUpperCase() : params[i];
    if (key === undefined || !params.includes(key)) {
      windowError(`${name} takes ${params.join(', ')}; unexpected argument${arg.name ? ` '${arg.name.name}'` : ` #${i + 1}`}`, arg.span);
    }
    if (byName.has(key)) windowError(`${name}: argument ${key} given twice`, arg.span);
    byName.set(key, arg);
  });
  const required = params.filter((p) => p !== 'OFFSET');
  for (const p of required) if (!byName.has(p)) windowError(`${name} needs a ${p} argument`, ref.span, `${name}(${params.map((x) => (x === 'DATA' ? 'TABLE t' : x === 'TIMECOL' ? 'DESCRIPTOR(ts)' : x === 'OFFSET' ? '[offset]' : `INTERVAL ... (${x.toLowerCase()})`)).join(', ')})`);

  const timecol = byName.get('TIMECOL')!.value;
  if (timecol.kind !== 'DescriptorArg' || timecol.columns.length !== 1) windowError(`${name}'s TIMECOL must be DESCRIPTOR(column)`, timecol.span);
  const col = dataScope.resolve([timecol.columns[0]!.name], timecol.columns[0]!.span);
  checkRowtime(col, timecol.columns[0]!.span, table.plan);

  const sizes: Record<string, number> = {};
  const args: Record<string, ast.Expr> = {};
  for (const p of params) {
    if (p === 'DATA' || p === 'TIMECOL') continue;
    const arg = byName.get(p);
    if (!arg) continue;
    if (arg.value.kind === 'TableArg' || arg.value.kind === 'DescriptorArg') windowError(`${name}'s ${p} must be an interval`, arg.span);
    sizes[p] = intervalArg(ctx, arg.value, p.toLowerCase(), p === 'OFFSET');
    args[p] = arg.value;
  }
  const data = byName.get('DATA')!.value;
  const partitionKeys =
    data.kind === 'TableArg'
      ? data.partitionBy.map((e) => {
          if (name !== 'SESSION') windowError(`PARTITION BY is only allowed in SESSION windows`, e.span);
          if (e.kind !== 'ColumnRef') windowError('PARTITION BY takes column names', e.span);
          return dataScope.resolve(e.name.parts.map((p) => p.name), e.span).index;
        })
      : [];
  const lead = `${data.kind === 'TableArg' ? `TABLE ${data.table.parts.map((p) => p.name).join('.')}` : 'TABLE t'}, DESCRIPTOR(${col.name})`;
  return { spec: makeSpec(name, sizes, { sizes: args, lead }, ref.span), timeIndex: col.index, partitionKeys, windowFields: windowFields(col.type.name === 'TIMESTAMP_LTZ') };
}

/** window_start, window_end (TIMESTAMP(3) NOT NULL) and window_time (a rowtime attribute). */
export function windowFields(ltz: boolean): Field[] {
  const ts = { ...T.timestamp(3), nullable: false };
  const rowtime = asTimeAttribute({ ...(ltz ? T.timestampLtz(3) : T.timestamp(3)), nullable: false }, 'rowtime');
  return [
    { name: 'window_start', type: ts },
    { name: 'window_end', type: ts },
    { name: 'window_time', type: rowtime },
  ];
}

/** A legacy group window found in GROUP BY: `TUMBLE(ts, size)`, `HOP(ts, slide, size)`, `SESSION(ts, gap)`. */
export interface LegacyGroupWindow {
  readonly family: 'TUMBLE' | 'HOP' | 'SESSION';
  readonly spec: WindowSpec;
  readonly timeIndex: number;
  readonly call: ast.FunctionCall;
}

/** Recognizes a legacy group window call in GROUP BY (undefined when `e` is not one). */
export function bindLegacyGroupWindow(ctx: BinderContext, e: ast.Expr, scope: Scope, plan?: LogicalPlan): LegacyGroupWindow | undefined {
  if (e.kind !== 'FunctionCall' || e.name.parts.length !== 1) return undefined;
  const family = e.name.parts[0]!.name.toUpperCase();
  if (family !== 'TUMBLE' && family !== 'HOP' && family !== 'SESSION') return undefined;
  const expected = family === 'HOP' ? 3 : 2;
  if (e.args.length !== expected && !(family === 'TUMBLE' && e.args.length === 3)) {
    windowError(`${family} group window takes ${family === 'HOP' ? '(time_attr, slide, size)' : family === 'TUMBLE' ? '(time_attr, size [, offset])' : '(time_attr, gap)'}`, e.span);
  }
  const timeArg = e.args[0]!;
  if (timeArg.kind !== 'ColumnRef') windowError(`The first argument of ${family} must be a time attribute column`, timeArg.span);
  const col = scope.resolve(timeArg.name.parts.map((p) => p.name), timeArg.span);
  checkRowtime(col, timeArg.span, plan);
  const sizes: Record<string, number> = {};
  if (family === 'TUMBLE') {
    sizes['SIZE'] = intervalArg(ctx, e.args[1]!, 'size');
    if (e.args[2]) sizes['OFFSET'] = intervalArg(ctx, e.args[2], 'offset', true);
  } else if (family === 'HOP') {
    sizes['SLIDE'] = intervalArg(ctx, e.args[1]!, 'slide');
    sizes['SIZE'] = intervalArg(ctx, e.args[2]!, 'size');
  } else sizes['GAP'] = intervalArg(ctx, e.args[1]!, 'gap');
  const args: Record<string, ast.Expr> = family === 'HOP' ? { SLIDE: e.args[1]!, SIZE: e.args[2]! } : {};
  return { family, spec: makeSpec(family, sizes, { sizes: args, lead: col.name }, e.span), timeIndex: col.index, call: e };
}

/** Which window column a legacy property function (TUMBLE_START, HOP_END, SESSION_ROWTIME, ...) reads, if any. */
export function legacyWindowProperty(e: ast.Expr): { family: string; property: 'start' | 'end' | 'time' } | undefined {
  if (e.kind !== 'FunctionCall' || e.name.parts.length !== 1) return undefined;
  const m = /^(TUMBLE|HOP|SESSION)_(START|END|ROWTIME)$/.exec(e.name.parts[0]!.name.toUpperCase());
  if (!m) return undefined;
  return { family: m[1]!, property: m[2] === 'START' ? 'start' : m[2] === 'END' ? 'end' : 'time' };
}

/** A window TVF over `input`: the plan node and its scope (input columns + window columns). */
export function windowTvfPlan(input: LogicalPlan, inputScope: Scope, bound: BoundWindowTvf, alias: string | undefined, span?: Span): { plan: LogicalPlan; scope: Scope } {
  const width = input.schema.length;
  const schema = [...input.schema, ...bound.windowFields];
  const partitionKeys = bound.spec.kind === 'session' ? { partitionKeys: bound.partitionKeys } : {};
  const plan: LogicalPlan = { kind: 'LogicalWindowTableFunction', input, window: bound.spec, timeIndex: bound.timeIndex, ...partitionKeys, schema, span };
  const columns: ScopeColumn[] = [
    ...inputScope.columns.map((c) => ({ ...c, qualifier: alias ?? c.qualifier })),
    ...bound.windowFields.map((f, i) => ({ name: f.name, type: f.type, index: width + i, qualifier: alias })),
  ];
  return {
    plan,
    scope: new Scope(columns, {
      spec: bound.spec,
      input,
      timeIndex: bound.timeIndex,
      startIndex: width,
      endIndex: width + 1,
      timeColumnIndex: width + 2,
      partitionKeys: bound.partitionKeys,
    }),
  };
}
