#!/usr/bin/env node
// A single-node Apache Kafka broker (KRaft: broker + controller in one JVM) on 127.0.0.1, for Eddy's Kafka tests
// and examples. The broker's jars come from Maven Central through kafka/broker/pom.xml, fetched once into a cache.
//
//   node scripts/kafka.mjs start [--dir DIR] [--port N] [--sasl [--sasl-port N]]
//                                                         fetch (once), format, start, wait until it serves clients
//   node scripts/kafka.mjs stop [--dir DIR]               stop it (SIGTERM, then SIGKILL after a grace period)
//   node scripts/kafka.mjs status [--dir DIR]             print the bootstrap address if it is up; exit 1 if not
//   node scripts/kafka.mjs fetch                          only fetch the jars (CI warms the cache with it)
//
// DIR (default `.kafka/` in the repository, gitignored; or EDDY_KAFKA_DIR) holds the broker's state: server.properties,
// data/, broker.log, broker.pid and bootstrap.txt (the address clients use, e.g. `127.0.0.1:39092`). `start` wipes
// the data of a broker that is not running, so every start begins with an empty cluster.
// With --sasl the broker also has a SASL_PLAINTEXT listener (its address in sasl-bootstrap.txt) taking PLAIN,
// SCRAM-SHA-256 and SCRAM-SHA-512 logins of the test users in SASL_USERS (no ACLs: any user may do anything).
// The jar cache is EDDY_KAFKA_CACHE, else `${XDG_CACHE_HOME:-~/.cache}/eddy-kafka/<kafka version>`; Maven's own
// downloads go to ~/.m2 as usual.

import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  closeSync, existsSync, mkdirSync, openSync, readFileSync, readdirSync, renameSync, rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const pomPath = join(repoRoot, 'kafka', 'broker', 'pom.xml');

/** The Kafka release the pom pins (`<kafka.version>`), so the cache is per version. */
export function kafkaVersion() {
  const match = /<kafka\.version>([^<]+)<\/kafka\.version>/.exec(readFileSync(pomPath, 'utf8'));
  if (!match) throw new Error(`no <kafka.version> in ${pomPath}`);
  return match[1];
}

/** Where the broker's jars are cached (one directory per Kafka version). */
export function cacheDir() {
  if (process.env.EDDY_KAFKA_CACHE) return resolve(process.env.EDDY_KAFKA_CACHE);
  const base = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(base, 'eddy-kafka', kafkaVersion());
}

