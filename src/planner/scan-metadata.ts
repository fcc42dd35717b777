/**
 * Projection of METADATA columns: a scan reads only the metadata keys its query needs (Flink's
 * SupportsReadingMetadata with projection). A METADATA column is needed when the scan outputs it, the
 * WATERMARK reads it, or a computed column reads it (the scan evaluates every computed column).
 */
import type { BoundExpr } from '../expr/bound-expr.js';
import { sourceColumns } from './catalog.js';
import { inputRefs, replaceInputRefs } from './expr-utils.js';
import type { LogicalScan, ScanMetadata } from './logical-plan.js';

/** The scan's metadata with the keys nobody reads left out (their columns' values NULL). */
export function projectScanMetadata(scan: LogicalScan): ScanMetadata | undefined {
  const metadata = scan.metadata;
  if (!metadata) return undefined;
  const columns = scan.table.columns;
  const source = sourceColumns(columns);
  const needed = new Set<number>(scan.projection);
  if (scan.watermark) {
    needed.add(scan.watermark.rowtimeIndex);
    for (const i of inputRefs(scan.watermark.expr)) needed.add(i);
  }
  for (const e of scan.computed) {
    for (const i of e ? inputRefs(e) : []) needed.add(columns.indexOf(source[i]!));
  }
  const metaColumns = columns.filter((c) => c.metadata !== undefined);
  const keep = metaColumns.map((c) => needed.has(columns.indexOf(c)));
  const keys = metadata.keys.filter((k) => metaColumns.some((c, j) => keep[j] && c.metadata!.key === k));
  if (keys.length === metadata.keys.length) return metadata;
  const width = source.length - metaColumns.length;
  const values = metadata.values.map((e, j): BoundExpr => {
    if (!keep[j]) return { kind: 'LiteralValue', value: null, type: { ...e.type, nullable: true } };
    return replaceInputRefs(e, (ref) => (ref.index < width ? ref : { ...ref, index: width + keys.indexOf(metadata.keys[ref.index - width]!) }));
  });
  return { keys, values };
}
