-- A ksqlDB script, as ksqlDB users write them: streams and tables over topics, a stream-table join,
-- a windowed CREATE TABLE AS SELECT, and pull queries against it.
--
--   npx eddy run examples/ksql/pageviews.sql                      # topics in Eddy's embedded log
--   npx eddy run -i examples/ksql/kafka.sql examples/ksql/pageviews.sql   # the same script on Kafka
--
-- Variables: `eddy run --define prefix=demo2 ...` changes the topic names.

SET 'auto.offset.reset' = 'earliest';
DEFINE prefix = 'demo';

CREATE STREAM pageviews (userid VARCHAR KEY, pageid VARCHAR, viewtime BIGINT)
  WITH (KAFKA_TOPIC = '${prefix}_pageviews', VALUE_FORMAT = 'JSON', PARTITIONS = 1, TIMESTAMP = 'viewtime');

CREATE TABLE users (userid VARCHAR PRIMARY KEY, regionid VARCHAR, gender VARCHAR)
  WITH (KAFKA_TOPIC = '${prefix}_users', VALUE_FORMAT = 'JSON', PARTITIONS = 1);

-- A stream-table join matches a view with the user's row as of the view's time, so the users come first.
INSERT INTO users (ROWTIME, userid, regionid, gender) VALUES (0, 'User_1', 'Region_1', 'FEMALE');
INSERT INTO users (ROWTIME, userid, regionid, gender) VALUES (0, 'User_2', 'Region_2', 'MALE');
INSERT INTO users (ROWTIME, userid, regionid, gender) VALUES (0, 'User_3', 'Region_1', 'OTHER');

INSERT INTO pageviews (userid, pageid, viewtime) VALUES ('User_1', 'Page_10', 1000);
INSERT INTO pageviews (userid, pageid, viewtime) VALUES ('User_2', 'Page_20', 2000);
INSERT INTO pageviews (userid, pageid, viewtime) VALUES ('User_3', 'Page_10', 3000);
INSERT INTO pageviews (userid, pageid, viewtime) VALUES ('User_1', 'Page_11', 61000);
INSERT INTO pageviews (userid, pageid, viewtime) VALUES ('User_2', 'Page_21', 62000);
INSERT INTO pageviews (userid, pageid, viewtime) VALUES ('User_3', 'Page_30', 63000);

CREATE STREAM pageviews_enriched AS
  SELECT pv.userid AS userid, pv.pageid, u.regionid
  FROM pageviews pv LEFT JOIN users u ON pv.userid = u.userid
  EMIT CHANGES;

CREATE TABLE views_per_region AS
  SELECT regionid, COUNT(*) AS views
  FROM pageviews_enriched
  WINDOW TUMBLING (SIZE 1 MINUTE, GRACE PERIOD 10 SECONDS)
  GROUP BY regionid
  EMIT CHANGES;

SELECT * FROM views_per_region WHERE regionid = 'Region_1';
SELECT regionid, WINDOWSTART, views FROM views_per_region WHERE regionid = 'Region_2' AND WINDOWSTART >= 60000;
