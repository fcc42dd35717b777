/**
 * What the HTTP API accepts and offers: the bodies a statement may come in (JSON, plain text, and the form
 * body `curl -d` sends), the answer to a body it does not accept (with the fix), and `GET /`'s listing of
 * the endpoints.
 */
import type { FastifyInstance } from 'fastify';

/**
 * The SQL of a form body (`application/x-www-form-urlencoded`, what `curl -d 'SELECT 1'` sends without a
 * content type): a body `sql=...` is a real form, whose `sql` field (URL-decoded) is the statement;
 * anything else is the statement itself, as written (curl -d does not encode it, so it is not decoded:
 * a `+` stays a `+`).
 */
export function sqlOfFormBody(body: string): string {
  if (/^sql=/.test(body)) return new URLSearchParams(body).get('sql') ?? '';
  return body;
}

/** The message of a 415: which bodies are accepted, and how to send one. */
export function unsupportedBodyMessage(contentType: string | undefined): string {
  return (
    `Unsupported content type '${contentType ?? ''}': send the statement as JSON {"sql": "..."} with 'content-type: application/json', ` +
    `or as the body itself with 'content-type: text/plain' (curl --data-binary @query.sql -H 'content-type: text/plain')`
  );
}

/** The endpoints, as `GET /` lists them. */
export const ENDPOINTS: readonly { readonly method: string; readonly path: string; readonly description: string }[] = [
  { method: 'POST', path: '/v1/statement', description: 'Runs one statement: body {"sql": "..."} (application/json), the statement as text/plain, or a form body (sql=... or the raw statement).' },
  { method: 'GET', path: '/v1/statement?sql=...', description: 'Runs a query (SELECT, SHOW, DESCRIBE, EXPLAIN); for EventSource.' },
  { method: 'GET', path: '/v1/jobs', description: 'Every running job and every failed one, with status, rows in/out, rates, watermark, state and checkpoints.' },
  { method: 'GET', path: '/metrics', description: 'The same figures, per job and per operator, in the Prometheus text format.' },
  { method: 'GET', path: '/v1/health', description: 'Whether the server is up, and its version (no token needed).' },
];

/** Accepts form bodies as SQL, and answers `GET /` with the endpoints. */
export function registerApiBasics(app: FastifyInstance, version: string): void {
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => done(null, sqlOfFormBody(body as string)));
  app.get('/', async () => ({ name: 'Eddy', version, docs: 'docs/server.md', endpoints: ENDPOINTS }));
}
