-- With table.dml-sync the INSERT finishes before the next statement runs, so a later query can read its output file.
SET 'table.dml-sync' = 'true';

CREATE TABLE clicks (
  `user` STRING, url STRING, amount INT, ts TIMESTAMP(3),
  WATERMARK FOR ts AS ts - INTERVAL '1' SECOND
) WITH ('connector' = 'filesystem', 'path' = '${dir}/input.json', 'format' = 'json');

CREATE TABLE alice (url STRING, amount INT) WITH ('connector' = 'filesystem', 'path' = '${tmp}/alice.json', 'format' = 'json');

INSERT INTO alice SELECT url, amount FROM clicks WHERE `user` = 'alice';

SELECT url, amount FROM alice WHERE amount > 4;
