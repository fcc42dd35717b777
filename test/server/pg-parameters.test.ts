/**
 * A Bind message's values as the engine takes them: text kept as it is (never quoted into SQL), declared
 * Postgres types mapped to Eddy's, binary values of declared types read into text, bytea refused.
 */
import { describe, expect, it } from 'vitest';
import { T } from '../../src/common/types.js';
import { ParameterError, parameterValues } from '../../src/server/pg-parameters.js';

describe('parameterValues', () => {
  it('keeps text as it came, and leaves unspecified types to the binder', () => {
    expect(parameterValues(["it's'; DROP TABLE t; --", null, '42'], [])).toEqual([{ text: "it's'; DROP TABLE t; --" }, { text: null }, { text: '42' }]);
    // 705 is Postgres's `unknown`: unspecified too.
    expect(parameterValues(['x'], [705])).toEqual([{ text: 'x' }]);
  });

  it('maps declared Postgres types to Eddy types', () => {
    const oids = [16, 21, 23, 20, 700, 701, 25, 1043, 1082, 1083, 1114, 1184, 2950];
    const types = parameterValues(oids.map(() => '1'), oids).map((p) => p.type);
    expect(types).toEqual([T.boolean(), T.smallint(), T.int(), T.bigint(), T.float(), T.double(), T.string(), T.string(), T.date(), T.time(3), T.timestamp(3), T.timestampLtz(3), T.string()]);
    // numeric: a DECIMAL whose precision and scale the value's text gives.
    expect(parameterValues(['12.50'], [1700])[0]).toEqual({ text: '12.50', type: { name: 'DECIMAL', nullable: true } });
  });

  it('reads binary values of declared types as text', () => {
    const int4 = Buffer.alloc(4);
    int4.writeInt32BE(-7);
    const int8 = Buffer.alloc(8);
    int8.writeBigInt64BE(2n ** 62n);
    const float8 = Buffer.alloc(8);
    float8.writeDoubleBE(0.25);
    expect(parameterValues([int4, int8, float8, Buffer.from([1]), Buffer.from('héllo')], [23, 20, 701, 16, 25]).map((p) => p.text)).toEqual(['-7', '4611686018427387904', '0.25', 'true', 'héllo']);
    expect(() => parameterValues([Buffer.alloc(3)], [23])).toThrow('binary parameter $1 has 3 bytes; its type needs 4');
    expect(() => parameterValues([Buffer.alloc(4)], [1082])).toThrow('binary format is not supported for parameter $1 (type OID 1082)');
  });

  it('refuses bytea, whose text is not its bytes', () => {
    expect(() => parameterValues(['x', '\\x00'], [0, 17])).toThrow(ParameterError);
    expect(() => parameterValues(['x', '\\x00'], [0, 17])).toThrow('BYTEA parameters are not supported ($2)');
  });
});
