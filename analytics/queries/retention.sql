-- Customer counts per period and segment: S (active at start), E (active at end), N (new), lost,
-- reactivated, customers who ordered, customers with ≥ 2 orders, counted orders. Additive over
-- segments (every customer has one), so the whole shop is the sum of the segment rows.
-- Active at t: a counted order in [t − activeWindow, t); the window starts come with {{periods}}.
WITH
-- include: counted-orders
,
-- include: segment
,
periods AS (
  SELECT *
  FROM (VALUES {{periods}}) AS p (period_start, period_end, active_from_start, active_from_end)
),
firsts AS (
  SELECT customer, min(time) AS first_time
  FROM counted
  GROUP BY customer
),
per_customer AS (
  SELECT p.period_start, c.customer,
         max(CASE WHEN c.time >= p.active_from_start AND c.time < p.period_start THEN 1 ELSE 0 END) AS active_start,
         max(CASE WHEN c.time >= p.active_from_end AND c.time < p.period_end THEN 1 ELSE 0 END) AS active_end,
         sum(CASE WHEN c.time >= p.period_start AND c.time < p.period_end THEN 1 ELSE 0 END) AS orders
  FROM counted c
  JOIN periods p ON c.time >= p.active_from_start AND c.time < p.period_end
  GROUP BY p.period_start, c.customer
)
SELECT pc.period_start,
       s.segment,
       sum(pc.active_start) AS customers_at_start,
       sum(pc.active_end) AS customers_at_end,
       sum(CASE WHEN f.first_time >= p.period_start AND f.first_time < p.period_end THEN 1 ELSE 0 END) AS new_customers,
       sum(CASE WHEN pc.active_start = 1 AND pc.active_end = 0 THEN 1 ELSE 0 END) AS lost_customers,
       sum(CASE WHEN pc.active_start = 0 AND pc.active_end = 1 AND f.first_time < p.period_start THEN 1 ELSE 0 END) AS reactivated_customers,
       sum(CASE WHEN pc.orders >= 1 THEN 1 ELSE 0 END) AS ordering_customers,
       sum(CASE WHEN pc.orders >= 2 THEN 1 ELSE 0 END) AS repeat_customers,
       sum(pc.orders) AS orders
FROM per_customer pc
JOIN periods p ON p.period_start = pc.period_start
JOIN firsts f ON f.customer = pc.customer
LEFT JOIN segment s ON s.customer = pc.customer
GROUP BY pc.period_start, s.segment
