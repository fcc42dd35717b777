-- A selected column that is neither grouped nor aggregated is an error with a hint.
CREATE TABLE clicks (`user` STRING, url STRING, amount INT, ts TIMESTAMP(3)) WITH ('connector' = 'datagen', 'number-of-rows' = '1');

SELECT `user`, url, COUNT(*) AS n FROM clicks GROUP BY `user`;
