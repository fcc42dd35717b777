-- A WITH query (CTE) feeding a subquery in FROM with its own alias and a filter on a derived column.
CREATE TABLE clicks (
  `user` STRING, url STRING, amount INT, ts TIMESTAMP(3),
  WATERMARK FOR ts AS ts - INTERVAL '1' SECOND
) WITH ('connector' = 'filesystem', 'path' = '${dir}/input.json', 'format' = 'json');

WITH per_user AS (SELECT `user`, amount FROM clicks WHERE amount > 5)
SELECT u, a
FROM (SELECT `user` AS u, amount + 1 AS a FROM per_user) AS s
WHERE a < 20;
