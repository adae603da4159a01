-- Email outcomes in [start, end) (each by its own time) per journey and message, as distinct emails
-- (`send`): sent, delivered, opened, clicked, bounced (any type), hard-bounced (reason 'permanent'),
-- complained; unsubscribed as distinct customers. Journey NULL: emails outside a journey. The
-- report's email health is the sum of all rows.
WITH
email_records AS (
  SELECT id, arbitrary(type) AS type, arbitrary(time) AS time, arbitrary(customer) AS customer, arbitrary(journey) AS journey,
         arbitrary(message) AS message, arbitrary(send) AS send, arbitrary(reason) AS reason
  FROM records
  WHERE type IN ('email.sent', 'email.delivered', 'email.opened', 'email.clicked', 'email.bounced',
                 'email.complained', 'email.unsubscribed')
  GROUP BY id
)
SELECT journey,
       message,
       count(DISTINCT CASE WHEN type = 'email.sent' THEN send END) AS sent,
       count(DISTINCT CASE WHEN type = 'email.delivered' THEN send END) AS delivered,
       count(DISTINCT CASE WHEN type = 'email.opened' THEN send END) AS opened,
       count(DISTINCT CASE WHEN type = 'email.clicked' THEN send END) AS clicked,
       count(DISTINCT CASE WHEN type = 'email.bounced' THEN send END) AS bounced,
       count(DISTINCT CASE WHEN type = 'email.bounced' AND reason = 'permanent' THEN send END) AS hard_bounced,
       count(DISTINCT CASE WHEN type = 'email.complained' THEN send END) AS complained,
       count(DISTINCT CASE WHEN type = 'email.unsubscribed' THEN customer END) AS unsubscribed
FROM email_records
WHERE time >= {{start}} AND time < {{end}}
GROUP BY journey, message
