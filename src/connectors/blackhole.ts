/** Flink's `blackhole` sink: accepts every change and discards it (for benchmarks and dry runs). */
import type { ConnectorFactory, SinkWriter } from '../runtime/connector.js';
import type { ChangeBatch } from '../runtime/changelog.js';

/** A sink that drops everything it is given. */
export class BlackholeSinkWriter implements SinkWriter {
  async open(): Promise<void> {}
  write(_batch: ChangeBatch): void {}
  async flush(): Promise<void> {}
  async close(): Promise<void> {}
}

/** The `blackhole` connector factory. */
export const blackholeConnector: ConnectorFactory = {
  identifier: 'blackhole',
  description: 'Discards every change it receives.',
  options: [],
  sinkChangelogMode: 'all',
  createSink: () => new BlackholeSinkWriter(),
};
