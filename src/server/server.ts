/**
 * `eddy serve`'s two front doors on one Eddy instance: the HTTP API and the Postgres wire protocol. Either
 * can be left out. Every door opened needs authentication (a token for HTTP, a password for Postgres;
 * auth.ts) unless the caller asks for `insecure` explicitly, which only a loopback address allows, so an
 * engine that runs connectors is never open to other users or a network by accident. Clients' statements
 * are confined to the allowed paths (statement-access.ts in the engine).
 */
import { isLoopback } from './loopback.js';
import { existsSync, readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { SecureContextOptions } from 'node:tls';
import type { Eddy, StatementAccess } from '../index.js';
import type { ServerLimits } from './limits.js';
import { HttpServer } from './http.js';
import { PgServer } from './pg-wire.js';

export interface ServeOptions {
  readonly eddy: Eddy;
  /** Address both servers bind; default 127.0.0.1. */
  readonly host?: string;
  /** HTTP port (default 8080; 0 picks a free one; null: no HTTP server). */
  readonly httpPort?: number | null;
  /** Postgres port (default 5433; 0 picks a free one; null: no Postgres server). */
  readonly pgPort?: number | null;
  /** The HTTP bearer token that grants full access. */
  readonly httpToken?: string;
  /** The Postgres password that grants full access. */
  readonly pgPassword?: string;
  /** A token (HTTP) and password (Postgres) that grants read-only access: queries only. */
  readonly readOnlyToken?: string;
  /** Serve without authentication (loopback only): every local user of the machine may connect. */
  readonly insecure?: boolean;
  /** Certificate and key (PEM): HTTPS, and TLS for Postgres clients that ask for it. */
  readonly tls?: SecureContextOptions;
  /**
   * Directories clients' statements may name in connector options and path settings (absent: anywhere).
   * `deniedPaths` (the state directory) are refused even inside them, except allowed directories below them.
   */
  readonly allowedPaths?: readonly string[];
  readonly deniedPaths?: readonly string[];
  /** Let clients run SHOW TOPICS and PRINT, which read the Kafka cluster directly (refused by default). */
  readonly allowTopics?: boolean;
  /** Headless (`--queries-file`): clients may only query and inspect (StatementAccess.headless). */
  readonly headless?: boolean;
  readonly limits?: Partial<ServerLimits>;
}

/** Running servers: where they listen, and how to stop them. */
export interface RunningServers {
  readonly http?: AddressInfo;
  readonly pg?: AddressInfo;
  /** Stops both servers: streams end and their queries are cancelled. Does not close the Eddy instance. */
  close(): Promise<void>;
}

/** Why the servers cannot start as asked (a usage problem, not a bug). */
export class ServeConfigError extends Error {}

/** Whether an address only accepts connections from this machine. */
export { isLoopback } from './loopback.js';

/** Eddy's version, from package.json (found from src/ and from dist/src/). */
export function eddyVersion(): string {
  for (const rel of ['../../package.json', '../../../package.json']) {
    const url = new URL(rel, import.meta.url);
    if (!existsSync(url)) continue;
    const pkg = JSON.parse(readFileSync(url, 'utf8')) as { name?: string; version?: string };
    if (pkg.name === 'eddy' && pkg.version) return pkg.version;
  }
  return '0.0.0';
}

/** Starts the servers asked for; on a failure (port taken) the ones already started are stopped again. */
export async function startServers(options: ServeOptions): Promise<RunningServers> {
  const host = options.host ?? '127.0.0.1';
  const httpPort = options.httpPort === undefined ? 8080 : options.httpPort;
  const pgPort = options.pgPort === undefined ? 5433 : options.pgPort;
  if (!isLoopback(host)) {
    if (httpPort !== null && !options.httpToken) throw new ServeConfigError(`binding to ${host} (not a loopback address) needs an HTTP token: --http-token or EDDY_HTTP_TOKEN`);
    if (pgPort !== null && !options.pgPassword) throw new ServeConfigError(`binding to ${host} (not a loopback address) needs a Postgres password: --pg-password or EDDY_PG_PASSWORD`);
  } else if (!options.insecure) {
    if (httpPort !== null && !options.httpToken) throw new ServeConfigError('the HTTP server needs a token (httpToken), or insecure: true to let every local user in');
    if (pgPort !== null && !options.pgPassword) throw new ServeConfigError('the Postgres server needs a password (pgPassword), or insecure: true to let every local user in');
  }
  const version = eddyVersion();
  const access: StatementAccess = {
    ...(options.allowedPaths ? { allowedPaths: options.allowedPaths, deniedPaths: options.deniedPaths } : {}),
    kafkaTopics: options.allowTopics === true,
    ...(options.headless ? { headless: true } : {}),
  };
  const common = { eddy: options.eddy, host, eddyVersion: version, tls: options.tls, access, limits: options.limits };
  const http = httpPort === null ? undefined : new HttpServer({ ...common, port: httpPort, token: options.httpToken, readOnlyToken: options.readOnlyToken });
  const pg = pgPort === null ? undefined : new PgServer({ ...common, port: pgPort, password: options.pgPassword, readOnlyPassword: options.readOnlyToken });
  const close = async () => {
    await Promise.all([http?.close(), pg?.close()]);
  };
  try {
    const httpAddress = await http?.listen();
    const pgAddress = await pg?.listen();
    return { http: httpAddress, pg: pgAddress, close };
  } catch (err) {
    await close().catch(() => {});
    throw err;
  }
}
