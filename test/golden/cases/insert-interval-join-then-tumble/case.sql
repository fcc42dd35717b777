-- An interval LEFT JOIN of ride starts and ends (an end within an hour of its start), then a 1-hour TUMBLE over
-- the start time, which the join keeps as a time attribute: rides 3 (ended after 75 minutes) and 4 (never
-- ended) come out null-padded once the watermark passes their start + 1 hour; ride 6 has no start.
CREATE TABLE starts (ride INT, zone STRING, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL '1' SECOND)
WITH ('connector' = 'filesystem', 'path' = '${dir}/starts.json', 'format' = 'json');

CREATE TABLE ends (ride INT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL '1' SECOND)
WITH ('connector' = 'filesystem', 'path' = '${dir}/ends.json', 'format' = 'json');

CREATE VIEW trips AS
SELECT s.ride, s.zone, s.ts AS start_ts, e.ts AS end_ts
FROM starts s LEFT JOIN ends e ON s.ride = e.ride AND e.ts BETWEEN s.ts AND s.ts + INTERVAL '1' HOUR;

CREATE TABLE hourly (window_start TIMESTAMP(3), zone STRING, rides BIGINT, finished BIGINT)
WITH ('connector' = 'filesystem', 'path' = '${tmp}/hourly', 'format' = 'json');

INSERT INTO hourly
SELECT window_start, zone, COUNT(*), COUNT(end_ts)
FROM TABLE(TUMBLE(TABLE trips, DESCRIPTOR(start_ts), INTERVAL '1' HOUR))
GROUP BY window_start, window_end, zone;
