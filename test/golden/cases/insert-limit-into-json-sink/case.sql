-- LIMIT in an INSERT: the first 8 rows in arrival order are written, then the job ends. It stops reading at the end
-- of the chunk that completes the limit (here the whole small file: 24 rows in).
CREATE TABLE clicks (
  `user` STRING, url STRING, amount INT, ts TIMESTAMP(3),
  WATERMARK FOR ts AS ts - INTERVAL '5' SECOND
) WITH ('connector' = 'filesystem', 'path' = '${dir}/clicks.json', 'format' = 'json');

CREATE TABLE first_rows (`user` STRING, url STRING, amount INT)
WITH ('connector' = 'filesystem', 'path' = '${tmp}/first_rows.json', 'format' = 'json');

INSERT INTO first_rows SELECT `user`, url, amount FROM clicks LIMIT 8;
