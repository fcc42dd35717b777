-- A window TVF over a view: the view's filter runs first and its rows keep the rowtime attribute.
CREATE TABLE clicks (
  `user` STRING, url STRING, amount INT, ts TIMESTAMP(3),
  WATERMARK FOR ts AS ts - INTERVAL '1' SECOND
) WITH ('connector' = 'filesystem', 'path' = '${dir}/input.json', 'format' = 'json');

CREATE VIEW browsing AS SELECT url, amount, ts FROM clicks WHERE url <> '/pay';

SELECT window_start, url, COUNT(*) AS n, MAX(amount) AS biggest
FROM TABLE(TUMBLE(TABLE browsing, DESCRIPTOR(ts), INTERVAL '3' MINUTES))
GROUP BY window_start, window_end, url;
