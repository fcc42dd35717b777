/**
 * The Postgres wire protocol server: `psql`, node-postgres and other Postgres drivers talk to Eddy as to a
 * Postgres 14 server. Each connection is a {@link PgConnection}:
 *
 * - Startup: an SSLRequest is answered 'S' and the connection switches to TLS when the server has a
 *   certificate, 'N' (go on in plain text) otherwise; a GSSENCRequest is answered 'N'. Then trust, or an
 *   MD5 password challenge when a password is configured (the full-access or the read-only one: the
 *   password decides the client's role, auth.ts); ParameterStatus for the session parameters,
 *   BackendKeyData, ReadyForQuery. Before authentication a message may not exceed a few KB and the whole
 *   exchange must end within the auth timeout (limits.ts).
 * - Simple query: the string's statements run in order (pg-compat.ts answers session statements such as
 *   `SET client_encoding`); the first error ends the string.
 * - Extended query: Parse / Bind / Describe / Execute (with row limits and PortalSuspended) / Close / Sync;
 *   after an error, messages are skipped until Sync. Bind's values go to the engine as typed parameter
 *   values (pg-parameters.ts), bound in the statement's AST: never into its text.
 * - A bounded query's changelog is collapsed into its final rows; an unbounded one (a push query) streams
 *   each change as a DataRow with a leading `op` column (+I, -U, +U, -D) until its LIMIT or a cancel.
 * - CancelRequest (psql's Ctrl-C) and a closed connection cancel the running query.
 * - SQL cursors (DECLARE / FETCH / CLOSE, pg-cursors.ts), so psql with FETCH_COUNT streams a push query.
 * - A pull query's warnings (a failed view job, nothing committed yet) go first, as WARNING notices.
 * - Backpressure: a push query's rows wait in the server while the client does not take them (a portal
 *   suspended by Execute's row limit, a socket that stopped draining), up to `maxBufferedRows`; past that
 *   the client is disconnected with EDDY-S007 and its query cancelled. The query's job is never blocked.
 *
 * Messages of one connection are handled one at a time, in order; every connection shares one Eddy.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { createSecureContext, TLSSocket, type SecureContext, type SecureContextOptions } from 'node:tls';
import { ErrorCode, ROW_KIND_NAMES, T, type ast, type Eddy, type Field, type QueryHandle, type StatementAccess } from '../index.js';
import { roleOfMd5Answer, type Role } from './auth.js';
import { CLOSE_GRACE_MS, serverLimits, type ServerLimits } from './limits.js';
import { collectFinalRows } from '../index.js';
import { PgCursors } from './pg-cursors.js';
import { compatAnswer, defaultParameters, REPORTED_PARAMETERS, type PgSession } from './pg-compat.js';
import { errorFields, PgError } from './pg-errors.js';
import { backend, decodeFrontend, decodeInitial, FrameDecoder, ProtocolError, type FrontendMessage } from './pg-messages.js';
import { ParameterError, parameterValues, type WireValue } from './pg-parameters.js';
import { countParameters, splitStatements } from './sql-text.js';
import { outcomeOf } from './statement-outcome.js';
import { pgColumnType, pgText } from './types.js';

export interface PgServerOptions {
  readonly eddy: Eddy;
  /** Address to bind; default 127.0.0.1. */
  readonly host?: string;
  /** Port; default 5433, 0 picks a free one. */
  readonly port?: number;
  /** When set, clients must give this password (MD5 challenge); any user name is accepted. */
  readonly password?: string;
  /** A password that grants read-only access (queries only). */
  readonly readOnlyPassword?: string;
  /** Certificate and key (PEM): SSLRequest is answered with TLS. */
  readonly tls?: SecureContextOptions;
  /** Limits on what clients' statements may do (allowed paths); the role adds `readOnly`. */
  readonly access?: StatementAccess;
  readonly limits?: Partial<ServerLimits>;
  /** Shown by `SELECT version()`. */
  readonly eddyVersion?: string;
}

