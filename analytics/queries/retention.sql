-- Customer counts per period and segment: S (active at start), E (active at end), N (new), lost,
-- reactivated, customers who ordered, customers with ≥ 2 orders, counted orders. Additive over
-- segments (every customer has one), so the whole shop is the sum of the segment rows.
--
-- Active at t: a counted order in [t − activeWindow, t) — i.e. the customer's last order before t is
-- no older than the window. Each order knows the customer's previous and next order, so every count
-- is a condition on single orders and no per-customer-and-period table is ever built:
--   active at t    the order before t whose next order is at or after t lies in the window;
--   new            the first order in the period has no previous order;
--   reactivated    it has one, older than the window at the period's start;
--   kept (S ∩ E)   it has one inside that window, or the customer did not order in the period and
--                  their last order before it is still inside the window at the period's end;
--   lost           S − kept.
-- This needs activeWindow ≥ the period's length (report.ts refuses less): then whoever orders in a
-- period is active at its end, and E = S − lost + N + reactivated holds exactly.
WITH
-- include: counted-orders
,
-- include: segment
,
periods AS (
  SELECT *
  FROM (VALUES {{periods}}) AS p (period_start, period_end, active_from_start, active_from_end)
),
sequenced AS (
  SELECT c.customer, c.time, s.segment,
         lag(c.time) OVER (PARTITION BY c.customer ORDER BY c.time, c.ord) AS prev_time,
         lead(c.time) OVER (PARTITION BY c.customer ORDER BY c.time, c.ord) AS next_time
  FROM counted c
  LEFT JOIN segment s ON s.customer = c.customer
),
activity AS (
  SELECT p.period_start, q.segment,
         sum(CASE WHEN q.time < p.period_start AND (q.next_time IS NULL OR q.next_time >= p.period_start)
                  THEN 1 ELSE 0 END) AS customers_at_start,
         sum(CASE WHEN q.time >= p.active_from_end AND (q.next_time IS NULL OR q.next_time >= p.period_end)
                  THEN 1 ELSE 0 END) AS customers_at_end,
         sum(CASE WHEN q.time >= p.active_from_end AND q.time < p.period_start
                   AND (q.next_time IS NULL OR q.next_time >= p.period_end)
                  THEN 1 ELSE 0 END) AS kept_without_order
  FROM sequenced q
  JOIN periods p
    ON q.time >= p.active_from_start AND q.time < p.period_end
   AND (q.next_time IS NULL OR q.next_time >= p.period_start)
  GROUP BY p.period_start, q.segment
),
ordering AS (
  SELECT p.period_start, q.segment,
         count(*) AS orders,
         sum(CASE WHEN q.prev_time IS NULL OR q.prev_time < p.period_start THEN 1 ELSE 0 END) AS ordering_customers,
         sum(CASE WHEN (q.prev_time IS NULL OR q.prev_time < p.period_start) AND q.next_time < p.period_end
                  THEN 1 ELSE 0 END) AS repeat_customers,
         sum(CASE WHEN q.prev_time IS NULL THEN 1 ELSE 0 END) AS new_customers,
         sum(CASE WHEN q.prev_time < p.active_from_start THEN 1 ELSE 0 END) AS reactivated_customers,
         sum(CASE WHEN q.prev_time >= p.active_from_start AND q.prev_time < p.period_start
                  THEN 1 ELSE 0 END) AS kept_with_order
  FROM sequenced q
  JOIN periods p ON q.time >= p.period_start AND q.time < p.period_end
  GROUP BY p.period_start, q.segment
)
SELECT coalesce(a.period_start, o.period_start) AS period_start,
       coalesce(a.segment, o.segment) AS segment,
       coalesce(a.customers_at_start, 0) AS customers_at_start,
       coalesce(a.customers_at_end, 0) AS customers_at_end,
       coalesce(o.new_customers, 0) AS new_customers,
       coalesce(a.customers_at_start, 0) - coalesce(a.kept_without_order, 0) - coalesce(o.kept_with_order, 0)
         AS lost_customers,
       coalesce(o.reactivated_customers, 0) AS reactivated_customers,
       coalesce(o.ordering_customers, 0) AS ordering_customers,
       coalesce(o.repeat_customers, 0) AS repeat_customers,
       coalesce(o.orders, 0) AS orders
FROM activity a
FULL OUTER JOIN ordering o
  ON o.period_start = a.period_start AND coalesce(o.segment, '') = coalesce(a.segment, '')
