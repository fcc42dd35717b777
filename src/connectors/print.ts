/** Flink's `print` sink: every change on its own line, `+I[1, abc, 2024-01-01 00:00:00.000]`. */
import type { ConnectorContext, ConnectorFactory, SinkWriter } from '../runtime/connector.js';
import { ROW_KIND_NAMES, type ChangeBatch } from '../runtime/changelog.js';
import { formatValue } from '../common/values.js';
import { isTrue } from './option-values.js';

const OPTIONS = [
  { key: 'print-identifier', description: "A prefix for every line: `<identifier>> +I[...]`." },
  { key: 'standard-error', description: 'Print to standard error instead of standard output.', defaultValue: 'false', values: ['true', 'false'] },
] as const;

/** Where the print sink writes: process.stdout / process.stderr, or any stream (tests). */
export interface PrintOutput {
  write(text: string, callback: (error?: Error | null) => void): boolean;
}

/**
 * Writes each change as `<kind>[v1, v2, ...]` (values printed by `formatValue`, NULL as `NULL`), prefixed
 * with `<print-identifier>> ` when set. Lines are buffered by `write` and written by `flush`.
 */
export class PrintSinkWriter implements SinkWriter {
  private readonly prefix: string;
  private pending: string[] = [];

  constructor(
    private readonly ctx: ConnectorContext,
    private readonly out: PrintOutput,
  ) {
    const id = ctx.options['print-identifier'];
    this.prefix = id === undefined ? '' : `${id}> `;
  }

  async open(): Promise<void> {}

  write(batch: ChangeBatch): void {
    const { schema, timeZone } = this.ctx;
    for (let i = 0; i < batch.rows.length; i++) {
      const row = batch.rows[i]!;
      const values = schema.map((f, c) => formatValue(row[c], f.type, timeZone));
      this.pending.push(`${this.prefix}${ROW_KIND_NAMES[batch.kinds[i]!]}[${values.join(', ')}]\n`);
    }
  }

  flush(): Promise<void> {
    if (this.pending.length === 0) return Promise.resolve();
    const text = this.pending.join('');
    this.pending = [];
    return new Promise((resolve, reject) => {
      this.out.write(text, (error) => (error ? reject(error) : resolve()));
    });
  }

  close(): Promise<void> {
    return this.flush();
  }
}

/** Creates a print sink writing to `out` (by default stdout, or stderr when `standard-error` is true). */
export function createPrintSink(ctx: ConnectorContext, out?: PrintOutput): PrintSinkWriter {
  return new PrintSinkWriter(ctx, out ?? (isTrue(ctx.options, 'standard-error') ? process.stderr : process.stdout));
}

/** The `print` connector factory. */
export const printConnector: ConnectorFactory = {
  identifier: 'print',
  description: 'Prints every change to standard output (or error), as Flink does.',
  options: OPTIONS,
  sinkChangelogMode: 'all',
  createSink: (ctx) => createPrintSink(ctx),
};