/** The Postgres protocol server over one Eddy instance. */
export class PgServer {
  private readonly server: Server;
  private readonly connections = new Map<number, PgConnection>();
  private nextProcessId = 1;
  private readonly limits: ServerLimits;
  private readonly secureContext?: SecureContext;

  constructor(private readonly options: PgServerOptions) {
    this.limits = serverLimits(options.limits);
    this.secureContext = options.tls ? createSecureContext(options.tls) : undefined;
    this.server = createServer((socket) => this.accept(socket));
  }

  /** Starts listening; resolves to the bound address. */
  listen(): Promise<AddressInfo> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.options.port ?? 5433, this.options.host ?? '127.0.0.1', () => {
        this.server.off('error', reject);
        resolve(this.server.address() as AddressInfo);
      });
    });
  }

  /** Stops accepting connections, cancels their queries and closes them. */
  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    await Promise.all([...this.connections.values()].map((c) => c.terminate()));
    await closed;
  }

  private accept(socket: Socket): void {
    const processId = this.nextProcessId++;
    const connection = new PgConnection(socket, processId, this.options, this.limits, this.secureContext, {
      cancel: (pid, secret) => this.connections.get(pid)?.cancelIfKey(secret),
      closed: () => this.connections.delete(processId),
    });
    this.connections.set(processId, connection);
  }
}

/** What a connection needs from its server. */
interface ServerHooks {
  cancel(processId: number, secretKey: number): void;
  closed(): void;
}

/** A prepared statement (from Parse). */
interface Prepared {
  readonly sql: string;
  readonly parameterTypes: readonly number[];
  readonly parameterCount: number;
}

/** Rows a statement returns, handed out as Execute asks for them. */
interface RowSource {
  readonly columns: readonly Field[];
  /** Waits for rows: up to `max` of them (0: whatever is there, at least one), or the end. */
  next(max: number): Promise<{ rows: readonly (readonly unknown[])[]; done: boolean }>;
  cancel(): Promise<void>;
}

/** A statement that has run (or started running), bound to a portal. */
type Started =
  | { readonly kind: 'command'; readonly tag: string; readonly notice?: string }
  /** `tag`: the command word of its CommandComplete (`FETCH n`; default `SELECT n`). */
  | { readonly kind: 'rows'; readonly source: RowSource; sent: number; readonly tag?: string };

/** A portal (from Bind): its statement and parameter values, started when first described or executed. */
interface Portal {
  readonly query: string;
  readonly params: readonly ast.ParameterValue[];
  started?: Started;
  /** Set once Execute has sent CommandComplete: later Executes send nothing more. */
  completed?: boolean;
}

/** Rows known in full (SHOW output, a pull query's answer, a bounded query's final rows). */
class ListSource implements RowSource {
  private offset = 0;
  constructor(
    readonly columns: readonly Field[],
    private readonly rows: readonly (readonly unknown[])[],
  ) {}

  async next(max: number): Promise<{ rows: readonly (readonly unknown[])[]; done: boolean }> {
    const end = max > 0 ? Math.min(this.rows.length, this.offset + max) : this.rows.length;
    const rows = this.rows.slice(this.offset, end);
    this.offset = end;
    return { rows, done: end === this.rows.length };
  }

  async cancel(): Promise<void> {}
}

/**
 * A push query's changes as rows with a leading op column, buffered until Execute takes them. At most
 * `maxBuffered` rows wait: one more and the query is cancelled and `overflow` called (the client is too slow).
 */
class ChangeSource implements RowSource {
  readonly columns: readonly Field[];
  private buffer: unknown[][] = [];
  private ended = false;
  private failure: unknown;
  private wake?: () => void;

