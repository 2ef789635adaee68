-- Scheduled jobs: work that falls due at a time, such as a reminder before a mandate expires. job_key names the
-- job's kind, subject and occurrence (e.g. "mandate_expiry/42/2027-01-15") and is unique: scheduling a key that
-- exists changes nothing, so the code that schedules work may run as often as it likes. Finished rows are kept, and
-- their keys with them, so a job that ran is never scheduled again.
--
-- due_at is when the job was scheduled for; run_at is when it may be claimed next: due_at at first, the end of the
-- lease while a runner holds it, the time of the next attempt after a failure. A runner's claim is fenced as the
-- outbox's are (0005): a random token and the end of its lease, renewed while the job runs; an outcome is recorded
-- only under the claim that is still the job's own, before its lease has ended.
@postgres -- Keys and kinds sort bytewise (COLLATE "C"), as on SQLite.
CREATE TABLE scheduled_jobs (
    id            {{id}},
@postgres     kind          TEXT COLLATE "C" NOT NULL CHECK (kind <> ''),
@postgres     job_key       TEXT COLLATE "C" NOT NULL UNIQUE CHECK (job_key <> ''),
@postgres     payload       JSON,
@sqlite       kind          TEXT NOT NULL CHECK (kind <> ''),
@sqlite       job_key       TEXT NOT NULL UNIQUE CHECK (job_key <> ''),
@sqlite       payload       TEXT CHECK (payload IS NULL OR json_valid(payload)),
    due_at        {{timestamp}} NOT NULL,
    run_at        {{timestamp}} NOT NULL,
    created_at    {{timestamp}} NOT NULL,
    attempts      INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    claim_token   TEXT CHECK (claim_token <> ''),
    claimed_until {{timestamp}},
    done_at       {{timestamp}},
    cancelled_at  {{timestamp}},
    abandoned_at  {{timestamp}},
    last_error    TEXT NOT NULL DEFAULT ''
){{strict}};

-- The jobs that may still run, by when they may run: a pass reads the due ones only, however many jobs have finished
-- or fall due later.
CREATE INDEX scheduled_jobs_due ON scheduled_jobs (run_at, id)
    WHERE done_at IS NULL AND cancelled_at IS NULL AND abandoned_at IS NULL;