/** Fetches the broker's jars through Maven once; later calls return the cached directory at once. */
export function fetchBroker(log = console.error) {
  const cache = cacheDir();
  const lib = join(cache, 'lib');
  if (existsSync(join(cache, 'complete'))) return lib;
  mkdirSync(cache, { recursive: true });
  const partial = join(cache, `lib.partial-${process.pid}`);
  rmSync(partial, { recursive: true, force: true });
  log(`kafka: fetching Apache Kafka ${kafkaVersion()} through Maven into ${lib} (once)...`);
  const started = Date.now();
  const mvn = spawnSync(
    'mvn',
    ['-B', '-q', '-f', pomPath, 'dependency:copy-dependencies', '-DincludeScope=runtime', `-DoutputDirectory=${partial}`],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
  );
  if (mvn.error) throw new Error(`kafka: cannot run mvn (${mvn.error.message}); install Maven and Java 17+`);
  if (mvn.status !== 0) {
    rmSync(partial, { recursive: true, force: true });
    throw new Error(`kafka: mvn failed (exit ${mvn.status}):\n${tail(`${mvn.stdout}${mvn.stderr}`, 40)}`);
  }
  // Rename into place so a fetch that was interrupted never looks complete.
  rmSync(lib, { recursive: true, force: true });
  renameSync(partial, lib);
  writeFileSync(join(cache, 'complete'), `${new Date().toISOString()} ${Date.now() - started} ms\n`);
  log(`kafka: fetched in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return lib;
}

function tail(text, lines) {
  return text.split('\n').slice(-lines).join('\n');
}

function readLog(dir) {
  const file = join(dir, 'broker.log');
  return existsSync(file) ? readFileSync(file, 'utf8') : '';
}

function logTail(dir, lines = 40) {
  const log = readLog(dir);
  return log ? tail(log, lines) : '(no broker.log)';
}

/** The broker logs this when start-up failed; the JVM may then take long to exit (or hang in a shutdown hook). */
const FATAL_START = /Exiting Kafka due to fatal exception|Fatal error during (broker|controller|KafkaServer) startup/;

/** The ERROR lines and root causes of a log, for an error message: a tail alone is mostly shutdown chatter. */
function logErrors(log, max = 8) {
  const picked = [];
  for (const line of log.split('\n')) {
    const cause = /^Caused by: (.*)/.exec(line)?.[1];
    const wanted = / (ERROR|FATAL) /.test(line) ? line : cause;
    if (wanted && !picked.includes(wanted)) picked.push(wanted);
  }
  return picked.slice(0, max).join('\n');
}

function startFailure(dir, what) {
  const log = readLog(dir);
  const errors = logErrors(log);
  return new Error(
    `kafka: ${what}.${errors ? `\nErrors in ${join(dir, 'broker.log')}:\n${errors}` : ''}\n` +
      `Last lines of ${join(dir, 'broker.log')}:\n${logTail(dir)}`,
  );
}

/** A free TCP port on 127.0.0.1 (the OS picks it; a race with another process is possible but rare). */
function freePort() {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolvePort(port));
    });
  });
}

function portIsFree(port) {
  return new Promise((resolveFree) => {
    const server = createServer();
    server.once('error', () => resolveFree(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolveFree(true)));
  });
}

function isAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === 'EPERM';
  }
}

function readPid(dir) {
  const file = join(dir, 'broker.pid');
  if (!existsSync(file)) return undefined;
  const pid = Number(readFileSync(file, 'utf8').trim());
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

/** Pids of JVMs started for this state directory (their command line names its server.properties). */
function brokerProcesses(dir) {
  const marker = join(dir, 'server.properties');
  const pids = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      if (cmdline.includes(marker) && cmdline.includes('kafka.Kafka')) pids.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return pids;
}

/** The users of a --sasl broker's SASL_PLAINTEXT listener (test credentials, not secrets). */
export const SASL_USERS = { eddy: 'eddy-secret', admin: 'admin-secret' };
const SCRAM_MECHANISMS = ['SCRAM-SHA-256', 'SCRAM-SHA-512'];

/** The server.properties lines of the SASL_PLAINTEXT listener. */
function saslProperties(saslPort) {
  const plainUsers = Object.entries(SASL_USERS).map(([user, password]) => `user_${user}="${password}"`).join(' ');
  return [
    `sasl.enabled.mechanisms=PLAIN,${SCRAM_MECHANISMS.join(',')}`,
    `listener.name.sasl_plaintext.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="admin" password="${SASL_USERS.admin}" ${plainUsers};`,
    ...SCRAM_MECHANISMS.map((m) => `listener.name.sasl_plaintext.${m.toLowerCase()}.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;`),
  ];
}

function serverProperties({ dataDir, port, controllerPort, saslPort }) {
  const sasl = saslPort !== undefined;
  return [
    '# Written by scripts/kafka.mjs: a single-node KRaft broker + controller for tests.',
    'process.roles=broker,controller',
    'node.id=1',
    `controller.quorum.voters=1@127.0.0.1:${controllerPort}`,
    `listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}${sasl ? `,SASL_PLAINTEXT://127.0.0.1:${saslPort}` : ''}`,
    `advertised.listeners=PLAINTEXT://127.0.0.1:${port}${sasl ? `,SASL_PLAINTEXT://127.0.0.1:${saslPort}` : ''}`,
    `listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT${sasl ? ',SASL_PLAINTEXT:SASL_PLAINTEXT' : ''}`,
    ...(sasl ? saslProperties(saslPort) : []),
    'controller.listener.names=CONTROLLER',
    'inter.broker.listener.name=PLAINTEXT',
    `log.dirs=${dataDir}`,
    'num.partitions=1',
    'default.replication.factor=1',
    'offsets.topic.replication.factor=1',
    'offsets.topic.num.partitions=3',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    'transaction.state.log.num.partitions=3',
    'share.coordinator.state.topic.replication.factor=1',
    'share.coordinator.state.topic.min.isr=1',
    'group.initial.rebalance.delay.ms=0',
    // Tests create and delete many topics; keep the broker's background work small on a loaded machine.
    'num.network.threads=2',
    'num.io.threads=2',
    'num.recovery.threads.per.data.dir=1',
    // Records are kept whatever their timestamps: examples and tests produce records with event times in the past,
    // which time-based retention would delete at its first check (5 minutes after start), in the middle of a run.
    'log.retention.ms=-1',
    'auto.create.topics.enable=true',
    '',
  ].join('\n');
}