  constructor(
    private readonly query: QueryHandle,
    maxBuffered: number,
    overflow: (buffered: number) => void,
  ) {
    this.columns = [{ name: 'op', type: T.string() }, ...query.schema];
    query.onChanges((batch) => {
      if (this.ended) return;
      for (let i = 0; i < batch.rows.length; i++) this.buffer.push([ROW_KIND_NAMES[batch.kinds[i]!], ...batch.rows[i]!]);
      if (this.buffer.length > maxBuffered) {
        const buffered = this.buffer.length;
        this.buffer = [];
        this.end(slowClientError(buffered));
        void query.cancel();
        overflow(buffered);
      }
      this.wake?.();
    });
    query.done.then(
      () => this.end(undefined),
      (err: unknown) => this.end(err ?? new Error('query failed')),
    );
  }

  private end(failure: unknown): void {
    if (this.ended) return;
    this.ended = true;
    this.failure = failure;
    this.wake?.();
  }

  async next(max: number): Promise<{ rows: readonly (readonly unknown[])[]; done: boolean }> {
    for (;;) {
      const enough = max > 0 ? this.buffer.length >= max : this.buffer.length > 0;
      if (enough || this.ended) {
        if (this.ended && this.failure !== undefined && this.buffer.length === 0) throw this.failure;
        const rows = this.buffer.splice(0, max > 0 ? max : this.buffer.length);
        return { rows, done: this.ended && this.buffer.length === 0 && this.failure === undefined };
      }
      await new Promise<void>((resolve) => (this.wake = resolve));
      this.wake = undefined;
    }
  }

  async cancel(): Promise<void> {
    await this.query.cancel();
  }
}

/** Raised inside a connection when its client cancelled the running statement. */
function cancelledError(): PgError {
  return new PgError({ severity: 'ERROR', code: '57014', message: 'canceling statement due to user request', detail: ErrorCode.QUERY_CANCELLED });
}

/** The error of a client that did not take a push query's rows in time. */
function slowClientError(buffered: number): PgError {
  return new PgError({
    severity: 'FATAL',
    code: '53400',
    message: `terminating connection: the client did not read its push query's results (${buffered} rows waiting, more than the server keeps)`,
    detail: ErrorCode.CLIENT_TOO_SLOW,
    hint: 'fetch the rows as they come, or raise the server\'s --max-buffered-rows',
  });
}

/** Flush outgoing bytes once this many are pending, even mid-message. */
const FLUSH_BYTES = 64 * 1024;
/** Stop reading a client's socket while this many of its messages wait to be handled. */
const MAX_QUEUED = 1000;

/** One client connection: its protocol state, session parameters, prepared statements and portals. */
class PgConnection {
  private readonly decoder = new FrameDecoder();
  private readonly secretKey = randomBytes(4).readInt32BE(0);
  private state: 'startup' | 'authenticating' | 'ready' | 'closed' = 'startup';
  private session?: PgSession;
  private readonly salt = randomBytes(4);
  private readonly queue: { type: string; body: Buffer }[] = [];
  private pumping = false;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private readonly prepared = new Map<string, Prepared>();
  private readonly portals = new Map<string, Portal>();
  /** SQL cursors (DECLARE / FETCH / CLOSE), as psql uses them with FETCH_COUNT. */
  private readonly cursors = new PgCursors();
  /** In an extended-protocol error: skip messages until Sync. */
  private skipToSync = false;
  /** The query running for the message being handled, which a CancelRequest cancels. */
  private active?: { cancel(): Promise<void> };
  private cancelRequested = false;
  private readonly idle: Promise<void>;
  private resolveIdle!: () => void;
  /** What the client authenticated as (full without a password). */
  private role: Role = 'full';
  /** Closes a connection that has not authenticated in time, then (reset by each message) an idle one. */
  private timer?: NodeJS.Timeout;
  private readonly onData = (chunk: Buffer) => this.receive(chunk);

  constructor(
    private socket: Socket,
    private readonly processId: number,
    private readonly options: PgServerOptions,
    private readonly limits: ServerLimits,
    private readonly secureContext: SecureContext | undefined,
    private readonly hooks: ServerHooks,
  ) {
    this.idle = new Promise((resolve) => (this.resolveIdle = resolve));
    this.decoder.maxMessage = limits.maxPreAuthMessageBytes;
    socket.setNoDelay(true);
    socket.on('data', this.onData);
    socket.on('error', () => {});
    socket.on('close', () => this.closed());
    this.timer = setTimeout(() => this.fatal('08006', `authentication timed out: a client must authenticate within ${limits.authTimeoutMs} ms`, ErrorCode.CLIENT_TOO_SLOW), limits.authTimeoutMs);
    this.timer.unref();
  }

