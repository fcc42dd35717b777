-- Event-time temporal join: each order is converted at the EUR/GBP rate valid at the order's time (the
-- latest version at or before it; a version at exactly the order's time counts). Order 1 comes before any
-- EUR rate and order 5 is in USD, which has no rates: the LEFT join keeps them with NULLs. Rows arrive up
-- to 2 s out of order (order 4 after order 3, GBP's 10:00:12 rate before EUR's 10:00:10), within the 5 s
-- the watermarks allow: none is late, and the result does not depend on the order.
SET 'table.dml-sync' = 'true';

CREATE TABLE orders (id INT, currency STRING, amount INT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL '5' SECOND)
WITH ('connector' = 'filesystem', 'path' = '${dir}/orders.json', 'format' = 'json');

CREATE TABLE rates (currency STRING, rate DECIMAL(5, 2), ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL '5' SECOND,
  PRIMARY KEY (currency) NOT ENFORCED)
WITH ('connector' = 'filesystem', 'path' = '${dir}/rates.json', 'format' = 'json');

CREATE TABLE converted (id INT, currency STRING, amount INT, rate DECIMAL(5, 2), rate_ts TIMESTAMP(3), total DECIMAL(15, 2),
  PRIMARY KEY (id) NOT ENFORCED)
WITH ('connector' = 'sqlite', 'path' = '${tmp}/converted.db', 'table-name' = 'converted');

INSERT INTO converted
SELECT o.id, o.currency, o.amount, r.rate, r.ts, o.amount * r.rate
FROM orders AS o LEFT JOIN rates FOR SYSTEM_TIME AS OF o.ts AS r ON o.currency = r.currency;

SELECT * FROM converted ORDER BY id;
