/**
 * The HTTP API of `eddy serve` (fastify): `POST /v1/statement` runs one statement and answers JSON; a push
 * query streams its changes as newline-delimited JSON, or as server-sent events when the client accepts
 * `text/event-stream`, until the query ends or the client disconnects (which cancels the query).
 *
 * Response shapes (see docs/server.md):
 * - a command: `{"tag": "CREATE TABLE", "message": "Table 't' created."}` (`"job"` too for an INSERT);
 * - rows (SHOW, DESCRIBE, EXPLAIN, a pull query, a bounded query's final rows):
 *   `{"columns": [{"name", "type"}], "rows": [[...]], "freshness"?: [...]}`;
 * - a stream: first `{"columns": [...], "changelog": ...}`, then `{"op": "+I", "row": [...]}` per change,
 *   then `{"end": {"rows": n}}` (or `{"error": ...}` if the query fails);
 * - an error: status 400 (401 without the token) and `{"error": {"code", "message", "line", "column", "hint"}}`.
 *
 * Also: `GET /` (the endpoints) and form bodies (http-api.ts); `GET /v1/jobs` and `GET /metrics` (metrics.ts).
 *
 * A streaming client that stops reading pauses its stream: changes wait in the server (the query's job
 * goes on) up to `maxBufferedRows`, past which the stream ends with an EDDY-S007 error and the query is
 * cancelled. A request whose body has not all arrived within `requestTimeoutMs` is answered 408.
 */
