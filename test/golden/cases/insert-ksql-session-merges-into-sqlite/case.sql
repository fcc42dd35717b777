-- ksqlDB's WINDOW SESSION with EMIT CHANGES INSERTed into a sqlite table keyed by user and window: a session's
-- WINDOWEND is its last event's time; a record that extends or merges sessions deletes the replaced ones (-D, a
-- tombstone) and inserts the merged one. Windows live on stream time (the largest event time seen) and are kept
-- for gap + grace (35 s): at ann's 10:01:10, ann's [10:00:00, 10:00:20] and ben's [10:00:10, 10:00:10] expire, so
-- ann's 10:00:45 joins [10:01:10, 10:01:10] only, and ben's 10:00:30 (alone: 10:00:30 + 35 s < 10:01:10) is late.
SET 'table.dml-sync' = 'true';

CREATE TABLE clicks (
  `user` STRING, amount INT, ts TIMESTAMP(3),
  WATERMARK FOR ts AS ts - INTERVAL '5' SECOND
) WITH ('connector' = 'filesystem', 'path' = '${dir}/clicks.json', 'format' = 'json');

CREATE TABLE sessions (`user` STRING, window_start BIGINT, window_end BIGINT, clicks BIGINT, amount BIGINT, PRIMARY KEY (`user`, window_start, window_end) NOT ENFORCED)
WITH ('connector' = 'sqlite', 'path' = '${tmp}/sessions.db', 'table-name' = 'sessions');

INSERT INTO sessions
SELECT `user`, WINDOWSTART, WINDOWEND, COUNT(*), SUM(amount)
FROM clicks
WINDOW SESSION (30 SECONDS, GRACE PERIOD 5 SECONDS)
GROUP BY `user`
EMIT CHANGES;

SELECT * FROM sessions ORDER BY `user`, window_start;
