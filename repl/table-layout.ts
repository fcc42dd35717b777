/**
 * Lays out tables as lines of text: column widths fitted to the contents (capped, long values cut with
 * `…`), numbers right-aligned. Two styles: `box` (light rules, for the terminal) and `ascii` (`+---+`,
 * the same as `eddy run` prints, for pipes and files).
 */

export type TableStyle = 'box' | 'ascii';

export interface TableLayoutOptions {
  readonly style: TableStyle;
  /** Columns to right-align (numbers). */
  readonly rightAlign?: readonly boolean[];
  /** Widest a column gets. */
  readonly maxColumnWidth?: number;
  /** Widths to start from (grow-only widths keep a live table from jumping about). */
  readonly minWidths?: readonly number[];
  /** Exact widths (a table printed row by row before all values are known); longer values are cut. */
  readonly widths?: readonly number[];
}

/** Display width of text (code points; good enough for the data Eddy shows). */
export function textWidth(s: string): number {
  return [...s].length;
}

function fit(text: string, width: number, right: boolean): string {
  const chars = [...text.replace(/[\r\n\t]/g, ' ')];
  const s = chars.length > width ? chars.slice(0, Math.max(0, width - 1)).join('') + '…' : chars.join('');
  const pad = ' '.repeat(Math.max(0, width - textWidth(s)));
  return right ? pad + s : s + pad;
}

/** Column widths for a header and rows. */
export function columnWidths(columns: readonly string[], rows: readonly (readonly string[])[], options: Pick<TableLayoutOptions, 'maxColumnWidth' | 'minWidths'> = {}): number[] {
  const max = options.maxColumnWidth ?? 40;
  return columns.map((c, i) => {
    let w = Math.max(textWidth(c), options.minWidths?.[i] ?? 0);
    for (const r of rows) w = Math.max(w, textWidth(r[i] ?? ''));
    return Math.min(w, Math.max(max, textWidth(c)));
  });
}

/** The parts of a table: header lines, one line per row, closing lines. */
export interface TableLines {
  readonly header: string[];
  readonly body: string[];
  readonly footer: string[];
  readonly widths: number[];
}

export function layoutTable(columns: readonly string[], rows: readonly (readonly string[])[], options: TableLayoutOptions): TableLines {
  const widths = options.widths ? [...options.widths] : columnWidths(columns, rows, options);
  const right = options.rightAlign ?? [];
  const cells = (r: readonly string[], header = false) => r.map((c, i) => fit(c ?? '', widths[i]!, !header && right[i] === true));
  if (options.style === 'ascii') {
    const border = '+' + widths.map((w) => '-'.repeat(w + 2)).join('+') + '+';
    const line = (r: readonly string[], header = false) => '| ' + cells(r, header).join(' | ') + ' |';
    return { header: [border, line(columns, true), border], body: rows.map((r) => line(r)), footer: [border], widths };
  }
  const line = (r: readonly string[], header = false) => ' ' + cells(r, header).join(' │ ');
  const rule = '─' + widths.map((w) => '─'.repeat(w)).join('─┼─') + '─';
  return { header: [line(columns, true), rule], body: rows.map((r) => line(r)), footer: [], widths };
}

/** A whole static table as text (SHOW, DESCRIBE, SET, pull results), with a row count. */
export function formatTable(columns: readonly string[], rows: readonly (readonly string[])[], style: TableStyle, rightAlign?: readonly boolean[]): string {
  const t = layoutTable(columns, rows, { style, rightAlign, maxColumnWidth: 80 });
  const count = `${rows.length} row${rows.length === 1 ? '' : 's'} in set`;
  return [...t.header, ...t.body, ...t.footer, count].join('\n');
}

const NUMERIC = new Set(['TINYINT', 'SMALLINT', 'INT', 'BIGINT', 'FLOAT', 'DOUBLE', 'DECIMAL']);

/** True for types shown right-aligned. */
export function isNumericType(name: string): boolean {
  return NUMERIC.has(name);
}
