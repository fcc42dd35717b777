-- A WHERE condition that is not BOOLEAN is a type error pointing at the condition.
CREATE TABLE clicks (`user` STRING, url STRING, amount INT, ts TIMESTAMP(3)) WITH ('connector' = 'datagen', 'number-of-rows' = '1');

SELECT url FROM clicks WHERE amount;
