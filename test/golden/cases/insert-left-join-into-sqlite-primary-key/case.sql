-- A regular LEFT JOIN INSERTed into a sqlite table with a PRIMARY KEY: an order is first written without its
-- customer (NULL name and city), then updated when the customer arrives (the join retracts the NULL-padded row
-- and emits the joined one). The table ends with every order, joined where its customer exists (c9 never does);
-- customers without orders (c6, c7, c8) add nothing.
-- To fix the order of arrival, the orders are first copied into a sqlite table, which the join reads at once,
-- before the customers file.
SET 'table.dml-sync' = 'true';

CREATE TABLE orders (
  order_id INT, customer STRING, amount DOUBLE, ts TIMESTAMP(3),
  WATERMARK FOR ts AS ts - INTERVAL '1' SECOND
) WITH ('connector' = 'filesystem', 'path' = '${dir}/orders.json', 'format' = 'json');
CREATE TABLE customers (customer STRING, name STRING, city STRING)
WITH ('connector' = 'filesystem', 'path' = '${dir}/customers.json', 'format' = 'json');

CREATE TABLE orders_db (order_id INT, customer STRING, amount DOUBLE)
WITH ('connector' = 'sqlite', 'path' = '${tmp}/orders.db', 'table-name' = 'orders');
INSERT INTO orders_db SELECT order_id, customer, amount FROM orders;

CREATE TABLE order_names (order_id INT, customer STRING, name STRING, city STRING, amount DOUBLE, PRIMARY KEY (order_id) NOT ENFORCED)
WITH ('connector' = 'sqlite', 'path' = '${tmp}/orders.db', 'table-name' = 'order_names');
INSERT INTO order_names
SELECT o.order_id, o.customer, c.name, c.city, o.amount FROM orders_db o LEFT JOIN customers c ON o.customer = c.customer;

SELECT * FROM order_names ORDER BY order_id;
