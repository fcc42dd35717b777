/**
 * The planner's entry points: binds a statement, optimizes its logical plan and translates it into a
 * physical pipeline; validates DDL into catalog entries.
 */
import type * as ast from '../parser/ast.js';
import { typeToString, withoutTimeAttribute, type Field } from '../common/types.js';
import { EddyError, ErrorCode, didYouMean } from '../common/errors.js';
import type { BoundExpr } from '../expr/bound-expr.js';
import { implicitCastAllowed } from '../functions/cast.js';
import type { TableDef, ViewDef } from './catalog.js';
import { physicalColumns } from './catalog.js';
import { inputsOf, type LogicalPlan } from './logical-plan.js';
import { pushScanFilters, splitFinalSteps, type FinalSteps } from './pull-plan.js';
import type { PhysicalPipeline } from './physical-plan.js';
import { optimize } from './optimizer/optimize.js';
import { toPhysical, updatingSource } from './to-physical.js';
import type { BinderContext } from './binder/binder-context.js';
import { ExprBinder } from './binder/bind-expr.js';
import { QueryBinder } from './binder/bind-query.js';
import { bindCreateTable, qualified } from './binder/bind-table.js';
import { Scope } from './binder/scope.js';

/** A planned statement: the plan as bound, as optimized, and the runnable pipeline. */
export interface PlannedPipeline {
  readonly logical: LogicalPlan;
  readonly optimized: LogicalPlan;
  readonly pipeline: PhysicalPipeline;
}

/** The tables a bound query scans (views expanded), to tell a pull query from a continuous one. */
export function scannedTables(plan: LogicalPlan): TableDef[] {
  const found = new Map<string, TableDef>();
  const walk = (p: LogicalPlan) => {
    if (p.kind === 'LogicalScan') found.set(p.table.name, p.table);
    for (const i of inputsOf(p)) walk(i);
  };
  walk(plan);
  return [...found.values()];
}

/** A planned pull query: its pipeline, and what to apply to its final rows. */
export interface PlannedPull extends PlannedPipeline {
  readonly final: FinalSteps;
}

function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

export class Planner {
  constructor(readonly ctx: BinderContext) {}

  /** Plans a query whose result goes back to the caller. */
  planQuery(query: ast.Query): PlannedPipeline {
    const bound = new QueryBinder(this.ctx).bindQuery(query);
    const optimized = optimize(bound.plan);
    const root = toPhysical(optimized, this.ctx.env.timeZone);
    return { logical: bound.plan, optimized, pipeline: { root, sink: { kind: 'collect' }, schema: bound.plan.schema } };
  }

  /**
   * Plans a pull query: the bounded pipeline computing its rows (with simple predicates pushed into the
   * scans), and the ORDER BY / LIMIT / OFFSET to apply to the final rows.
   */
  planPull(query: ast.Query, bound: LogicalPlan = this.bindQuery(query)): PlannedPull {
    const final = splitFinalSteps(bound);
    const optimized = optimize(final.plan);
    const root = pushScanFilters(toPhysical(optimized, this.ctx.env.timeZone));
    return { logical: bound, optimized, pipeline: { root, sink: { kind: 'collect' }, schema: final.plan.schema }, final };
  }

  /** Binds a query into its logical plan (e.g. to see which tables it reads before planning it). */
  bindQuery(query: ast.Query): LogicalPlan {
    return new QueryBinder(this.ctx).bindQuery(query).plan;
  }

