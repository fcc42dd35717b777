import { describe, expect, it } from 'vitest';
import { Eddy } from '../../src/engine/eddy.js';

describe('EPOCH_MILLIS', () => {
  it('an instant or a UTC wall clock in epoch ms, a BIGINT', async () => {
    const eddy = new Eddy();
    try {
      const r = await eddy.execute("SELECT EPOCH_MILLIS(TO_TIMESTAMP_LTZ(1234567, 3)), EPOCH_MILLIS(TIMESTAMP '1970-01-01 00:00:01.500'), EPOCH_MILLIS(CAST(NULL AS TIMESTAMP(3)))");
      if (r.kind !== 'query') throw new Error(r.kind);
      expect(r.query.schema.map((f) => f.type.name)).toEqual(['BIGINT', 'BIGINT', 'BIGINT']);
      expect((await r.query.finalRows()).map((row) => [...row])).toEqual([[1234567, 1500, null]]);
      await expect(eddy.execute('SELECT EPOCH_MILLIS(1)')).rejects.toThrow('EPOCH_MILLIS expects a TIMESTAMP or TIMESTAMP_LTZ, got INT');
    } finally {
      await eddy.close();
    }
  });
});
