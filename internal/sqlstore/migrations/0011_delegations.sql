-- Approvals that wait (issue 8): a request's approver can change after it was filed. The request keeps why and from
-- whom its approver last changed: 'escalated' (the previous approver did not decide in time and the request moved
-- to the alternate approver), 'delegated' (the approver is away and reassigned_from_id, the approver away, named
-- the current approver to decide for them), 'returned' (the delegation ended and the request went back); '' while
-- the approver is the one chosen when the request was filed. reassigned_at is when the current approver got it.
ALTER TABLE requests ADD COLUMN reassigned_reason TEXT NOT NULL DEFAULT ''
    CHECK (reassigned_reason IN ('', 'escalated', 'delegated', 'returned'));
ALTER TABLE requests ADD COLUMN reassigned_from_id TEXT NOT NULL DEFAULT '';
ALTER TABLE requests ADD COLUMN reassigned_from_name TEXT NOT NULL DEFAULT '';
ALTER TABLE requests ADD COLUMN reassigned_at {{timestamp}};

-- Delegations: an approver away from starts_on to ends_on (civil dates, both included) hands their approvals to a
-- named colleague, the delegate. ended_at is set when the approver (or a main user) ends it before its last day.
-- Rows are kept for the record.
CREATE TABLE delegations (
    id            {{id}},
@postgres     approver_id   TEXT COLLATE "C" NOT NULL CHECK (approver_id <> ''),
@sqlite       approver_id   TEXT NOT NULL CHECK (approver_id <> ''),
    approver_name TEXT NOT NULL DEFAULT '',
    delegate_id   TEXT NOT NULL CHECK (delegate_id <> ''),
    delegate_name TEXT NOT NULL DEFAULT '',
@postgres     starts_on     DATE NOT NULL,
@postgres     ends_on       DATE NOT NULL,
@sqlite       starts_on     TEXT NOT NULL CHECK (starts_on IS date(starts_on)),
@sqlite       ends_on       TEXT NOT NULL CHECK (ends_on IS date(ends_on)),
    created_by    TEXT NOT NULL CHECK (created_by <> ''),
    created_at    {{timestamp}} NOT NULL,
    ended_at      {{timestamp}},
    ended_by      TEXT NOT NULL DEFAULT '',
    CHECK (lower(delegate_id) <> lower(approver_id)),
    CHECK (ends_on >= starts_on)
){{strict}};

-- The delegations still in force or to come, by approver: what routing a request reads.
CREATE INDEX delegations_approver ON delegations (approver_id, ends_on) WHERE ended_at IS NULL;
