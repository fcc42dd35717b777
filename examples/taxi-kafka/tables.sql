-- The taxi rides of examples/taxi, on Kafka. Run with `npm run taxi:kafka` (see README.md), or by hand with
-- `--define bootstrap=<the broker's address>` (what `npm run kafka:status` prints), `--define rides_topic=...` and
-- `--define hot_spots_topic=...` (topics that exist: the kafka sink does not create them).

-- The ride file (node examples/taxi/generate.mjs writes it), read at full speed: the load step's input.
CREATE TABLE rides_file (
  ride_id       BIGINT,
  taxi_id       INT,
  is_start      BOOLEAN,
  lon           DOUBLE,
  lat           DOUBLE,
  passenger_cnt INT,
  ts            TIMESTAMP(3)
) WITH (
  'connector' = 'filesystem',
  'path' = 'examples/taxi/data/rides.json',
  'format' = 'json'
);

-- The rides topic: written by load.sql (each taxi's events keyed by its id, so they stay in order in one
-- partition), read by hot-spots.sql from its start to the end it has when the job starts. Event time is `ts`,
-- at most 60 s out of order in the file, and so in each partition.
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
  'connector' = 'kafka',
  'topic' = '${rides_topic}',
  'properties.bootstrap.servers' = '${bootstrap}',
  'format' = 'json',
  'key.format' = 'json',
  'key.fields' = 'taxi_id',
  'scan.startup.mode' = 'earliest-offset',
  'scan.bounded.mode' = 'latest-offset'
);

-- Ride starts, placed on a grid of 0.01 degree cells (about 1 km), as in examples/taxi/tables.sql.
CREATE VIEW ride_starts AS
SELECT
  ride_id,
  taxi_id,
  ROUND(FLOOR(lon * 100) / 100, 2) AS cell_lon,
  ROUND(FLOOR(lat * 100) / 100, 2) AS cell_lat,
  ts
FROM rides
WHERE is_start;

-- The hot spots topic: written by the windowed job, then read back to show it.
CREATE TABLE hot_spots (
  window_start TIMESTAMP(3),
  window_end   TIMESTAMP(3),
  cell_lon     DOUBLE,
  cell_lat     DOUBLE,
  starts       BIGINT
) WITH (
  'connector' = 'kafka',
  'topic' = '${hot_spots_topic}',
  'properties.bootstrap.servers' = '${bootstrap}',
  'format' = 'json',
  'scan.startup.mode' = 'earliest-offset',
  'scan.bounded.mode' = 'latest-offset'
);
