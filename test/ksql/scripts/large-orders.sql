-- Run by test/ksql/variables.json with RUN SCRIPT; ${minQty} and ${ordersTopic} are defined by the caller.
CREATE STREAM ORDERS (ID STRING KEY, QTY INT) WITH (kafka_topic='${ordersTopic}', value_format='JSON');
CREATE STREAM LARGE_ORDERS AS SELECT ID, QTY FROM ORDERS WHERE QTY >= ${minQty};
