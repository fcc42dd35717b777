-- Pull queries that join materialized views: per-user counts of two inputs, kept as views, joined when asked
-- (INNER, LEFT with USING, FULL, a comma join with WHERE, an aggregate over a join). Each answers from one
-- snapshot of both views and ends. Then a materialized view whose query is itself a join of two updating
-- aggregations: each user's row is identified by the user (one order total per user), so the view is keyed
-- by it. (An inner join: its number of changes does not depend on which input is read first.)
SET 'table.dml-sync' = 'true';
CREATE TABLE clicks (`user` STRING, url STRING)
WITH ('connector' = 'filesystem', 'path' = '${dir}/clicks.json', 'format' = 'json');
CREATE TABLE orders (`user` STRING, amount DOUBLE)
WITH ('connector' = 'filesystem', 'path' = '${dir}/orders.json', 'format' = 'json');

CREATE MATERIALIZED VIEW clicks_per_user AS SELECT `user`, COUNT(*) AS clicks FROM clicks GROUP BY `user`;
CREATE MATERIALIZED VIEW orders_per_user AS SELECT `user`, COUNT(*) AS orders, SUM(amount) AS spent FROM orders GROUP BY `user`;

SELECT c.`user`, c.clicks, o.orders, o.spent FROM clicks_per_user c JOIN orders_per_user o ON c.`user` = o.`user` ORDER BY c.`user`;
SELECT `user`, c.clicks, o.orders FROM clicks_per_user c LEFT JOIN orders_per_user o USING (`user`) ORDER BY `user`;
SELECT `user`, COALESCE(c.clicks, 0) AS clicks, COALESCE(o.spent, 0) AS spent
FROM clicks_per_user c FULL JOIN orders_per_user o USING (`user`) ORDER BY `user`;
SELECT c.`user`, o.spent / c.clicks AS per_click FROM clicks_per_user c, orders_per_user o WHERE c.`user` = o.`user` AND o.spent > 6;
SELECT COUNT(*) AS buyers, SUM(c.clicks) AS clicks_of_buyers FROM clicks_per_user c JOIN orders_per_user o ON c.`user` = o.`user`;

CREATE MATERIALIZED VIEW activity AS
SELECT c.`user`, c.clicks, o.spent
FROM (SELECT `user`, COUNT(*) AS clicks FROM clicks GROUP BY `user`) c
JOIN (SELECT `user`, SUM(amount) AS spent FROM orders GROUP BY `user`) o ON c.`user` = o.`user`;
DESCRIBE activity;
SELECT * FROM activity ORDER BY `user`;
