-- CAST and TRY_CAST: TRY_CAST gives NULL for text that is not a number (surrounding spaces are trimmed); DOUBLE to INT truncates.
CREATE TABLE raw (s STRING, x DOUBLE) WITH ('connector' = 'filesystem', 'path' = '${dir}/input.json', 'format' = 'json');

SELECT s, TRY_CAST(s AS INT) AS i, TRY_CAST(s AS DOUBLE) AS d, CAST(x AS INT) AS xi, CAST(x AS STRING) AS xs,
  CAST(x > 0 AS INT) AS pos, CAST('2024-02-29' AS DATE) AS leap
FROM raw;
