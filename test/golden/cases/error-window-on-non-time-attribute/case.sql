-- A window needs an event-time attribute: ts has no WATERMARK, so TUMBLE on it fails with a hint.
CREATE TABLE clicks (`user` STRING, url STRING, amount INT, ts TIMESTAMP(3)) WITH ('connector' = 'datagen', 'number-of-rows' = '1');

SELECT window_start, COUNT(*) AS n
FROM TABLE(TUMBLE(TABLE clicks, DESCRIPTOR(ts), INTERVAL '1' MINUTE))
GROUP BY window_start, window_end;
