-- Arithmetic (INT / INT truncates toward zero, % keeps the dividend's sign, NULL propagates) and math functions (ROUND half away from zero).
CREATE TABLE nums (a INT, b INT, x DOUBLE) WITH ('connector' = 'filesystem', 'path' = '${dir}/input.json', 'format' = 'json');

SELECT a, b, a / b AS q, a % b AS r, a + b AS s, a * b AS p, a - b AS d, MOD(a, 3) AS m3, a + x AS ax
FROM nums;

SELECT x, ABS(x) AS absx, ROUND(x) AS rnd, ROUND(x, 1) AS rnd1, FLOOR(x) AS flo, CEIL(x) AS cei, POWER(a, 2) AS pw, SIGN(x) AS sgn
FROM nums;
