-- datagen with sequence fields is deterministic: number-of-rows stops the first table after 4 rows; the second ends when its sequence (1..3) runs out.
CREATE TABLE g1 (id INT, v BIGINT) WITH (
  'connector' = 'datagen', 'number-of-rows' = '4',
  'fields.id.kind' = 'sequence', 'fields.id.start' = '1', 'fields.id.end' = '10',
  'fields.v.kind' = 'sequence', 'fields.v.start' = '100', 'fields.v.end' = '200'
);
CREATE TABLE g2 (id INT) WITH (
  'connector' = 'datagen', 'number-of-rows' = '10',
  'fields.id.kind' = 'sequence', 'fields.id.start' = '1', 'fields.id.end' = '3'
);

SELECT id, v, id * v AS product FROM g1;
SELECT id FROM g2;
