/**
 * Name resolution scopes: the columns visible at a point of a query, each with the table alias that
 * qualifies it. Column lookup is exact first, then case-insensitive when unique.
 */
import type { DataType } from '../../common/types.js';
import { EddyError, ErrorCode, didYouMean, type Span } from '../../common/errors.js';
import type { WindowSpec } from '../../common/window.js';
import type { LogicalPlan } from '../logical-plan.js';

/** A column visible in a scope; `index` is its position in the row of the plan the scope describes. */
export interface ScopeColumn {
  readonly name: string;
  /** The alias or table name that qualifies it (`r` in `r.ts`); undefined for derived columns. */
  readonly qualifier?: string;
  readonly type: DataType;
  readonly index: number;
  /**
   * A side's copy of a `JOIN ... USING (k)` column: reachable only through its qualifier (`a.k`, `a.*`);
   * the plain name `k` and `*` mean the merged column instead.
   */
  readonly qualifiedOnly?: boolean;
  /** A pseudo column ({@link Field.hidden}): resolvable by name, not expanded by `*`. */
  readonly hidden?: boolean;
}

/**
 * Set on the scope of a window TVF: where its window columns are and what it was applied to, so that a
 * GROUP BY window_start, window_end becomes a window aggregate over the TVF's input.
 */
export interface WindowTvfInfo {
  readonly spec: WindowSpec;
  /** The TVF's input plan and the rowtime column in it. */
  readonly input: LogicalPlan;
  readonly timeIndex: number;
  /** Positions of window_start, window_end, window_time in the TVF's output (= input width + 0, 1, 2). */
  readonly startIndex: number;
  readonly endIndex: number;
  readonly timeColumnIndex: number;
  /** SESSION's PARTITION BY columns (indices in the input). */
  readonly partitionKeys: readonly number[];
}

export class Scope {
  constructor(
    readonly columns: readonly ScopeColumn[],
    readonly windowTvf?: WindowTvfInfo,
  ) {}

  /** Resolves `name` or `qualifier.name`; throws UNKNOWN_COLUMN or AMBIGUOUS_COLUMN with helpful hints. */
  resolve(parts: readonly string[], span: Span): ScopeColumn {
    const name = parts[parts.length - 1]!;
    const qualifier = parts.length > 1 ? parts[parts.length - 2] : undefined;
    const candidates = qualifier === undefined ? this.unqualified : this.columns.filter((c) => c.qualifier !== undefined && sameName(c.qualifier, qualifier));
    if (qualifier !== undefined && candidates.length === 0) {
      const qualifiers = [...new Set(this.columns.map((c) => c.qualifier).filter((q): q is string => q !== undefined))];
      throw new EddyError({
        code: ErrorCode.UNKNOWN_TABLE,
        message: `Table or alias '${qualifier}' is not in scope here`,
        span,
        hint: didYouMean(qualifier, qualifiers) ?? (qualifiers.length ? `tables in scope: ${qualifiers.join(', ')}` : undefined),
      });
    }
    let matches = candidates.filter((c) => c.name === name);
    if (matches.length === 0) matches = candidates.filter((c) => c.name.toLowerCase() === name.toLowerCase());
    if (matches.length === 1) return matches[0]!;
    if (matches.length > 1) {
      throw new EddyError({
        code: ErrorCode.AMBIGUOUS_COLUMN,
        message: `Column '${name}' is ambiguous`,
        span,
        hint: `qualify it: ${matches.map((m) => `${m.qualifier ?? '?'}.${m.name}`).join(' or ')}`,
      });
    }
    const names = candidates.map((c) => c.name);
    throw new EddyError({
      code: ErrorCode.UNKNOWN_COLUMN,
      message: `Column '${parts.join('.')}' not found`,
      span,
      hint: didYouMean(name, names) ?? (names.length ? `available columns: ${names.join(', ')}` : undefined),
    });
  }

  /**
   * Resolves a dotted name that may reach into ROW columns, by Flink's rules: `a.b.c...` is column `b` of table
   * (or alias) `a` when `a` qualifies columns in scope, with fields `c...`; otherwise column `a` with fields
   * `b.c...`. A single name is a column. Returns the column and the names of the fields still to access.
   */
  resolvePath(parts: readonly { readonly name: string; readonly span: Span }[], span: Span): { readonly column: ScopeColumn; readonly fields: readonly { readonly name: string; readonly span: Span }[] } {
    if (parts.length === 1) return { column: this.resolve([parts[0]!.name], span), fields: [] };
    const head = parts.slice(0, 2);
    const headSpan: Span = parts.length === 2 ? span : { ...parts[0]!.span, end: parts[1]!.span.end };
    try {
      return { column: this.resolve(head.map((p) => p.name), headSpan), fields: parts.slice(2) };
    } catch (err) {
      // `a` qualifies no column: `a` may be a ROW column (`person.id`).
      if (!(err instanceof EddyError) || err.code !== ErrorCode.UNKNOWN_TABLE) throw err;
      let column: ScopeColumn;
      try {
        column = this.resolve([parts[0]!.name], parts[0]!.span);
      } catch (inner) {
        if (inner instanceof EddyError && inner.code === ErrorCode.UNKNOWN_COLUMN) {
          throw new EddyError({
            code: ErrorCode.UNKNOWN_TABLE,
            message: `Table or alias '${parts[0]!.name}' is not in scope here, nor is a column of that name`,
            span: headSpan,
            hint: err.diagnostics[0]!.hint,
          });
        }
        throw inner;
      }
      return { column, fields: parts.slice(1) };
    }
  }

  /** The columns an unqualified name or `*` can mean (all but the sides' copies of USING columns). */
  get unqualified(): readonly ScopeColumn[] {
    return this.columns.filter((c) => !c.qualifiedOnly);
  }

  /** The columns `*` (or `alias.*` when `qualifier` is given) expands to: no pseudo columns. */
  starColumns(qualifier?: string): readonly ScopeColumn[] {
    const cols = qualifier === undefined ? this.unqualified : this.columns.filter((c) => c.qualifier !== undefined && sameName(c.qualifier, qualifier));
    return cols.filter((c) => !c.hidden);
  }

  /** A scope with every column re-qualified by `alias` (for `FROM (..) AS alias` and `t AS alias`). */
  requalify(alias: string | undefined): Scope {
    return new Scope(
      this.columns.map((c) => ({ ...c, qualifier: alias })),
      this.windowTvf,
    );
  }
}

/** Identifier equality as the catalog uses it: exact, or equal ignoring case. */
export function sameName(a: string, b: string): boolean {
  return a === b || a.toLowerCase() === b.toLowerCase();
}
