-- Regular (non-windowed) joins on streams, and their changelogs.
-- 1. INNER join of two file tables: append-only. The two files are read concurrently, but the changelog does
--    not depend on which is read first: each customer has one row, and orders.json lists the customers'
--    orders in the order of customers.json (either way the pairs come out in that order).
-- 2. LEFT join: an order without a customer yet is emitted null-padded (+I), and retracted (-D) when its
--    customer arrives, before the joined row (+I). To show that in a fixed order, the left side is a sqlite
--    copy of the orders (read synchronously, so before the customers file); order 5 never finds a customer.
-- 3. A join's output keeps no time attribute (ts is a plain TIMESTAMP(3)), so no window can follow it.
CREATE TABLE orders (
  order_id INT, customer STRING, amount DOUBLE, ts TIMESTAMP(3),
  WATERMARK FOR ts AS ts - INTERVAL '1' SECOND
) WITH ('connector' = 'filesystem', 'path' = '${dir}/orders.json', 'format' = 'json');
CREATE TABLE customers (customer STRING, name STRING, city STRING)
WITH ('connector' = 'filesystem', 'path' = '${dir}/customers.json', 'format' = 'json');

SELECT o.order_id, c.name, o.amount FROM orders o JOIN customers c ON o.customer = c.customer;

SET 'table.dml-sync' = 'true';
CREATE TABLE orders_db (order_id INT, customer STRING, amount DOUBLE)
WITH ('connector' = 'sqlite', 'path' = '${tmp}/orders.db', 'table-name' = 'orders');
INSERT INTO orders_db SELECT order_id, customer, amount FROM orders;

SELECT o.order_id, o.customer, c.name FROM orders_db o LEFT JOIN customers c ON o.customer = c.customer;

CREATE VIEW order_cities AS SELECT order_id, customer, c.city, o.ts FROM orders o JOIN customers c USING (customer);
DESCRIBE order_cities;
SELECT window_start, city, COUNT(*) AS n
FROM TABLE(TUMBLE(TABLE order_cities, DESCRIPTOR(ts), INTERVAL '1' HOUR))
GROUP BY window_start, window_end, city;
