-- Counted orders and revenue per period, segment and currency (never summed across currencies).
WITH
-- include: counted-orders
,
-- include: segment
,
periods AS (
  SELECT *
  FROM (VALUES {{periods}}) AS p (period_start, period_end, active_from_start, active_from_end)
)
SELECT p.period_start,
       s.segment,
       c.currency,
       count(*) AS orders,
       CAST(sum(c.revenue) AS VARCHAR) AS revenue
FROM counted c
JOIN periods p ON c.time >= p.period_start AND c.time < p.period_end
LEFT JOIN segment s ON s.customer = c.customer
GROUP BY p.period_start, s.segment, c.currency
