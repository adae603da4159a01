-- NPS answers per period and segment. A re-submitted answer counts once, the latest: one answer per
-- customer and order, or per customer for answers that name no order. 9–10 promoter, 0–6 detractor.
WITH
-- include: segment
,
answers AS (
  -- A re-submitted answer keeps its feedback link's id (the log's records.ts): the latest one wins.
  SELECT id, arbitrary(customer) AS customer, arbitrary("order") AS ord, max(time) AS time, max_by(score, time) AS score
  FROM records
  WHERE type = 'feedback.submitted' AND customer IS NOT NULL AND score IS NOT NULL
  GROUP BY id
),
latest AS (
  SELECT customer, max(time) AS time, max_by(score, time) AS score
  FROM answers
  GROUP BY customer, coalesce(ord, '')
),
periods AS (
  SELECT *
  FROM (VALUES {{periods}}) AS p (period_start, period_end, active_from_start, active_from_end)
)
SELECT p.period_start,
       s.segment,
       count(*) AS responses,
       sum(CASE WHEN l.score >= 9 THEN 1 ELSE 0 END) AS promoters,
       sum(CASE WHEN l.score <= 6 THEN 1 ELSE 0 END) AS detractors
FROM latest l
JOIN periods p ON l.time >= p.period_start AND l.time < p.period_end
LEFT JOIN segment s ON s.customer = l.customer
GROUP BY p.period_start, s.segment
