/**
 * A source reader over constant rows (`VALUES (...)`, `SELECT 1`): one chunk, then the end.
 */
import type { Row } from './changelog.js';
import type { SourceChunk, SourceReader } from './connector.js';

export class ValuesReader implements SourceReader {
  readonly bounded = true;
  private done = false;

  /** @param restored a position from a checkpoint: `{ done: true }` once the rows were read */
  constructor(
    private readonly rows: readonly Row[],
    restored?: unknown,
  ) {
    this.done = (restored as { done?: boolean } | undefined)?.done === true;
  }

  position(): unknown {
    return { done: this.done };
  }

  async open(): Promise<void> {}

  async next(): Promise<SourceChunk | null> {
    if (this.done) return null;
    this.done = true;
    return { split: 'values', rows: [...this.rows], splitEnded: true };
  }

  async close(): Promise<void> {}
}
