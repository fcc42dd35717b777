/**
 * Calc: filter and projection in one pass over a batch. Keeps each row's change kind; rows whose condition
 * is not TRUE are dropped (for retractions too, which is consistent because the condition is deterministic
 * on the row's values). A row whose expressions fail goes to the job's error policy.
 */
import type { CompiledExpr } from '../../expr/bound-expr.js';
import { compileRow } from '../../expr/compile.js';
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
  /** The projection as one function of a row (generated: one array literal of the expressions' calls). */
  private readonly project: (row: readonly unknown[]) => Row;

  constructor(readonly config: CalcConfig) {
    this.project = compileRow(config.projection);
  }

  open(ctx: OperatorContext): void {
    this.ctx = ctx;
  }

  processBatch(batch: ChangeBatch): void {
    const condition = this.config.condition;
    const project = this.project;
    const input = batch.rows;
    const n = input.length;
    const rows: Row[] = [];
    // Without a condition the kinds are the input's, unless a failing row is dropped.
    let kinds: RowKind[] | undefined = condition === undefined ? undefined : [];
    for (let i = 0; i < n; i++) {
      const row = input[i]!;
      let out: Row;
      try {
        if (condition !== undefined && condition(row) !== true) continue;
        out = project(row);
      } catch (err) {
        reportExpressionError(this.ctx, err, row);
        kinds ??= batch.kinds.slice(0, i);
        continue;
      }
      rows.push(out);
      if (kinds !== undefined) kinds.push(batch.kinds[i]!);
    }
    if (rows.length === 0) return;
    this.ctx.output.emit({ rows, kinds: kinds ?? batch.kinds });
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
