-- A TUMBLE window aggregate INSERTed into a json file: one line per user and 1-minute window, written when the
-- window closes. ben's row at 10:01:15 comes after the watermark passed 10:03: it is late, dropped and counted.
CREATE TABLE clicks (
  `user` STRING, url STRING, amount INT, ts TIMESTAMP(3),
  WATERMARK FOR ts AS ts - INTERVAL '5' SECOND
) WITH ('connector' = 'filesystem', 'path' = '${dir}/clicks.json', 'format' = 'json');

CREATE TABLE per_minute (window_start TIMESTAMP(3), window_end TIMESTAMP(3), `user` STRING, clicks BIGINT, amount BIGINT)
WITH ('connector' = 'filesystem', 'path' = '${tmp}/per_minute.json', 'format' = 'json');

INSERT INTO per_minute
SELECT window_start, window_end, `user`, COUNT(*), SUM(amount)
FROM TABLE(TUMBLE(TABLE clicks, DESCRIPTOR(ts), INTERVAL '1' MINUTE))
GROUP BY window_start, window_end, `user`;
