-- Legacy GROUP BY SESSION(ts, gap) per user: sessions merge rows up to 2 minutes apart; SESSION_END is last row + gap.
CREATE TABLE clicks (
  `user` STRING, url STRING, amount INT, ts TIMESTAMP(3),
  WATERMARK FOR ts AS ts - INTERVAL '1' SECOND
) WITH ('connector' = 'filesystem', 'path' = '${dir}/input.json', 'format' = 'json');

SELECT `user`,
  SESSION_START(ts, INTERVAL '2' MINUTE) AS sstart,
  SESSION_END(ts, INTERVAL '2' MINUTE) AS send,
  COUNT(*) AS n, SUM(amount) AS total
FROM clicks
GROUP BY `user`, SESSION(ts, INTERVAL '2' MINUTE);
