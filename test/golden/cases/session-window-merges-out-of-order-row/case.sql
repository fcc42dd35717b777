-- SESSION windows merge: a row arriving out of order at 5 s touches the sessions [0 s, 5 s) and [10 s, 15 s) and joins them into one.
CREATE TABLE events (k STRING, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL '10' SECOND)
WITH ('connector' = 'filesystem', 'path' = '${dir}/input.json', 'format' = 'json');

SELECT window_start, window_end, k, COUNT(*) AS n
FROM TABLE(SESSION(TABLE events PARTITION BY k, DESCRIPTOR(ts), INTERVAL '5' SECOND))
GROUP BY window_start, window_end, k;
