-- INSERT INTO a filesystem json sink: the job is submitted, runs to its end, and writes one object per row.
CREATE TABLE clicks (
  `user` STRING, url STRING, amount INT, ts TIMESTAMP(3),
  WATERMARK FOR ts AS ts - INTERVAL '1' SECOND
) WITH ('connector' = 'filesystem', 'path' = '${dir}/input.json', 'format' = 'json');

CREATE TABLE carts (`user` STRING, amount INT, ts TIMESTAMP(3))
WITH ('connector' = 'filesystem', 'path' = '${tmp}/carts', 'format' = 'json');

INSERT INTO carts SELECT `user`, amount, ts FROM clicks WHERE url = '/cart';
