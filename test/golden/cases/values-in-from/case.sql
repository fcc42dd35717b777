-- VALUES with a column alias list, as a subquery in FROM; expressions over it including a NULL.
SELECT id * 10 AS tens, UPPER(name) AS name
FROM (VALUES (1, 'one'), (2, 'two'), (3, CAST(NULL AS STRING))) AS t(id, name);