  /** Restarts the idle timer: a connection waiting for its client this long is closed. */
  private armIdleTimer(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.state !== 'ready' || this.limits.idleTimeoutMs <= 0) return;
    this.timer = setTimeout(() => {
      if (this.pumping) return this.armIdleTimer();
      this.fatal('57P05', `terminating connection due to idle-session timeout (${this.limits.idleTimeoutMs} ms without a message)`, ErrorCode.CLIENT_TOO_SLOW);
    }, this.limits.idleTimeoutMs);
    this.timer.unref();
  }

  /** Switches the connection to TLS (after answering an SSLRequest with 'S'). */
  private startTls(): void {
    const raw = this.socket;
    raw.off('data', this.onData);
    const secure = new TLSSocket(raw, { isServer: true, secureContext: this.secureContext });
    secure.on('data', this.onData);
    secure.on('error', () => {
      secure.destroy();
      raw.destroy();
    });
    secure.on('close', () => this.closed());
    this.socket = secure;
  }

  /** Cancels the running statement when `secretKey` is this connection's (a CancelRequest). */
  cancelIfKey(secretKey: number): void {
    if (secretKey !== this.secretKey || !this.active) return;
    this.cancelRequested = true;
    void this.active.cancel();
  }

  /** Cancels everything and closes the connection (server shutdown). */
  async terminate(): Promise<void> {
    if (this.state !== 'closed') {
      if (this.state === 'ready') this.write(backend.errorResponse({ severity: 'FATAL', code: '57P01', message: 'terminating connection: the Eddy server is shutting down' }));
      this.socket.end();
      this.closed();
    }
    await this.idle;
  }

  private closed(): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    clearTimeout(this.timer);
    this.queue.length = 0;
    if (this.active) void this.active.cancel();
    for (const portal of this.portals.values()) void this.dropPortal(portal);
    this.portals.clear();
    void this.cursors.closeAll();
    this.hooks.closed();
    if (!this.pumping) this.resolveIdle();
    this.socket.destroySoon();
  }

  private receive(chunk: Buffer): void {
    if (this.state === 'closed') return;
    if (this.state === 'ready') {
      if (this.timer) this.timer.refresh();
      else this.armIdleTimer();
    }
    try {
      this.queue.push(...this.decoder.push(chunk));
    } catch (err) {
      this.fatal('08P01', err instanceof Error ? err.message : String(err));
      return;
    }
    if (this.queue.length > MAX_QUEUED) this.socket.pause();
    if (!this.pumping) void this.pump();
  }

  /** Handles queued messages one at a time. */
  private async pump(): Promise<void> {
    this.pumping = true;
    try {
      while (this.queue.length > 0 && this.state !== 'closed') {
        const message = this.queue.shift()!;
        if (this.queue.length < MAX_QUEUED / 2) this.socket.resume();
        try {
          await this.handle(message.type, message.body);
        } catch (err) {
          if (err instanceof ProtocolError) this.fatal('08P01', err.message);
          else this.fatal('XX000', `internal error: ${err instanceof Error ? err.message : String(err)}`);
        }
        if (this.queue.length === 0) this.flush();
      }
    } finally {
      this.pumping = false;
      this.flush();
      if (this.state === 'closed') this.resolveIdle();
    }
  }

  private send(message: Buffer): void {
    this.pending.push(message);
    this.pendingBytes += message.length;
    if (this.pendingBytes >= FLUSH_BYTES) this.flush();
  }

  private flush(): void {
    if (this.pending.length === 0) return;
    const data = this.pending.length === 1 ? this.pending[0]! : Buffer.concat(this.pending, this.pendingBytes);
    this.pending = [];
    this.pendingBytes = 0;
    this.write(data);
  }

  private write(data: Buffer): void {
    if (!this.socket.destroyed && this.socket.writable) this.socket.write(data);
  }

  /** Sends a FATAL error and closes the connection (destroyed soon, even if the client does not read). */
  private fatal(code: string, message: string, eddyCode?: string, hint?: string): void {
    if (this.state === 'closed') return;
    this.send(backend.errorResponse({ severity: 'FATAL', code, message, ...(eddyCode ? { detail: eddyCode } : {}), ...(hint ? { hint } : {}) }));
    this.flush();
    const socket = this.socket;
    socket.end();
    setTimeout(() => socket.destroy(), CLOSE_GRACE_MS).unref();
    this.closed();
  }

  private async handle(type: string, body: Buffer): Promise<void> {
    if (this.state === 'startup') return this.handleInitial(body);
    const message = decodeFrontend(type, body);
    if (this.state === 'authenticating') {
      if (message.kind !== 'password') return this.fatal('08P01', `expected a password message, got '${type}'`);
      return this.checkPassword(message.password);
    }
    await this.handleMessage(message);
  }

  private handleInitial(body: Buffer): void {
    const initial = decodeInitial(body);
    switch (initial.kind) {
      case 'ssl':
        if (this.socket instanceof TLSSocket) return this.fatal('08P01', 'SSLRequest on a connection that is already encrypted');
        if (this.secureContext) {
          // Bytes sent after the request, before the handshake, would be read as if they came encrypted.
          if (this.queue.length > 0 || this.decoder.buffered > 0) return this.fatal('08P01', 'unexpected data after an SSLRequest');
          this.write(Buffer.from('S'));
          this.startTls();
          return;
        }
        // No certificate: 'N' tells the client to go on in plain text (or give up, if it requires TLS).
        this.write(Buffer.from('N'));
        return;
      case 'gssenc':
        // No GSS encryption.
        this.write(Buffer.from('N'));
        return;
      case 'cancel':
        this.hooks.cancel(initial.processId, initial.secretKey);
        this.socket.end();
        this.closed();
        return;
      case 'unsupported':
        return this.fatal('0A000', `unsupported frontend protocol ${initial.version >>> 16}.${initial.version & 0xffff}: Eddy speaks protocol 3.0`);
      case 'startup': {
        const user = initial.parameters['user'];
        if (!user) return this.fatal('28000', 'no user name given in the startup message');
        const parameters = defaultParameters(user, initial.parameters['application_name'] ?? '');
        this.session = {
          parameters,
          user,
          database: initial.parameters['database'] || user,
          processId: this.processId,
          eddyVersion: this.options.eddyVersion ?? '0',
        };
        if (this.options.password !== undefined || this.options.readOnlyPassword !== undefined) {
          this.state = 'authenticating';
          this.write(backend.authenticationMd5Password(this.salt));
          return;
        }
        this.completeStartup();
      }
    }
  }

  private checkPassword(given: string): void {
    const user = this.session!.user;
    const role = roleOfMd5Answer(given, user, this.salt, { full: this.options.password, readOnly: this.options.readOnlyPassword });
    if (!role) return this.fatal('28P01', `password authentication failed for user "${user}"`);
    this.role = role;
    this.completeStartup();
  }

  private completeStartup(): void {
    this.state = 'ready';
    this.decoder.maxMessage = this.limits.maxMessageBytes;
    this.armIdleTimer();
    this.send(backend.authenticationOk());
    for (const name of REPORTED_PARAMETERS) this.send(backend.parameterStatus(name, this.session!.parameters.get(name.toLowerCase()) ?? ''));
    this.send(backend.backendKeyData(this.processId, this.secretKey));
    this.send(backend.readyForQuery('I'));
    this.flush();
  }

  private async handleMessage(message: FrontendMessage): Promise<void> {
    if (this.skipToSync && message.kind !== 'sync' && message.kind !== 'terminate') return;
    switch (message.kind) {
      case 'query':
        await this.simpleQuery(message.sql);
        return;
      case 'parse':
        return this.extended(message.sql, () => this.parse(message.name, message.sql, message.parameterTypes));
      case 'bind':
        return this.extended('', () => this.bind(message.portal, message.statement, message.values, message.resultFormats));
      case 'describe':
        return this.extended('', () => this.describe(message.target, message.name));
      case 'execute':
        return this.extended('', () => this.execute(message.portal, message.maxRows));
      case 'close':
        return this.extended('', async () => {
          if (message.target === 'S') this.prepared.delete(message.name);
          else {
            const portal = this.portals.get(message.name);
            this.portals.delete(message.name);
            if (portal) await this.dropPortal(portal);
          }
          this.send(backend.closeComplete());
        });
      case 'sync':
        this.skipToSync = false;
        // Outside a transaction block, Sync ends the implicit transaction, which drops every portal.
        for (const portal of this.portals.values()) await this.dropPortal(portal);
        this.portals.clear();
        this.send(backend.readyForQuery('I'));
        return;
      case 'flush':
        this.flush();
        return;
      case 'password':
        throw new ProtocolError('unexpected password message');
      case 'terminate':
        this.socket.end();
        this.closed();
        return;
      case 'other': {
        const what = message.code === 'F' ? 'function calls' : message.code === 'd' || message.code === 'c' || message.code === 'f' ? 'COPY' : `message type '${message.code}'`;
        this.send(backend.errorResponse({ severity: 'ERROR', code: '0A000', message: `Eddy does not support ${what}`, detail: ErrorCode.PG_UNSUPPORTED }));
        if (message.code !== 'F') this.skipToSync = true;
        else this.send(backend.readyForQuery('I'));
      }
    }
  }

  // ---------------------------------------------------------------------------------------------------
  // Simple query protocol

  private async simpleQuery(sql: string): Promise<void> {
    const statements = splitStatements(sql);
    if (statements.length === 0) this.send(backend.emptyQueryResponse());
    for (const statement of statements) {
      try {
        const started = await this.start(statement.text);
        if (started.kind === 'rows') this.send(backend.rowDescription(this.describeColumns(started.source.columns)));
        await this.sendResult(started, 0);
      } catch (err) {
        this.send(backend.errorResponse(errorFields(err, sql, (o) => statement.offset + o)));
        break;
      }
    }
    this.send(backend.readyForQuery('I'));
  }

  // ---------------------------------------------------------------------------------------------------
  // Extended query protocol

  /** Runs one extended-protocol step; an error is reported and skips the rest until Sync. */
  private async extended(sql: string, step: () => Promise<void> | void): Promise<void> {
    try {
      await step();
    } catch (err) {
      // Positions of an error in a portal's statement are offsets in the statement as the client wrote it.
      const query = err instanceof PortalError ? err.portal.query : sql;
      this.send(backend.errorResponse(errorFields(err instanceof PortalError ? err.cause : err, query, (o) => o)));
      this.skipToSync = true;
    }
  }

  private parse(name: string, sql: string, parameterTypes: readonly number[]): void {
    const statements = splitStatements(sql);
    if (statements.length > 1) {
      throw new PgError({ severity: 'ERROR', code: '42601', message: 'cannot insert multiple commands into a prepared statement', detail: ErrorCode.PG_UNSUPPORTED });
    }
    const text = statements[0]?.text ?? '';
    // Keep offsets valid for positions: the statement as sent, only its trailing `;` dropped.
    const kept = statements.length ? sql.slice(0, statements[0]!.offset + text.length) : '';
    this.prepared.set(name, { sql: kept, parameterTypes, parameterCount: Math.max(countParameters(kept), parameterTypes.length) });
    this.send(backend.parseComplete());
  }

  private async bind(portalName: string, statementName: string, values: readonly WireValue[], resultFormats: readonly number[]): Promise<void> {
    const prepared = this.prepared.get(statementName);
    if (!prepared) throw new PgError({ severity: 'ERROR', code: '26000', message: `prepared statement "${statementName}" does not exist` });
    if (resultFormats.some((f) => f !== 0)) {
      throw new PgError({ severity: 'ERROR', code: '0A000', message: 'Eddy sends results in text format only; binary result formats are not supported', detail: ErrorCode.PG_UNSUPPORTED });
    }
    if (values.length !== prepared.parameterCount) {
      throw new PgError({ severity: 'ERROR', code: '08P01', message: `bind message supplies ${values.length} parameters, but prepared statement "${statementName}" requires ${prepared.parameterCount}`, detail: ErrorCode.INVALID_PARAMETER });
    }
    let params: ast.ParameterValue[];
    try {
      params = parameterValues(values, prepared.parameterTypes);
    } catch (err) {
      if (err instanceof ParameterError) throw new PgError({ severity: 'ERROR', code: '22P02', message: err.message, detail: ErrorCode.INVALID_PARAMETER });
      throw err;
    }
    const old = this.portals.get(portalName);
    if (old) await this.dropPortal(old);
    this.portals.set(portalName, { query: prepared.sql, params });
    this.send(backend.bindComplete());
  }

  private async describe(target: 'S' | 'P', name: string): Promise<void> {
    if (target === 'S') {
      const prepared = this.prepared.get(name);
      if (!prepared) throw new PgError({ severity: 'ERROR', code: '26000', message: `prepared statement "${name}" does not exist` });
      // Parameters without a declared type are sent as text. The result's columns are known only once the
      // statement runs (Eddy plans with the values bound), so a statement describes as NoData; a portal
      // (Describe 'P', what drivers send before Execute) describes its columns.
      this.send(backend.parameterDescription(Array.from({ length: prepared.parameterCount }, (_, i) => prepared.parameterTypes[i] || 25)));
      this.send(backend.noData());
      return;
    }
    const portal = this.portal(name);
    const started = await this.startPortal(portal);
    this.send(started.kind === 'rows' ? backend.rowDescription(this.describeColumns(started.source.columns)) : backend.noData());
  }

  private async execute(name: string, maxRows: number): Promise<void> {
    const portal = this.portal(name);
    if (portal.completed) {
      // A portal that has run to completion returns no more rows.
      this.send(backend.commandComplete(portal.started?.kind === 'command' ? portal.started.tag : 'SELECT 0'));
      return;
    }
    const started = await this.startPortal(portal);
    try {
      portal.completed = await this.sendResult(started, maxRows);
    } catch (err) {
      throw new PortalError(portal, err);
    }
  }

  private portal(name: string): Portal {
    const portal = this.portals.get(name);
    if (!portal) throw new PgError({ severity: 'ERROR', code: '34000', message: `portal "${name}" does not exist` });
    return portal;
  }

  private async startPortal(portal: Portal): Promise<Started> {
    if (!portal.started) {
      try {
        portal.started = await this.start(portal.query, portal.params);
      } catch (err) {
        throw new PortalError(portal, err);
      }
    }
    return portal.started;
  }

  private async dropPortal(portal: Portal): Promise<void> {
    if (portal.started?.kind === 'rows') await portal.started.source.cancel();
  }

  // ---------------------------------------------------------------------------------------------------
  // Running statements

  /**
   * Runs one statement: a Postgres session statement, or Eddy SQL with the values of its `$n` parameters
   * (`params`, from Bind; absent in the simple protocol). A bounded query is collected here.
   */
  private async start(text: string, params?: readonly ast.ParameterValue[]): Promise<Started> {
    this.cancelRequested = false;
    const cursor = await this.cursors.run(text, (query) => this.start(query, params));
    if (cursor) return cursor.kind === 'rows' ? { ...cursor, sent: 0 } : cursor;
    const compat = compatAnswer(text, this.session!);
    if (compat?.kind === 'error') {
      throw new PgError({ severity: 'ERROR', code: compat.sqlstate, message: compat.message, hint: compat.hint, detail: compat.sqlstate === '0A000' ? ErrorCode.PG_UNSUPPORTED : undefined });
    }
    if (compat?.parameterStatus) this.send(backend.parameterStatus(...compat.parameterStatus));
    const access = { ...this.options.access, readOnly: this.role === 'read-only' };
    const outcome = compat ? compat.outcome : outcomeOf(await this.options.eddy.execute(text, params ? { params, access } : { access }));
    switch (outcome.kind) {
      case 'command':
        return { kind: 'command', tag: outcome.tag, notice: outcome.jobId ? outcome.message : undefined };
      case 'rows':
        // A pull query's warnings (a failed view job, nothing committed yet) come as WARNING notices first.
        for (const message of outcome.warnings ?? []) this.send(backend.noticeResponse({ severity: 'WARNING', code: '01000', message }));
        return { kind: 'rows', source: new ListSource(outcome.columns, outcome.rows), sent: 0 };
      case 'query': {
        const query = outcome.query;
        if (!query.bounded) {
          const source = new ChangeSource(query, this.limits.maxBufferedRows, (buffered) => {
            const error = slowClientError(buffered).fields;
            this.fatal(error.code, error.message, error.detail, error.hint);
          });
          return { kind: 'rows', source, sent: 0 };
        }
        this.active = query;
        try {
          const rows = await collectFinalRows(query);
          if (this.cancelRequested) throw cancelledError();
          return { kind: 'rows', source: new ListSource(outcome.columns, rows), sent: 0 };
        } finally {
          this.active = undefined;
        }
      }
    }
  }

  /**
   * Sends a started statement's result: CommandComplete for a command; for rows, DataRows up to
   * `maxRows` (0: all, streaming a push query until it ends) and then CommandComplete, or PortalSuspended
   * when rows remain. Resolves to true once the statement is complete.
   */
  private async sendResult(started: Started, maxRows: number): Promise<boolean> {
    if (started.kind === 'command') {
      if (started.notice) this.send(backend.noticeResponse({ severity: 'NOTICE', code: '00000', message: started.notice }));
      this.send(backend.commandComplete(started.tag));
      return true;
    }
    const { source } = started;
    const types = source.columns.map((c) => c.type);
    const timeZone = this.session!.parameters.get('timezone') ?? 'UTC';
    let sent = 0;
    this.active = source;
    try {
      for (;;) {
        const { rows, done } = await source.next(maxRows > 0 ? maxRows - sent : 0);
        if (this.cancelRequested) throw cancelledError();
        for (const row of rows) this.send(backend.dataRow(row.map((v, i) => (v === null || v === undefined ? null : pgText(v, types[i]!, timeZone)))));
        sent += rows.length;
        started.sent += rows.length;
        this.flush();
        // A client that stopped reading: deliver no more until its socket drains (rows wait in the source).
        await this.drained();
        if (done) {
          this.send(backend.commandComplete(`${started.tag ?? 'SELECT'} ${started.sent}`));
          return true;
        }
        if (this.state === 'closed') return true;
        if (maxRows > 0 && sent >= maxRows) {
          this.send(backend.portalSuspended());
          return false;
        }
      }
    } finally {
      this.active = undefined;
    }
  }

  /** Resolves once the socket's unsent bytes are below the high-water mark (or the connection closed). */
  private async drained(): Promise<void> {
    const socket = this.socket;
    while (this.state !== 'closed' && !socket.destroyed && socket.writableLength > this.limits.socketHighWaterBytes) {
      await new Promise<void>((resolve) => {
        const done = () => {
          socket.off('drain', done);
          socket.off('close', done);
          resolve();
        };
        socket.once('drain', done);
        socket.once('close', done);
      });
    }
  }

  private describeColumns(columns: readonly Field[]): { name: string; oid: number; size: number; modifier: number }[] {
    return columns.map((c) => ({ name: c.name, ...pgColumnType(c.type) }));
  }
}

/** An error while running a portal: positions point into the portal's statement. */
class PortalError extends Error {
  constructor(
    readonly portal: Portal,
    override readonly cause: unknown,
  ) {
    super(cause instanceof Error ? cause.message : String(cause));
  }
}

