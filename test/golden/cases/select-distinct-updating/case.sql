-- SELECT DISTINCT is a non-windowed aggregation: its result is an updating changelog, printed with an op column.
CREATE TABLE clicks (
  `user` STRING, url STRING, amount INT, ts TIMESTAMP(3),
  WATERMARK FOR ts AS ts - INTERVAL '1' SECOND
) WITH ('connector' = 'filesystem', 'path' = '${dir}/input.json', 'format' = 'json');

SELECT DISTINCT `user`, url FROM clicks;
