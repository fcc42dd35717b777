-- DESCRIBE shows the rowtime, the computed column's expression, the primary key and the watermark; SELECT reads the computed column.
CREATE TABLE orders (
  order_id BIGINT,
  item STRING,
  price DOUBLE,
  qty INT,
  total AS price * qty,
  ts TIMESTAMP(3),
  PRIMARY KEY (order_id) NOT ENFORCED,
  WATERMARK FOR ts AS ts - INTERVAL '5' SECOND
) WITH ('connector' = 'filesystem', 'path' = '${dir}/input.json', 'format' = 'json');

DESCRIBE orders;

SELECT order_id, item, total FROM orders;
