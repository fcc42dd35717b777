-- Conditional functions: searched and simple CASE (an UNKNOWN condition falls through), COALESCE, NULLIF, IF, IFNULL, GREATEST/LEAST with NULL.
CREATE TABLE people (name STRING, age INT, city STRING) WITH ('connector' = 'filesystem', 'path' = '${dir}/input.json', 'format' = 'json');

SELECT name,
  CASE WHEN age < 18 THEN 'minor' WHEN age >= 65 THEN 'senior' ELSE 'adult' END AS grp,
  CASE city WHEN 'Oslo' THEN 'NO' WHEN 'Rome' THEN 'IT' END AS country,
  COALESCE(city, 'unknown') AS place,
  NULLIF(city, 'Oslo') AS not_oslo,
  IF(age > 20, 'old', 'young') AS old_young,
  IFNULL(age, -1) AS age_or,
  GREATEST(age, 20) AS hi,
  LEAST(age, 20) AS lo
FROM people;
