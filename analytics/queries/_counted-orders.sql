-- Fragment (included by the KPI queries; not run on its own): the counted orders.
-- Records arrive at least once, so each record is first reduced to one row per `id` (copies of one
-- fact carry the same values, so any copy will do: `arbitrary` is cheaper than `min`); an order is
-- then one row per order key. An order counts unless it is fully refunded: a refund without an
-- amount, or refunds in the order's currency adding up to at least its total (a refund recorded
-- before its order still applies). `revenue` is the total less partial refunds in its currency.
placed AS (
  SELECT id, arbitrary(customer) AS customer, arbitrary("order") AS ord, arbitrary(time) AS time,
         arbitrary(amount) AS amount, arbitrary(currency) AS currency
  FROM records
  WHERE type = 'order.placed' AND customer IS NOT NULL AND "order" IS NOT NULL
  GROUP BY id
),
orders AS (
  SELECT ord, arbitrary(customer) AS customer, min(time) AS time,
         CAST(arbitrary(amount) AS DECIMAL(18, 4)) AS total, arbitrary(currency) AS currency
  FROM placed
  GROUP BY ord
),
refunds AS (
  SELECT id, arbitrary("order") AS ord, arbitrary(amount) AS amount, arbitrary(currency) AS currency
  FROM records
  WHERE type = 'order.refunded' AND "order" IS NOT NULL
  GROUP BY id
),
refunded AS (
  SELECT o.ord,
         max(CASE WHEN r.amount IS NULL THEN 1 ELSE 0 END) AS fully,
         sum(CASE WHEN r.currency = o.currency THEN CAST(r.amount AS DECIMAL(18, 4)) ELSE 0 END) AS amount
  FROM orders o
  JOIN refunds r ON r.ord = o.ord
  GROUP BY o.ord
),
counted AS (
  SELECT o.ord, o.customer, o.time, o.currency, o.total - coalesce(f.amount, 0) AS revenue
  FROM orders o
  LEFT JOIN refunded f ON f.ord = o.ord
  WHERE f.ord IS NULL OR (f.fully = 0 AND f.amount < o.total)
)
