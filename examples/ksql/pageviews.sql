-- A ksqlDB script, as ksqlDB users write them: a stream over a topic, persistent queries writing a
-- filtered stream and two tables (one windowed), and pull queries against the tables.
--
--   npx eddy run examples/ksql/pageviews.sql                                # topics in Eddy's embedded log
--   npx eddy run -i examples/ksql/kafka.sql --define bootstrap=127.0.0.1:9092 examples/ksql/pageviews.sql
--                                                                           # the same script on Kafka
--
-- After the pull queries the persistent queries keep running (as on a ksqlDB server): Ctrl-C stops them.

SET 'auto.offset.reset' = 'earliest';
DEFINE prefix = 'demo';

CREATE STREAM pageviews (userid VARCHAR KEY, pageid VARCHAR, regionid VARCHAR, viewtime BIGINT)
  WITH (KAFKA_TOPIC = '${prefix}_pageviews', VALUE_FORMAT = 'JSON', PARTITIONS = 1, TIMESTAMP = 'viewtime');

INSERT INTO pageviews (userid, pageid, regionid, viewtime) VALUES ('User_1', 'Page_10', 'Region_1', 1000);
INSERT INTO pageviews (userid, pageid, regionid, viewtime) VALUES ('User_2', 'Page_20', 'Region_2', 2000);
INSERT INTO pageviews (userid, pageid, regionid, viewtime) VALUES ('User_3', 'Page_10', 'Region_1', 3000);
INSERT INTO pageviews (userid, pageid, regionid, viewtime) VALUES ('User_1', 'Page_11', 'Region_1', 61000);
INSERT INTO pageviews (userid, pageid, regionid, viewtime) VALUES ('User_2', 'Page_21', 'Region_2', 62000);
INSERT INTO pageviews (userid, pageid, regionid, viewtime) VALUES ('User_3', 'Page_30', 'Region_1', 63000);
INSERT INTO pageviews (userid, pageid, regionid, viewtime) VALUES ('User_4', 'Page_40', 'Region_3', 64000);

-- A stream of the views outside Region_3 (a persistent query: CSAS_PAGEVIEWS_KNOWN_1).
CREATE STREAM pageviews_known AS
  SELECT userid, pageid, regionid FROM pageviews WHERE regionid <> 'Region_3' EMIT CHANGES;

-- Views per region per minute (a windowed table: CTAS_VIEWS_PER_REGION_2).
CREATE TABLE views_per_region AS
  SELECT regionid, COUNT(*) AS views
  FROM pageviews_known
  WINDOW TUMBLING (SIZE 1 MINUTE, GRACE PERIOD 10 SECONDS)
  GROUP BY regionid
  EMIT CHANGES;

-- Pages each user viewed, latest first known (a table: CTAS_USER_PAGES_3).
CREATE TABLE user_pages AS
  SELECT userid, COUNT(*) AS views, LATEST_BY_OFFSET(pageid) AS last_page
  FROM pageviews
  GROUP BY userid
  EMIT CHANGES;

-- Pull queries: the tables' current rows.
SELECT * FROM views_per_region WHERE regionid = 'Region_1';
SELECT * FROM views_per_region WHERE regionid = 'Region_2' AND WINDOWSTART >= 60000;
SELECT * FROM user_pages WHERE userid = 'User_1';
