-- Windows on a TIMESTAMP_LTZ rowtime align to the session time zone (Flink): 2023-12-31 18:00, 18:30 UTC and
-- 2024-01-01 01:00 UTC are all on 2024-01-01 in Shanghai (UTC+8); 2024-01-01 19:00 UTC is 2024-01-02 03:00.
-- window_start/window_end are Shanghai wall-clock times; window_time is an instant shown in Shanghai time.
SET 'table.local-time-zone' = 'Asia/Shanghai';
CREATE TABLE e (ts TIMESTAMP_LTZ(3), v INT, WATERMARK FOR ts AS ts)
WITH ('connector' = 'filesystem', 'path' = '${dir}/input.json', 'format' = 'json');
SELECT window_start, window_end, window_time, SUM(v) AS s
FROM TABLE(TUMBLE(TABLE e, DESCRIPTOR(ts), INTERVAL '1' DAY))
GROUP BY window_start, window_end, window_time;
