-- Fragment: no breakdown — an empty segment table, so the whole shop costs no extra scan.
segment AS (
  SELECT CAST(NULL AS VARCHAR) AS customer, CAST(NULL AS VARCHAR) AS segment
  FROM (VALUES (1)) AS none (x)
  WHERE 1 = 0
)
