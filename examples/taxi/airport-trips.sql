-- Airport trips: the average trip time of rides to JFK and LaGuardia, per 1-hour window sliding every
-- 15 minutes. Each ride's start is matched with its end by an interval join (an end within an hour of its
-- start; a ride's rows leave the join's state once the watermark proves no match can come), which keeps the
-- end time a time attribute, so a HOP window over it can follow. The join holds the watermark back by its
-- bound (an hour: a start could still meet its end), so a window's rows are printed once the rides' watermark
-- is an hour past the window's end: in the shell, replayed at 120x, the first rows come after about 40 s, then
-- one window every 7.5 s, the last ones when the file ends. On a terminal the result is one table updated in
-- place.
SET 'sql-client.execution.result-mode' = 'table';

WITH trips AS (
  SELECT e.zone AS airport, s.ts AS start_ts, e.ts AS end_ts, TIMESTAMPDIFF(SECOND, s.ts, e.ts) AS seconds
  FROM ride_starts s
  JOIN ride_ends e
    ON s.ride_id = e.ride_id AND e.ts BETWEEN s.ts AND s.ts + INTERVAL '1' HOUR
  WHERE e.zone IN ('JFK', 'LGA')
)
SELECT window_start, window_end, airport, COUNT(*) AS trips,
       ROUND(AVG(CAST(seconds AS DOUBLE)) / 60, 1) AS avg_minutes
FROM TABLE(HOP(TABLE trips, DESCRIPTOR(end_ts), INTERVAL '15' MINUTES, INTERVAL '1' HOUR))
GROUP BY window_start, window_end, airport;
