-- -------------------------------------------------------------------------------------------------
-- Query 13: Bounded Side Input Join (Not in original suite)
-- -------------------------------------------------------------------------------------------------
-- Joins a stream to a bounded side input, modeling basic stream enrichment.
-- -------------------------------------------------------------------------------------------------

-- Adapted (Eddy's bench, minimally): Flink's text declares side_input with the legacy options
-- 'connector.type' = 'filesystem', 'connector.path' = 'file://$FLINK_HOME/data/side_input.txt',
-- 'format.type' = 'csv' (its TODO: "use the new filesystem connector once FLINK-17397 is done").
-- Here the same table uses the current filesystem connector's options; the path is the file the
-- runner writes (10,000 lines "i,i", as Nexmark's SideInputGenerator). The query itself is unchanged.
CREATE TABLE side_input (
  key BIGINT,
  `value` VARCHAR
) WITH (
  'connector' = 'filesystem',
  'path' = '${SIDE_INPUT}',
  'format' = 'csv'
);

CREATE TABLE nexmark_q13 (
  auction  BIGINT,
  bidder  BIGINT,
  price  BIGINT,
  `dateTime`  TIMESTAMP(3),
  `value`  VARCHAR
) WITH (
  'connector' = 'blackhole'
);

INSERT INTO nexmark_q13
SELECT
    B.auction,
    B.bidder,
    B.price,
    B.`dateTime`,
    S.`value`
FROM (SELECT *, PROCTIME() as p_time FROM bid) B
JOIN side_input FOR SYSTEM_TIME AS OF B.p_time AS S
ON mod(B.auction, 10000) = S.key;
