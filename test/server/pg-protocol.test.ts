/**
 * The extended protocol message by message, with node-postgres's own protocol codec (pg-protocol) as the
 * client: what the server answers to each message, in order — row limits and PortalSuspended, Describe of
 * a statement and of a portal, skipping to Sync after an error, an empty query, binary result formats.
 */
import { connect, type Socket } from 'node:net';
import { parse, serialize } from 'pg-protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pgMd5Answer, pgPasswordOf, startTestServer, type TestServer } from './helpers.js';

/** A bare protocol client: sends frontend messages and collects backend messages by name. */
class RawClient {
  private readonly messages: { name: string; [k: string]: unknown }[] = [];
  private waiters: (() => void)[] = [];

  private constructor(private readonly socket: Socket) {
    void parse(socket, (msg) => {
      this.messages.push(msg as unknown as { name: string });
      for (const w of this.waiters.splice(0)) w();
    });
  }

  static async connect(port: number): Promise<RawClient> {
    const socket = await new Promise<Socket>((resolve, reject) => {
      const s = connect(port, '127.0.0.1', () => resolve(s));
      s.on('error', reject);
    });
    const client = new RawClient(socket);
    socket.write(serialize.startup({ user: 'raw', database: 'db' }));
    const password = pgPasswordOf(port);
    if (password !== undefined) {
      const [challenge] = (await client.untilMessages('authenticationMD5Password')).slice(-1) as unknown as { salt: Uint8Array }[];
      socket.write(serialize.password(pgMd5Answer(password, 'raw', challenge!.salt)));
    }
    await client.until('readyForQuery');
    return client;
  }

  send(...buffers: Buffer[]): void {
    this.socket.write(Buffer.concat(buffers));
  }

  /** Waits for a message named `name`; returns (and forgets) the names of all messages up to it. */
  async until(name: string): Promise<string[]> {
    for (;;) {
      const at = this.messages.findIndex((m) => m.name === name);
      if (at >= 0) return this.messages.splice(0, at + 1).map((m) => m.name);
      await new Promise<void>((r) => this.waiters.push(r));
    }
  }

  /** Like {@link until}, but returns the messages themselves. */
  async untilMessages(name: string): Promise<{ name: string; [k: string]: unknown }[]> {
    for (;;) {
      const at = this.messages.findIndex((m) => m.name === name);
      if (at >= 0) return this.messages.splice(0, at + 1);
      await new Promise<void>((r) => this.waiters.push(r));
    }
  }

  close(): void {
    this.socket.end(serialize.end());
  }
}

