-- A HOP window aggregate (2-minute windows every minute) INSERTed into a csv file: each row counts in two
-- windows; the late row (ben at 10:01:15, after the watermark passed 10:03) is dropped and counted.
CREATE TABLE clicks (
  `user` STRING, url STRING, amount INT, ts TIMESTAMP(3),
  WATERMARK FOR ts AS ts - INTERVAL '5' SECOND
) WITH ('connector' = 'filesystem', 'path' = '${dir}/clicks.json', 'format' = 'json');

CREATE TABLE per_window (window_start TIMESTAMP(3), window_end TIMESTAMP(3), clicks BIGINT, amount BIGINT)
WITH ('connector' = 'filesystem', 'path' = '${tmp}/per_window.csv', 'format' = 'csv');

INSERT INTO per_window
SELECT window_start, window_end, COUNT(*), SUM(amount)
FROM TABLE(HOP(TABLE clicks, DESCRIPTOR(ts), INTERVAL '1' MINUTE, INTERVAL '2' MINUTES))
GROUP BY window_start, window_end;
