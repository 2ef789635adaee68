-- Fenced claims. A worker's claim on a message is a random owner token and the end of its lease, kept in the row;
-- both are NULL while no worker holds the message. The worker renews the lease while it delivers, and every
-- outcome it records (delivered, retry, waiting, abandoned) names the token: the row changes only while that claim
-- is still the row's own and has not expired. A worker whose lease ran out, and whose message another worker then
-- claimed, can no longer mark it. Messages claimed before this migration have no token: they are claimable again
-- when their lease (next_attempt) ends.
ALTER TABLE outbox ADD COLUMN claim_token TEXT CHECK (claim_token <> '');
ALTER TABLE outbox ADD COLUMN claimed_until {{timestamp}};
