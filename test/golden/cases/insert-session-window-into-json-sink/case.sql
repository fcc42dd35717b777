-- A SESSION window aggregate per user (30-second gap) INSERTed into a json file: a session is written once the
-- watermark passes its end; the late row (ben at 10:01:15, after the watermark passed 10:03) is dropped and counted.
-- ann's rows at 10:00:31 and 10:01:01, exactly one gap apart, share a session (windows that touch merge, as in Flink).
CREATE TABLE clicks (
  `user` STRING, url STRING, amount INT, ts TIMESTAMP(3),
  WATERMARK FOR ts AS ts - INTERVAL '5' SECOND
) WITH ('connector' = 'filesystem', 'path' = '${dir}/clicks.json', 'format' = 'json');

CREATE TABLE sessions (`user` STRING, window_start TIMESTAMP(3), window_end TIMESTAMP(3), clicks BIGINT, amount BIGINT)
WITH ('connector' = 'filesystem', 'path' = '${tmp}/sessions.json', 'format' = 'json');

INSERT INTO sessions
SELECT `user`, window_start, window_end, COUNT(*), SUM(amount)
FROM TABLE(SESSION(TABLE clicks PARTITION BY `user`, DESCRIPTOR(ts), INTERVAL '30' SECOND))
GROUP BY window_start, window_end, `user`;
