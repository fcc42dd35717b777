-- CSV with 'csv.ignore-parse-errors': the line whose number is 'xx' is skipped and counted as 1 bad row; a quoted field keeps its comma.
CREATE TABLE people (name STRING, n INT, ts TIMESTAMP(3))
WITH ('connector' = 'filesystem', 'path' = '${dir}/input.csv', 'format' = 'csv', 'csv.ignore-parse-errors' = 'true');

SELECT name, n * 2 AS twice, ts FROM people;
