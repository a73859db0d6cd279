-- Up Migration
-- Usage counts: each count in exactly one row (issue 16). Until now every flush added a count
-- to its minute, its hour and its day row; now a flush writes the minute row only, the
-- retention sweep moves minutes into their hour and hours into their day as they age, and
-- a reading sums the rows of finer granularities (src/usage/queries.ts). Here the rows
-- written the old way become that: a day keeps what its hour rows do not hold (hours already
-- deleted), an hour what its minute rows do not hold; rows left empty go. Upgrade every
-- instance together: an instance of the code before would still add to hours and days.
UPDATE usage_counts d
   SET tokens = d.tokens - h.tokens, wrong_secret = d.wrong_secret - h.wrong_secret, expired = d.expired - h.expired,
       rate_limited = d.rate_limited - h.rate_limited, quota = d.quota - h.quota
  FROM (SELECT key_id, to_timestamp(floor(extract(epoch FROM bucket) / 86400) * 86400) AS day,
               sum(tokens) AS tokens, sum(wrong_secret) AS wrong_secret, sum(expired) AS expired,
               sum(rate_limited) AS rate_limited, sum(quota) AS quota
          FROM usage_counts WHERE granularity = 'hour' GROUP BY 1, 2) h
 WHERE d.granularity = 'day' AND d.key_id = h.key_id AND d.bucket = h.day;

UPDATE usage_counts o
   SET tokens = o.tokens - m.tokens, wrong_secret = o.wrong_secret - m.wrong_secret, expired = o.expired - m.expired,
       rate_limited = o.rate_limited - m.rate_limited, quota = o.quota - m.quota
  FROM (SELECT key_id, to_timestamp(floor(extract(epoch FROM bucket) / 3600) * 3600) AS hour,
               sum(tokens) AS tokens, sum(wrong_secret) AS wrong_secret, sum(expired) AS expired,
               sum(rate_limited) AS rate_limited, sum(quota) AS quota
          FROM usage_counts WHERE granularity = 'minute' GROUP BY 1, 2) m
 WHERE o.granularity = 'hour' AND o.key_id = m.key_id AND o.bucket = m.hour;

DELETE FROM usage_counts
 WHERE granularity <> 'minute' AND tokens = 0 AND wrong_secret = 0 AND expired = 0 AND rate_limited = 0 AND quota = 0;
