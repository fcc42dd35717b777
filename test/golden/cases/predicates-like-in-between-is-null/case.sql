-- LIKE, IN, BETWEEN and IS NULL with three-valued logic (a NULL operand gives NULL), and the same predicates in a WHERE.
CREATE TABLE t (name STRING, n INT) WITH ('connector' = 'filesystem', 'path' = '${dir}/input.json', 'format' = 'json');

SELECT name, n, name LIKE 'a%' AS starts_a, name LIKE '_o_' AS like_bob, n IN (5, 20) AS in_set,
  n BETWEEN 5 AND 12 AS between_5_12, n IS NULL AS n_null, name IS NOT NULL AS has_name, n NOT IN (5, 20) AS not_in
FROM t;

SELECT name FROM t WHERE name LIKE 'a%' AND (n IS NULL OR n BETWEEN 1 AND 10);
