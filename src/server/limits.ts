/**
 * The bounds `eddy serve` keeps on what one client may cost it: time and bytes before authentication,
 * idle connections, slow request bodies, and rows waiting for a client that stopped reading a push query.
 */

/** Per-connection limits of both servers (see docs/server.md, "Limits"). */
export interface ServerLimits {
  /** Largest message a Postgres client may send before it has authenticated (startup, password). */
  readonly maxPreAuthMessageBytes: number;
  /** Largest Postgres message after authentication. */
  readonly maxMessageBytes: number;
  /** A Postgres connection that has not authenticated within this time is closed. */
  readonly authTimeoutMs: number;
  /** A Postgres connection with no message and no running statement for this long is closed (0: never). */
  readonly idleTimeoutMs: number;
  /** An HTTP request whose headers and body have not all arrived within this time is answered 408 and closed. */
  readonly requestTimeoutMs: number;
  /**
   * Rows of a push query kept for a client that does not take them (a Postgres portal suspended by
   * Execute's row limit, or a socket that stopped draining): past this many, the client is disconnected
   * with an error (EDDY-S007) and its query cancelled.
   */
  readonly maxBufferedRows: number;
  /** Bytes written to a client's socket but not yet taken by it, above which delivery pauses. */
  readonly socketHighWaterBytes: number;
}

export const DEFAULT_LIMITS: ServerLimits = {
  maxPreAuthMessageBytes: 10 * 1024,
  maxMessageBytes: 64 * 1024 * 1024,
  authTimeoutMs: 10_000,
  idleTimeoutMs: 60 * 60_000,
  requestTimeoutMs: 30_000,
  maxBufferedRows: 100_000,
  socketHighWaterBytes: 1024 * 1024,
};

/**
 * How long a connection closed by the server for a limit stays open to deliver what it was sent (the
 * rows before the cut, then the error) before it is destroyed, in case its client reads again.
 */
export const CLOSE_GRACE_MS = 15_000;

/** `limits` over the defaults. */
export function serverLimits(limits: Partial<ServerLimits> = {}): ServerLimits {
  return { ...DEFAULT_LIMITS, ...limits };
}

/** Parses a duration as the CLI takes it: `10s`, `500ms`, `5m`, `1h`, or plain seconds; undefined if invalid. */
export function parseDuration(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h)?$/.exec(text.trim());
  if (!m) return undefined;
  const n = Number(m[1]);
  const unit = m[2] ?? 's';
  return Math.round(n * (unit === 'ms' ? 1 : unit === 's' ? 1000 : unit === 'm' ? 60_000 : 3_600_000));
}
