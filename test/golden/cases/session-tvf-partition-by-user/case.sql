-- SESSION window TVF per user with a 90 s gap: a session ends 90 s after its last row; rows 91 s apart start a new one.
CREATE TABLE clicks (
  `user` STRING, url STRING, amount INT, ts TIMESTAMP(3),
  WATERMARK FOR ts AS ts - INTERVAL '1' SECOND
) WITH ('connector' = 'filesystem', 'path' = '${dir}/input.json', 'format' = 'json');

SELECT window_start, window_end, `user`, COUNT(*) AS n, SUM(amount) AS total
FROM TABLE(SESSION(TABLE clicks PARTITION BY `user`, DESCRIPTOR(ts), INTERVAL '90' SECOND))
GROUP BY window_start, window_end, `user`;
