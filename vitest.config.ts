import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The Kafka suite needs a real broker (Java + Maven): `npm run test:kafka`, with vitest.kafka.config.ts.
    exclude: [...configDefaults.exclude, 'test/kafka/**'],
    testTimeout: 60_000,
    pool: 'forks',
  },
});
