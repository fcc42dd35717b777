/**
 * Test helpers for the planner: a planner built the way the engine builds it, a standard catalog, and
 * shortcuts to bind, plan and catch errors from SQL text.
 */
import { expect } from 'vitest';
import type * as ast from '../../src/parser/ast.js';
import { parseStatement } from '../../src/parser/parse.js';
import { EddyError, type Diagnostic } from '../../src/common/errors.js';
import { typeToString, type DataType } from '../../src/common/types.js';
import { builtinFunctions } from '../../src/functions/registry.js';
import { builtinConnectors, builtinFormats } from '../../src/connectors/index.js';
import { connectorLookup } from '../../src/engine/connector-lookup.js';
import { Catalog } from '../../src/planner/catalog.js';
import { Planner, type PlannedPipeline } from '../../src/planner/planner.js';
import { QueryBinder, type BoundQuery } from '../../src/planner/binder/bind-query.js';
import { inputsOf, type LogicalPlan } from '../../src/planner/logical-plan.js';
import type { BoundExpr } from '../../src/expr/bound-expr.js';
import { physicalInputs, type PhysicalPlan } from '../../src/planner/physical-plan.js';

/** DDL of the tables most tests use. `orders.ts` is a rowtime; `orders.plain_ts` is a plain TIMESTAMP(3). */
export const STANDARD_DDL = [
  `CREATE TABLE orders (
     id BIGINT, user_id INT, product STRING, amount DECIMAL(10, 2), price DOUBLE, qty INT,
     ts TIMESTAMP(3), plain_ts TIMESTAMP(3),
     WATERMARK FOR ts AS ts - INTERVAL '5' SECOND
   ) WITH ('connector' = 'filesystem', 'path' = '/tmp/orders', 'format' = 'json')`,
  `CREATE TABLE clicks (
     user_id INT, url STRING, ts TIMESTAMP(3),
     WATERMARK FOR ts AS ts
   ) WITH ('connector' = 'filesystem', 'path' = '/tmp/clicks', 'format' = 'json')`,
  `CREATE TABLE gen (n BIGINT, s STRING) WITH ('connector' = 'datagen', 'number-of-rows' = '10')`,
  `CREATE TABLE out_print (k INT, c BIGINT) WITH ('connector' = 'print')`,
  `CREATE TABLE out_hole (k INT, c BIGINT) WITH ('connector' = 'blackhole')`,
  `CREATE TABLE out_file (k INT, c BIGINT) WITH ('connector' = 'filesystem', 'path' = '/tmp/out', 'format' = 'json')`,
];

/** A planner over a fresh catalog, constructed exactly as src/engine/eddy.ts does. */
export class TestPlanner {
  readonly catalog = new Catalog();
  readonly planner = new Planner({
    catalog: this.catalog,
    functions: builtinFunctions(),
    env: { timeZone: 'UTC', now: () => 0 },
    connectors: connectorLookup(builtinConnectors(), builtinFormats()),
  });

  constructor(ddl: readonly string[] = STANDARD_DDL) {
    for (const d of ddl) this.ddl(d);
  }

  /** Runs CREATE TABLE / CREATE VIEW statements into the catalog. */
  ddl(sql: string): this {
    const stmt = parseStatement(sql);
    if (stmt.kind === 'CreateTable') this.catalog.add(this.planner.createTable(stmt));
    else if (stmt.kind === 'CreateView') this.catalog.add(this.planner.createView(stmt));
    else throw new Error(`not DDL: ${sql}`);
    return this;
  }

  /** Binds a SELECT (no optimization). */
  bind(sql: string): BoundQuery {
    return new QueryBinder(this.planner.ctx).bindQuery(queryOf(sql));
  }

  /** Plans a SELECT through the planner. */
  plan(sql: string): PlannedPipeline {
    return this.planner.planQuery(queryOf(sql));
  }

  /** Plans an INSERT through the planner. */
  insert(sql: string): PlannedPipeline {
    const stmt = parseStatement(sql);
    if (stmt.kind !== 'InsertStatement') throw new Error(`not an INSERT: ${sql}`);
    return this.planner.planInsert(stmt);
  }

  /** Validates a CREATE TABLE. */
  createTable(sql: string) {
    const stmt = parseStatement(sql);
    if (stmt.kind !== 'CreateTable') throw new Error(`not CREATE TABLE: ${sql}`);
    return this.planner.createTable(stmt);
  }

  /** The first select-list expression of `SELECT <expr> FROM <from>`, bound. */
  expr(exprSql: string, from = 'orders'): BoundExpr {
    const plan = this.bind(`SELECT ${exprSql} FROM ${from}`).plan;
    if (plan.kind !== 'LogicalProject') throw new Error(`expected a projection, got ${plan.kind}`);
    return plan.exprs[0]!;
  }
}

/** The query of a `SELECT ...` statement. */
export function queryOf(sql: string): ast.Query {
  const stmt = parseStatement(sql);
  if (stmt.kind !== 'QueryStatement') throw new Error(`not a query: ${sql}`);
  return stmt.query;
}

/** Runs `fn`, expecting an EddyError; returns it. */
export function catchEddy(fn: () => unknown): EddyError {
  try {
    fn();
  } catch (e) {
    if (e instanceof EddyError) return e;
    throw new Error(`expected an EddyError, got: ${String(e)}`);
  }
  throw new Error('expected an EddyError, but nothing was thrown');
}

/** The source text a diagnostic's span covers in `sql`. */
export function spanText(sql: string, d: Diagnostic): string {
  expect(d.span, `diagnostic ${d.code} has no span`).toBeDefined();
  return sql.slice(d.span!.start, d.span!.end);
}

/** Expects `fn` to fail with `code`, and returns the first diagnostic. */
export function expectError(fn: () => unknown, code: string): Diagnostic {
  const err = catchEddy(fn);
  expect(err.code, err.message).toBe(code);
  return err.diagnostics[0]!;
}

/** A type as text (Flink style), for compact assertions. */
export const ty = (t: DataType): string => typeToString(t);

/** All nodes of a logical plan, top-down, pre-order. */
export function logicalNodes(plan: LogicalPlan): LogicalPlan[] {
  return [plan, ...inputsOf(plan).flatMap(logicalNodes)];
}

/** All nodes of a physical plan, top-down, pre-order. */
export function physicalNodes(plan: PhysicalPlan): PhysicalPlan[] {
  return [plan, ...physicalInputs(plan).flatMap(physicalNodes)];
}

/** The first logical node of a kind (pre-order), failing the test when absent. */
export function findLogical<K extends LogicalPlan['kind']>(plan: LogicalPlan, kind: K): Extract<LogicalPlan, { kind: K }> {
  const n = logicalNodes(plan).find((p) => p.kind === kind);
  expect(n, `no ${kind} in the plan`).toBeDefined();
  return n as Extract<LogicalPlan, { kind: K }>;
}

/** The first physical node of a kind (pre-order), failing the test when absent. */
export function findPhysical<K extends PhysicalPlan['kind']>(plan: PhysicalPlan, kind: K): Extract<PhysicalPlan, { kind: K }> {
  const n = physicalNodes(plan).find((p) => p.kind === kind);
  expect(n, `no ${kind} in the plan`).toBeDefined();
  return n as Extract<PhysicalPlan, { kind: K }>;
}

/** Kinds of a logical plan's nodes, pre-order: a compact shape to assert. */
export function shape(plan: LogicalPlan): string[] {
  return logicalNodes(plan).map((p) => p.kind);
}
