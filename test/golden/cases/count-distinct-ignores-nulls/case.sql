-- COUNT(DISTINCT v) and SUM(DISTINCT v) count each value once and ignore NULLs; COUNT(*) counts rows.
CREATE TABLE t (k STRING, v INT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts)
WITH ('connector' = 'filesystem', 'path' = '${dir}/input.json', 'format' = 'json');

SELECT k, COUNT(*) AS n, COUNT(v) AS n_v, COUNT(DISTINCT v) AS distinct_v, SUM(DISTINCT v) AS sum_distinct
FROM TABLE(TUMBLE(TABLE t, DESCRIPTOR(ts), INTERVAL '1' MINUTE))
GROUP BY window_start, window_end, k;
