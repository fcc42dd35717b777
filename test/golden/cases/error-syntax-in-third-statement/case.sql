-- A syntax error in the third statement is reported at its line; the script is parsed whole first, so nothing runs.
CREATE TABLE t (x INT) WITH ('connector' = 'datagen', 'number-of-rows' = '1');
SET 'table.dml-sync' = 'true';
SELECT x
FORM t;
