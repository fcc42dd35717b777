-- Lookup join: each order looks its product up in a SQLite table (written by the first job) as the order is
-- processed, through a PARTIAL cache of at most 2 products. Product 9 does not exist and order 14 has no
-- product: the LEFT join keeps them with NULLs.
SET 'table.dml-sync' = 'true';

CREATE TABLE product_feed (id INT, name STRING, price DECIMAL(6, 2))
WITH ('connector' = 'filesystem', 'path' = '${dir}/products.json', 'format' = 'json');

CREATE TABLE products (id INT, name STRING, price DECIMAL(6, 2), PRIMARY KEY (id) NOT ENFORCED)
WITH ('connector' = 'sqlite', 'path' = '${tmp}/shop.db', 'table-name' = 'products',
      'lookup.cache' = 'PARTIAL', 'lookup.partial-cache.max-rows' = '2');

INSERT INTO products SELECT * FROM product_feed;

CREATE TABLE orders (id INT, product_id INT, qty INT, proc AS PROCTIME())
WITH ('connector' = 'filesystem', 'path' = '${dir}/orders.json', 'format' = 'json');

CREATE TABLE order_lines (id INT, product STRING, qty INT, total DECIMAL(17, 2), PRIMARY KEY (id) NOT ENFORCED)
WITH ('connector' = 'sqlite', 'path' = '${tmp}/shop.db', 'table-name' = 'order_lines');

INSERT INTO order_lines
SELECT o.id, p.name, o.qty, o.qty * p.price
FROM orders AS o LEFT JOIN products FOR SYSTEM_TIME AS OF o.proc AS p ON o.product_id = p.id;

SELECT * FROM order_lines ORDER BY id;
