-- Subqueries in expressions INSERTed into a sqlite table keyed by customer: per-customer totals (an updating
-- GROUP BY) kept when the customer is NOT IN the blocked list (a null-aware anti join: `blocked.customer`
-- may be NULL), has a return (EXISTS, a semi join correlated on the customer), and spent more than the
-- smallest return (an uncorrelated scalar subquery), with its number of returns (a correlated COUNT).
-- By hand: totals a 13, b 7, c 8, d 5, e 4; b is blocked; d has no return; MIN(return) is 1; a has 2
-- returns, c and e one each.
-- To fix the order of arrival (and so the number of changes written), the blocked list and the returns are
-- first copied into sqlite tables, which the job reads at once, before the orders file.
SET 'table.dml-sync' = 'true';

CREATE TABLE orders (customer STRING, amount INT)
WITH ('connector' = 'filesystem', 'path' = '${dir}/orders.json', 'format' = 'json');

CREATE TABLE blocked (customer STRING)
WITH ('connector' = 'filesystem', 'path' = '${dir}/blocked.json', 'format' = 'json');

CREATE TABLE returns (customer STRING, amount INT)
WITH ('connector' = 'filesystem', 'path' = '${dir}/returns.json', 'format' = 'json');

CREATE TABLE blocked_db (customer STRING)
WITH ('connector' = 'sqlite', 'path' = '${tmp}/inputs.db', 'table-name' = 'blocked');
INSERT INTO blocked_db SELECT customer FROM blocked;
CREATE TABLE returns_db (customer STRING, amount INT)
WITH ('connector' = 'sqlite', 'path' = '${tmp}/inputs.db', 'table-name' = 'returns');
INSERT INTO returns_db SELECT customer, amount FROM returns;

CREATE TABLE report (customer STRING, total INT, returned BIGINT, PRIMARY KEY (customer) NOT ENFORCED)
WITH ('connector' = 'sqlite', 'path' = '${tmp}/report.db', 'table-name' = 'report');

INSERT INTO report
SELECT customer, total, (SELECT COUNT(*) FROM returns_db r WHERE r.customer = t.customer) AS returned
FROM (SELECT customer, SUM(amount) AS total FROM orders GROUP BY customer) t
WHERE customer NOT IN (SELECT customer FROM blocked_db)
  AND EXISTS (SELECT * FROM returns_db r WHERE r.customer = t.customer)
  AND total > (SELECT MIN(amount) FROM returns_db);

SELECT * FROM report ORDER BY customer;
