/**
 * The HTTP API meets curl as people type it: `curl -d 'SELECT …'` (a form body, no content type) runs the
 * statement, a real form `sql=...` too, an unsupported body gets the exact fix, and `GET /` lists the
 * endpoints.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers.js';

const run = promisify(execFile);

/** Runs curl with `args`, sending the `headers` (a server's `auth`) too. */
async function curl(headers: Record<string, string>, args: readonly string[]): Promise<{ status: number; body: string }> {
  const headerArgs = Object.entries(headers).flatMap(([name, value]) => ['-H', `${name}: ${value}`]);
  const { stdout } = await run('curl', ['-s', '-w', '\n%{http_code}', ...headerArgs, ...args], { timeout: 30_000 });
  const cut = stdout.lastIndexOf('\n');
  return { status: Number(stdout.slice(cut + 1)), body: stdout.slice(0, cut) };
}

describe('HTTP API bodies and index', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    await server.close();
  });

  it("runs curl -d 'SELECT ...' (a form body): the raw body is the statement, a + stays a +", async () => {
    const res = await curl(server.auth, ['-d', "SELECT 1 + 2 AS three, 'a+b' AS s", `${server.httpUrl}/v1/statement`]);
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toEqual({ columns: [{ name: 'three', type: 'INT NOT NULL' }, { name: 's', type: 'STRING NOT NULL' }], rows: [[3, 'a+b']] });
  });

  it('runs a real form body: the URL-decoded sql field', async () => {
    const res = await curl(server.auth, ['--data-urlencode', "sql=SELECT 'x y+z' AS s", `${server.httpUrl}/v1/statement`]);
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body).rows).toEqual([['x y+z']]);
  });

  it('answers an unsupported body with the fix', async () => {
    const res = await curl(server.auth, ['-H', 'content-type: application/xml', '-d', '<sql/>', `${server.httpUrl}/v1/statement`]);
    expect(res.status).toBe(415);
    expect(JSON.parse(res.body)).toEqual({
      error: {
        code: 'EDDY-S002',
        message:
          "Unsupported content type 'application/xml': send the statement as JSON {\"sql\": \"...\"} with 'content-type: application/json', or as the body itself with 'content-type: text/plain' (curl --data-binary @query.sql -H 'content-type: text/plain')",
      },
    });
  });

  it('GET / lists the endpoints', async () => {
    const res = await curl(server.auth, [`${server.httpUrl}/`]);
    expect(res.status).toBe(200);
    const body = JSON.parse(res.body) as { name: string; endpoints: { method: string; path: string }[] };
    expect(body.name).toBe('Eddy');
    expect(body.endpoints.map((e) => `${e.method} ${e.path}`)).toEqual(['POST /v1/statement', 'GET /v1/statement?sql=...', 'GET /v1/jobs', 'GET /metrics', 'GET /v1/health']);
  });
});
