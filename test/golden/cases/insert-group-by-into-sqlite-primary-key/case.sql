-- A non-windowed GROUP BY INSERTed into a sqlite table with a PRIMARY KEY: every change upserts the user's row,
-- so the table ends with one row per user holding the totals over all rows (a GROUP BY has no late rows).
SET 'table.dml-sync' = 'true';

CREATE TABLE clicks (
  `user` STRING, url STRING, amount INT, ts TIMESTAMP(3),
  WATERMARK FOR ts AS ts - INTERVAL '5' SECOND
) WITH ('connector' = 'filesystem', 'path' = '${dir}/clicks.json', 'format' = 'json');

CREATE TABLE totals (`user` STRING, clicks BIGINT, amount BIGINT, biggest INT, last_seen TIMESTAMP(3), PRIMARY KEY (`user`) NOT ENFORCED)
WITH ('connector' = 'sqlite', 'path' = '${tmp}/totals.db', 'table-name' = 'totals');

INSERT INTO totals SELECT `user`, COUNT(*), SUM(amount), MAX(amount), MAX(ts) FROM clicks GROUP BY `user`;

SELECT * FROM totals ORDER BY `user`;
