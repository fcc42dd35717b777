-- Non-windowed GROUP BY: an updating result (+I, then -U/+U per changed group). The input is a directory of
-- three files, read in name order, one batch each; changes to a group within one batch are folded into one update.
CREATE TABLE clicks (`user` STRING, amount INT)
WITH ('connector' = 'filesystem', 'path' = '${dir}/input', 'format' = 'json');

SELECT `user`, COUNT(*) AS n, SUM(amount) AS total FROM clicks GROUP BY `user`;
