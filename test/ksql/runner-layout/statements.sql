-- ksqlDB's test-runner layout (ksql-test-runner -s statements.sql -i input.json -o output.json): a filter.
CREATE STREAM READINGS (SENSOR STRING KEY, TEMP DOUBLE) WITH (kafka_topic='readings', value_format='JSON');
CREATE STREAM HOT AS SELECT SENSOR, TEMP FROM READINGS WHERE TEMP > 30.0;
