-- Top-N (ROW_NUMBER() OVER in a subquery, bounded by rn <= 2 outside) INSERTed into a sqlite table keyed by
-- (category, rank): every change upserts or deletes a rank's row, so the table ends with the two best-selling
-- products per category. Equal sales keep their arrival order (p6 before p9).
SET 'table.dml-sync' = 'true';

CREATE TABLE products (cat STRING, name STRING, sales INT)
WITH ('connector' = 'filesystem', 'path' = '${dir}/products.json', 'format' = 'json');

CREATE TABLE top2 (cat STRING, rn BIGINT, name STRING, sales INT, PRIMARY KEY (cat, rn) NOT ENFORCED)
WITH ('connector' = 'sqlite', 'path' = '${tmp}/top2.db', 'table-name' = 'top2');

INSERT INTO top2
SELECT cat, rn, name, sales FROM (
  SELECT *, ROW_NUMBER() OVER (PARTITION BY cat ORDER BY sales DESC) AS rn FROM products
) WHERE rn <= 2;

SELECT * FROM top2 ORDER BY cat, rn;
