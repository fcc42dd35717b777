-- Run before pageviews.sql to use a Kafka cluster instead of the embedded log (`npm run kafka:start` prints
-- the address of a local broker; change it here).
SET 'bootstrap.servers' = '${bootstrap}';
