/**
 * SINGLE_VALUE: the value of the only row of a group, which the planner puts on a scalar subquery that
 * does not aggregate (as Calcite and Flink do). It fails when the group holds more than one row: a scalar
 * subquery used as an expression must return at most one. Not a function users call.
 */
import { EddyError, ErrorCode, type Span } from '../../common/errors.js';
import { valuesEqual } from '../../common/values.js';
import type { AggregateImpl } from '../function-types.js';

/** The group's rows' values (NULLs too: each is a row), as [value, copies]. */
type Acc = [unknown, number][];

function same(a: unknown, b: unknown): boolean {
  return a === b || (a !== null && b !== null && a !== undefined && b !== undefined && valuesEqual(a, b));
}

/** SINGLE_VALUE for a scalar subquery at `span` (named in the error). */
export function singleValue(span: Span): AggregateImpl<Acc> {
  return {
    create: () => [],
    add(acc, v) {
      const run = acc.find((r) => same(r[0], v ?? null));
      if (run) run[1]++;
      else acc.push([v ?? null, 1]);
    },
    retract(acc, v) {
      const i = acc.findIndex((r) => same(r[0], v ?? null));
      if (i < 0) return;
      if (--acc[i]![1] === 0) acc.splice(i, 1);
    },
    merge(acc, other) {
      for (const [v, n] of other) {
        const run = acc.find((r) => same(r[0], v));
        if (run) run[1] += n;
        else acc.push([v, n]);
      }
    },
    result(acc) {
      const rows = acc.reduce((n, r) => n + r[1], 0);
      if (rows > 1) {
        throw new EddyError({
          code: ErrorCode.EXPRESSION_FAILED,
          message: `More than one row returned by a subquery used as an expression (it returned ${rows})`,
          span,
          hint: 'make the subquery return at most one row: aggregate it (MAX, MIN, ...), or add conditions or LIMIT 1',
        });
      }
      return acc.length === 0 ? null : acc[0]![0];
    },
    supportsRetract: true,
    serialize: (acc) => acc.map(([v, n]) => [v, n]),
    deserialize: (data) => (data as Acc).map(([v, n]) => [v, n]),
  };
}