import type { AddressInfo } from 'node:net';
import { createServer as createHttpServer, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { SecureContextOptions } from 'node:tls';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { EddyError, ErrorCode, ROW_KIND_NAMES, stringifyJson, toJsonValue, typeToString, type Eddy, type Field, type QueryHandle, type StatementAccess } from '../index.js';
import { needsSecret, roleOfToken, type Role } from './auth.js';
import { CLOSE_GRACE_MS, serverLimits, type ServerLimits } from './limits.js';
import { collectFinalRows } from '../index.js';
import { splitStatements, stripComments } from './sql-text.js';
import { hostName, isLoopback } from './loopback.js';

/** Statements a GET may run: queries, which change nothing. */
const READ_ONLY = /^(SELECT|WITH|VALUES|SHOW|DESCRIBE|DESC|EXPLAIN)\b/i;
import { outcomeOf } from './statement-outcome.js';
import { registerApiBasics, unsupportedBodyMessage } from './http-api.js';
import { registerJobRoutes } from './metrics.js';

export interface HttpServerOptions {
  readonly eddy: Eddy;
  /** Address to bind; default 127.0.0.1. */
  readonly host?: string;
  /** Port; default 8080, 0 picks a free one. */
  readonly port?: number;
  /** When set, every request but `GET /v1/health` needs `Authorization: Bearer <token>`. */
  readonly token?: string;
  /** A token that grants read-only access (queries only). */
  readonly readOnlyToken?: string;
  readonly eddyVersion?: string;
  /** Certificate and key (PEM): the server speaks HTTPS. */
  readonly tls?: SecureContextOptions;
  /** Limits on what clients' statements may do (allowed paths); the role adds `readOnly`. */
  readonly access?: StatementAccess;
  readonly limits?: Partial<ServerLimits>;
}

/** The JSON body of an error. */
export interface HttpError {
  readonly code: string;
  readonly message: string;
  readonly line?: number;
  readonly column?: number;
  /** 0-based offset of the error in the statement text. */
  readonly offset?: number;
  readonly hint?: string;
}

/** Every diagnostic of an error as JSON (the first one is `error`, all are `errors` when there are several). */
export function errorBody(err: unknown): { error: HttpError; errors?: HttpError[] } {
  if (err instanceof EddyError) {
    const all = err.diagnostics.map((d) => ({
      code: d.code,
      message: d.message,
      ...(d.span ? { line: d.span.line, column: d.span.column, offset: d.span.start } : {}),
      ...(d.hint ? { hint: d.hint } : {}),
    }));
    return all.length > 1 ? { error: all[0]!, errors: all } : { error: all[0]! };
  }
  return { error: { code: ErrorCode.JOB_FAILED, message: err instanceof Error ? err.message : String(err) } };
}

function columnsJson(columns: readonly Field[]): { name: string; type: string }[] {
  return columns.map((c) => ({ name: c.name, type: typeToString(c.type) }));
}

/** Sends rows as JSON with exact numbers (a BIGINT beyond 2^53, a big DECIMAL: their digits, see stringifyJson). */
function sendJson(reply: FastifyReply, body: unknown): FastifyReply {
  return reply.type('application/json; charset=utf-8').send(stringifyJson(body));
}

function rowJson(row: readonly unknown[], columns: readonly Field[]): unknown[] {
  return row.map((v, i) => toJsonValue(v, columns[i]!.type));
}

/** The port an origin URL means (its explicit port, else its scheme's default). */
function originPort(url: URL): string {
  return url.port || (url.protocol === 'https:' ? '443' : url.protocol === 'http:' ? '80' : '');
}

/** How the client wants a query's changes: server-sent events, NDJSON, or (undefined) plain JSON. */
function streamFormat(request: FastifyRequest): 'sse' | 'ndjson' | undefined {
  const accept = request.headers.accept ?? '';
  if (accept.includes('text/event-stream')) return 'sse';
  if (accept.includes('application/x-ndjson') || accept.includes('application/jsonl')) return 'ndjson';
  return undefined;
}

/** The HTTP API server over one Eddy instance. */
export class HttpServer {
  readonly app: FastifyInstance;
  /** Responses streaming a push query, ended (and their queries cancelled) on close. */
  private readonly streams = new Set<{ res: ServerResponse; query: QueryHandle }>();
  private readonly limits: ServerLimits;
  /** Each authenticated request's role. */
  private readonly roles = new WeakMap<FastifyRequest, Role>();

  constructor(private readonly options: HttpServerOptions) {
    const limits = (this.limits = serverLimits(options.limits));
    const tls = options.tls;
    // Node checks request timeouts every `connectionsCheckingInterval`: check often enough to honour a short one.
    const timeouts = { requestTimeout: limits.requestTimeoutMs, headersTimeout: Math.min(60_000, limits.requestTimeoutMs), connectionsCheckingInterval: Math.max(100, Math.min(30_000, limits.requestTimeoutMs / 4)) };
    this.app = Fastify({
      logger: false,
      bodyLimit: 4 * 1024 * 1024,
      serverFactory: (handler) => (tls ? createHttpsServer({ ...tls, ...timeouts }, handler) : createHttpServer(timeouts, handler)),
    });
    // A statement may come as plain text too: `curl --data-binary @query.sql -H 'content-type: text/plain'`.
    this.app.addContentTypeParser('text/plain', { parseAs: 'string' }, (_req, body, done) => done(null, body));
    this.app.setErrorHandler((err: Error & { statusCode?: number }, request, reply) => {
      const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
      const message = status === 415 ? unsupportedBodyMessage(request.headers['content-type']) : err.message;
      void reply.code(status).send({ error: { code: status < 500 ? ErrorCode.BAD_REQUEST : ErrorCode.JOB_FAILED, message } });
    });
    this.app.setNotFoundHandler((request, reply) => {
      void reply.code(404).send({ error: { code: ErrorCode.BAD_REQUEST, message: `No route ${request.method} ${request.url.split('?')[0]}; use POST /v1/statement` } });
    });
    // Web pages the user visits may send requests here (a form, an image, a script after DNS rebinding).
    // Refused: a browser's request from another origin, and, on a loopback address, a Host that is not one.
    this.app.addHook('onRequest', async (request, reply) => {
      const origin = request.headers.origin;
      const host = request.headers.host;
      const boundToLoopback = isLoopback(this.options.host ?? '127.0.0.1');
      const foreignOrigin = origin !== undefined && origin !== 'null' && !this.isOwnOrigin(origin, host);
      const foreignHost = boundToLoopback && host !== undefined && !isLoopback(hostName(host));
      if (foreignOrigin || foreignHost || origin === 'null') {
        return reply.code(403).send({ error: { code: ErrorCode.AUTH_FAILED, message: foreignHost ? `Requests for host '${host}' are refused: this server answers on loopback names only` : `Requests from the web page ${origin} are refused` } });
      }
    });
    this.app.addHook('onRequest', async (request, reply) => {
      if (reply.sent) return;
      const secrets = { full: this.options.token, readOnly: this.options.readOnlyToken };
      if (!needsSecret(secrets) || request.url === '/v1/health') return;
      const header = request.headers.authorization;
      const bearer = header?.startsWith('Bearer ') ? header.slice(7).trim() : undefined;
      // EventSource cannot send headers: a `token` query parameter is accepted too.
      const query = (request.query as Record<string, string | undefined>)['token'];
      const role = roleOfToken(bearer, secrets) ?? roleOfToken(typeof query === 'string' ? query : undefined, secrets);
      if (role) {
        this.roles.set(request, role);
        return;
      }
      await reply
        .code(401)
        .header('www-authenticate', 'Bearer')
        .send({ error: { code: ErrorCode.AUTH_FAILED, message: header || query ? 'Invalid token' : 'This server needs a token: send Authorization: Bearer <token>' } });
    });

    this.app.get('/v1/health', async () => ({ status: 'ok', version: this.options.eddyVersion ?? '0' }));
    registerApiBasics(this.app, this.options.eddyVersion ?? '0');
    registerJobRoutes(this.app, this.options.eddy);
    this.app.post('/v1/statement', (request, reply) => this.statement(request, reply, sqlFromBody(request.body)));
    // GET (for EventSource, which cannot POST) runs only statements without side effects.
    this.app.get('/v1/statement', async (request, reply) => {
      const sql = (request.query as Record<string, unknown>)['sql'];
      if (typeof sql === 'string' && !READ_ONLY.test(stripComments(sql))) {
        return reply.code(405).send({ error: { code: ErrorCode.BAD_REQUEST, message: 'GET runs queries only (SELECT, SHOW, DESCRIBE, EXPLAIN); send other statements with POST' } });
      }
      return this.statement(request, reply, sql);
    });
  }

  /**
   * Whether a browser's `Origin` is this server itself: the same scheme and port, and a host name that is
   * the request's own `Host` (or, on a loopback address, any loopback name). A page on another port of
   * the same machine is another origin.
   */
  private isOwnOrigin(origin: string, host: string | undefined): boolean {
    let url: URL;
    try {
      url = new URL(origin);
    } catch {
      return false;
    }
    const scheme = this.options.tls ? 'https:' : 'http:';
    const port = String((this.app.server.address() as AddressInfo | null)?.port ?? '');
    if (url.protocol !== scheme || originPort(url) !== port) return false;
    const name = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
    return (host !== undefined && name === hostName(host)) || (isLoopback(this.options.host ?? '127.0.0.1') && isLoopback(name));
  }

  /** Starts listening; resolves to the bound address. */
  async listen(): Promise<AddressInfo> {
    await this.app.listen({ host: this.options.host ?? '127.0.0.1', port: this.options.port ?? 8080 });
    return this.app.server.address() as AddressInfo;
  }

  /** Ends every stream (cancelling its query) and stops the server. */
  async close(): Promise<void> {
    for (const s of this.streams) {
      void s.query.cancel();
      s.res.end();
    }
    await this.app.close();
  }

  private async statement(request: FastifyRequest, reply: FastifyReply, sql: unknown): Promise<void> {
    if (typeof sql !== 'string' || sql.trim() === '') {
      await reply.code(400).send({ error: { code: ErrorCode.BAD_REQUEST, message: 'Send the statement as {"sql": "..."} (or as a text/plain body)' } });
      return;
    }
    if (splitStatements(sql).length > 1) {
      await reply.code(400).send({ error: { code: ErrorCode.BAD_REQUEST, message: 'Send one statement per request (this text holds several)' } });
      return;
    }
    let outcome;
    try {
      const access = { ...this.options.access, readOnly: this.roles.get(request) === 'read-only' };
      outcome = outcomeOf(await this.options.eddy.execute(sql, { access }));
    } catch (err) {
      await reply.code(err instanceof EddyError ? 400 : 500).send(errorBody(err));
      return;
    }
    switch (outcome.kind) {
      case 'command':
        await reply.send({ tag: outcome.tag, message: outcome.message, ...(outcome.jobId ? { job: outcome.jobId } : {}) });
        return;
      case 'rows':
        await sendJson(reply, {
          columns: columnsJson(outcome.columns),
          rows: outcome.rows.map((r) => rowJson(r, outcome.columns)),
          // JSON has no Infinity: a view whose input ended reports its watermark as the string "end of input".
          ...(outcome.freshness ? { freshness: outcome.freshness.map((f) => (f.watermark === Infinity ? { ...f, watermark: 'end of input' } : f)) } : {}),
          ...(outcome.warnings ? { warnings: outcome.warnings } : {}),
        });
        return;
      case 'query': {
        const format = streamFormat(request);
        if (format === undefined && outcome.query.bounded) {
          // A client that leaves before the answer is ready cancels the query.
          const query = outcome.query;
          const cancel = () => void query.cancel();
          reply.raw.once('close', cancel);
          try {
            const rows = await collectFinalRows(query);
            reply.raw.off('close', cancel);
            await sendJson(reply, { columns: columnsJson(outcome.columns), rows: rows.map((r) => rowJson(r, outcome.columns)) });
          } catch (err) {
            await reply.code(err instanceof EddyError ? 400 : 500).send(errorBody(err));
          }
          return;
        }
        this.stream(reply, outcome.query, format ?? 'ndjson');
      }
    }
  }

  /** Streams a query's changes until it ends or the client goes away. */
  private stream(reply: FastifyReply, query: QueryHandle, format: 'sse' | 'ndjson'): void {
    reply.hijack();
    const res = reply.raw;
    const columns = query.schema;
    res.writeHead(200, {
      'content-type': format === 'sse' ? 'text/event-stream; charset=utf-8' : 'application/x-ndjson; charset=utf-8',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    res.flushHeaders();
    const { socketHighWaterBytes, maxBufferedRows } = this.limits;
    // Items held while the client is not reading (its socket holds more than the high-water mark).
    let waiting: string[] = [];
    const send = (text: string) => {
      if (res.writableEnded || res.destroyed) return;
      if (waiting.length > 0 || res.writableLength > socketHighWaterBytes) waiting.push(text);
      else res.write(text);
    };
    res.on('drain', () => {
      while (waiting.length > 0 && res.writableLength <= socketHighWaterBytes && !res.destroyed) res.write(waiting.shift()!);
    });
    const item = (event: string, data: unknown) => (format === 'sse' ? `event: ${event}\ndata: ${stringifyJson(data)}\n\n` : `${stringifyJson(data)}\n`);
    const emit = (event: string, data: unknown) => send(item(event, data));
    const entry = { res, query };
    this.streams.add(entry);
    // Comments keep proxies and EventSource from timing out an idle stream.
    const keepAlive = format === 'sse' ? setInterval(() => waiting.length === 0 && send(': keep-alive\n\n'), 15_000) : undefined;
    let count = 0;
    const finish = () => {
      clearInterval(keepAlive);
      this.streams.delete(entry);
      if (res.writableEnded) return;
      // What waits is bounded (maxBufferedRows): hand it to the socket with the end.
      for (const text of waiting) res.write(text);
      waiting = [];
      res.end();
    };
    // A client that has not read `maxBufferedRows` changes: its query is cancelled and the stream ends with
    // an error (which it reads if it ever reads again); the socket is destroyed soon after.
    const overflow = () => {
      const buffered = waiting.length;
      waiting = [];
      clearInterval(keepAlive);
      this.streams.delete(entry);
      void query.cancel();
      res.end(
        item('error', {
          error: {
            code: ErrorCode.CLIENT_TOO_SLOW,
            message: `The client did not read its push query's results (${buffered} changes waiting, more than the server keeps); the query was cancelled`,
            hint: "read the stream as it comes, or raise the server's --max-buffered-rows",
          },
        }),
      );
      setTimeout(() => res.destroy(), CLOSE_GRACE_MS).unref();
    };
    // The response's close (not the request's, which closes once its body is read) means the client left.
    res.on('close', () => {
      if (this.streams.has(entry)) {
        clearInterval(keepAlive);
        this.streams.delete(entry);
        void query.cancel();
      }
    });

    emit('columns', {
      columns: columnsJson(columns),
      changelog: query.changelog.kind,
      ...(query.changelog.upsertKey ? { upsertKey: query.changelog.upsertKey.map((i) => columns[i]?.name ?? i) } : {}),
    });
    query.onChanges((batch) => {
      if (!this.streams.has(entry)) return;
      for (let i = 0; i < batch.rows.length; i++) {
        count++;
        emit('change', { op: ROW_KIND_NAMES[batch.kinds[i]!], row: rowJson(batch.rows[i]!, columns) });
      }
      if (waiting.length > maxBufferedRows) overflow();
    });
    query.done.then(
      () => {
        if (!this.streams.has(entry)) return;
        emit('end', { end: { rows: count } });
        finish();
      },
      (err: unknown) => {
        if (!this.streams.has(entry)) return;
        emit('error', errorBody(err));
        finish();
      },
    );
  }
}

function sqlFromBody(body: unknown): unknown {
  if (typeof body === 'string') return body;
  if (body && typeof body === 'object') return (body as Record<string, unknown>)['sql'];
  return undefined;
}
