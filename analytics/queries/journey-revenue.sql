-- Revenue per customer, treated vs held out, per journey: counted orders a customer placed at or
-- after entering (in [start, end)) and at most {{goalWindowDays}} calendar days (UTC) after the entry
-- day. Each order counts once per journey and group even if the customer entered twice. Rows with
-- currency NULL carry the number of distinct customers in the group.
WITH
-- include: counted-orders
,
entries AS (
  SELECT id, arbitrary(journey) AS journey, arbitrary(customer) AS customer, arbitrary(time) AS time,
         bool_or(coalesce(holdout, false)) AS holdout
  FROM records
  WHERE type = 'journey.entered' AND journey IS NOT NULL AND customer IS NOT NULL
    AND time >= {{start}} AND time < {{end}}
  GROUP BY id
),
window_orders AS (
  SELECT DISTINCT e.journey, e.holdout, c.ord, c.currency, c.revenue
  FROM entries e
  JOIN counted c ON c.customer = e.customer
  WHERE c.time >= e.time
    AND date_diff('day', CAST(substr(e.time, 1, 10) AS DATE), CAST(substr(c.time, 1, 10) AS DATE)) <= {{goalWindowDays}}
)
SELECT journey, holdout, CAST(NULL AS VARCHAR) AS currency,
       count(DISTINCT customer) AS customers, CAST(NULL AS VARCHAR) AS revenue
FROM entries
GROUP BY journey, holdout
UNION ALL
SELECT journey, holdout, currency, CAST(NULL AS BIGINT) AS customers, CAST(sum(revenue) AS VARCHAR) AS revenue
FROM window_orders
GROUP BY journey, holdout, currency
