-- Unknown column: the error points at the column and suggests the closest one.
CREATE TABLE clicks (`user` STRING, url STRING, amount INT, ts TIMESTAMP(3)) WITH ('connector' = 'datagen', 'number-of-rows' = '1');

SELECT usr, amount FROM clicks;
