-- Taxi ride events (see README.md here): a JSON-lines file, replayed at 120x its event-time pace so that
-- two hours of rides play out in about a minute. Event time is `ts`, at most 60 s out of order.
CREATE TABLE rides (
  ride_id       BIGINT,
  taxi_id       INT,
  is_start      BOOLEAN,
  lon           DOUBLE,
  lat           DOUBLE,
  passenger_cnt INT,
  ts            TIMESTAMP(3),
  WATERMARK FOR ts AS ts - INTERVAL '60' SECOND
) WITH (
  'connector' = 'filesystem',
  'path' = 'examples/taxi/data/rides.json',
  'format' = 'json',
  'replay.speedup' = '120'
);

-- Ride starts, placed on a grid of 0.01 degree cells (about 1 km).
CREATE VIEW ride_starts AS
SELECT
  ride_id,
  taxi_id,
  ROUND(FLOOR(lon * 100) / 100, 2) AS cell_lon,
  ROUND(FLOOR(lat * 100) / 100, 2) AS cell_lat,
  ts
FROM rides
WHERE is_start;

-- Ride ends (drop-offs) with their zone: the two airports by their bounding boxes, else NULL.
CREATE VIEW ride_ends AS
SELECT
  ride_id,
  taxi_id,
  CASE
    WHEN lon BETWEEN -73.83 AND -73.74 AND lat BETWEEN 40.61 AND 40.67 THEN 'JFK'
    WHEN lon BETWEEN -73.89 AND -73.85 AND lat BETWEEN 40.765 AND 40.79 THEN 'LGA'
  END AS zone,
  ts
FROM rides
WHERE NOT is_start;
