-- Legacy GROUP BY TUMBLE(ts, ...) with TUMBLE_START, TUMBLE_END and TUMBLE_ROWTIME (end - 1 ms).
CREATE TABLE clicks (
  `user` STRING, url STRING, amount INT, ts TIMESTAMP(3),
  WATERMARK FOR ts AS ts - INTERVAL '1' SECOND
) WITH ('connector' = 'filesystem', 'path' = '${dir}/input.json', 'format' = 'json');

SELECT `user`,
  TUMBLE_START(ts, INTERVAL '3' MINUTE) AS wstart,
  TUMBLE_END(ts, INTERVAL '3' MINUTE) AS wend,
  TUMBLE_ROWTIME(ts, INTERVAL '3' MINUTE) AS wtime,
  COUNT(*) AS n, SUM(amount) AS total
FROM clicks
GROUP BY `user`, TUMBLE(ts, INTERVAL '3' MINUTE);
