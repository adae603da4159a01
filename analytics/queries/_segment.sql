-- Fragment: each customer's segment for the breakdowns — the latest non-null {{dimension}}
-- (market or locale) on any of their records, so a customer who moves counts where they are now.
segment_records AS (
  SELECT id, min(customer) AS customer, min(time) AS time, min({{dimension}}) AS value
  FROM records
  WHERE customer IS NOT NULL AND {{dimension}} IS NOT NULL
  GROUP BY id
),
segment AS (
  SELECT customer, max_by(value, time) AS segment
  FROM segment_records
  GROUP BY customer
)
