-- Window Top-N and window deduplication INSERTed into sqlite tables (final rows, one batch per window):
-- the 2 items with the most bids per 10-second window (ties by item), and each item's last bid per window.
-- Hand-checked: [10:00:00, 10:00:10) has a x3, b x2, c x1; [10:00:10, 10:00:20) b x4, c x2, a x1;
-- [10:00:20, 10:00:30) a x1, c x1. Every row is less than 5 s behind the largest time before it: none is late.
SET 'table.dml-sync' = 'true';

CREATE TABLE bids (id INT, item STRING, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL '5' SECOND)
WITH ('connector' = 'filesystem', 'path' = '${dir}/bids.json', 'format' = 'json');

CREATE TABLE top_items (window_start TIMESTAMP(3), rn BIGINT, item STRING, cnt BIGINT, PRIMARY KEY (window_start, rn) NOT ENFORCED)
WITH ('connector' = 'sqlite', 'path' = '${tmp}/top.db', 'table-name' = 'top_items');

CREATE TABLE last_bid (item STRING, window_start TIMESTAMP(3), id INT, ts TIMESTAMP(3), PRIMARY KEY (item, window_start) NOT ENFORCED)
WITH ('connector' = 'sqlite', 'path' = '${tmp}/last.db', 'table-name' = 'last_bid');

INSERT INTO top_items
SELECT window_start, rn, item, cnt FROM (
  SELECT *, ROW_NUMBER() OVER (PARTITION BY window_start, window_end ORDER BY cnt DESC, item) AS rn FROM (
    SELECT window_start, window_end, item, COUNT(*) AS cnt
    FROM TABLE(TUMBLE(TABLE bids, DESCRIPTOR(ts), INTERVAL '10' SECOND))
    GROUP BY window_start, window_end, item)
) WHERE rn <= 2;

INSERT INTO last_bid
SELECT item, window_start, id, ts FROM (
  SELECT *, ROW_NUMBER() OVER (PARTITION BY window_start, window_end, item ORDER BY ts DESC) AS rn
  FROM TABLE(TUMBLE(TABLE bids, DESCRIPTOR(ts), INTERVAL '10' SECOND))
) WHERE rn = 1;

SELECT * FROM top_items ORDER BY window_start, rn;
SELECT * FROM last_bid ORDER BY window_start, item;
