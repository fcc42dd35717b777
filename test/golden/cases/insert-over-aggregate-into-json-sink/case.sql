-- OVER aggregation INSERTed into a json file: each sale with the sum and count of its product's sales in the
-- 2 seconds up to its time (RANGE frame, named window). a's two sales at 10:00:04 are peers: both see both
-- (and 30 at 10:00:03). Rows go out in time order once the watermark (ts - 5 s) passes them; a's 99 at
-- 10:00:05 arrives after the watermark reached 10:00:10: late, dropped and counted.
CREATE TABLE sales (product STRING, amount INT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL '5' SECOND)
WITH ('connector' = 'filesystem', 'path' = '${dir}/sales.json', 'format' = 'json');

CREATE TABLE sales_2s (product STRING, amount INT, ts TIMESTAMP(3), sum_2s INT, n_2s BIGINT)
WITH ('connector' = 'filesystem', 'path' = '${tmp}/sales_2s.json', 'format' = 'json');

INSERT INTO sales_2s
SELECT product, amount, ts, SUM(amount) OVER w, COUNT(*) OVER w
FROM sales
WINDOW w AS (PARTITION BY product ORDER BY ts RANGE BETWEEN INTERVAL '2' SECOND PRECEDING AND CURRENT ROW);
