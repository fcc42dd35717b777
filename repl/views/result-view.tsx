/**
 * A running query's result in place: `table` mode shows the current result (rows updated where they are),
 * `changelog` mode the latest changes with their kinds; both show one page that fits the terminal and
 * scroll (PgUp/PgDn/↑/↓/Home/End), following new rows at the end unless scrolled back. Tableau mode
 * prints rows above instead, so here it shows nothing.
 */
import { Box, Text } from 'ink';
import { ROW_KIND_NAMES } from '../../src/index.js';
import type { QueryRun } from '../query-run.js';
import { formatRow } from '../result-model.js';
import { columnWidths, describeColumns, fitColumns, isNumericType, layoutTable } from '../table-layout.js';
import { Styled } from './theme.js';

export interface ResultViewProps {
  readonly run: QueryRun;
  /** Rows a page shows. */
  readonly pageRows: number;
  /** First row shown (or following the end), and the first column shown (←/→). */
  readonly scroll: { readonly offset: number; readonly follow: boolean; readonly column: number };
  /** Terminal width: the columns that do not fit are reached with ←/→. */
  readonly width: number;
  readonly timeZone: string;
  /** Widths seen so far, per column (grow-only, so the table does not jump as values change). */
  readonly widths: number[];
}

/** The lines a result view shows: header, one page of rows, and a position line. */
export function resultViewLines({ run, pageRows, scroll, timeZone, widths, width }: ResultViewProps): { header: string[]; body: string[]; kinds: (number | undefined)[]; position: string } {
  const schema = run.query.schema;
  let all: { kind?: number; row: unknown[] }[];
  if (run.table) all = run.table.rows().map((row) => ({ row }));
  else if (run.changelog) all = run.changelog.changes.map((c) => ({ kind: c.kind, row: c.row }));
  else all = [];
  const total = all.length;
  const last = Math.max(0, total - pageRows);
  const first = scroll.follow ? last : Math.min(scroll.offset, last);
  const page = all.slice(first, first + pageRows);
  const withKinds = run.changelog !== undefined;
  const columns = [...(withKinds ? ['op'] : []), ...schema.map((f) => f.name)];
  const cells = page.map((r) => [...(withKinds ? [ROW_KIND_NAMES[r.kind!]!] : []), ...formatRow(schema, r.row, timeZone)]);
  const right = [...(withKinds ? [false] : []), ...schema.map((f) => isNumericType(f.type.name))];
  columnWidths(columns, cells, { minWidths: widths }).forEach((w, i) => (widths[i] = Math.max(widths[i] ?? 0, w)));
  const fit = fitColumns(widths, right, width, scroll.column);
  const shown = <T,>(r: readonly T[]): T[] => r.slice(fit.first, fit.first + fit.count);
  const t = layoutTable(shown(columns), cells.map(shown), { style: 'box', rightAlign: shown(right), widths: fit.widths, margin: fit.margin });
  const what = run.table ? 'rows' : 'changes';
  const range = total === 0 ? `no ${what} yet` : `${what} ${first + 1}–${first + page.length} of ${total.toLocaleString('en-US')}`;
  const dropped = run.table?.evicted || run.changelog?.evicted;
  const notes = [range, scroll.follow ? 'following' : 'scrolled (End follows)'];
  const shownColumns = describeColumns(fit, columns.length);
  if (shownColumns) notes.push(`${shownColumns} (←→)`);
  else if (fit.cut) notes.push('values cut (→ widens)');
  if (dropped) notes.push(`${dropped.toLocaleString('en-US')} older ${what} dropped: at most ${(run.table ?? run.changelog)!.maxRows.toLocaleString('en-US')} kept`);
  return { header: t.header, body: t.body, kinds: page.map((r) => r.kind), position: notes.join(' · ') };
}

const KIND_COLORS = ['green', 'yellow', 'green', 'red'];

export function ResultView(props: ResultViewProps) {
  const { header, body, kinds, position } = resultViewLines(props);
  return (
    <Box flexDirection="column">
      {header.map((l, i) => (
        <Text key={`h${i}`} wrap="truncate-end">
          <Styled bold={i === 0} dim={i > 0}>
            {l}
          </Styled>
        </Text>
      ))}
      {body.map((l, i) => (
        <Text key={i} wrap="truncate-end">
          {kinds[i] !== undefined ? <Styled color={KIND_COLORS[kinds[i]!]}>{l}</Styled> : l}
        </Text>
      ))}
      <Styled dim>{position}</Styled>
    </Box>
  );
}
