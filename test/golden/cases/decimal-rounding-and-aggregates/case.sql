-- DECIMAL: input rounds half up to the column's scale, a computed column multiplies scales (10,2)*(1,1) -> DECIMAL(11, 3), SUM keeps the scale and AVG uses 6.
CREATE TABLE orders (
  id INT, price DECIMAL(10, 2), ts TIMESTAMP(3),
  tax AS price * 0.1,
  WATERMARK FOR ts AS ts
) WITH ('connector' = 'filesystem', 'path' = '${dir}/input.json', 'format' = 'json');

SELECT * FROM orders;

SELECT SUM(price) AS s, AVG(price) AS a, MAX(tax) AS t
FROM TABLE(TUMBLE(TABLE orders, DESCRIPTOR(ts), INTERVAL '1' MINUTE))
GROUP BY window_start, window_end;
