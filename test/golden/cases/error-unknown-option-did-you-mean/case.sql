-- An unknown connector option lists the valid ones and suggests the closest.
CREATE TABLE t (x INT) WITH (
  'connector' = 'datagen',
  'number-of-row' = '5'
);
