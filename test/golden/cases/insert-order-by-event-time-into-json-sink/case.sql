-- ORDER BY the event time, INSERTed into a json file: rows are written in time order as the watermark passes
-- them; the row of ben at 10:01:15, behind the watermark (10:03:15) when it arrives, is late: dropped and counted.
CREATE TABLE clicks (
  `user` STRING, url STRING, amount INT, ts TIMESTAMP(3),
  WATERMARK FOR ts AS ts - INTERVAL '5' SECOND
) WITH ('connector' = 'filesystem', 'path' = '${dir}/clicks.json', 'format' = 'json');

CREATE TABLE ordered (ts TIMESTAMP(3), `user` STRING, amount INT)
WITH ('connector' = 'filesystem', 'path' = '${tmp}/ordered.json', 'format' = 'json');

INSERT INTO ordered SELECT ts, `user`, amount FROM clicks ORDER BY ts;
