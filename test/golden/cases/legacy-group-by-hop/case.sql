-- Legacy GROUP BY HOP(ts, slide, size) with HOP_START and HOP_END.
CREATE TABLE clicks (
  `user` STRING, url STRING, amount INT, ts TIMESTAMP(3),
  WATERMARK FOR ts AS ts - INTERVAL '1' SECOND
) WITH ('connector' = 'filesystem', 'path' = '${dir}/input.json', 'format' = 'json');

SELECT HOP_START(ts, INTERVAL '2' MINUTE, INTERVAL '4' MINUTE) AS wstart,
  HOP_END(ts, INTERVAL '2' MINUTE, INTERVAL '4' MINUTE) AS wend,
  COUNT(*) AS n, SUM(amount) AS total
FROM clicks
GROUP BY HOP(ts, INTERVAL '2' MINUTE, INTERVAL '4' MINUTE);
