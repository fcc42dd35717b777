/**
 * ksqlDB's WITH properties of CREATE STREAM / CREATE TABLE (and their AS SELECT): the names the parser uses to
 * tell a ksqlDB CREATE TABLE from Flink's, and the lowering (src/engine/ksql) checks against.
 */

/** Properties Eddy understands, with what each does (upper-case, as ksqlDB documents them). */
export const KSQL_PROPERTIES: Readonly<Record<string, string>> = {
  KAFKA_TOPIC: 'The topic the stream or table reads and writes (default for AS SELECT: the name, upper-case).',
  VALUE_FORMAT: "The value's format: JSON, DELIMITED, KAFKA or AVRO.",
  KEY_FORMAT: "The key's format: KAFKA (the default), JSON, DELIMITED or AVRO.",
  FORMAT: 'KEY_FORMAT and VALUE_FORMAT at once.',
  PARTITIONS: 'Creates the topic with this many partitions when it does not exist.',
  REPLICAS: 'The replication factor of a topic created with PARTITIONS.',
  TIMESTAMP: "A column holding the record's time (ROWTIME): BIGINT epoch ms, TIMESTAMP, or a STRING read with TIMESTAMP_FORMAT.",
  TIMESTAMP_FORMAT: 'The pattern of a STRING TIMESTAMP column (Java DateTimeFormatter letters).',
  VALUE_DELIMITER: "DELIMITED values' field delimiter (one character, or TAB, SPACE), default ','.",
  WINDOW_TYPE: 'The window of a windowed key: TUMBLING, HOPPING or SESSION.',
  WINDOW_SIZE: "A TUMBLING or HOPPING window's size, e.g. '10 SECONDS'.",
};

/** ksqlDB properties Eddy recognises but does not support, with why (an error, never ignored). */
export const KSQL_UNSUPPORTED_PROPERTIES: Readonly<Record<string, string>> = {
  WRAP_SINGLE_VALUE: "Eddy's JSON values are always objects (ksqlDB's default)",
  KEY_SCHEMA_ID: 'Eddy has no Schema Registry integration',
  VALUE_SCHEMA_ID: 'Eddy has no Schema Registry integration',
  KEY_SCHEMA_FULL_NAME: 'Eddy has no Schema Registry integration',
  VALUE_SCHEMA_FULL_NAME: 'Eddy has no Schema Registry integration',
  VALUE_AVRO_SCHEMA_FULL_NAME: 'Eddy has no Schema Registry integration',
  RETENTION_MS: "topic configs are not set by Eddy: create the topic with the retention you need",
  KEY_DELIMITER: 'ksqlDB keys with several DELIMITED columns are not supported',
};

/** Whether `key` (as written, unquoted) names a ksqlDB property; FORMAT is Flink's too, so it does not count. */
export function isKsqlPropertyName(key: string): boolean {
  const k = key.toUpperCase();
  return k !== 'FORMAT' && (k in KSQL_PROPERTIES || k in KSQL_UNSUPPORTED_PROPERTIES);
}