const log4jConfig = [
  '# Written by scripts/kafka.mjs: broker logs to stdout, which start() sends to broker.log.',
  'appender.out.type=Console',
  'appender.out.name=STDOUT',
  'appender.out.layout.type=PatternLayout',
  'appender.out.layout.pattern=[%d] %p %m (%c)%n',
  'rootLogger.level=INFO',
  'rootLogger.appenderRef.out.ref=STDOUT',
  // Per-partition chatter (every topic a test creates) drowns the lines that matter in a failure's log tail.
  'logger.state.name=state.change.logger',
  'logger.state.level=WARN',
  'logger.log.name=kafka.log',
  'logger.log.level=WARN',
  'logger.storage.name=org.apache.kafka.storage',
  'logger.storage.level=WARN',
  '',
].join('\n');

/** A KRaft cluster id: 16 random bytes in URL-safe base64 without padding, as `kafka-storage random-uuid` prints. */
function clusterId() {
  // One starting with '-' would be read as an option by kafka-storage's argument parser.
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

function javaArgs(lib, dir) {
  const heap = process.env.EDDY_KAFKA_HEAP ?? '512m';
  return [
    `-Xmx${heap}`,
    '-Xms128m',
    '-XX:+UseSerialGC', // two cores shared by many processes: no parallel GC threads
    '-XX:TieredStopAtLevel=1', // faster start-up; a test broker does not need C2's peak
    '-Djava.awt.headless=true',
    `-Dlog4j2.configurationFile=${join(dir, 'log4j2.properties')}`,
    `-Dkafka.logs.dir=${dir}`,
    '-cp',
    `${lib}/*`,
  ];
}

/** Resolves when a client can connect and create a topic, or throws with the broker's log tail. */
async function waitUntilReady({ bootstrap, pid, dir, timeoutMs }) {
  const { Kafka, logLevel } = await import('kafkajs');
  const kafka = new Kafka({
    clientId: 'eddy-kafka-ready',
    brokers: [bootstrap],
    logLevel: logLevel.NOTHING,
    retry: { retries: 0 },
    connectionTimeout: 2000,
    requestTimeout: 5000,
  });
  const deadline = Date.now() + timeoutMs;
  let lastError = 'never tried';
  while (Date.now() < deadline) {
    if (!isAlive(pid)) throw startFailure(dir, 'the broker exited during start-up');
    if (FATAL_START.test(readLog(dir))) throw startFailure(dir, 'the broker failed to start');
    const admin = kafka.admin();
    // Each attempt is bounded, so a broker stuck half-way (or a stranger on the port) cannot stall the checks above.
    let timer;
    const attempt = async () => {
      await admin.connect();
      await admin.createTopics({ topics: [{ topic: '__eddy_ready', numPartitions: 1 }], waitForLeaders: true });
      const metadata = await admin.fetchTopicMetadata({ topics: ['__eddy_ready'] });
      return metadata.topics[0]?.partitions[0]?.leader === 1;
    };
    try {
      const timeout = new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error('no answer within 10 s')), 10_000);
      });
      if (await Promise.race([attempt(), timeout])) return;
      lastError = 'topic __eddy_ready has no leader yet';
    } catch (error) {
      lastError = error instanceof Error ? error.message : String(error);
    } finally {
      clearTimeout(timer);
      await admin.disconnect().catch(() => {});
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw startFailure(dir, `the broker did not accept clients within ${timeoutMs / 1000} s (last error: ${lastError})`);
}

