-- Materialized views of non-windowed aggregates (updated as rows arrive: the table keeps the latest row
-- per key), a global aggregate (one row), and an aggregate over an updating input (retractions); pull
-- queries, a push query (EMIT CHANGES ... LIMIT), DESCRIBE and DROP.
SET 'table.dml-sync' = 'true';
CREATE TABLE rides (
  taxi INT, fare DOUBLE, ts TIMESTAMP(3),
  WATERMARK FOR ts AS ts - INTERVAL '1' SECOND
) WITH ('connector' = 'filesystem', 'path' = '${dir}/input.json', 'format' = 'json');

CREATE MATERIALIZED VIEW per_taxi AS SELECT taxi, COUNT(*) AS rides, SUM(fare) AS fares FROM rides GROUP BY taxi;
CREATE MATERIALIZED VIEW totals AS SELECT COUNT(*) AS rides, SUM(fare) AS fares FROM rides;
CREATE MATERIALIZED VIEW histogram AS
SELECT rides, COUNT(*) AS taxis FROM (SELECT taxi, COUNT(*) AS rides FROM rides GROUP BY taxi) GROUP BY rides;

DESCRIBE per_taxi;
SELECT * FROM per_taxi WHERE taxi = 2;
SELECT * FROM per_taxi ORDER BY fares DESC;
SELECT * FROM totals;
SELECT * FROM histogram ORDER BY rides;
SELECT taxi, fares FROM per_taxi WHERE fares > 10 EMIT CHANGES LIMIT 1;
DROP MATERIALIZED VIEW histogram;
SHOW MATERIALIZED VIEWS;
DROP TABLE per_taxi;
