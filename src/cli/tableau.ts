/**
 * Prints a continuous query's changelog as a table, row by row as changes arrive (Flink's "tableau" result
 * mode): insert-only results as plain rows, updating results with an `op` column (+I/-U/+U/-D). Column
 * widths come from names and types so rows can be printed before all values are known.
 */
import type { DataType, Field } from '../common/types.js';
import { formatValue } from '../common/values.js';
import { ROW_KIND_NAMES, type ChangeBatch } from '../runtime/changelog.js';

const MAX_WIDTH = 40;

function typeWidth(t: DataType): number {
  switch (t.name) {
    case 'BOOLEAN':
      return 5;
    case 'TINYINT':
      return 4;
    case 'SMALLINT':
      return 6;
    case 'INT':
      return 11;
    case 'BIGINT':
      return 20;
    case 'FLOAT':
    case 'DOUBLE':
      return 14;
    case 'DECIMAL':
      return Math.min(MAX_WIDTH, (t.precision ?? 10) + 2);
    case 'TIMESTAMP':
    case 'TIMESTAMP_LTZ':
      return 23;
    case 'DATE':
      return 10;
    case 'TIME':
      return 12;
    case 'STRING':
      return Math.min(MAX_WIDTH, t.precision ?? 20);
    default:
      return 20;
  }
}

function isRightAligned(t: DataType): boolean {
  return ['TINYINT', 'SMALLINT', 'INT', 'BIGINT', 'FLOAT', 'DOUBLE', 'DECIMAL'].includes(t.name);
}

function fit(text: string, width: number, right: boolean): string {
  const s = text.length > width ? text.slice(0, Math.max(0, width - 3)) + '...' : text;
  return right ? s.padStart(width) : s.padEnd(width);
}

export class TableauPrinter {
  private readonly widths: number[];
  private readonly border: string;
  private rows = 0;

  constructor(
    private readonly schema: readonly Field[],
    private readonly updating: boolean,
    private readonly write: (text: string) => void,
    private readonly timeZone = 'UTC',
  ) {
    this.widths = [...(updating ? [2] : []), ...schema.map((f) => Math.max(f.name.length, typeWidth(f.type)))];
    this.border = '+' + this.widths.map((w) => '-'.repeat(w + 2)).join('+') + '+';
  }

  private line(cells: string[], right: boolean[]): string {
    return '| ' + cells.map((c, i) => fit(c, this.widths[i]!, right[i]!)).join(' | ') + ' |';
  }

  /** The header: border, column names, border. */
  header(): void {
    const names = [...(this.updating ? ['op'] : []), ...this.schema.map((f) => f.name)];
    const right = [...(this.updating ? [false] : []), ...this.schema.map((f) => isRightAligned(f.type))];
    this.write(`${this.border}\n${this.line(names, right)}\n${this.border}\n`);
  }

  /** One line per change. */
  batch(batch: ChangeBatch): void {
    let out = '';
    const right = [...(this.updating ? [false] : []), ...this.schema.map((f) => isRightAligned(f.type))];
    for (let i = 0; i < batch.rows.length; i++) {
      const row = batch.rows[i]!;
      const cells = this.schema.map((f, c) => formatValue(row[c], f.type, this.timeZone));
      if (this.updating) cells.unshift(ROW_KIND_NAMES[batch.kinds[i]!]!);
      out += this.line(cells, right) + '\n';
    }
    this.rows += batch.rows.length;
    this.write(out);
  }

  /** The closing border and the row count. */
  footer(): void {
    this.write(`${this.border}\n${this.rows === 1 ? 'Received a total of 1 row' : `Received a total of ${this.rows} rows`}\n`);
  }
}

/** Prints a static table (SHOW, DESCRIBE, SET) with widths fitted to its contents. */
export function formatTextTable(columns: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = columns.map((c, i) => Math.max(c.length, ...rows.map((r) => (r[i] ?? '').length)));
  const border = '+' + widths.map((w) => '-'.repeat(w + 2)).join('+') + '+';
  const line = (cells: readonly string[]) => '| ' + cells.map((c, i) => (c ?? '').padEnd(widths[i]!)).join(' | ') + ' |';
  const body = rows.map(line);
  return [border, line(columns), border, ...body, border, `${rows.length} row${rows.length === 1 ? '' : 's'} in set`].join('\n') + '\n';
}
