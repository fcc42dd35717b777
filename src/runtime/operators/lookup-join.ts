/**
 * LookupJoin: Flink's lookup join, `l JOIN dim FOR SYSTEM_TIME AS OF l.proc_time ON l.k = dim.k` (INNER
 * or LEFT): each row of the input looks the table up by its key values, through the table's connector, at
 * the moment it is processed.
 *
 * - For each input row: its key values (a NULL one matches nothing); the table's rows with those values in
 *   the key columns (from the cache, or the connector); each of them, completed with the table's computed
 *   columns and projected, is joined with the row when the residual condition holds, and emitted with the
 *   input row's change kind. A row without a match is dropped (INNER) or emitted null-padded (LEFT).
 * - `lookup.cache` = 'PARTIAL' keeps looked-up rows in memory, by key: at most
 *   `lookup.partial-cache.max-rows` keys (the least recently used leave first), each for
 *   `lookup.partial-cache.expire-after-write` after it was read from the table and
 *   `lookup.partial-cache.expire-after-access` after it was last used; keys the table does not have are
 *   cached too unless `lookup.partial-cache.cache-missing-key` = 'false'. Without a cache ('NONE', the
 *   default) every row reads the table, so it sees the table as it is then.
 * - No state: the result depends on when rows are processed (processing time), and the cache is refilled
 *   after a restore. Watermarks pass through; the output keeps the input's time attributes.
 * - Counters: `lookups` (reads of the table) and `lookupCacheHits`.
 */
import type { CompiledExpr } from '../../expr/bound-expr.js';
import { BatchBuilder, type ChangeBatch, type Row } from '../changelog.js';
import type { LookupCacheConfig, LookupReader } from '../connector.js';
import { encodeKey } from '../keys.js';
import type { Counter } from '../metrics.js';
import type { OperatorContext, StreamOperator } from '../operator.js';
import { reportExpressionError } from './expression-error.js';

/** Configuration of a {@link LookupJoin}. */
export interface LookupJoinConfig {
  /** Key expressions over the input row, in the order the reader looks them up. */
  readonly keys: readonly CompiledExpr[];
  /** The rest of the condition, over `[...input row, ...table row]`. */
  readonly residual?: CompiledExpr;
  /** Turns a row of the table's physical columns into the joined table row (computed columns, projection). */
  readonly tableRow: (physical: Row) => Row;
  /** The width of the joined table row (for null-padding). */
  readonly width: number;
  /** LEFT join: rows without a match are emitted null-padded. */
  readonly preserved: boolean;
  /** The table's lookup reader (opened when the operator opens, closed when its input ends or the job does). */
  readonly reader: LookupReader;
  /** The cache (the reader's, from the table's `lookup.cache` options); absent: none. */
  readonly cache?: LookupCacheConfig;
  /** The clock the cache expires by (default Date.now). */
  readonly now?: () => number;
  readonly description: string;
}

interface CacheEntry {
  readonly rows: readonly Row[];
  readonly writtenAt: number;
  accessedAt: number;
}

/** The lookup join operator (see the file comment). */
export class LookupJoin implements StreamOperator {
  readonly kind = 'LookupJoin';
  private ctx!: OperatorContext;
  private reader: LookupReader | undefined;
  private lookups!: Counter;
  private hits!: Counter;
  /** Keys in least-recently-used order (a Map iterates in insertion order; a used key is moved last). */
  private readonly cache = new Map<string, CacheEntry>();
  private readonly nulls: Row;
  private readonly now: () => number;

  constructor(readonly config: LookupJoinConfig) {
    this.nulls = new Array<unknown>(config.width).fill(null);
    this.now = config.now ?? Date.now;
  }

  open(ctx: OperatorContext): void {
    this.ctx = ctx;
    this.lookups = ctx.counter('lookups');
    this.hits = ctx.counter('lookupCacheHits');
    this.reader = this.config.reader;
    this.reader.open();
  }

  /** How many keys the cache holds (for tests). */
  cachedKeys(): number {
    return this.cache.size;
  }

  processBatch(batch: ChangeBatch): void {
    const out = new BatchBuilder();
    const { keys, residual, preserved } = this.config;
    for (let i = 0; i < batch.rows.length; i++) {
      const row = batch.rows[i]!;
      const kind = batch.kinds[i]!;
      const values = new Array<unknown>(keys.length);
      let matchable = true;
      try {
        for (let k = 0; k < keys.length; k++) {
          const v = keys[k]!(row);
          if (v === null || v === undefined) matchable = false;
          values[k] = v;
        }
      } catch (err) {
        reportExpressionError(this.ctx, err, row);
        continue;
      }
      let matched = false;
      for (const found of matchable ? this.rowsFor(values) : []) {
        const joined = row.concat(found);
        if (residual !== undefined) {
          try {
            if (residual(joined) !== true) continue;
          } catch (err) {
            reportExpressionError(this.ctx, err, joined);
            continue;
          }
        }
        out.add(kind, joined);
        matched = true;
      }
      if (!matched && preserved) out.add(kind, row.concat(this.nulls));
    }
    const result = out.take();
    if (result) this.ctx.output.emit(result);
  }

  /** The table rows with these key values: from the cache while it holds them, else read (and cached). */
  private rowsFor(values: unknown[]): readonly Row[] {
    const cache = this.config.cache;
    if (!cache) return this.read(values);
    const id = encodeKey(values);
    const now = this.now();
    const entry = this.cache.get(id);
    if (entry) {
      const written = cache.expireAfterWriteMs === undefined || now - entry.writtenAt < cache.expireAfterWriteMs;
      const accessed = cache.expireAfterAccessMs === undefined || now - entry.accessedAt < cache.expireAfterAccessMs;
      this.cache.delete(id);
      if (written && accessed) {
        entry.accessedAt = now;
        this.cache.set(id, entry);
        this.hits.inc();
        return entry.rows;
      }
    }
    const rows = this.read(values);
    if (rows.length > 0 || cache.cacheMissingKey) {
      this.cache.set(id, { rows, writtenAt: now, accessedAt: now });
      if (cache.maxRows !== undefined && this.cache.size > cache.maxRows) this.cache.delete(this.cache.keys().next().value!);
    }
    return rows;
  }

  private read(values: unknown[]): Row[] {
    this.lookups.inc();
    return this.reader!.lookup(values).map(this.config.tableRow);
  }

  processWatermark(watermark: number): void {
    this.ctx.output.emitWatermark(watermark);
  }

  endInput(): void {
    this.close();
    this.ctx.output.end();
  }

  /** Releases the table's reader (at the end of the input, or when the job ends). */
  close(): void {
    this.reader?.close();
    this.reader = undefined;
  }

  explain(): string {
    return `LookupJoin(${this.config.description})`;
  }
}
