-- Unknown table: the error points at the name and suggests the closest table.
CREATE TABLE clicks (`user` STRING, url STRING, amount INT, ts TIMESTAMP(3)) WITH ('connector' = 'datagen', 'number-of-rows' = '1');

SELECT `user` FROM clikcs;
