-- Hot spots: grid cells with many ride starts in a 10-minute window. Each window's rows are printed when
-- the watermark passes its end, i.e. once the window can no longer change. In the shell on a terminal, the
-- result is one table updated in place ('tableau' prints rows as they come, 'changelog' shows +I/-U/+U/-D).
SET 'sql-client.execution.result-mode' = 'table';

SELECT window_start, window_end, cell_lon, cell_lat, COUNT(*) AS starts
FROM TABLE(TUMBLE(TABLE ride_starts, DESCRIPTOR(ts), INTERVAL '10' MINUTES))
GROUP BY window_start, window_end, cell_lon, cell_lat
HAVING COUNT(*) >= 25;
