-- Fragment: the loyalty program's records, one row per `id`, and its members. A member is a
-- customer with any loyalty record, a member since the earliest of them (normally
-- loyalty.member.joined, at the business time they joined): so whoever earns, redeems or holds a
-- tier in a period is a member by then, even when the log began after they joined.
loyalty_records AS (
  SELECT id, arbitrary(type) AS type, arbitrary(customer) AS customer, arbitrary(time) AS time,
         arbitrary(points) AS points, arbitrary(tier) AS tier, arbitrary(reason) AS reason
  FROM records
  WHERE type IN ('loyalty.member.joined', 'loyalty.points.earned', 'loyalty.points.available',
                 'loyalty.points.reversed', 'loyalty.points.expiring', 'loyalty.points.expired',
                 'loyalty.tier.changed', 'loyalty.tier.at-risk', 'loyalty.reward.redeemed')
    AND customer IS NOT NULL
  GROUP BY id
),
members AS (
  SELECT customer, min(time) AS since
  FROM loyalty_records
  GROUP BY customer
)
