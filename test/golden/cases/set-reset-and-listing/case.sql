-- SET lists settings; SET changes one (the time zone changes how TIMESTAMP_LTZ prints); RESET one key, then all.
SET;
SET 'table.local-time-zone' = 'Europe/Berlin';
SET 'my.custom.key' = 'x';
SET;
SELECT TO_TIMESTAMP_LTZ(1704103200000, 3) AS t FROM (VALUES (1)) AS v(x);
RESET 'table.local-time-zone';
SELECT TO_TIMESTAMP_LTZ(1704103200000, 3) AS t FROM (VALUES (1)) AS v(x);
RESET;
SET;
