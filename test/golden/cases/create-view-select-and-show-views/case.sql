-- A view filters a table; IF NOT EXISTS skips an existing view; SHOW VIEWS lists it; a query reads it.
CREATE TABLE clicks (
  `user` STRING, url STRING, amount INT, ts TIMESTAMP(3),
  WATERMARK FOR ts AS ts - INTERVAL '1' SECOND
) WITH ('connector' = 'filesystem', 'path' = '${dir}/input.json', 'format' = 'json');

CREATE VIEW big_clicks AS SELECT `user`, url, amount FROM clicks WHERE amount >= 10;
CREATE VIEW IF NOT EXISTS big_clicks AS SELECT 1 AS x;
SHOW VIEWS;

SELECT `user`, amount * 2 AS doubled FROM big_clicks;
