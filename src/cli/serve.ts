/**
 * `eddy serve`: runs init scripts (tables, materialized views, INSERT jobs), then serves the same Eddy
 * instance over HTTP and the Postgres wire protocol until SIGINT/SIGTERM, and shuts down cleanly: streams
 * end, queries and jobs are cancelled, state is closed.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, parse, resolve } from 'node:path';
import { parseDuration, type ServerLimits } from '../server/limits.js';
import { LOG_LEVELS, ServerLog, type LogFormat, type LogLevel } from '../server/log.js';

export const SERVE_USAGE = `Usage:
  eddy serve [--host 127.0.0.1] [--port 8080] [--pg-port 5433] [-i init.sql ...] [--define key=value ...]
             [--state-dir DIR [--fresh]] [--http-token TOKEN] [--pg-password PASSWORD]
             [--log-level error|warn|info|debug] [--log-format text|json]
             [--read-only-token TOKEN] [--insecure] [--allow-path DIR ...] [--tls-cert FILE --tls-key FILE]
             [--auth-timeout 10s] [--idle-timeout 1h] [--request-timeout 30s] [--max-buffered-rows 100000]
             [--allow-topics] [--queries-file FILE]
      Runs the -i scripts, then serves SQL over HTTP (POST /v1/statement) and the Postgres protocol
      (psql -h 127.0.0.1 -p 5433). --port off / --pg-port off leaves one out; port 0 picks a free one.
      Clients authenticate with the token in <state-dir>/server-token (a temporary directory without
      --state-dir; printed on start) as HTTP bearer token and Postgres password, or with the read-only
      token (<state-dir>/read-only-token) to run queries only; --http-token / --pg-password /
      --read-only-token (or EDDY_HTTP_TOKEN, EDDY_PG_PASSWORD, EDDY_READ_ONLY_TOKEN) set them instead.
      --insecure serves loopback clients without authentication. Clients' connector paths must lie under
      an --allow-path (default: <state-dir>/files and the working directory). SHOW TOPICS and PRINT, which
      read Kafka topics directly, are refused to clients unless --allow-topics. --tls-cert/--tls-key turn on
      HTTPS and Postgres TLS. Jobs' starts, checkpoints, ends and failures are logged on stdout (text on a
      terminal, JSON lines otherwise). SIGINT or SIGTERM stops the server.
      --queries-file FILE runs headless (ksqlDB's headless mode): FILE's statements (streams, tables, persistent
      queries) run at boot, after the -i scripts and before clients are accepted; a failing statement stops
      the start with its position. Clients then only query and inspect (SELECT, SHOW, DESCRIBE, EXPLAIN).
      See docs/server.md.`;

interface ServeArgs {
  host: string;
  httpPort: number | null;
  pgPort: number | null;
  init: string[];
  defines: Record<string, string>;
  stateDir?: string;
  fresh: boolean;
  httpToken?: string;
  pgPassword?: string;
  logLevel: LogLevel;
  /** Absent: text on a terminal, JSON lines otherwise. */
  logFormat?: LogFormat;
  readOnlyToken?: string;
  insecure: boolean;
  allowPaths: string[];
  /** --allow-topics: clients may run SHOW TOPICS and PRINT. */
  allowTopics: boolean;
  /** --queries-file: headless mode, with this file's statements run at boot. */
  queriesFile?: string;
  tlsCert?: string;
  tlsKey?: string;
  limits: { -readonly [K in keyof ServerLimits]?: ServerLimits[K] };
}

function parsePort(flag: string, value: string | undefined): number | null | string {
  if (value === undefined) return `${flag} needs a port number (or off)`;
  if (value === 'off') return null;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) return `${flag}: '${value}' is not a port number`;
  return n;
}

