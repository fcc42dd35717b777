-- EXECUTE STATEMENT SET runs two INSERTs as one job: both files are written, the summary counts both.
CREATE TABLE clicks (
  `user` STRING, url STRING, amount INT, ts TIMESTAMP(3),
  WATERMARK FOR ts AS ts - INTERVAL '1' SECOND
) WITH ('connector' = 'filesystem', 'path' = '${dir}/input.json', 'format' = 'json');

CREATE TABLE homes (`user` STRING) WITH ('connector' = 'filesystem', 'path' = '${tmp}/homes.csv', 'format' = 'csv');
CREATE TABLE totals (window_start TIMESTAMP(3), total INT) WITH ('connector' = 'filesystem', 'path' = '${tmp}/totals.json', 'format' = 'json');

EXECUTE STATEMENT SET BEGIN
  INSERT INTO homes SELECT `user` FROM clicks WHERE url = '/home';
  INSERT INTO totals
    SELECT window_start, SUM(amount)
    FROM TABLE(TUMBLE(TABLE clicks, DESCRIPTOR(ts), INTERVAL '3' MINUTES))
    GROUP BY window_start, window_end;
END;
