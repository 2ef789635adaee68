-- The effects of scheduled jobs, once each. A job's handler writes its effects (outbox messages, audit rows) in one
-- transaction with a row here keyed by the job's key; when the job runs again (its claim was lost after the effects
-- committed), the row is there and the handler does nothing. So every alert goes out once.
CREATE TABLE job_effects (
@postgres     job_key TEXT COLLATE "C" PRIMARY KEY CHECK (job_key <> ''),
@sqlite       job_key TEXT PRIMARY KEY CHECK (job_key <> ''),
    at      {{timestamp}} NOT NULL
){{strict}};
