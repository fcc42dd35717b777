import { defineConfig } from 'vitest/config';

/**
 * The Kafka suite: tests against a real Apache Kafka broker that test/kafka/global-setup.ts starts once
 * (scripts/kafka.mjs) and stops afterwards. `npm run test:kafka`; set KAFKA_BOOTSTRAP to use a broker already running.
 */
export default defineConfig({
  test: {
    include: ['test/kafka/**/*.test.ts'],
    globalSetup: ['test/kafka/global-setup.ts'],
    testTimeout: 120_000,
    hookTimeout: 180_000,
    pool: 'forks',
    // One broker on two shared cores: files run one at a time so timings stay sane.
    fileParallelism: false,
  },
});
