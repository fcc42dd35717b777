-- MIN/MAX over an updating input (per-user totals): retractions remove old totals, so the minimum moves up
-- when alice's total of 10 is replaced by 60. One input file per batch, read in name order.
CREATE TABLE clicks (`user` STRING, amount INT)
WITH ('connector' = 'filesystem', 'path' = '${dir}/input', 'format' = 'json');

CREATE VIEW per_user AS SELECT `user`, SUM(amount) AS total FROM clicks GROUP BY `user`;

SELECT MIN(total) AS lo, MAX(total) AS hi, COUNT(*) AS users FROM per_user;