export function stateDir(dir) {
  return resolve(dir ?? process.env.EDDY_KAFKA_DIR ?? join(repoRoot, '.kafka'));
}

/** The bootstrap address of the broker running for `dir`, or undefined. */
export function status(dir) {
  const pid = readPid(dir);
  const file = join(dir, 'bootstrap.txt');
  if (pid === undefined || !isAlive(pid) || !existsSync(file)) return undefined;
  return readFileSync(file, 'utf8').trim();
}

/**
 * Starts the broker for `dir` (or returns the address of the one already running there).
 * `port` 0 picks a free port. Resolves to `{ bootstrap, pid, dir }` once a client has created a topic.
 */
export async function start({ dir, port = 0, sasl = false, saslPort = 0, timeoutMs = 120_000, log = console.error } = {}) {
  const running = status(dir);
  if (running) {
    log(`kafka: already running at ${running} (pid ${readPid(dir)})`);
    return { bootstrap: running, pid: readPid(dir), dir, ...saslStatus(dir) };
  }
  await stop({ dir, log: () => {} }); // leftovers of a broker that died without cleaning up
  if (port && !(await portIsFree(port))) {
    throw new Error(`kafka: port ${port} on 127.0.0.1 is in use; stop what listens there or choose another --port`);
  }
  const lib = fetchBroker(log);
  const dataDir = join(dir, 'data');
  rmSync(dataDir, { recursive: true, force: true });
  for (const name of ['bootstrap.txt', 'sasl-bootstrap.txt', 'broker.pid', 'broker.log']) rmSync(join(dir, name), { force: true });
  if (sasl && saslPort && !(await portIsFree(saslPort))) {
    throw new Error(`kafka: port ${saslPort} on 127.0.0.1 is in use; stop what listens there or choose another --sasl-port`);
  }
  mkdirSync(dataDir, { recursive: true });

  const brokerPort = port || (await freePort());
  const controllerPort = await freePort();
  const brokerSaslPort = sasl ? saslPort || (await freePort()) : undefined;
  const properties = join(dir, 'server.properties');
  writeFileSync(properties, serverProperties({ dataDir, port: brokerPort, controllerPort, saslPort: brokerSaslPort }));
  writeFileSync(join(dir, 'log4j2.properties'), log4jConfig);

  const format = spawnSync(
    'java',
    [
      ...javaArgs(lib, dir),
      'kafka.tools.StorageTool',
      'format',
      '-t',
      clusterId(),
      '-c',
      properties,
      // SCRAM credentials live in the cluster's metadata: written at format time.
      ...(sasl ? Object.entries(SASL_USERS).flatMap(([user, password]) => SCRAM_MECHANISMS.flatMap((m) => ['--add-scram', `${m}=[name=${user},password=${password}]`])) : []),
    ],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
  );
  if (format.error) throw new Error(`kafka: cannot run java (${format.error.message}); install Java 17+`);
  if (format.status !== 0) {
    throw new Error(`kafka: formatting storage failed (exit ${format.status}):\n${tail(`${format.stdout}${format.stderr}`, 40)}`);
  }

  const out = openSync(join(dir, 'broker.log'), 'a');
  const child = spawn('java', [...javaArgs(lib, dir), 'kafka.Kafka', properties], {
    detached: true,
    stdio: ['ignore', out, out],
  });
  closeSync(out);
  child.unref();
  writeFileSync(join(dir, 'broker.pid'), `${child.pid}\n`);
  const bootstrap = `127.0.0.1:${brokerPort}`;
  try {
    await waitUntilReady({ bootstrap, pid: child.pid, dir, timeoutMs });
  } catch (error) {
    await stop({ dir, log: () => {} });
    throw error;
  }
  writeFileSync(join(dir, 'bootstrap.txt'), `${bootstrap}\n`);
  const saslBootstrap = brokerSaslPort !== undefined ? `127.0.0.1:${brokerSaslPort}` : undefined;
  if (saslBootstrap) writeFileSync(join(dir, 'sasl-bootstrap.txt'), `${saslBootstrap}\n`);
  return { bootstrap, pid: child.pid, dir, ...(saslBootstrap ? { saslBootstrap } : {}) };
}

