-- Aggregates skip NULLs: COUNT(v) counts non-NULL values, SUM/AVG/MIN/MAX of only NULLs is NULL, FIRST/LAST_VALUE skip NULLs.
CREATE TABLE t (k STRING, v INT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts)
WITH ('connector' = 'filesystem', 'path' = '${dir}/input.json', 'format' = 'json');

SELECT k, COUNT(*) AS n, COUNT(v) AS n_v, SUM(v) AS s, AVG(v) AS a, MIN(v) AS lo, MAX(v) AS hi,
  FIRST_VALUE(v) AS fv, LAST_VALUE(v) AS lv
FROM TABLE(TUMBLE(TABLE t, DESCRIPTOR(ts), INTERVAL '1' MINUTE))
GROUP BY window_start, window_end, k;
