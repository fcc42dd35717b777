-- An unknown connector name lists the available ones and suggests the closest.
CREATE TABLE t (x INT) WITH (
  'connector' = 'filesytem',
  'format' = 'json'
);
