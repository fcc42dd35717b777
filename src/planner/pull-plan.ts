/**
 * Planning for pull queries:
 * - a pull query's plan: the bounded pipeline, with the final ORDER BY / LIMIT applied to its final rows
 *   (a snapshot has a last row, so any order is possible), and simple predicates on scanned columns pushed
 *   into the sources, so a key lookup reads one row instead of the table.
 */
import { isNumeric } from '../common/types.js';
import type { BoundExpr } from '../expr/bound-expr.js';
import { conjuncts } from './expr-utils.js';
import type { LogicalPlan, SortKey } from './logical-plan.js';
import { physicalInputs, replaceInputs, type CalcNode, type PhysicalPlan, type ScanFilter, type TableSourceScanNode } from './physical-plan.js';
import { physicalNode } from './stream-properties.js';

/** The top of a pull query's logical plan that runs on its final rows: ORDER BY keys, LIMIT and OFFSET. */
export interface FinalSteps {
  readonly plan: LogicalPlan;
  readonly sort?: readonly SortKey[];
  readonly limit?: number;
  readonly offset: number;
}

/** Splits off the ORDER BY / LIMIT / OFFSET at the top of a query's plan. */
export function splitFinalSteps(plan: LogicalPlan): FinalSteps {
  let limit: number | undefined;
  let offset = 0;
  let sort: readonly SortKey[] | undefined;
  let p = plan;
  if (p.kind === 'LogicalLimit') {
    limit = p.limit;
    offset = p.offset;
    p = p.input;
  }
  if (p.kind === 'LogicalSort') {
    sort = p.keys;
    p = p.input;
  }
  return { plan: p, sort, limit: limit === undefined || limit >= Number.MAX_SAFE_INTEGER ? undefined : limit, offset };
}

const COMPARISONS = new Set(['=', '<', '<=', '>', '>=']);
const FLIPPED: Record<string, ScanFilter['op']> = { '=': '=', '<': '>', '<=': '>=', '>': '<', '>=': '<=' };

/**
 * Pushes the conjuncts of a filter directly above a scan that compare a scanned physical column with a
 * constant of the same type (`k = 42`, `window_start >= TIMESTAMP '...'`) into the scan, for sources that
 * can use them. The filter stays in place, so a source may ignore them.
 */
export function pushScanFilters(p: PhysicalPlan): PhysicalPlan {
  if (p.kind === 'Calc' && p.condition && p.input.kind === 'TableSourceScan') {
    const scan = p.input;
    const filters: ScanFilter[] = [];
    for (const c of conjuncts(p.condition)) {
      const f = asScanFilter(c, scan);
      if (f) filters.push(f);
    }
    if (filters.length === 0) return p;
    const input = physicalNode<TableSourceScanNode>({ ...replaceInputs<TableSourceScanNode>(scan, []), filters: [...(scan.filters ?? []), ...filters] });
    return physicalNode<CalcNode>(replaceInputs<CalcNode>(p, [input]));
  }
  const inputs = physicalInputs(p);
  if (inputs.length === 0) return p;
  return physicalNode<PhysicalPlan>(replaceInputs<PhysicalPlan>(p, inputs.map(pushScanFilters)));
}

function asScanFilter(e: BoundExpr, scan: Extract<PhysicalPlan, { kind: 'TableSourceScan' }>): ScanFilter | undefined {
  if (e.kind !== 'Call' || !COMPARISONS.has(e.fn) || e.args.length !== 2) return undefined;
  const [a, b] = e.args as [BoundExpr, BoundExpr];
  const [ref, lit, op] = a.kind === 'InputRef' && b.kind === 'LiteralValue' ? [a, b, e.fn] : b.kind === 'InputRef' && a.kind === 'LiteralValue' ? [b, a, FLIPPED[e.fn]!] : [];
  if (!ref || !lit || lit.value === null || lit.value === undefined) return undefined;
  // SQLite compares numbers across INTEGER and REAL storage; other types must match exactly.
  if (ref.type.name !== lit.type.name && !(isNumeric(ref.type) && isNumeric(lit.type))) return undefined;
  // SQLite orders text by UTF-8 bytes, Eddy by UTF-16 code units: only equality means the same for strings.
  if (ref.type.name === 'STRING' && e.fn !== '=') return undefined;
  const column = scan.table.columns[scan.projection[ref.index]!];
  if (!column || column.computed || column.metadata) return undefined;
  return { column: column.name, op: op as ScanFilter['op'], value: lit.value };
}
