-- A JSON record that does not fit the schema fails the query by default: the error names the table, file and line, and how to skip such records.
CREATE TABLE t (id INT, name STRING)
WITH ('connector' = 'filesystem', 'path' = '${dir}/input.json', 'format' = 'json');

SELECT id, name FROM t;
