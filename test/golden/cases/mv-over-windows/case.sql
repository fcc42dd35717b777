-- Materialized views over TUMBLE, HOP and SESSION windows, then pull queries over them: each view is a
-- table keyed by (group keys, window_start, window_end); pull queries filter, aggregate, order and limit.
SET 'table.dml-sync' = 'true';
CREATE TABLE rides (
  taxi INT, fare DOUBLE, ts TIMESTAMP(3),
  WATERMARK FOR ts AS ts - INTERVAL '1' SECOND
) WITH ('connector' = 'filesystem', 'path' = '${dir}/input.json', 'format' = 'json');

CREATE MATERIALIZED VIEW per_minute AS
SELECT window_start, window_end, COUNT(*) AS n, SUM(fare) AS fares
FROM TABLE(TUMBLE(TABLE rides, DESCRIPTOR(ts), INTERVAL '1' MINUTE))
GROUP BY window_start, window_end;

CREATE MATERIALIZED VIEW sliding AS
SELECT window_start, window_end, COUNT(*) AS n
FROM TABLE(HOP(TABLE rides, DESCRIPTOR(ts), INTERVAL '1' MINUTE, INTERVAL '2' MINUTES))
GROUP BY window_start, window_end;

CREATE MATERIALIZED VIEW sessions AS
SELECT taxi, window_start, window_end, COUNT(*) AS n, SUM(fare) AS fares
FROM TABLE(SESSION(TABLE rides PARTITION BY taxi, DESCRIPTOR(ts), INTERVAL '1' MINUTE))
GROUP BY taxi, window_start, window_end;

SHOW MATERIALIZED VIEWS;
SELECT * FROM per_minute ORDER BY window_start;
SELECT window_start, n FROM sliding WHERE n >= 3 ORDER BY window_start;
SELECT window_start, window_end, n FROM sliding ORDER BY window_start DESC LIMIT 2;
SELECT * FROM sessions ORDER BY taxi, window_start;
SELECT taxi, COUNT(*) AS session_count, MAX(n) AS longest FROM sessions GROUP BY taxi ORDER BY taxi;
