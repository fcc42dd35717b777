-- EXPLAIN of a filtered TUMBLE aggregate prints the plan (deterministic text) and runs nothing.
CREATE TABLE clicks (
  `user` STRING, url STRING, amount INT, ts TIMESTAMP(3),
  WATERMARK FOR ts AS ts - INTERVAL '1' SECOND
) WITH ('connector' = 'filesystem', 'path' = '${dir}/input.json', 'format' = 'json');

EXPLAIN
SELECT window_start, window_end, `user`, SUM(amount) AS total
FROM TABLE(TUMBLE(TABLE clicks, DESCRIPTOR(ts), INTERVAL '2' MINUTES))
WHERE url <> '/pay'
GROUP BY window_start, window_end, `user`;
