-- Cascaded windows: per-user 1-minute totals, then a 3-minute TUMBLE over their window_time (a rowtime attribute).
CREATE TABLE clicks (
  `user` STRING, url STRING, amount INT, ts TIMESTAMP(3),
  WATERMARK FOR ts AS ts - INTERVAL '1' SECOND
) WITH ('connector' = 'filesystem', 'path' = '${dir}/input.json', 'format' = 'json');

CREATE VIEW per_minute AS
SELECT `user`, SUM(amount) AS total, window_time
FROM TABLE(TUMBLE(TABLE clicks, DESCRIPTOR(ts), INTERVAL '1' MINUTE))
GROUP BY window_start, window_end, window_time, `user`;

SELECT window_start, window_end, COUNT(*) AS user_minutes, MAX(total) AS best, SUM(total) AS total
FROM TABLE(TUMBLE(TABLE per_minute, DESCRIPTOR(window_time), INTERVAL '3' MINUTES))
GROUP BY window_start, window_end;
