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
  /** `box` style: a space before the first column and a rule one longer (default); off when space is short. */
  readonly margin?: boolean;
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
  const edge = options.margin === false ? '' : ' ';
  const line = (r: readonly string[], header = false) => edge + cells(r, header).join(' │ ');
  const rule = edge.replace(' ', '─') + widths.map((w) => '─'.repeat(w)).join('─┼─') + edge.replace(' ', '─');
  return { header: [line(columns, true), rule], body: rows.map((r) => line(r)), footer: [], widths };
}

/** The text of a table that is one cell of several lines (SHOW CREATE TABLE), printed as it is; else undefined. */
export function singleText(columns: readonly string[], rows: readonly (readonly string[])[]): string | undefined {
  const cell = columns.length === 1 && rows.length === 1 ? rows[0]![0] : undefined;
  return cell !== undefined && cell.includes('\n') ? cell : undefined;
}

/** A whole static table as text (SHOW, DESCRIBE, SET, pull results), with a row count. */
export function formatTable(columns: readonly string[], rows: readonly (readonly string[])[], style: TableStyle, rightAlign?: readonly boolean[]): string {
  const t = layoutTable(columns, rows, { style, rightAlign, maxColumnWidth: 80 });
  const count = `${rows.length} row${rows.length === 1 ? '' : 's'} in set`;
  return [...t.header, ...t.body, ...t.footer, count].join('\n');
}

/** Width of a column whose values are not known yet (rows printed as they come), from its name and type. */
export function typeWidth(f: { readonly name: string; readonly type: { readonly name: string; readonly precision?: number } }): number {
  const byType: Record<string, number> = { BOOLEAN: 5, TINYINT: 4, SMALLINT: 6, INT: 11, BIGINT: 20, FLOAT: 14, DOUBLE: 14, TIMESTAMP: 23, TIMESTAMP_LTZ: 23, DATE: 10, TIME: 12 };
  const t = f.type;
  const w = byType[t.name] ?? (t.name === 'DECIMAL' ? (t.precision ?? 10) + 2 : t.name === 'STRING' ? (t.precision ?? 20) : 20);
  return Math.max(textWidth(f.name), Math.min(40, w));
}

/** Narrowest a text column is cut to before columns are left out instead. */
export const MIN_CUT_WIDTH = 10;

/** The columns of a `box` table that fit a terminal: from `first`, `count` of them, at `widths`. */
export interface FittedColumns {
  readonly first: number;
  readonly count: number;
  readonly widths: number[];
  /** Whether the lines keep their leading space. */
  readonly margin: boolean;
  /** Some shown column is narrower than its values (they are cut with `…`). */
  readonly cut: boolean;
}

/** Characters a `box` line of these widths takes (the rule's, which is the longest). */
function boxWidth(widths: readonly number[], margin: boolean): number {
  return (margin ? 2 : 0) + widths.reduce((a, b) => a + b, 0) + 3 * Math.max(0, widths.length - 1);
}

/** Shrinks text columns (widest first, never below {@link MIN_CUT_WIDTH}) until the line fits; undefined when it cannot. */
function shrinkToFit(natural: readonly number[], right: readonly boolean[], width: number): number[] | undefined {
  const widths = [...natural];
  let excess = boxWidth(widths, false) - width;
  while (excess > 0) {
    let widest = -1;
    for (let i = 0; i < widths.length; i++) {
      if (right[i] || widths[i]! <= MIN_CUT_WIDTH) continue;
      if (widest < 0 || widths[i]! > widths[widest]!) widest = i;
    }
    if (widest < 0) return undefined;
    widths[widest]!--;
    excess--;
  }
  return widths;
}

/**
 * Fits a table to `width` characters, starting at column `first`: all columns at their natural widths when
 * they fit (dropping the leading space if that is enough); else text columns cut (numbers never are: a cut
 * number is a wrong number); else, with `hide`, only the columns that fit (the rest are reached by
 * scrolling, or printed in a further panel). Without `hide` all columns stay and the line may wrap.
 */
export function fitColumns(natural: readonly number[], right: readonly boolean[], width: number, first = 0, hide = true): FittedColumns {
  const from = Math.max(0, Math.min(first, natural.length - 1));
  for (let count = natural.length - from; count >= 1; count--) {
    const ws = natural.slice(from, from + count);
    const rs = right.slice(from, from + count);
    if (boxWidth(ws, true) <= width) return { first: from, count, widths: ws, margin: true, cut: false };
    if (boxWidth(ws, false) <= width) return { first: from, count, widths: ws, margin: false, cut: false };
    const shrunk = shrinkToFit(ws, rs, width);
    if (shrunk) return { first: from, count, widths: shrunk, margin: false, cut: true };
    if (!hide) return { first: from, count, widths: ws.map((w, i) => (rs[i] ? w : Math.min(w, MIN_CUT_WIDTH))), margin: false, cut: true };
  }
  // One column wider than the terminal: cut it to fit.
  return { first: from, count: Math.min(1, natural.length), widths: natural.slice(from, from + 1).map((w) => Math.max(1, Math.min(w, width))), margin: false, cut: true };
}

/** The columns and their range as the position line says it, when not all are shown: `columns 2–4 of 9`. */
export function describeColumns(fit: FittedColumns, total: number): string | undefined {
  if (fit.first === 0 && fit.count === total) return undefined;
  return `columns ${fit.first + 1}–${fit.first + fit.count} of ${total}`;
}

const NUMERIC = new Set(['TINYINT', 'SMALLINT', 'INT', 'BIGINT', 'FLOAT', 'DOUBLE', 'DECIMAL']);

/** True for types shown right-aligned. */
export function isNumericType(name: string): boolean {
  return NUMERIC.has(name);
}
