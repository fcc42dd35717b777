/**
 * Multi-sink planning (Flink's statement-set optimization): the pipelines of one job's sinks become one
 * graph.
 * - INSERTs into the same table feed one sink, through a Union: one writer, one file, one commit — two
 *   writers of one table would overwrite each other's records.
 * - Scans of the same table read it once: each becomes the one scan of every column any of them reads,
 *   with a projection to its own columns on top. Nodes with equal ids are then built once (node-id.ts),
 *   so plans that share a prefix also share its operators.
 */
import type { BoundExpr } from '../expr/bound-expr.js';
import {
  physicalInputs,
  replaceInputs,
  type CalcNode,
  type PhysicalPipeline,
  type PhysicalPlan,
  type TableSourceScanNode,
  type UnionNode,
} from './physical-plan.js';
import { physicalNode } from './stream-properties.js';

/** One sink per target table: pipelines into the same table are merged with a Union. */
function oneSinkPerTable(pipelines: readonly PhysicalPipeline[]): PhysicalPipeline[] {
  const byTarget = new Map<string, PhysicalPipeline[]>();
  for (const p of pipelines) {
    const key = p.sink.kind === 'table' ? `table:${p.sink.table.name}` : 'collect';
    byTarget.set(key, [...(byTarget.get(key) ?? []), p]);
  }
  return [...byTarget.values()].map((group) => {
    if (group.length === 1) return group[0]!;
    const first = group[0]!;
    const inputs = group.map((p) => p.root);
    const updating = inputs.some((i) => i.changelog.kind === 'updating');
    const root = physicalNode<UnionNode>({ kind: 'Union', inputs, schema: first.schema, changelog: updating ? { kind: 'updating' } : { kind: 'insert-only' } });
    return { ...first, root };
  });
}

/** The scans of each table, by table name (only tables scanned more than once in different ways matter). */
function scansByTable(roots: readonly PhysicalPlan[]): Map<string, TableSourceScanNode[]> {
  const found = new Map<string, TableSourceScanNode[]>();
  const seen = new Set<PhysicalPlan>();
  const walk = (p: PhysicalPlan) => {
    if (seen.has(p)) return;
    seen.add(p);
    if (p.kind === 'TableSourceScan') found.set(p.table.name, [...(found.get(p.table.name) ?? []), p]);
    physicalInputs(p).forEach(walk);
  };
  roots.forEach(walk);
  return found;
}

/** One scan of `table` reading the columns all of `scans` read (pushed-down filters dropped: the plans filter again). */
function sharedScan(scans: readonly TableSourceScanNode[]): TableSourceScanNode {
  const first = scans[0]!;
  const projection = [...new Set(scans.flatMap((s) => s.projection))].sort((a, b) => a - b);
  const schema = projection.map((c) => {
    for (const s of scans) {
      const at = s.projection.indexOf(c);
      if (at >= 0) return s.schema[at]!;
    }
    throw new Error('unreachable: a projected column of no scan');
  });
  const { filters: _filters, ...fields } = replaceInputs<TableSourceScanNode>(first, []);
  // The key of a source of changes, as positions in the shared scan's columns.
  const key = first.changelog.upsertKey?.map((k) => projection.indexOf(first.projection[k]!));
  const changelog = key ? { ...first.changelog, upsertKey: key } : first.changelog;
  return physicalNode<TableSourceScanNode>({ ...fields, projection, schema, changelog });
}

/** `scan`'s columns read from the shared scan: the shared scan itself, or a projection over it. */
function readThrough(scan: TableSourceScanNode, shared: TableSourceScanNode): PhysicalPlan {
  if (scan.projection.length === shared.projection.length && scan.projection.every((c, i) => c === shared.projection[i]) && !scan.filters) return shared;
  const projection: BoundExpr[] = scan.projection.map((c, i) => ({ kind: 'InputRef', index: shared.projection.indexOf(c), type: scan.schema[i]!.type, name: scan.schema[i]!.name }));
  return physicalNode<CalcNode>({ kind: 'Calc', input: shared, projection, schema: scan.schema, changelog: scan.changelog });
}

/** Rewrites `p` bottom-up with `replace` for the nodes it names, rebuilding (and re-deriving) what is above them. */
function rewrite(p: PhysicalPlan, replace: Map<PhysicalPlan, PhysicalPlan>, done: Map<PhysicalPlan, PhysicalPlan>): PhysicalPlan {
  const cached = done.get(p);
  if (cached) return cached;
  let out = replace.get(p);
  if (!out) {
    const inputs = physicalInputs(p);
    const newInputs = inputs.map((i) => rewrite(i, replace, done));
    out = newInputs.every((n, i) => n === inputs[i]) ? p : physicalNode<PhysicalPlan>(replaceInputs<PhysicalPlan>(p, newInputs));
  }
  done.set(p, out);
  return out;
}

/**
 * Plans the sinks of one job together (see the file comment). Tables whose scans differ only in the
 * columns they read share one scan; scans with different event-time definitions cannot occur (the
 * watermark is the table's).
 */
export function planSinks(pipelines: readonly PhysicalPipeline[]): PhysicalPipeline[] {
  const merged = oneSinkPerTable(pipelines);
  const replace = new Map<PhysicalPlan, PhysicalPlan>();
  for (const scans of scansByTable(merged.map((p) => p.root)).values()) {
    if (scans.length < 2) continue;
    const shared = sharedScan(scans);
    for (const s of scans) replace.set(s, readThrough(s, shared));
  }
  if (replace.size === 0) return merged;
  const done = new Map<PhysicalPlan, PhysicalPlan>();
  return merged.map((p) => ({ ...p, root: rewrite(p.root, replace, done) }));
}
