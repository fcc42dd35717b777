-- ORDER BY price DESC LIMIT 3 on a stream is a Top-N without partition keys (updating, no rank column): a bid
-- entering the top 3 inserts itself and deletes only the bid it pushes out. INSERTed into a sqlite table keyed
-- by id, which ends with the three highest bids: 9 (70), 5 (60), 8 (55). Then the top 2 bids per item with
-- the rank column left out of the select list (the same kind of Rank, partitioned by item): a 30, 25;
-- b 60, 55; c 70, 40.
SET 'table.dml-sync' = 'true';

CREATE TABLE bids (id INT, item STRING, price INT)
WITH ('connector' = 'filesystem', 'path' = '${dir}/bids.json', 'format' = 'json');

CREATE TABLE top3 (id INT, price INT, PRIMARY KEY (id) NOT ENFORCED)
WITH ('connector' = 'sqlite', 'path' = '${tmp}/top3.db', 'table-name' = 'top3');

CREATE TABLE top_per_item (item STRING, id INT, price INT, PRIMARY KEY (item, id) NOT ENFORCED)
WITH ('connector' = 'sqlite', 'path' = '${tmp}/items.db', 'table-name' = 'top_per_item');

INSERT INTO top3 SELECT id, price FROM bids ORDER BY price DESC LIMIT 3;

INSERT INTO top_per_item
SELECT item, id, price FROM (
  SELECT *, ROW_NUMBER() OVER (PARTITION BY item ORDER BY price DESC) AS rn FROM bids
) WHERE rn <= 2;

SELECT * FROM top3 ORDER BY price DESC;
SELECT * FROM top_per_item ORDER BY item, price DESC;
