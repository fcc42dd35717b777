/**
 * The planner's entry points: binds a statement, optimizes its logical plan and translates it into a
 * physical pipeline; validates DDL into catalog entries. Binding is split by construct under binder/
 * (bind-query, bind-insert, bind-create-view, bind-table); these methods delegate to it.
 */
import type * as ast from '../parser/ast.js';
import type { TableDef, ViewDef } from './catalog.js';
import { inputsOf, type LogicalPlan } from './logical-plan.js';
import { pushScanFilters, splitFinalSteps, type FinalSteps } from './pull-plan.js';
import type { PhysicalPipeline } from './physical-plan.js';
import { optimize } from './optimizer/optimize.js';
import { toPhysical, updatingSource } from './to-physical.js';
import { EddyError, ErrorCode } from '../common/errors.js';
import type { BinderContext } from './binder/binder-context.js';
import { QueryBinder } from './binder/bind-query.js';
import { bindCreateTable } from './binder/bind-table.js';
import { bindCreateView } from './binder/bind-create-view.js';
import { bindInsert } from './binder/bind-insert.js';
import { planSinks } from './multi-sink.js';

/** A planned statement: the plan as bound, as optimized, and the runnable pipeline. */
export interface PlannedPipeline {
  readonly logical: LogicalPlan;
  readonly optimized: LogicalPlan;
  readonly pipeline: PhysicalPipeline;
}

/** The tables a bound query scans (views expanded), to tell a pull query from a continuous one. */
function scannedTables(plan: LogicalPlan): TableDef[] {
  const found = new Map<string, TableDef>();
  const walk = (p: LogicalPlan) => {
    if (p.kind === 'LogicalScan') found.set(p.table.name, p.table);
    for (const i of inputsOf(p)) walk(i);
  };
  walk(plan);
  return [...found.values()];
}

/** A table a query scans, and what its source is like. */
export interface ScannedTable {
  readonly table: TableDef;
  /**
   * Whether the table's source reads a snapshot of stored data (the rows it holds, then ends: a sqlite table
   * or a materialized view), per its connector's capabilities: a query reading only such tables can be pulled.
   */
  readonly readsSnapshot: boolean;
}

/** A planned pull query: its pipeline, and what to apply to its final rows. */
export interface PlannedPull extends PlannedPipeline {
  readonly final: FinalSteps;
}

/** Plans statements against a session's catalog, functions, settings and connectors (its BinderContext). */
export class Planner {
  constructor(readonly ctx: BinderContext) {}

  /** Plans a query whose result goes back to the caller (from its bound plan, when already bound). */
  planQuery(query: ast.Query, bound: LogicalPlan = this.bindQuery(query)): PlannedPipeline {
    const optimized = optimize(bound);
    const root = toPhysical(optimized, this.ctx.env.timeZone);
    return { logical: bound, optimized, pipeline: { root, sink: { kind: 'collect' }, schema: bound.schema } };
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

  /**
   * Binds a query into its logical plan (e.g. to see which tables it reads before planning it). Hidden
   * columns a query's output may carry (the ROWTIME of a ksqlDB aggregation) are not part of its result.
   */
  bindQuery(query: ast.Query): LogicalPlan {
    return withoutHiddenColumns(new QueryBinder(this.ctx).bindQuery(query).plan);
  }

  /**
   * The tables a bound query scans (views expanded), each with whether its connector's source reads a
   * snapshot: what the engine's query router decides pull, push or continuous from.
   */
  scannedTables(plan: LogicalPlan): ScannedTable[] {
    return scannedTables(plan).map((table) => ({ table, readsSnapshot: this.ctx.connectors.capabilities(table.options['connector'] ?? '')?.sourceReadsSnapshot ?? false }));
  }

  /**
   * Plans `INSERT INTO t ...`: binds it (bind-insert.ts matches the query's columns to the table's), plans
   * the pipeline into the table, and checks the sink accepts the changes the plan produces.
   */
  planInsert(insert: ast.InsertStatement): PlannedPipeline {
    const { logical, target, acceptsUpdates } = bindInsert(insert, this.ctx);
    const optimized = optimize(logical);
    const root = toPhysical(optimized, this.ctx.env.timeZone);
    if (root.changelog.kind === 'updating' && !acceptsUpdates) {
      const culprit = updatingSource(root);
      throw new EddyError({
        code: ErrorCode.UPDATING_INTO_APPEND_ONLY,
        message: `Table '${target.name}' (connector '${target.options['connector']}') only accepts inserts, but the query produces updates${culprit ? ` (its ${culprit.kind} revises earlier results as new rows arrive)` : ''}`,
        span: insert.query.span,
        hint: 'aggregate over windows (TUMBLE/HOP/CUMULATE/SESSION) so each result is final, or write into a sink that accepts updates (sqlite with a PRIMARY KEY, print, blackhole)',
      });
    }
    return { logical, optimized, pipeline: { root, sink: { kind: 'table', table: target }, schema: logical.schema } };
  }

  /**
   * Plans the INSERTs of one job (an INSERT or a statement set): each as planInsert does, then their
   * sinks together (multi-sink.ts: one writer per table, shared reads).
   */
  planJob(stmt: ast.InsertStatement | ast.StatementSet): { readonly planned: readonly PlannedPipeline[]; readonly sinks: readonly PhysicalPipeline[] } {
    const planned = (stmt.kind === 'InsertStatement' ? [stmt] : stmt.inserts).map((i) => this.planInsert(i));
    return { planned, sinks: planSinks(planned.map((p) => p.pipeline)) };
  }

  /** Validates a CREATE TABLE. */
  createTable(stmt: ast.CreateTable): TableDef {
    return bindCreateTable(stmt, this.ctx);
  }

  /** Validates a CREATE VIEW (its query must bind) and returns the view (see bind-create-view.ts). */
  createView(stmt: ast.CreateView): ViewDef {
    return bindCreateView(stmt, this.ctx);
  }
}

/** `plan` without its hidden output columns ({@link Field.hidden}), if it has any. */
function withoutHiddenColumns(plan: LogicalPlan): LogicalPlan {
  if (!plan.schema.some((f) => f.hidden)) return plan;
  const kept = plan.schema.flatMap((f, i) => (f.hidden ? [] : [i]));
  return {
    kind: 'LogicalProject',
    input: plan,
    exprs: kept.map((i) => ({ kind: 'InputRef', index: i, type: plan.schema[i]!.type, name: plan.schema[i]!.name })),
    schema: kept.map((i) => plan.schema[i]!),
  };
}
