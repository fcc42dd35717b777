// vitest globalSetup of the Kafka suite (vitest.kafka.config.ts): starts one real Apache Kafka broker through
// scripts/kafka.mjs, in a temporary state directory, before the suite and stops it after; tests find its address
// with `kafkaBootstrap()` from ./broker.ts. With KAFKA_BOOTSTRAP set, that broker is used and nothing is started or
// stopped. This file runs in vitest's main process, so it must not import 'vitest' itself (only its types).

import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    kafkaBootstrap: string;
  }
}

const run = promisify(execFile);
const script = resolve(import.meta.dirname, '../../scripts/kafka.mjs');

/** vitest globalSetup: starts the broker and returns the teardown that stops it. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const existing = process.env.KAFKA_BOOTSTRAP;
  if (existing) {
    project.provide('kafkaBootstrap', existing);
    return async () => {};
  }
  const dir = mkdtempSync(join(tmpdir(), 'eddy-kafka-test-'));
  const started = Date.now();
  try {
    const { stdout } = await run(process.execPath, [script, 'start', '--dir', dir, '--timeout', '150'], {
      maxBuffer: 1 << 20,
    });
    const bootstrap = stdout.trim();
    process.stderr.write(`kafka: test broker at ${bootstrap} (up in ${((Date.now() - started) / 1000).toFixed(1)} s)\n`);
    project.provide('kafkaBootstrap', bootstrap);
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    const stderr = (error as { stderr?: string }).stderr;
    throw new Error(`could not start the Kafka test broker:\n${stderr ?? String(error)}`);
  }
  return async () => {
    await run(process.execPath, [script, 'stop', '--dir', dir]);
    rmSync(dir, { recursive: true, force: true });
  };
}

