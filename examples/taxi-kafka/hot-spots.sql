-- Step 2, the windowed job, from Kafka to Kafka: grid cells with many ride starts in a 10-minute window (the
-- query of examples/taxi/hot-spots.sql), read from the rides topic and written to the hot spots topic. The job
-- ends when it has read the rides topic to the end it had when the job started; every window fires then.
SET 'table.dml-sync' = 'true';

INSERT INTO hot_spots
SELECT window_start, window_end, cell_lon, cell_lat, COUNT(*) AS starts
FROM TABLE(TUMBLE(TABLE ride_starts, DESCRIPTOR(ts), INTERVAL '10' MINUTES))
GROUP BY window_start, window_end, cell_lon, cell_lat
HAVING COUNT(*) >= 25;

-- Step 3: what the hot spots topic now holds.
SELECT * FROM hot_spots;
