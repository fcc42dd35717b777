/**
 * `eddy test [--verbose] [--filter text] [--allow-unsupported] [--bootstrap-servers host:port,...] path...`: runs
 * ksqlDB test files (see ./test-case.ts for the formats) against Eddy and prints `PASS` / `FAIL` / `UNSUPPORTED`
 * per test, then `N passed, N failed[, N unsupported]`. Exit code 1 when a test failed (or one is unsupported,
 * unless --allow-unsupported), 2 for a usage error.
 *
 * Topics live in the embedded log of each test's Eddy instance, or with --bootstrap-servers on that Kafka cluster
 * (each test's topics are then created there, and left behind).
 */
import { EddyError, ErrorCode } from '../common/errors.js';
import { createKafkajsClient } from '../connectors/kafka/kafkajs-client.js';
import type { Eddy } from '../engine/eddy.js';
import { EddyTestEngine } from './eddy-engine.js';
import { runCases } from './runner.js';
import { loadTestCases, TestFileError, type KsqlTestCase } from './test-case.js';
import { KafkaTopicIO, type TopicIO } from './topic-io.js';
import { TEST_USAGE } from './usage.js';

interface TestArgs {
  readonly paths: string[];
  readonly verbose: boolean;
  readonly filter?: string;
  readonly allowUnsupported: boolean;
  readonly bootstrapServers?: string;
}

function parseTestArgs(args: readonly string[]): TestArgs | string {
  const paths: string[] = [];
  let verbose = false;
  let allowUnsupported = false;
  let filter: string | undefined;
  let bootstrapServers: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--verbose' || a === '-v') verbose = true;
    else if (a === '--allow-unsupported') allowUnsupported = true;
    else if (a === '--filter') {
      filter = args[++i];
      if (filter === undefined) return '--filter needs a text';
    } else if (a === '--bootstrap-servers') {
      bootstrapServers = args[++i];
      if (!bootstrapServers) return '--bootstrap-servers needs host:port';
    } else if (a.startsWith('-')) return `unknown option ${a}`;
    else paths.push(a);
  }
  if (paths.length === 0) return 'missing the test files or directories to run';
  return { paths, verbose, allowUnsupported, ...(filter !== undefined ? { filter } : {}), ...(bootstrapServers ? { bootstrapServers } : {}) };
}

/** The topics of `eddy`'s embedded log (Eddy.topicAdmin(): no brokers are configured in a test's session). */
function embeddedTopics(eddy: Eddy): TopicIO {
  const admin = eddy.topicAdmin();
  if (!admin.embedded) {
    throw new EddyError({ code: ErrorCode.INVALID_STATEMENT, message: `eddy test expected the embedded log, but the session uses ${admin.where}`, hint: 'give --bootstrap-servers to run the tests against a Kafka broker' });
  }
  return {
    createTopic: async (topic, partitions) => {
      if ((await admin.describe(topic)) === undefined) await admin.createTopic(topic, partitions);
    },
    // One record per call, partition 0: the order the test gives is the order written.
    produce: async (records) => {
      for (const r of records) await admin.produce(r.topic, [{ partition: 0, key: r.key, value: r.value, timestamp: r.timestamp }]);
    },
    readAll: async (topic) => ((await admin.describe(topic)) === undefined ? [] : admin.readAll(topic, { isolation: 'read_committed' })),
    close: async () => {},
  };
}

/** Runs `eddy test` with its arguments (after `test`); resolves to the exit code. */
export async function testCommand(args: readonly string[], out: (text: string) => void = (t) => void process.stdout.write(t), err: (text: string) => void = (t) => void process.stderr.write(t)): Promise<number> {
  const parsed = parseTestArgs(args);
  if (typeof parsed === 'string') {
    err(`eddy test: ${parsed}\n\nUsage:\n${TEST_USAGE}\n`);
    return 2;
  }
  let failedFiles = 0;
  const cases: KsqlTestCase[] = [];
  for (const path of parsed.paths) {
    try {
      cases.push(...loadTestCases([path]));
    } catch (e) {
      if (!(e instanceof TestFileError)) throw e;
      failedFiles++;
      out(`FAIL ${e.path}\n    ${e.message}\n`);
    }
  }
  const selected = parsed.filter === undefined ? cases : cases.filter((c) => c.name.includes(parsed.filter!));
  if (selected.length === 0 && failedFiles === 0) {
    err(`eddy test: no tests found${parsed.filter !== undefined ? ` matching '${parsed.filter}'` : ''} in ${parsed.paths.join(', ')}\n`);
    return 1;
  }
  const servers = parsed.bootstrapServers;
  const topics = servers
    ? () => new KafkaTopicIO(createKafkajsClient({ bootstrapServers: servers.split(',').map((s) => s.trim()), clientId: 'eddy-test' }))
    : embeddedTopics;
  const summary = await runCases(selected, () => EddyTestEngine.create({ topics, ...(servers ? { properties: { 'bootstrap.servers': servers } } : {}) }), out, { verbose: parsed.verbose });
  const failed = summary.failed + failedFiles;
  if (failedFiles > 0) out(`(${failedFiles} file${failedFiles === 1 ? '' : 's'} could not be read)\n`);
  return failed > 0 || (summary.unsupported > 0 && !parsed.allowUnsupported) ? 1 : 0;
}
