-- Fragment: each customer's segment for the breakdowns — the latest non-null {{dimension}}
-- (market or locale) on any of their records, so a customer who moves counts where they are now.
-- The one place that does not reduce records to one per `id` first: max_by is idempotent (a copy
-- of a record has the same time and value), and skipping that grouping over the whole log halves
-- the query's time.
segment AS (
  SELECT customer, max_by({{dimension}}, time) AS segment
  FROM records
  WHERE customer IS NOT NULL AND {{dimension}} IS NOT NULL
  GROUP BY customer
)
