-- EXPLAIN of a window join of two HOP window TVFs: a WindowJoin with its windows, state tables and cleanup
-- rule; its output keeps window_time as a time attribute.
CREATE TABLE person (id INT, name STRING, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL '1' SECOND)
WITH ('connector' = 'filesystem', 'path' = '${dir}/person.json', 'format' = 'json');

CREATE TABLE auction (seller INT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL '1' SECOND)
WITH ('connector' = 'filesystem', 'path' = '${dir}/auction.json', 'format' = 'json');

EXPLAIN
SELECT L.id, L.name, R.ts, L.window_start, L.window_end, L.window_time
FROM TABLE(HOP(TABLE person, DESCRIPTOR(ts), INTERVAL '5' SECOND, INTERVAL '10' SECOND)) L
FULL JOIN TABLE(HOP(TABLE auction, DESCRIPTOR(ts), INTERVAL '5' SECOND, INTERVAL '10' SECOND)) R
ON L.id = R.seller AND L.window_start = R.window_start AND L.window_end = R.window_end;
