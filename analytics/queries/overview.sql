-- Distinct records per day of business time: the report's record count, the empty-log check and
-- the periods without any data.
WITH
distinct_records AS (
  SELECT id, arbitrary(time) AS time
  FROM records
  GROUP BY id
)
SELECT substr(time, 1, 10) AS day, count(*) AS records
FROM distinct_records
GROUP BY substr(time, 1, 10)
