/**
 * Decoders take a message (value, key, headers, timestamp, position), not only a line: the text formats
 * read the value, as text or as UTF-8 bytes; a null value (a tombstone) is no record; and `decodeText` (the
 * file source's path) gives what `decode({ value: text })` gives.
 */
import { describe, expect, it } from 'vitest';
import { createCsvDecoder } from '../../src/connectors/formats/csv-format.js';
import { createJsonDecoder } from '../../src/connectors/formats/json-format.js';
import { RecordError, type SourceMessage } from '../../src/connectors/formats/record-codec.js';
import { createDecoder } from '../../src/connectors/formats/index.js';
import { T, type Schema } from '../../src/common/types.js';

const schema: Schema = [
  { name: 'id', type: T.int() },
  { name: 'name', type: T.string() },
];

describe.each([
  ['json', '{"id":7,"name":"zoë"}'],
  ['csv', '7,zoë'],
])('the %s decoder', (format, text) => {
  const decoder = createDecoder(format, schema, {});

  it('reads a text value, as decodeText reads the text', () => {
    expect(decoder.decode({ value: text })).toEqual([7, 'zoë']);
    expect(decoder.decodeText(text)).toEqual([7, 'zoë']);
  });

  it('reads a UTF-8 byte value (a Kafka message), ignoring key, headers, timestamp and position', () => {
    const message: SourceMessage = {
      value: new TextEncoder().encode(text),
      key: new TextEncoder().encode('7'),
      headers: [{ key: 'trace', value: new Uint8Array([1, 2]) }],
      timestamp: 1_704_067_200_000,
      partition: 3,
      offset: '9223372036854775807',
    };
    expect(decoder.decode(message)).toEqual([7, 'zoë']);
  });

  it('reports a value that is not UTF-8, and skips a tombstone (null value)', () => {
    const bad = decoder.decode({ value: new Uint8Array([0x37, 0xff, 0xfe]) });
    expect(bad).toBeInstanceOf(RecordError);
    expect(bad).toMatchObject({ kind: 'invalid-utf8', message: 'the record is not valid UTF-8' });
    expect(decoder.decode({ value: null, key: '7' })).toBeNull();
  });
});

it('gives the same answers through decode and decodeText, bad records included', () => {
  const json = createJsonDecoder(schema);
  const csv = createCsvDecoder(schema, { 'csv.allow-comments': 'true' });
  for (const t of ['{"id":1,"name":"a"}', '{"id":"x"}', 'not json', '', '[1]']) expect(json.decode({ value: t })).toEqual(json.decodeText(t));
  for (const t of ['1,a', '# a comment', '1', 'x,a', '']) expect(csv.decode({ value: t })).toEqual(csv.decodeText(t));
});
