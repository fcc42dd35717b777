-- CUMULATE window TVF: windows grow by 1 minute from the start of each 3-minute period.
CREATE TABLE clicks (
  `user` STRING, url STRING, amount INT, ts TIMESTAMP(3),
  WATERMARK FOR ts AS ts - INTERVAL '1' SECOND
) WITH ('connector' = 'filesystem', 'path' = '${dir}/input.json', 'format' = 'json');

SELECT window_start, window_end, COUNT(*) AS n, SUM(amount) AS total
FROM TABLE(CUMULATE(TABLE clicks, DESCRIPTOR(ts), INTERVAL '1' MINUTE, INTERVAL '3' MINUTES))
GROUP BY window_start, window_end;
