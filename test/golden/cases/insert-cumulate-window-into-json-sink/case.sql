-- A CUMULATE window aggregate (growing by 1 minute up to 3 minutes) per user INSERTed into a json file: one line
-- per user and window, written when it closes; the late row (ben at 10:01:15) is dropped and counted.
CREATE TABLE clicks (
  `user` STRING, url STRING, amount INT, ts TIMESTAMP(3),
  WATERMARK FOR ts AS ts - INTERVAL '5' SECOND
) WITH ('connector' = 'filesystem', 'path' = '${dir}/clicks.json', 'format' = 'json');

CREATE TABLE running (window_start TIMESTAMP(3), window_end TIMESTAMP(3), `user` STRING, clicks BIGINT, amount BIGINT)
WITH ('connector' = 'filesystem', 'path' = '${tmp}/running', 'format' = 'json');

INSERT INTO running
SELECT window_start, window_end, `user`, COUNT(*), SUM(amount)
FROM TABLE(CUMULATE(TABLE clicks, DESCRIPTOR(ts), INTERVAL '1' MINUTE, INTERVAL '3' MINUTES))
GROUP BY window_start, window_end, `user`;
