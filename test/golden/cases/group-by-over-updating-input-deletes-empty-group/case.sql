-- A GROUP BY over an updating input: users per total. When the last user leaves the bucket 10 it is deleted (-D).
-- One input file per batch, read in name order.
CREATE TABLE clicks (`user` STRING, amount INT)
WITH ('connector' = 'filesystem', 'path' = '${dir}/input', 'format' = 'json');

CREATE VIEW per_user AS SELECT `user`, SUM(amount) AS total FROM clicks GROUP BY `user`;

SELECT total, COUNT(*) AS users, COUNT(DISTINCT `user`) AS distinct_users FROM per_user GROUP BY total;
