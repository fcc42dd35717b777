-- UNION ALL of two timed tables in a view, then a TUMBLE window over it: the union's watermark is the slower input's, so nothing is late.
CREATE TABLE clicks (
  `user` STRING, url STRING, amount INT, ts TIMESTAMP(3),
  WATERMARK FOR ts AS ts - INTERVAL '1' SECOND
) WITH ('connector' = 'filesystem', 'path' = '${dir}/input.json', 'format' = 'json');

CREATE TABLE refunds (
  `user` STRING, amount INT, ts TIMESTAMP(3),
  WATERMARK FOR ts AS ts - INTERVAL '1' SECOND
) WITH ('connector' = 'filesystem', 'path' = '${dir}/refunds.json', 'format' = 'json');

CREATE VIEW movements AS
  SELECT `user`, amount, ts FROM clicks
  UNION ALL
  SELECT `user`, -amount AS amount, ts FROM refunds;

SELECT window_start, COUNT(*) AS n, SUM(amount) AS net
FROM TABLE(TUMBLE(TABLE movements, DESCRIPTOR(ts), INTERVAL '3' MINUTES))
GROUP BY window_start, window_end;
