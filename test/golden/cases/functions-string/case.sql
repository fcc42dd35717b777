-- String functions, including NULL input (NULL out, except CONCAT_WS which skips NULL arguments).
CREATE TABLE words (s STRING) WITH ('connector' = 'filesystem', 'path' = '${dir}/input.json', 'format' = 'json');

SELECT s, UPPER(s) AS up, LOWER(s) AS low, CHAR_LENGTH(s) AS len, TRIM(s) AS trimmed,
  SUBSTRING(s, 2, 3) AS sub, REPLACE(s, 'l', 'L') AS repl
FROM words;

SELECT CONCAT(s, '!') AS bang, s || '?' AS ask, POSITION('o' IN s) AS pos, LPAD(s, 8, '*') AS padded,
  SPLIT_INDEX(s, ',', 1) AS second, REVERSE(s) AS rev, CONCAT_WS('-', s, 'x') AS joined
FROM words;
