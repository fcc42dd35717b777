-- A non-windowed GROUP BY updates its results, so it cannot go into the append-only filesystem sink: the error says why and what to do.
CREATE TABLE clicks (`user` STRING, url STRING, amount INT, ts TIMESTAMP(3)) WITH ('connector' = 'datagen', 'number-of-rows' = '1');
CREATE TABLE totals (`user` STRING, n BIGINT) WITH ('connector' = 'filesystem', 'path' = '${tmp}/totals', 'format' = 'json');

INSERT INTO totals
SELECT `user`, COUNT(*) FROM clicks GROUP BY `user`;