  /** Plans `INSERT INTO t ...`: matches the query's columns to the table's, and checks the sink accepts its changes. */
  planInsert(insert: ast.InsertStatement): PlannedPipeline {
    const name = qualified(insert.target);
    const entry = this.ctx.catalog.get(name, insert.target.span);
    if (entry.kind !== 'table') {
      throw new EddyError({ code: ErrorCode.INVALID_STATEMENT, message: `Cannot INSERT INTO view '${name}'`, span: insert.target.span });
    }
    if (entry.statement.kind === 'CreateView') {
      throw new EddyError({
        code: ErrorCode.INVALID_STATEMENT,
        message: `Cannot INSERT INTO materialized view '${name}': only its query writes it`,
        span: insert.target.span,
        hint: 'change the view with DROP MATERIALIZED VIEW and CREATE MATERIALIZED VIEW, or write into a table',
      });
    }
    const connector = entry.options['connector'] ?? '';
    const caps = this.ctx.connectors.capabilities(connector);
    if (!caps?.sink) {
      throw new EddyError({ code: ErrorCode.INVALID_STATEMENT, message: `Table '${name}' (connector '${connector}') cannot be written to`, span: insert.target.span, hint: 'write into a table whose connector is a sink: filesystem, sqlite, print, blackhole' });
    }
    const bound = new QueryBinder(this.ctx).bindQuery(insert.query);
    const targets = physicalColumns(entry);
    const order = insert.columns
      ? insert.columns.map((c) => {
          const i = targets.findIndex((t) => t.name === c.name || t.name.toLowerCase() === c.name.toLowerCase());
          if (i < 0) throw new EddyError({ code: ErrorCode.UNKNOWN_COLUMN, message: `Table '${name}' has no column '${c.name}'`, span: c.span, hint: didYouMean(c.name, targets.map((t) => t.name)) });
          return i;
        })
      : targets.map((_, i) => i);
    const source = bound.plan.schema;
    if (source.length !== order.length) {
      throw new EddyError({
        code: ErrorCode.TYPE_MISMATCH,
        message: `Column count mismatch: the query produces ${plural(source.length, 'column')}, but '${name}' expects ${order.length}`,
        span: insert.query.span,
        hint: `${name} (${targets.map((t) => `${t.name} ${typeToString(t.type)}`).join(', ')})`,
      });
    }
    // One expression per target column: the matching query column, cast where allowed, or NULL.
    const binder = new ExprBinder(this.ctx, new Scope([]), { clause: 'INSERT' });
    const exprs: BoundExpr[] = targets.map((t, ti) => {
      const qi = order.indexOf(ti);
      if (qi < 0) {
        if (!t.type.nullable) throw new EddyError({ code: ErrorCode.INVALID_STATEMENT, message: `Column '${t.name}' of '${name}' is NOT NULL but gets no value`, span: insert.span });
        return { kind: 'LiteralValue', value: null, type: t.type };
      }
      const f = source[qi]!;
      const ref: BoundExpr = { kind: 'InputRef', index: qi, type: f.type, name: f.name };
      const from = withoutTimeAttribute(f.type);
      const to = withoutTimeAttribute(t.type);
      if (typeToString({ ...from, nullable: true }) === typeToString({ ...to, nullable: true })) return ref;
      if (!implicitCastAllowed(from, to)) {
        throw new EddyError({
          code: ErrorCode.TYPE_MISMATCH,
          message: `Column types of the query and the sink do not match: '${f.name}' is ${typeToString(f.type)}, but ${name}.${t.name} is ${typeToString(t.type)}`,
          span: insert.query.span,
          hint: `CAST(${f.name} AS ${typeToString(withoutTimeAttribute({ ...t.type, nullable: true }))})`,
        });
      }
      return binder.coerce(ref, to, insert.query.span);
    });
    const schema: Field[] = targets.map((t, i) => ({ name: t.name, type: exprs[i]!.type }));
    const logical: LogicalPlan = { kind: 'LogicalProject', input: bound.plan, exprs, schema };
    const optimized = optimize(logical);
    const root = toPhysical(optimized, this.ctx.env.timeZone);
    if (root.changelog.kind === 'updating' && !caps.sinkAcceptsUpdates) {
      const culprit = updatingSource(root);
      throw new EddyError({
        code: ErrorCode.UPDATING_INTO_APPEND_ONLY,
        message: `Table '${name}' (connector '${connector}') only accepts inserts, but the query produces updates${culprit ? ` (its ${culprit.kind} revises earlier results as new rows arrive)` : ''}`,
        span: insert.query.span,
        hint: 'aggregate over windows (TUMBLE/HOP/CUMULATE/SESSION) so each result is final, or write into a sink that accepts updates (sqlite with a PRIMARY KEY, print, blackhole)',
      });
    }
    return { logical, optimized, pipeline: { root, sink: { kind: 'table', table: entry }, schema } };
  }

  /** Validates a CREATE TABLE. */
  createTable(stmt: ast.CreateTable): TableDef {
    return bindCreateTable(stmt, this.ctx);
  }

  /** Validates a CREATE VIEW (its query must bind) and returns the view. */
  createView(stmt: ast.CreateView): ViewDef {
    const bound = new QueryBinder(this.ctx).bindQuery(stmt.query);
    const names = stmt.columnNames?.map((c) => c.name);
    if (names && names.length !== bound.plan.schema.length) {
      throw new EddyError({ code: ErrorCode.INVALID_STATEMENT, message: `View '${qualified(stmt.name)}' names ${names.length} columns, but its query has ${bound.plan.schema.length}`, span: stmt.name.span });
    }
    const schema = bound.plan.schema.map((f, i) => ({ name: names?.[i] ?? f.name, type: f.type }));
    return { kind: 'view', name: qualified(stmt.name), query: stmt.query, columnNames: names, schema, temporary: stmt.temporary, statement: stmt };
  }
}
