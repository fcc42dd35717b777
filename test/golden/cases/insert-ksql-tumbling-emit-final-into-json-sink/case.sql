-- ksqlDB's WINDOW TUMBLING with EMIT FINAL INSERTed into a json file: windows close on stream time (the largest
-- event time seen), at window end + GRACE PERIOD, not on the watermark; the end of the input closes nothing.
-- ann's row at 10:00:58 comes after 10:01:05 but within the 10 s grace: counted. ben's at 10:00:40 comes after
-- cat's 10:01:12 closed [10:00, 10:01): dropped and counted as late. [10:04, 10:05) is still open at the end.
CREATE TABLE clicks (
  `user` STRING, amount INT, ts TIMESTAMP(3),
  WATERMARK FOR ts AS ts - INTERVAL '5' SECOND
) WITH ('connector' = 'filesystem', 'path' = '${dir}/clicks.json', 'format' = 'json');

CREATE TABLE per_minute (`user` STRING, window_start BIGINT, window_end BIGINT, clicks BIGINT, amount BIGINT)
WITH ('connector' = 'filesystem', 'path' = '${tmp}/per_minute.json', 'format' = 'json');

INSERT INTO per_minute
SELECT `user`, WINDOWSTART, WINDOWEND, COUNT(*), SUM(amount)
FROM clicks
WINDOW TUMBLING (SIZE 1 MINUTE, GRACE PERIOD 10 SECONDS)
GROUP BY `user`
EMIT FINAL;