/** Parses `eddy serve` arguments; a string is a usage error. */
export function parseServeArgs(args: readonly string[], env: NodeJS.ProcessEnv = process.env): ServeArgs | string {
  const out: ServeArgs = {
    host: '127.0.0.1',
    httpPort: 8080,
    pgPort: 5433,
    init: [],
    defines: {},
    fresh: false,
    httpToken: env['EDDY_HTTP_TOKEN'] || undefined,
    pgPassword: env['EDDY_PG_PASSWORD'] || undefined,
    logLevel: 'info',
    readOnlyToken: env['EDDY_READ_ONLY_TOKEN'] || undefined,
    insecure: false,
    allowPaths: [],
    allowTopics: false,
    limits: {},
  };
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const [flag, inline] = a.startsWith('--') && a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    const value = () => inline ?? args[++i];
    switch (flag) {
      case '--host': {
        const h = value();
        if (!h) return '--host needs an address';
        out.host = h;
        break;
      }
      case '--port':
      case '--http-port': {
        const p = parsePort(flag, value());
        if (typeof p === 'string') return p;
        out.httpPort = p;
        break;
      }
      case '--pg-port': {
        const p = parsePort(flag, value());
        if (typeof p === 'string') return p;
        out.pgPort = p;
        break;
      }
      case '-i':
      case '--init': {
        const f = value();
        if (!f) return `${flag} needs a file`;
        out.init.push(f);
        break;
      }
      case '-D':
      case '--define': {
        const kv = value();
        const eq = kv?.indexOf('=') ?? -1;
        if (!kv || eq <= 0) return `${flag} needs key=value`;
        out.defines[kv.slice(0, eq)] = kv.slice(eq + 1);
        break;
      }
      case '--state-dir': {
        const d = value();
        if (!d) return '--state-dir needs a directory';
        out.stateDir = d;
        break;
      }
      case '--fresh':
        out.fresh = true;
        break;
      case '--http-token': {
        const t = value();
        if (!t) return '--http-token needs a token';
        out.httpToken = t;
        break;
      }
      case '--pg-password': {
        const p = value();
        if (!p) return '--pg-password needs a password';
        out.pgPassword = p;
        break;
      }
      case '--log-level': {
        const l = value();
        if (!LOG_LEVELS.includes(l as LogLevel)) return `--log-level needs one of ${LOG_LEVELS.join(', ')}`;
        out.logLevel = l as LogLevel;
        break;
      }
      case '--log-format': {
        const f = value();
        if (f !== 'text' && f !== 'json') return '--log-format needs text or json';
        out.logFormat = f;
        break;
      }
      case '--read-only-token': {
        const t = value();
        if (!t) return '--read-only-token needs a token';
        out.readOnlyToken = t;
        break;
      }
      case '--insecure':
        out.insecure = true;
        break;
      case '--allow-path': {
        const d = value();
        if (!d) return '--allow-path needs a directory';
        out.allowPaths.push(d);
        break;
      }
      case '--allow-topics':
        out.allowTopics = true;
        break;
      case '--queries-file': {
        const f = value();
        if (!f) return '--queries-file needs a file';
        if (out.queriesFile !== undefined) return '--queries-file is given once';
        out.queriesFile = f;
        break;
      }
      case '--tls-cert':
      case '--tls-key': {
        const f = value();
        if (!f) return `${flag} needs a file`;
        if (flag === '--tls-cert') out.tlsCert = f;
        else out.tlsKey = f;
        break;
      }
      case '--auth-timeout':
      case '--idle-timeout':
      case '--request-timeout': {
        const v = value();
        const ms = v === undefined ? undefined : parseDuration(v);
        if (ms === undefined) return `${flag} needs a duration (10s, 500ms, 5m; 0 for none with --idle-timeout)`;
        if (ms <= 0 && flag !== '--idle-timeout') return `${flag} must be more than 0`;
        out.limits[flag === '--auth-timeout' ? 'authTimeoutMs' : flag === '--idle-timeout' ? 'idleTimeoutMs' : 'requestTimeoutMs'] = ms;
        break;
      }
      case '--max-buffered-rows': {
        const v = value();
        const n = Number(v);
        if (!v || !Number.isInteger(n) || n < 1) return '--max-buffered-rows needs a positive whole number';
        out.limits.maxBufferedRows = n;
        break;
      }
      default:
        return a.startsWith('-') ? `unknown option ${a}` : `unexpected argument ${a}`;
    }
  }
  if (out.fresh && !out.stateDir) return '--fresh needs --state-dir';
  if ((out.tlsCert === undefined) !== (out.tlsKey === undefined)) return '--tls-cert and --tls-key go together';
  if (out.insecure && (out.httpToken || out.pgPassword || out.readOnlyToken)) return '--insecure serves without authentication: leave out the tokens and passwords';
  if (out.httpPort === null && out.pgPort === null) return 'both --port and --pg-port are off: nothing to serve';
  return out;
}

/** Where the process prints, and how it learns it should stop (tests pass their own). */
export interface ServeIO {
  out(text: string): void;
  err(text: string): void;
  /** Resolves when the server should stop (SIGINT/SIGTERM for the CLI). */
  stopSignal(): Promise<string>;
  /** Whether `out` is a terminal (the log is then text, else JSON lines). */
  readonly outIsTTY?: boolean;
}

