-- Cohorts: customers by the month of their first counted order (cohorts starting in [start, end)),
-- and per month since then how many of them ordered and their revenue per currency, up to `end`.
-- Rows with currency NULL carry the customer counts; the others the revenue.
WITH
-- include: counted-orders
,
firsts AS (
  SELECT customer, min(time) AS first_time
  FROM counted
  GROUP BY customer
),
cohort_orders AS (
  SELECT substr(f.first_time, 1, 7) AS cohort,
         (CAST(substr(c.time, 1, 4) AS INTEGER) * 12 + CAST(substr(c.time, 6, 2) AS INTEGER))
           - (CAST(substr(f.first_time, 1, 4) AS INTEGER) * 12 + CAST(substr(f.first_time, 6, 2) AS INTEGER)) AS months_since,
         c.customer, c.currency, c.revenue
  FROM counted c
  JOIN firsts f ON f.customer = c.customer
  WHERE f.first_time >= {{start}} AND f.first_time < {{end}} AND c.time < {{end}}
)
SELECT cohort, months_since, CAST(NULL AS VARCHAR) AS currency,
       count(DISTINCT customer) AS customers, CAST(NULL AS VARCHAR) AS revenue
FROM cohort_orders
GROUP BY cohort, months_since
UNION ALL
SELECT cohort, months_since, currency,
       CAST(NULL AS BIGINT) AS customers, CAST(sum(revenue) AS VARCHAR) AS revenue
FROM cohort_orders
GROUP BY cohort, months_since, currency
