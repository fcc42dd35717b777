/**
 * A source reader over constant rows (`VALUES (...)`, `SELECT 1`): one chunk, then the end.
 */
import type { Row } from './changelog.js';
import type { SourceChunk, SourceReader } from './connector.js';

export class ValuesReader implements SourceReader {
  readonly bounded = true;
  private done = false;

  constructor(private readonly rows: readonly Row[]) {}

  async open(): Promise<void> {}

  async next(): Promise<SourceChunk | null> {
    if (this.done) return null;
    this.done = true;
    return { split: 'values', rows: [...this.rows], splitEnded: true };
  }

  async close(): Promise<void> {
    this.done = true;
  }
}