const processIO: ServeIO = {
  outIsTTY: process.stdout.isTTY === true,
  out: (t) => void process.stdout.write(t),
  err: (t) => void process.stderr.write(t),
  stopSignal: () =>
    new Promise((resolve) => {
      const on = (signal: string) => {
        process.off('SIGINT', on);
        process.off('SIGTERM', on);
        resolve(signal);
      };
      process.on('SIGINT', on);
      process.on('SIGTERM', on);
    }),
};

/** `eddy serve ...`: resolves to the exit code once the server has stopped (0), or failed to start. */
export async function serveCommand(args: string[], io: ServeIO = processIO): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    io.out(SERVE_USAGE + '\n');
    return 0;
  }
  const parsed = parseServeArgs(args);
  if (typeof parsed === 'string') {
    io.err(`eddy serve: ${parsed}\n\n${SERVE_USAGE}\n`);
    return 2;
  }
  const stop = io.stopSignal();
  // The engine loads only now, as in `eddy run`: usage errors stay instant.
  const [{ Eddy, EddyError }, { startServers, ServeConfigError, isLoopback }, { secretFromFile, SecretFileError }] = await Promise.all([
    import('../index.js'),
    import('../server/server.js'),
    import('../server/auth.js'),
  ]);
  let tls: { cert: Buffer; key: Buffer } | undefined;
  if (parsed.tlsCert && parsed.tlsKey) {
    try {
      tls = { cert: readFileSync(parsed.tlsCert), key: readFileSync(parsed.tlsKey) };
    } catch (err) {
      io.err(`eddy serve: cannot read the TLS certificate or key: ${(err as Error).message}\n`);
      return 1;
    }
  }
  // The server's directory: the state directory, or a private temporary one, removed on exit. It holds the
  // secrets and the files/ directory clients may use.
  const serverDir = parsed.stateDir ? resolve(parsed.stateDir) : mkdtempSync(join(tmpdir(), 'eddy-serve-'));
  const removeServerDir = () => {
    if (!parsed.stateDir) rmSync(serverDir, { recursive: true, force: true });
  };
  const filesDir = join(serverDir, 'files');
  let secrets: { token?: string; readOnly?: string; tokenFile?: string; readOnlyFile?: string } = {};
  try {
    mkdirSync(filesDir, { recursive: true, mode: 0o700 });
    // A non-loopback address needs secrets the operator chose (--http-token, --pg-password): exposing the
    // server to a network is a deliberate act, not a side effect of a file written here.
    if (!parsed.insecure && isLoopback(parsed.host)) {
      const tokenFile = join(serverDir, 'server-token');
      const readOnlyFile = join(serverDir, 'read-only-token');
      const needFile = !parsed.httpToken || !parsed.pgPassword;
      secrets = {
        token: needFile ? secretFromFile(tokenFile) : undefined,
        tokenFile: needFile ? tokenFile : undefined,
        readOnly: parsed.readOnlyToken ?? secretFromFile(readOnlyFile),
        readOnlyFile: parsed.readOnlyToken ? undefined : readOnlyFile,
      };
    }
  } catch (err) {
    io.err(`eddy serve: ${err instanceof SecretFileError ? err.message : `cannot prepare ${serverDir}: ${(err as Error).message}`}\n`);
    removeServerDir();
    return 1;
  }
  // The working directory is allowed by default, unless it is the file system's root (a service started
  // from `/`): that would allow every file.
  const cwd = process.cwd();
  const allowedPaths = parsed.allowPaths.length > 0 ? parsed.allowPaths.map((d) => resolve(d)) : [filesDir, ...(parse(cwd).root === cwd ? [] : [cwd])];
  // Jobs run in the session's job thread: their work and garbage collection never delay a client's query.
  let eddy: InstanceType<typeof Eddy>;
  try {
    // The state directory is locked for this process (as `eddy run` locks it) while the server runs.
    eddy = new Eddy({ variables: parsed.defines, stateDir: parsed.stateDir, fresh: parsed.fresh, jobThread: true, lockStateDir: true });
  } catch (err) {
    removeServerDir();
    if (!(err instanceof EddyError)) throw err;
    io.err(err.render() + '\n');
    return 1;
  }
  // Jobs started by init scripts are logged too.
  const log = new ServerLog((line) => io.out(line), parsed.logFormat ?? (io.outIsTTY ? 'text' : 'json'), parsed.logLevel);
  log.attach(eddy);
  let servers;
  try {
    // The queries file runs last, as ksqlDB's headless server runs its file at boot.
    for (const file of [...parsed.init, ...(parsed.queriesFile !== undefined ? [parsed.queriesFile] : [])]) {
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch (err) {
        io.err(`eddy serve: cannot read ${file}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}\n`);
        await eddy.close();
        removeServerDir();
        return 1;
      }
      for await (const result of eddy.executeScript(text, file)) {
        // A SELECT in an init script would have no one to read it: it is not kept running.
        if (result.kind === 'query') {
          io.err(`eddy serve: ${file}: a SELECT in ${file === parsed.queriesFile ? 'the queries file' : 'an init script'} is not run; query the server instead\n`);
          await result.query.cancel();
        }
      }
    }
    // Then what clients created before a restart (kept in the state directory); init scripts' objects are
    // not kept: the scripts create them again.
    const catalog = await eddy.restoreCatalog();
    for (const f of catalog.failed) {
      log.log({ level: 'error', event: 'catalog.failed', message: `Could not restore '${f.name}' from ${catalog.path}: ${f.error.message}`, fields: { name: f.name, error: f.error.message }, detail: f.error instanceof EddyError ? f.error.render() : undefined });
    }
    if (catalog.restored.length > 0) {
      log.log({ level: 'info', event: 'catalog.restored', message: `Restored ${catalog.restored.join(', ')} from ${catalog.path}`, fields: { restored: catalog.restored, path: catalog.path } });
    }
    // Clients' INSERTs are statements of their own, not a script run again: a finished one's state file is
    // removed (docs/state.md). The init scripts' jobs, started above, keep theirs.
    eddy.settings.set('execution.checkpointing.retain-on-finish', 'false');
    servers = await startServers({
      eddy,
      host: parsed.host,
      httpPort: parsed.httpPort,
      pgPort: parsed.pgPort,
      httpToken: parsed.httpToken ?? secrets.token,
      pgPassword: parsed.pgPassword ?? secrets.token,
      readOnlyToken: secrets.readOnly ?? parsed.readOnlyToken,
      insecure: parsed.insecure,
      tls,
      allowedPaths,
      // The state directory holds jobs' state and views' tables: never a client's file, but for files/.
      deniedPaths: [serverDir],
      allowTopics: parsed.allowTopics,
      headless: parsed.queriesFile !== undefined,
      limits: parsed.limits,
    });
  } catch (err) {
    if (err instanceof EddyError) io.err(err.render() + '\n');
    else if (err instanceof ServeConfigError) io.err(`eddy serve: ${err.message}\n`);
    else if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') io.err(`eddy serve: ${(err as Error).message.replace(/^listen /, '')}: the port is taken; pick another with --port / --pg-port\n`);
    else throw err;
    await eddy.close();
    removeServerDir();
    return 1;
  }
  const lines = ['Eddy is serving'];
  if (servers.http) lines.push(`  HTTP      ${tls ? 'https' : 'http'}://${hostForUrl(servers.http.address)}:${servers.http.port}/v1/statement`);
  if (servers.pg) lines.push(`  Postgres  psql -h ${servers.pg.address} -p ${servers.pg.port}${parsed.insecure ? '' : ' (password required)'}${tls ? ' (TLS offered)' : ''}`);
  if (parsed.insecure) lines.push('  Access    none needed (--insecure): every user of this machine can connect');
  else {
    if (secrets.tokenFile) {
      // The file's secret is for the doors the operator gave no secret of their own.
      const doors = [parsed.httpToken ? undefined : 'HTTP bearer token', parsed.pgPassword ? undefined : 'Postgres password'].filter(Boolean).join(' and ');
      lines.push(`  Token     ${secrets.tokenFile} (${doors}, full access)`);
    }
    if (secrets.readOnlyFile) lines.push(`  Read-only ${secrets.readOnlyFile} (queries only)`);
  }
  lines.push(`  Files     clients may use paths under ${allowedPaths.join(', ')}`);
  if (parsed.allowTopics) lines.push('  Kafka     clients may run SHOW TOPICS and PRINT (--allow-topics)');
  if (parsed.queriesFile !== undefined) lines.push(`  Headless  queries from ${parsed.queriesFile}; clients may only query and inspect`);
  lines.push('Stop with Ctrl-C.');
  io.out(lines.join('\n') + '\n');

  const signal = await stop;
  io.out(`${signal === 'SIGINT' ? '\n' : ''}Stopping...\n`);
  await servers.close();
  await eddy.close();
  removeServerDir();
  return 0;
}

function hostForUrl(address: string): string {
  return address.includes(':') ? `[${address}]` : address;
}
