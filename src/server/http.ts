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
 */
import type { AddressInfo } from 'node:net';
import type { ServerResponse } from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { EddyError, ErrorCode, ROW_KIND_NAMES, stringifyJson, toJsonValue, typeToString, type Eddy, type Field, type QueryHandle } from '../index.js';
import { collectFinalRows } from '../index.js';
import { splitStatements, stripComments } from './sql-text.js';
import { hostName, isLoopback } from './loopback.js';

/** Statements a GET may run: queries, which change nothing. */
const READ_ONLY = /^(SELECT|WITH|VALUES|SHOW|DESCRIBE|DESC|EXPLAIN)\b/i;
import { outcomeOf } from './statement-outcome.js';

export interface HttpServerOptions {
  readonly eddy: Eddy;
  /** Address to bind; default 127.0.0.1. */
  readonly host?: string;
  /** Port; default 8080, 0 picks a free one. */
  readonly port?: number;
  /** When set, every request but `GET /v1/health` needs `Authorization: Bearer <token>`. */
  readonly token?: string;
  readonly eddyVersion?: string;
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

/** Constant-time comparison of a presented token with the configured one. */
function tokenMatches(given: string | undefined, expected: string): boolean {
  if (given === undefined) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
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

  constructor(private readonly options: HttpServerOptions) {
    this.app = Fastify({ logger: false, bodyLimit: 4 * 1024 * 1024 });
    // A statement may come as plain text too: `curl --data-binary @query.sql -H 'content-type: text/plain'`.
    this.app.addContentTypeParser('text/plain', { parseAs: 'string' }, (_req, body, done) => done(null, body));
    this.app.setErrorHandler((err: Error & { statusCode?: number }, _request, reply) => {
      const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
      void reply.code(status).send({ error: { code: status < 500 ? ErrorCode.BAD_REQUEST : ErrorCode.JOB_FAILED, message: err.message } });
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
      const foreignOrigin = origin !== undefined && origin !== 'null' && !isLoopback(hostName(origin)) && (!host || hostName(origin) !== hostName(host));
      const foreignHost = boundToLoopback && host !== undefined && !isLoopback(hostName(host));
      if (foreignOrigin || foreignHost || origin === 'null') {
        return reply.code(403).send({ error: { code: ErrorCode.AUTH_FAILED, message: foreignHost ? `Requests for host '${host}' are refused: this server answers on loopback names only` : `Requests from the web page ${origin} are refused` } });
      }
    });
    this.app.addHook('onRequest', async (request, reply) => {
      if (reply.sent) return;
      const token = this.options.token;
      if (token === undefined || request.url === '/v1/health') return;
      const header = request.headers.authorization;
      const bearer = header?.startsWith('Bearer ') ? header.slice(7).trim() : undefined;
      // EventSource cannot send headers: a `token` query parameter is accepted too.
      const query = (request.query as Record<string, string | undefined>)['token'];
      if (tokenMatches(bearer, token) || tokenMatches(query, token)) return;
      await reply
        .code(401)
        .header('www-authenticate', 'Bearer')
        .send({ error: { code: ErrorCode.AUTH_FAILED, message: header || query ? 'Invalid token' : 'This server needs a token: send Authorization: Bearer <token>' } });
    });

    this.app.get('/v1/health', async () => ({ status: 'ok', version: this.options.eddyVersion ?? '0' }));
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
      outcome = outcomeOf(await this.options.eddy.execute(sql));
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
    const emit = (event: string, data: unknown) => {
      if (res.writableEnded) return;
      res.write(format === 'sse' ? `event: ${event}\ndata: ${stringifyJson(data)}\n\n` : `${stringifyJson(data)}\n`);
    };
    const entry = { res, query };
    this.streams.add(entry);
    // Comments keep proxies and EventSource from timing out an idle stream.
    const keepAlive = format === 'sse' ? setInterval(() => res.write(': keep-alive\n\n'), 15_000) : undefined;
    let count = 0;
    const finish = () => {
      clearInterval(keepAlive);
      this.streams.delete(entry);
      res.end();
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
      for (let i = 0; i < batch.rows.length; i++) {
        count++;
        emit('change', { op: ROW_KIND_NAMES[batch.kinds[i]!], row: rowJson(batch.rows[i]!, columns) });
      }
    });
    query.done.then(
      () => {
        emit('end', { end: { rows: count } });
        finish();
      },
      (err: unknown) => {
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
