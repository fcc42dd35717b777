/**
 * A tiny reference evaluator for logical plans, for checking that optimizer rules preserve results: it runs
 * a plan as a batch query over in-memory rows. Supports Scan (rows given per table, physical columns only),
 * Values, Project, Filter, non-windowed Aggregate, Union, Join (a nested loop) and Limit. Expressions go through the same
 * compileExpr the runtime uses; aggregates through the AggregateImpl the binder chose.
 */
import { compileExpr } from '../../src/expr/compile.js';
import type { LogicalPlan } from '../../src/planner/logical-plan.js';
import { physicalColumns } from '../../src/planner/catalog.js';
import { mulberry32 as prng } from '../../src/connectors/datagen.js';
export { prng };

export type Row = readonly unknown[];

/** Rows of each table's physical columns, by table name. */
export type TableRows = Readonly<Record<string, readonly Row[]>>;

/** Evaluates `plan` over `tables`; the order of the output is the order a batch engine would produce. */
export function evaluate(plan: LogicalPlan, tables: TableRows): Row[] {
  switch (plan.kind) {
    case 'LogicalScan': {
      const rows = tables[plan.table.name];
      if (!rows) throw new Error(`no rows given for table ${plan.table.name}`);
      const width = physicalColumns(plan.table).length;
      const physicalIndex: number[] = [];
      let p = 0;
      for (const c of plan.table.columns) physicalIndex.push(c.computed ? -1 : p++);
      const computed = plan.computed.map((e) => (e ? compileExpr(e) : undefined));
      return rows.map((physical) => {
        if (physical.length !== width) throw new Error(`row of ${plan.table.name} has ${physical.length} values, expected ${width}`);
        const full = plan.table.columns.map((_, c) => (physicalIndex[c]! >= 0 ? physical[physicalIndex[c]!] : computed[c]!(physical)));
        return plan.projection.map((i) => full[i]);
      });
    }
    case 'LogicalValues':
      return plan.rows.map((r) => r.map((e) => compileExpr(e)([])));
    case 'LogicalProject': {
      const exprs = plan.exprs.map(compileExpr);
      return evaluate(plan.input, tables).map((row) => exprs.map((f) => f(row)));
    }
    case 'LogicalFilter': {
      const cond = compileExpr(plan.condition);
      return evaluate(plan.input, tables).filter((row) => cond(row) === true);
    }
    case 'LogicalAggregate': {
      if (plan.window) throw new Error('the reference evaluator does not run windowed aggregates');
      const input = evaluate(plan.input, tables);
      const groups = new Map<string, { key: unknown[]; accs: unknown[] }>();
      for (const row of input) {
        const key = plan.groupKeys.map((k) => row[k]);
        const id = JSON.stringify(key);
        let g = groups.get(id);
        if (!g) {
          g = { key, accs: plan.aggs.map((a) => a.impl.create()) };
          groups.set(id, g);
        }
        plan.aggs.forEach((a, i) => {
          if (a.filterIndex >= 0 && row[a.filterIndex] !== true) return;
          a.impl.add(g!.accs[i], a.argIndex < 0 ? undefined : row[a.argIndex]);
        });
      }
      // A streaming aggregation emits nothing for an empty input, with or without group keys.
      return [...groups.values()].map((g) => [...g.key, ...plan.aggs.map((a, i) => a.impl.result(g.accs[i]))]);
    }
    case 'LogicalUnion':
      return plan.inputs.flatMap((i) => evaluate(i, tables));
    case 'LogicalJoin':
      if (plan.joinType === 'semi' || plan.joinType === 'anti') {
        // By the definition: the left rows for which some right row makes the condition TRUE (semi), or none does (anti).
        const cond = compileExpr(plan.condition);
        const right = evaluate(plan.right, tables);
        const wanted = plan.joinType === 'semi';
        return evaluate(plan.left, tables).filter((l) => right.some((r) => cond([...l, ...r]) === true) === wanted);
      }
      return nestedLoopJoin(plan.joinType, evaluate(plan.left, tables), evaluate(plan.right, tables), [plan.left.schema.length, plan.right.schema.length], compileExpr(plan.condition));
    case 'LogicalLimit':
      return evaluate(plan.input, tables).slice(plan.offset, plan.offset + plan.limit);
    case 'LogicalWindowTableFunction':
      throw new Error('the reference evaluator does not run window TVFs');
    default:
      throw new Error(`the reference evaluator does not run ${(plan as { kind: string }).kind}`);
  }
}

/**
 * The batch answer of a join, by the definition: every pair of rows whose condition is TRUE, then each
 * unmatched row of a preserved side (the left of a LEFT join, the right of a RIGHT join, both of a FULL
 * join) with NULLs for the other side's columns.
 */
export function nestedLoopJoin(
  type: 'inner' | 'left' | 'right' | 'full',
  left: readonly Row[],
  right: readonly Row[],
  [leftWidth, rightWidth]: readonly [number, number],
  condition: (row: Row) => unknown,
): Row[] {
  const out: Row[] = [];
  const rightMatched = right.map(() => false);
  for (const l of left) {
    let matched = false;
    right.forEach((r, j) => {
      const joined = [...l, ...r];
      if (condition(joined) !== true) return;
      out.push(joined);
      matched = true;
      rightMatched[j] = true;
    });
    if (!matched && (type === 'left' || type === 'full')) out.push([...l, ...new Array(rightWidth).fill(null)]);
  }
  right.forEach((r, j) => {
    if (!rightMatched[j] && (type === 'right' || type === 'full')) out.push([...new Array(leftWidth).fill(null), ...r]);
  });
  return out;
}

/** Rows as sorted JSON strings: compares outputs as multisets. */
export function bag(rows: readonly Row[]): string[] {
  return rows.map((r) => JSON.stringify(r)).sort();
}


/**
 * Random rows for the standard `orders` table (see helpers.ts): id BIGINT, user_id INT, product STRING,
 * amount DECIMAL(10, 2), price DOUBLE, qty INT, ts TIMESTAMP(3), plain_ts TIMESTAMP(3) — with NULLs, small
 * domains (so groups and filters hit) and duplicates.
 */
export function randomOrders(rand: () => number, n: number): Row[] {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const maybe = <T>(v: T): T | null => (rand() < 0.15 ? null : v);
  const rows: Row[] = [];
  for (let i = 0; i < n; i++) {
    rows.push([
      maybe(Math.floor(rand() * 20)),
      maybe(Math.floor(rand() * 5) - 1),
      maybe(pick(['apple', 'pear', 'plum', 'Apple', ''])),
      maybe(Math.round(rand() * 20000 - 5000) / 100),
      maybe(pick([0, 0.5, -1.25, 3, 1e6, 2.75])),
      maybe(Math.floor(rand() * 7) - 2),
      maybe(1_700_000_000_000 + Math.floor(rand() * 3_600_000)),
      maybe(1_700_000_000_000 + Math.floor(rand() * 3_600_000)),
    ]);
  }
  return rows;
}
