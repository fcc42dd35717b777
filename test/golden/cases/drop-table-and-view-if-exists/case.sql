-- CREATE ... IF NOT EXISTS skips, DROP removes, DROP ... IF EXISTS skips a missing one, and DROP TABLE on a view is an error with a hint.
CREATE TABLE a (x INT) WITH ('connector' = 'datagen', 'number-of-rows' = '1');
CREATE TABLE IF NOT EXISTS a (y STRING) WITH ('connector' = 'datagen');
CREATE TABLE b (x INT) WITH ('connector' = 'datagen');
CREATE VIEW v AS SELECT x FROM a;
SHOW TABLES;
SHOW VIEWS;
DROP VIEW v;
DROP TABLE a;
DROP TABLE IF EXISTS a;
DROP VIEW IF EXISTS v;
SHOW TABLES;
SHOW VIEWS;
CREATE VIEW w AS SELECT x FROM b;
DROP TABLE w;
SHOW TABLES;
