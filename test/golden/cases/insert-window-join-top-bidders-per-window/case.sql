-- Nexmark q5's shape over 10-second TUMBLE windows: the auctions with the most bids in each window, a window
-- join of the counts per auction with their maximum per window (a window aggregation over the counts'
-- windows) on `num >= maxn`. The bid at 10:00:06 arrives after one at 10:00:12 (the watermark allows 5 s).
-- Window 10:00:00: auction 1 has 2 bids, 2 has 1; 10:00:10: 1, 2 and 3 have 1 each (a tie); 10:00:20:
-- auction 3 has 3, auction 2 has 2.
CREATE TABLE bid (auction INT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL '5' SECOND)
WITH ('connector' = 'filesystem', 'path' = '${dir}/bid.json', 'format' = 'json');

CREATE TABLE hot_items (auction INT, num BIGINT, starttime TIMESTAMP(3))
WITH ('connector' = 'filesystem', 'path' = '${tmp}/hot_items', 'format' = 'json');

INSERT INTO hot_items
SELECT AuctionBids.auction, AuctionBids.num, AuctionBids.starttime
FROM (
  SELECT auction, COUNT(*) AS num, window_start AS starttime, window_end AS endtime
  FROM TABLE(TUMBLE(TABLE bid, DESCRIPTOR(ts), INTERVAL '10' SECOND))
  GROUP BY auction, window_start, window_end
) AS AuctionBids
JOIN (
  SELECT MAX(CountBids.num) AS maxn, CountBids.starttime, CountBids.endtime
  FROM (
    SELECT COUNT(*) AS num, window_start AS starttime, window_end AS endtime
    FROM TABLE(TUMBLE(TABLE bid, DESCRIPTOR(ts), INTERVAL '10' SECOND))
    GROUP BY auction, window_start, window_end
  ) AS CountBids
  GROUP BY CountBids.starttime, CountBids.endtime
) AS MaxBids
ON AuctionBids.starttime = MaxBids.starttime AND AuctionBids.endtime = MaxBids.endtime AND AuctionBids.num >= MaxBids.maxn;
