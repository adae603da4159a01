-- Journey entries in [start, end) per journey: entered, held out, and how many of the treated and of
-- the held-out entries reached the goal (at any time after entering; one goal per entry).
WITH
journey_records AS (
  SELECT id, arbitrary(type) AS type, arbitrary(journey) AS journey, arbitrary(instance) AS instance,
         arbitrary(time) AS time, bool_or(holdout) AS holdout
  FROM records
  WHERE type IN ('journey.entered', 'journey.goal.reached') AND journey IS NOT NULL AND instance IS NOT NULL
  GROUP BY id
),
entries AS (
  SELECT journey, instance, bool_or(coalesce(holdout, false)) AS holdout
  FROM journey_records
  WHERE type = 'journey.entered' AND time >= {{start}} AND time < {{end}}
  GROUP BY journey, instance
),
goals AS (
  SELECT DISTINCT journey, instance
  FROM journey_records
  WHERE type = 'journey.goal.reached'
)
SELECT e.journey,
       count(*) AS entered,
       sum(CASE WHEN e.holdout THEN 1 ELSE 0 END) AS held_out,
       sum(CASE WHEN NOT e.holdout AND g.instance IS NOT NULL THEN 1 ELSE 0 END) AS goal_reached,
       sum(CASE WHEN e.holdout AND g.instance IS NOT NULL THEN 1 ELSE 0 END) AS holdout_goal_reached
FROM entries e
LEFT JOIN goals g ON g.journey = e.journey AND g.instance = e.instance
GROUP BY e.journey
