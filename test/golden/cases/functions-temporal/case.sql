-- Temporal functions: DATE_FORMAT, EXTRACT, HOUR, CAST to DATE, FLOOR/CEIL to a unit, TIMESTAMPADD (month end clamps), TIMESTAMPDIFF (truncates), TO_TIMESTAMP (NULL when unparseable).
CREATE TABLE events (ts TIMESTAMP(3), d STRING) WITH ('connector' = 'filesystem', 'path' = '${dir}/input.json', 'format' = 'json');

SELECT ts, DATE_FORMAT(ts, 'yyyy/MM/dd HH:mm') AS fmt, EXTRACT(YEAR FROM ts) AS y, EXTRACT(MONTH FROM ts) AS m,
  EXTRACT(DAY FROM ts) AS dd, HOUR(ts) AS h, CAST(ts AS DATE) AS day
FROM events;

SELECT FLOOR(ts TO HOUR) AS fl, CEIL(ts TO DAY) AS ce, TIMESTAMPADD(DAY, 1, ts) AS plus_day,
  TIMESTAMPADD(MONTH, 2, ts) AS plus_2_months,
  TIMESTAMPDIFF(MINUTE, ts, TIMESTAMP '2024-03-15 14:00:00') AS mins,
  TO_TIMESTAMP(d, 'dd.MM.yyyy HH:mm') AS parsed
FROM events;
