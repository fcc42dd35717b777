-- Two syntax errors in one script are both reported.
CREATE TABLE t (x INT) WITH ('connector' = 'datagen', 'number-of-rows' = '1');
SELECT x, FROM t;
SELECT x FROM t;
CREATE TABEL u (y INT) WITH ('connector' = 'datagen');
