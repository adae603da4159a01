-- The loyalty program per period and segment: members at the period's end and new in it, active
-- members (earned or redeemed points in the period), the points earned, redeemed, expired and
-- reversed (each movement by its own time), redemptions and the members who redeemed. Additive over
-- segments, like retention.sql: the whole shop is the sum of the segment rows.
WITH
-- include: segment
,
-- include: loyalty-members
,
periods AS (
  SELECT *
  FROM (VALUES {{periods}}) AS p (period_start, period_end, active_from_start, active_from_end)
),
membership AS (
  SELECT p.period_start, s.segment,
         count(*) AS members,
         sum(CASE WHEN m.since >= p.period_start THEN 1 ELSE 0 END) AS new_members
  FROM members m
  JOIN periods p ON m.since < p.period_end
  LEFT JOIN segment s ON s.customer = m.customer
  GROUP BY p.period_start, s.segment
),
movements AS (
  SELECT p.period_start, s.segment,
         count(DISTINCT CASE WHEN r.type IN ('loyalty.points.earned', 'loyalty.reward.redeemed') THEN r.customer END)
           AS active_members,
         sum(CASE WHEN r.type = 'loyalty.points.earned' THEN coalesce(r.points, 0) ELSE 0 END) AS points_earned,
         sum(CASE WHEN r.type = 'loyalty.reward.redeemed' THEN coalesce(r.points, 0) ELSE 0 END) AS points_redeemed,
         sum(CASE WHEN r.type = 'loyalty.points.expired' THEN coalesce(r.points, 0) ELSE 0 END) AS points_expired,
         sum(CASE WHEN r.type = 'loyalty.points.reversed' THEN coalesce(r.points, 0) ELSE 0 END) AS points_reversed,
         sum(CASE WHEN r.type = 'loyalty.reward.redeemed' THEN 1 ELSE 0 END) AS redemptions,
         count(DISTINCT CASE WHEN r.type = 'loyalty.reward.redeemed' THEN r.customer END) AS redeeming_members
  FROM loyalty_records r
  JOIN periods p ON r.time >= p.period_start AND r.time < p.period_end
  LEFT JOIN segment s ON s.customer = r.customer
  WHERE r.type IN ('loyalty.points.earned', 'loyalty.reward.redeemed', 'loyalty.points.expired',
                   'loyalty.points.reversed')
  GROUP BY p.period_start, s.segment
)
-- Every movement's customer is a member by its time (members.since is their earliest record), so
-- every movements row has its membership row.
SELECT m.period_start,
       m.segment,
       m.members,
       m.new_members,
       coalesce(v.active_members, 0) AS active_members,
       coalesce(v.points_earned, 0) AS points_earned,
       coalesce(v.points_redeemed, 0) AS points_redeemed,
       coalesce(v.points_expired, 0) AS points_expired,
       coalesce(v.points_reversed, 0) AS points_reversed,
       coalesce(v.redemptions, 0) AS redemptions,
       coalesce(v.redeeming_members, 0) AS redeeming_members
FROM membership m
LEFT JOIN movements v
  ON v.period_start = m.period_start AND coalesce(v.segment, '') = coalesce(m.segment, '')