describe('extended protocol, message by message', () => {
  let server: TestServer;
  let client: RawClient;

  beforeAll(async () => {
    server = await startTestServer({ httpPort: null });
    client = await RawClient.connect(server.pgPort);
  });

  afterAll(async () => {
    client?.close();
    await server?.close();
  });

  it('hands out a portal in pieces with PortalSuspended', async () => {
    client.send(
      serialize.parse({ text: 'SELECT x FROM (VALUES (1), (2), (3)) AS t(x) WHERE x >= $1', types: [] }),
      serialize.bind({ values: ['1'] }),
      serialize.describe({ type: 'P' }),
      serialize.execute({ rows: 2 }),
      serialize.execute({ rows: 2 }),
      serialize.sync(),
    );
    const messages = await client.untilMessages('readyForQuery');
    expect(messages.map((m) => m.name)).toEqual([
      'parseComplete',
      'bindComplete',
      'rowDescription',
      'dataRow',
      'dataRow',
      'portalSuspended',
      'dataRow',
      'commandComplete',
      'readyForQuery',
    ]);
    expect(messages.filter((m) => m.name === 'dataRow').map((m) => m['fields'])).toEqual([['1'], ['2'], ['3']]);
    expect(messages.find((m) => m.name === 'commandComplete')!['text']).toBe('SELECT 3');
  });

  it('describes a statement by its parameters', async () => {
    client.send(serialize.parse({ name: 's1', text: 'SELECT $1 AS a, $2 AS b', types: [23] }), serialize.describe({ type: 'S', name: 's1' }), serialize.sync());
    const messages = await client.untilMessages('readyForQuery');
    expect(messages.map((m) => m.name)).toEqual(['parseComplete', 'parameterDescription', 'noData', 'readyForQuery']);
    // $1 declared int4; $2 undeclared, described as text.
    expect(messages[1]!['dataTypeIDs']).toEqual([23, 25]);
  });

  it('binds parameters as the types Parse declared, checking each value', async () => {
    // int4, timestamp, numeric, bool; the result columns are of those types (int4 + int4 is int4).
    client.send(
      serialize.parse({ text: 'SELECT $1 + 1 AS a, $2 AS b, $3 AS c, $4 AS d', types: [23, 1114, 1700, 16] }),
      serialize.bind({ values: ['41', '2024-02-29 12:00:00.5', '12.50', 't'] }),
      serialize.describe({ type: 'P' }),
      serialize.execute({}),
      serialize.sync(),
    );
    const typed = await client.untilMessages('readyForQuery');
    expect((typed[2]!['fields'] as { dataTypeID: number }[]).map((f) => f.dataTypeID)).toEqual([23, 1114, 1700, 16]);
    expect(typed[3]!['fields']).toEqual(['42', '2024-02-29 12:00:00.5', '12.50', 't']);

    // A value that is not of the declared type: 22P02 at the parameter, with the declared type named.
    client.send(serialize.parse({ text: 'SELECT $1 AS a', types: [23] }), serialize.bind({ values: ['1.5'] }), serialize.execute({}), serialize.sync());
    const bad = await client.untilMessages('readyForQuery');
    expect(bad.map((m) => m.name)).toEqual(['parseComplete', 'bindComplete', 'error', 'readyForQuery']);
    expect(bad[2]).toMatchObject({ code: '22P02', position: '8', message: "Invalid value for parameter $1 (INT): '1.5' is not an integer", hint: 'the client declared $1 as INT' });

    // A declared type wins over the context: $1 declared text is a STRING, which does not compare with an INT.
    client.send(serialize.parse({ text: 'SELECT 1 AS one WHERE 1 = $1', types: [25] }), serialize.bind({ values: ['1'] }), serialize.execute({}), serialize.sync());
    const text = await client.untilMessages('readyForQuery');
    expect(text[2]).toMatchObject({ name: 'error', code: '42883' });

    // A binary-format value of a declared type.
    const int4 = Buffer.alloc(4);
    int4.writeInt32BE(41);
    client.send(serialize.parse({ text: 'SELECT $1 + 1 AS a', types: [23] }), serialize.bind({ values: [int4] }), serialize.execute({}), serialize.sync());
    const binary = await client.untilMessages('readyForQuery');
    expect(binary.find((m) => m.name === 'dataRow')!['fields']).toEqual(['42']);
  });

  it('refuses a Bind with fewer values than the statement has parameters', async () => {
    client.send(serialize.parse({ text: 'SELECT $1 AS a, $2 AS b' }), serialize.bind({ values: ['1'] }), serialize.execute({}), serialize.sync());
    const messages = await client.untilMessages('readyForQuery');
    expect(messages.map((m) => m.name)).toEqual(['parseComplete', 'error', 'readyForQuery']);
    expect(messages[1]).toMatchObject({ code: '08P01', message: 'bind message supplies 1 parameters, but prepared statement "" requires 2', detail: 'EDDY-S005' });
  });

  it('skips to Sync after an error, then goes on', async () => {
    client.send(
      serialize.parse({ text: 'SELECT nope FROM nowhere' }),
      serialize.bind({}),
      serialize.describe({ type: 'P' }),
      serialize.execute({}),
      serialize.sync(),
    );
    expect(await client.until('readyForQuery')).toEqual(['parseComplete', 'bindComplete', 'error', 'readyForQuery']);
    client.send(serialize.parse({ text: 'SELECT 1 AS one' }), serialize.bind({}), serialize.execute({}), serialize.sync());
    expect(await client.until('readyForQuery')).toEqual(['parseComplete', 'bindComplete', 'dataRow', 'commandComplete', 'readyForQuery']);
  });

  it('refuses binary result formats and a prepared statement of several commands', async () => {
    client.send(serialize.parse({ text: 'SELECT 1 AS one' }), serialize.bind({ binary: true }), serialize.sync());
    const binary = await client.untilMessages('readyForQuery');
    expect(binary.map((m) => m.name)).toEqual(['parseComplete', 'error', 'readyForQuery']);
    expect(binary[1]).toMatchObject({ code: '0A000', detail: 'EDDY-S003' });
    client.send(serialize.parse({ text: 'SELECT 1; SELECT 2' }), serialize.sync());
    const several = await client.untilMessages('readyForQuery');
    expect(several[0]).toMatchObject({ name: 'error', code: '42601', message: 'cannot insert multiple commands into a prepared statement' });
  });

  it('answers an empty query and a query of only comments', async () => {
    client.send(serialize.query('  '));
    expect(await client.until('readyForQuery')).toEqual(['emptyQuery', 'readyForQuery']);
    client.send(serialize.query('-- nothing here\n/* nor here */;'));
    expect(await client.until('readyForQuery')).toEqual(['emptyQuery', 'readyForQuery']);
  });
});
