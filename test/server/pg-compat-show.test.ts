/** Over the Postgres protocol, Eddy's own SHOW forms reach Eddy; other one-word SHOWs are Postgres parameters. */
import { describe, expect, it } from 'vitest';
import { compatAnswer, defaultParameters, type PgSession } from '../../src/server/pg-compat.js';

const session: PgSession = { parameters: defaultParameters('eddy'), user: 'eddy', database: 'eddy', processId: 1, eddyVersion: '0.1.0' };

describe('SHOW over the Postgres protocol', () => {
  it("leaves Flink's catalog and database forms to Eddy", () => {
    for (const text of ['SHOW CATALOGS', 'SHOW DATABASES;', 'show catalogs', 'SHOW CURRENT CATALOG', 'SHOW COLUMNS FROM t', 'SHOW CREATE TABLE t', 'SHOW TABLES']) {
      expect(compatAnswer(text, session), text).toBeUndefined();
    }
  });

  it('still answers Postgres parameters', () => {
    expect(compatAnswer('SHOW TimeZone', session)).toBeDefined();
    expect(compatAnswer('SHOW no_such_thing', session)).toMatchObject({ kind: 'error', sqlstate: '42704' });
  });
});
