-- Loyalty tiers per period and segment: how many members are in each tier at the period's end (the
-- tier of their latest loyalty.member.joined or loyalty.tier.changed before it; NULL when the log
-- has neither for a member), and the tier changes in the period by the tier moved to and direction.
-- Rows with direction NULL carry the distribution (n = members), the others the movements (n = tier
-- changes; a member who moves up twice counts twice).
WITH
-- include: segment
,
-- include: loyalty-members
,
periods AS (
  SELECT *
  FROM (VALUES {{periods}}) AS p (period_start, period_end, active_from_start, active_from_end)
),
tier_facts AS (
  -- A change at the same instant as the joining comes after it: the sort key orders them.
  SELECT type, customer, time, tier, reason,
         time || CASE WHEN type = 'loyalty.tier.changed' THEN '1' ELSE '0' END AS sort_key
  FROM loyalty_records
  WHERE type IN ('loyalty.member.joined', 'loyalty.tier.changed') AND tier IS NOT NULL
),
tier_at_end AS (
  SELECT p.period_start, t.customer, max_by(t.tier, t.sort_key) AS tier
  FROM tier_facts t
  JOIN periods p ON t.time < p.period_end
  GROUP BY p.period_start, t.customer
)
SELECT p.period_start, s.segment, e.tier, CAST(NULL AS VARCHAR) AS direction, count(*) AS n
FROM members m
JOIN periods p ON m.since < p.period_end
LEFT JOIN tier_at_end e ON e.period_start = p.period_start AND e.customer = m.customer
LEFT JOIN segment s ON s.customer = m.customer
GROUP BY p.period_start, s.segment, e.tier
UNION ALL
SELECT p.period_start, s.segment, t.tier, t.reason AS direction, count(*) AS n
FROM tier_facts t
JOIN periods p ON t.time >= p.period_start AND t.time < p.period_end
LEFT JOIN segment s ON s.customer = t.customer
WHERE t.type = 'loyalty.tier.changed' AND t.reason IN ('up', 'down')
GROUP BY p.period_start, s.segment, t.tier, t.reason
