-- Aggregates with FILTER (WHERE ...): each sees only its own rows; AVG of INT is an INT (integer division).
CREATE TABLE clicks (
  `user` STRING, url STRING, amount INT, ts TIMESTAMP(3),
  WATERMARK FOR ts AS ts - INTERVAL '1' SECOND
) WITH ('connector' = 'filesystem', 'path' = '${dir}/input.json', 'format' = 'json');

SELECT window_start,
  SUM(amount) FILTER (WHERE url = '/pay') AS paid,
  AVG(amount) FILTER (WHERE url = '/home') AS home_avg,
  AVG(CAST(amount AS DOUBLE)) FILTER (WHERE url = '/home') AS home_avg_d,
  MIN(amount) FILTER (WHERE url = '/home') AS min_home,
  MAX(amount) FILTER (WHERE url = '/cart') AS max_cart,
  FIRST_VALUE(`user`) FILTER (WHERE amount > 10) AS first_big,
  LAST_VALUE(url) FILTER (WHERE `user` = 'bob') AS bob_last,
  COUNT(*) FILTER (WHERE amount < 10) AS small
FROM TABLE(TUMBLE(TABLE clicks, DESCRIPTOR(ts), INTERVAL '3' MINUTES))
GROUP BY window_start, window_end;
