/**
 * The catalog: the tables and views a session knows, looked up by name. Names match exactly first, then
 * case-insensitively when that is unambiguous (friendlier than Flink's strict matching, never surprising).
 */
import type * as ast from '../parser/ast.js';
import type { DataType, Field } from '../common/types.js';
import { EddyError, ErrorCode, didYouMean, type Span } from '../common/errors.js';

/** A column of a table: physical (read from the connector) or computed from other columns. */
export interface TableColumn {
  readonly name: string;
  /** The column's type; time attributes carry their marker (`*ROWTIME*`, `*PROCTIME*`). */
  readonly type: DataType;
  /**
   * For computed columns: the expression, bound when the table is scanned against its source row (the
   * physical columns, then the METADATA columns: see {@link sourceColumns}).
   */
  readonly computed?: ast.Expr;
  /**
   * For METADATA columns: the connector's metadata key the value comes from, and whether the column is
   * VIRTUAL (read only; an INSERT does not write it).
   */
  readonly metadata?: { readonly key: string; readonly virtual: boolean };
  /** A ksqlDB pseudo column (ROWTIME, ROWPARTITION, ROWOFFSET, WINDOWSTART, WINDOWEND): not in `SELECT *` (Field.hidden). */
  readonly hidden?: boolean;
}

/** A table declared with CREATE TABLE: its columns, watermark, and connector options. */
export interface TableDef {
  readonly kind: 'table';
  readonly name: string;
  readonly columns: readonly TableColumn[];
  /** `WATERMARK FOR column AS expr`. */
  readonly watermark?: { readonly column: string; readonly expr: ast.Expr };
  readonly primaryKey?: readonly string[];
  /** The WITH options, with a statement's `/*+ OPTIONS(...) *\/` hint applied when it has one. */
  readonly options: Readonly<Record<string, string>>;
  /** The options a statement's OPTIONS hint set (already merged into `options`), for EXPLAIN. */
  readonly dynamicOptions?: Readonly<Record<string, string>>;
  readonly temporary: boolean;
  /** The CREATE statement, for messages and SHOW CREATE (a CREATE MATERIALIZED VIEW for a view's table). */
  readonly statement: ast.CreateTable | ast.CreateView | ast.KsqlCreateAs;
  /** Set for a ksqlDB stream or table (CREATE STREAM / CREATE TABLE with ksqlDB's properties, or their AS SELECT). */
  readonly ksql?: KsqlSourceDef;
}

/** What Eddy keeps about a ksqlDB stream or table besides its connector options. */
export interface KsqlSourceDef {
  readonly objectType: 'STREAM' | 'TABLE';
  /** KAFKA_TOPIC. */
  readonly topic: string;
  /** KEY / PRIMARY KEY columns (a table's are its primary key). */
  readonly keyColumns: readonly string[];
  /** ksqlDB's WITH properties as given (upper-case keys), for DESCRIBE EXTENDED. */
  readonly properties: Readonly<Record<string, string>>;
  /** A windowed source (the output of a windowed aggregation, or WINDOW_TYPE given): its window kind and size (ms). */
  readonly window?: { readonly type: 'TUMBLING' | 'HOPPING' | 'SESSION'; readonly sizeMs?: number };
  /** The persistent query that writes it (CREATE ... AS SELECT, INSERT INTO), when there is one. */
  readonly queryId?: string;
}

/** A view: a named query, bound again wherever it is used. */
export interface ViewDef {
  readonly kind: 'view';
  readonly name: string;
  readonly query: ast.Query;
  readonly columnNames?: readonly string[];
  /** The view's output schema, computed when it was created. */
  readonly schema: readonly Field[];
  readonly temporary: boolean;
  readonly statement: ast.CreateView;
}

export type CatalogEntry = TableDef | ViewDef;

/** The physical columns of a table (the record's fields a connector reads or writes), in declared order. */
export function physicalColumns(table: TableDef): TableColumn[] {
  return table.columns.filter((c) => c.computed === undefined && c.metadata === undefined);
}

/**
 * The columns of a table's source row, the row computed columns are evaluated on: the physical columns,
 * then the METADATA columns (each already of its declared type), both in declared order.
 */
export function sourceColumns(columns: readonly TableColumn[]): TableColumn[] {
  return [...columns.filter((c) => c.computed === undefined && c.metadata === undefined), ...columns.filter((c) => c.metadata !== undefined)];
}

/** For each of a table's columns: its index in the source row ({@link sourceColumns}), or -1 when computed. */
export function sourceIndex(columns: readonly TableColumn[]): number[] {
  const source = sourceColumns(columns);
  return columns.map((c) => source.indexOf(c));
}

/** The columns an INSERT writes: physical and persisted (not VIRTUAL) METADATA columns, in declared order. */
export function persistedColumns(table: TableDef): TableColumn[] {
  return table.columns.filter((c) => c.computed === undefined && c.metadata?.virtual !== true);
}

/** Tables and views of one session. */
export class Catalog {
  private readonly entries = new Map<string, CatalogEntry>();

  /** Finds a table or view; exact name first, then a unique case-insensitive match. */
  find(name: string): CatalogEntry | undefined {
    const exact = this.entries.get(name);
    if (exact) return exact;
    const lower = name.toLowerCase();
    const matches = [...this.entries.values()].filter((e) => e.name.toLowerCase() === lower);
    return matches.length === 1 ? matches[0] : undefined;
  }

  /** Like {@link find}, but throws UNKNOWN_TABLE (with a did-you-mean hint) when absent. */
  get(name: string, span?: Span): CatalogEntry {
    const entry = this.find(name);
    if (entry) return entry;
    throw new EddyError({
      code: ErrorCode.UNKNOWN_TABLE,
      message: `Table or view '${name}' does not exist`,
      span,
      hint: didYouMean(name, this.entries.keys()) ?? (this.entries.size === 0 ? 'no tables are defined yet: create one with CREATE TABLE ... WITH (...)' : undefined),
    });
  }

  /** Adds an entry; fails with ALREADY_EXISTS unless `replace`. */
  add(entry: CatalogEntry, span?: Span): void {
    const existing = this.find(entry.name);
    if (existing && existing.name === entry.name) {
      throw new EddyError({
        code: ErrorCode.ALREADY_EXISTS,
        message: `${existing.kind === 'table' ? 'Table' : 'View'} '${entry.name}' already exists`,
        span,
        hint: 'use CREATE ... IF NOT EXISTS, or DROP it first',
      });
    }
    this.entries.set(entry.name, entry);
  }

  has(name: string): boolean {
    return this.find(name) !== undefined;
  }

  /** Removes an entry; returns false when there was none. */
  remove(name: string): boolean {
    const entry = this.find(name);
    if (!entry) return false;
    return this.entries.delete(entry.name);
  }

  /** Entries of one kind, sorted by name. */
  list(kind?: CatalogEntry['kind']): CatalogEntry[] {
    return [...this.entries.values()].filter((e) => kind === undefined || e.kind === kind).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  names(): string[] {
    return [...this.entries.keys()];
  }
}
