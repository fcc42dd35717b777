-- INSERT with a column list into a csv sink: listed columns are filled by position, the others are NULL (empty fields).
SET 'table.dml-sync' = 'true';

CREATE TABLE clicks (
  `user` STRING, url STRING, amount INT, ts TIMESTAMP(3),
  WATERMARK FOR ts AS ts - INTERVAL '1' SECOND
) WITH ('connector' = 'filesystem', 'path' = '${dir}/input.json', 'format' = 'json');

CREATE TABLE payments (id STRING, note STRING, cents BIGINT)
WITH ('connector' = 'filesystem', 'path' = '${tmp}/payments.csv', 'format' = 'csv');

INSERT INTO payments (cents, id) SELECT amount * 100, `user` FROM clicks WHERE url = '/pay';
