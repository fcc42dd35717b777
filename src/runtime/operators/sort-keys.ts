/** Row comparison by ORDER BY keys, shared by the operators that sort (TemporalSort, Rank). */
import { compareValues } from '../../common/values.js';
import type { SortKey } from '../../planner/logical-plan.js';
import type { Row } from '../changelog.js';

/** Compares rows by `keys`: each key's direction, NULLs first or last as the key says. */
export function sortKeyComparator(keys: readonly SortKey[]): (a: Row, b: Row) => number {
  return (a, b) => {
    for (const k of keys) {
      const av = a[k.index] ?? null;
      const bv = b[k.index] ?? null;
      if (av === null || bv === null) {
        if (av !== bv) return (av === null) === k.nullsFirst ? -1 : 1;
        continue;
      }
      const c = compareValues(av, bv);
      if (c !== 0) return k.descending ? -c : c;
    }
    return 0;
  };
}
