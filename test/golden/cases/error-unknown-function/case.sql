-- Unknown function: the error points at the call and suggests the closest function name.
CREATE TABLE clicks (`user` STRING, url STRING, amount INT, ts TIMESTAMP(3)) WITH ('connector' = 'datagen', 'number-of-rows' = '1');

SELECT UPPR(url) AS u FROM clicks;
