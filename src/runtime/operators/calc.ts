/**
 * Calc: filter and projection in one pass over a batch. Keeps each row's change kind; rows whose condition
 * is not TRUE are dropped (for retractions too, which is consistent because the condition is deterministic
 * on the row's values). A row whose expressions fail goes to the job's error policy.
 */
import type { CompiledExpr } from '../../expr/bound-expr.js';
import type { ChangeBatch, Row, RowKind } from '../changelog.js';
import type { OperatorContext, StreamOperator } from '../operator.js';
import { reportExpressionError } from './expression-error.js';

export interface CalcConfig {
  /** One compiled expression per output column. */
  readonly projection: readonly CompiledExpr[];
  /** When set, rows pass only if it returns exactly `true`. */
  readonly condition?: CompiledExpr;
  /** For EXPLAIN. */
  readonly description: string;
}

export class Calc implements StreamOperator {
  readonly kind = 'Calc';
  private ctx!: OperatorContext;

  constructor(readonly config: CalcConfig) {}

  open(ctx: OperatorContext): void {
    this.ctx = ctx;
  }

  processBatch(batch: ChangeBatch): void {
    const { projection, condition } = this.config;
    const width = projection.length;
    const rows: Row[] = [];
    const kinds: RowKind[] = [];
    const input = batch.rows;
    for (let i = 0; i < input.length; i++) {
      const row = input[i]!;
      let out: Row;
      try {
        if (condition !== undefined && condition(row) !== true) continue;
        out = new Array(width);
        for (let c = 0; c < width; c++) out[c] = projection[c]!(row);
      } catch (err) {
        reportExpressionError(this.ctx, err, row);
        continue;
      }
      rows.push(out);
      kinds.push(batch.kinds[i]!);
    }
    if (rows.length > 0) this.ctx.output.emit({ rows, kinds });
  }

  processWatermark(watermark: number): void {
    this.ctx.output.emitWatermark(watermark);
  }

  endInput(): void {
    this.ctx.output.end();
  }

  explain(): string {
    return `Calc(${this.config.description})`;
  }
}
