-- A window LEFT JOIN of two TUMBLE window aggregates (Nexmark q8's shape, window columns renamed): each
-- 10-second window's people with the number of auctions they opened in it. Bob (10:00:00) and Alice
-- (10:00:10) opened none in their windows, so they come out null-padded when their window closes; seller 4
-- is no person; Bob's auction at 10:00:16 is in a window without him.
CREATE TABLE person (id INT, name STRING, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL '1' SECOND)
WITH ('connector' = 'filesystem', 'path' = '${dir}/person.json', 'format' = 'json');

CREATE TABLE auction (seller INT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL '1' SECOND)
WITH ('connector' = 'filesystem', 'path' = '${dir}/auction.json', 'format' = 'json');

CREATE TABLE new_sellers (id INT, name STRING, starttime TIMESTAMP(3), auctions BIGINT)
WITH ('connector' = 'filesystem', 'path' = '${tmp}/new_sellers', 'format' = 'json');

INSERT INTO new_sellers
SELECT P.id, P.name, P.starttime, A.auctions
FROM (
  SELECT id, name, window_start AS starttime, window_end AS endtime
  FROM TABLE(TUMBLE(TABLE person, DESCRIPTOR(ts), INTERVAL '10' SECOND))
  GROUP BY id, name, window_start, window_end
) P
LEFT JOIN (
  SELECT seller, COUNT(*) AS auctions, window_start AS starttime, window_end AS endtime
  FROM TABLE(TUMBLE(TABLE auction, DESCRIPTOR(ts), INTERVAL '10' SECOND))
  GROUP BY seller, window_start, window_end
) A
ON P.id = A.seller AND P.starttime = A.starttime AND P.endtime = A.endtime;
