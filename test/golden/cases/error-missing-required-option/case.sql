-- The filesystem connector needs 'path': the error points at the table name and describes the option.
CREATE TABLE t (x INT) WITH (
  'connector' = 'filesystem',
  'format' = 'csv'
);