/** The SASL_PLAINTEXT address of a running --sasl broker, as `{ saslBootstrap }` (empty without one). */
function saslStatus(dir) {
  const file = join(dir, 'sasl-bootstrap.txt');
  return existsSync(file) ? { saslBootstrap: readFileSync(file, 'utf8').trim() } : {};
}

/** Stops the broker for `dir`: SIGTERM for a clean shutdown, SIGKILL for whatever is left after `graceMs`. */
export async function stop({ dir, graceMs = 30_000, log = console.error } = {}) {
  if (!existsSync(dir)) return false;
  const pids = new Set(brokerProcesses(dir));
  const recorded = readPid(dir);
  if (recorded !== undefined && isAlive(recorded)) pids.add(recorded);
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      // already gone
    }
  }
  const deadline = Date.now() + graceMs;
  while ([...pids].some(isAlive) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
  for (const pid of pids) {
    if (!isAlive(pid)) continue;
    log(`kafka: pid ${pid} did not stop within ${graceMs / 1000} s; killing it`);
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  for (const name of ['bootstrap.txt', 'sasl-bootstrap.txt', 'broker.pid']) rmSync(join(dir, name), { force: true });
  if (pids.size > 0) log(`kafka: stopped (pid ${[...pids].join(', ')})`);
  return pids.size > 0;
}

function parseArgs(argv) {
  const options = { command: argv[0] };
  for (let i = 1; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--dir') options.dir = argv[++i];
    else if (arg === '--port') options.port = Number(argv[++i]);
    else if (arg === '--timeout') options.timeoutMs = Number(argv[++i]) * 1000;
    else if (arg === '--sasl') options.sasl = true;
    else if (arg === '--sasl-port') options.saslPort = Number(argv[++i]);
    else throw new Error(`kafka: unknown argument ${arg}`);
  }
  return options;
}

async function main() {
  const options = parseArgs(process.argv.slice(2));
  const dir = stateDir(options.dir);
  switch (options.command) {
    case 'start': {
      const started = Date.now();
      const { bootstrap, pid, saslBootstrap } = await start({ dir, port: options.port, sasl: options.sasl, saslPort: options.saslPort, timeoutMs: options.timeoutMs });
      console.error(`kafka: Apache Kafka ${kafkaVersion()} up in ${((Date.now() - started) / 1000).toFixed(1)} s (pid ${pid}, state in ${dir})`);
      if (saslBootstrap) console.error(`kafka: SASL_PLAINTEXT (PLAIN, SCRAM-SHA-256/512) at ${saslBootstrap}, users ${Object.keys(SASL_USERS).join(', ')}`);
      console.log(bootstrap);
      return 0;
    }
    case 'stop':
      if (!(await stop({ dir }))) console.error('kafka: not running');
      return 0;
    case 'status': {
      const bootstrap = status(dir);
      if (!bootstrap) {
        console.error('kafka: not running');
        return 1;
      }
      console.log(bootstrap);
      return 0;
    }
    case 'fetch':
      console.log(fetchBroker());
      return 0;
    default:
      console.error('usage: node scripts/kafka.mjs start|stop|status|fetch [--dir DIR] [--port N] [--sasl [--sasl-port N]] [--timeout SECONDS]');
      return 2;
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().then(
    (code) => process.exit(code),
    (error) => {
      console.error(error instanceof Error ? error.message : error);
      process.exit(1);
    },
  );
}
