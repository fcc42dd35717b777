-- Deduplication, keep first: ROW_NUMBER() OVER (PARTITION BY user ORDER BY ts) with rn = 1 keeps each user's
-- earliest login, emitted once the watermark passes it (insert-only). Among equal times the first to arrive
-- wins (ben's laptop, not his phone). Every row is less than 5 s behind the largest time before it: none is late.
SET 'table.dml-sync' = 'true';

CREATE TABLE logins (`user` STRING, device STRING, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL '5' SECOND)
WITH ('connector' = 'filesystem', 'path' = '${dir}/logins.json', 'format' = 'json');

CREATE TABLE first_login (`user` STRING, device STRING, ts TIMESTAMP(3), PRIMARY KEY (`user`) NOT ENFORCED)
WITH ('connector' = 'sqlite', 'path' = '${tmp}/first.db', 'table-name' = 'first_login');

INSERT INTO first_login
SELECT `user`, device, ts FROM (
  SELECT *, ROW_NUMBER() OVER (PARTITION BY `user` ORDER BY ts) AS rn FROM logins
) WHERE rn = 1;

SELECT * FROM first_login ORDER BY `user`;
