-- The mandate flow: requests and their items, the organisation's register of mandates, the append-only audit
-- trail, the outbox of messages to deliver and the cards the bot posted.
--
-- Conventions (see 0001): timestamps are TIMESTAMPTZ written in UTC at microsecond precision; civil dates are DATE.
-- Lists of ids are JSONB arrays (queryable, e.g. task_ids ? 'payroll'); audit snapshots and outbox payloads are
-- JSON, which keeps the text exactly as written (what the audit trail recorded is what it gives back). A reference
-- to no row is NULL, never 0.

CREATE TABLE requests (
    id                   BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    requester_id         TEXT NOT NULL CHECK (requester_id <> ''),
    requester_name       TEXT NOT NULL DEFAULT '',
    requester_mail       TEXT NOT NULL DEFAULT '',
    requester_department TEXT NOT NULL DEFAULT '',
    requester_job_title  TEXT NOT NULL DEFAULT '',
    approver_id          TEXT NOT NULL DEFAULT '',
    approver_name        TEXT NOT NULL DEFAULT '',
    approver_basis       TEXT NOT NULL DEFAULT ''
        CHECK (approver_basis IN ('', 'manager', 'department_head', 'main_user')),
    state                TEXT NOT NULL
        CHECK (state IN ('pending', 'approved', 'rejected', 'cancelled', 'completed')),
    justification        TEXT NOT NULL DEFAULT '',
    role_id              TEXT NOT NULL DEFAULT '',
    task_ids             JSONB NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(task_ids) = 'array'),
    valid_until          DATE,
    decided_by           TEXT NOT NULL DEFAULT '',
    decided_at           TIMESTAMPTZ,
    decision_reason      TEXT NOT NULL DEFAULT '',
    created_at           TIMESTAMPTZ NOT NULL,
    updated_at           TIMESTAMPTZ NOT NULL,
    version              INTEGER NOT NULL CHECK (version >= 1)
);

CREATE INDEX requests_requester ON requests (requester_id, created_at);
CREATE INDEX requests_approver ON requests (approver_id, state, created_at);
CREATE INDEX requests_state ON requests (state, created_at);

-- One row per theme of a request, in the order the requester saw them (position). mandate_id refers to the
-- register entry the grant created; its foreign key is added after mandates exists (the reference is circular).
CREATE TABLE request_items (
    id                 BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    request_id         BIGINT NOT NULL REFERENCES requests (id),
    position           INTEGER NOT NULL CHECK (position >= 0),
    theme_id           TEXT NOT NULL CHECK (theme_id <> ''),
    task_ids           JSONB NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(task_ids) = 'array'),
    covered            BOOLEAN NOT NULL DEFAULT FALSE,
    state              TEXT NOT NULL
        CHECK (state IN ('pending', 'approved', 'rejected', 'granted', 'not_granted', 'cancelled')),
    granted_from       DATE,
    granted_until      DATE,
    granted_by         TEXT NOT NULL DEFAULT '',
    not_granted_reason TEXT NOT NULL DEFAULT '',
    mandate_id         BIGINT,
    UNIQUE (request_id, position),
    CHECK (granted_until IS NULL OR granted_from IS NULL OR granted_until >= granted_from)
);

-- Grant tasks: the items waiting for a main user.
CREATE INDEX request_items_approved ON request_items (request_id) WHERE state = 'approved';

-- The register. Expiry is derived from valid_until; state records what people did.
CREATE TABLE mandates (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    holder_id   TEXT NOT NULL CHECK (holder_id <> ''),
    holder_name TEXT NOT NULL DEFAULT '',
    department  TEXT NOT NULL DEFAULT '',
    theme_id    TEXT NOT NULL CHECK (theme_id <> ''),
    valid_from  DATE NOT NULL,
    valid_until DATE NOT NULL,
    state       TEXT NOT NULL CHECK (state IN ('active', 'revoked')),
    request_id  BIGINT REFERENCES requests (id),
    item_id     BIGINT REFERENCES request_items (id),
    granted_by  TEXT NOT NULL DEFAULT '',
    created_at  TIMESTAMPTZ NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL,
    CHECK (valid_until >= valid_from)
);

ALTER TABLE request_items ADD CONSTRAINT request_items_mandate_id_fkey
    FOREIGN KEY (mandate_id) REFERENCES mandates (id);

CREATE INDEX mandates_holder ON mandates (holder_id, valid_until);
CREATE INDEX mandates_active_until ON mandates (valid_until) WHERE state = 'active';
CREATE INDEX mandates_request ON mandates (request_id) WHERE request_id IS NOT NULL;
-- An item is granted once: a second grant of the same item (two main users at once) is a conflict.
CREATE UNIQUE INDEX mandates_item ON mandates (item_id) WHERE item_id IS NOT NULL;

-- The audit trail: rows are only ever inserted; the triggers below refuse UPDATE, DELETE and TRUNCATE. (A role that
-- owns the table can still disable triggers: in production the application's role should not own the schema.)
CREATE TABLE audit_log (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at          TIMESTAMPTZ NOT NULL,
    actor_id    TEXT NOT NULL CHECK (actor_id <> ''),
    action      TEXT NOT NULL CHECK (action <> ''),
    request_id  BIGINT REFERENCES requests (id),
    mandate_id  BIGINT REFERENCES mandates (id),
    before      JSON,
    after       JSON,
    activity_id TEXT NOT NULL DEFAULT ''
);

CREATE INDEX audit_log_request ON audit_log (request_id, at) WHERE request_id IS NOT NULL;
CREATE INDEX audit_log_mandate ON audit_log (mandate_id, at) WHERE mandate_id IS NOT NULL;

CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only: % is not allowed', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE TRIGGER audit_log_no_update_delete BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();

CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();

-- Messages written in the same transaction as the change that causes them; delivered rows are kept for the record.
CREATE TABLE outbox (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind         TEXT NOT NULL CHECK (kind <> ''),
    recipient_id TEXT NOT NULL DEFAULT '',
    request_id   BIGINT REFERENCES requests (id),
    payload      JSON,
    created_at   TIMESTAMPTZ NOT NULL,
    attempts     INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    next_attempt TIMESTAMPTZ NOT NULL,
    delivered_at TIMESTAMPTZ,
    abandoned_at TIMESTAMPTZ,
    last_error   TEXT NOT NULL DEFAULT ''
);

CREATE INDEX outbox_due ON outbox (next_attempt) WHERE delivered_at IS NULL AND abandoned_at IS NULL;
CREATE INDEX outbox_request ON outbox (request_id) WHERE request_id IS NOT NULL;

-- Cards the bot posted, so that they can be updated (PUT) when their request changes. Identifiers sort bytewise
-- (COLLATE "C"), as on SQLite, whatever the database's locale.
CREATE TABLE card_refs (
    request_id      BIGINT NOT NULL REFERENCES requests (id),
    recipient_id    TEXT COLLATE "C" NOT NULL,
    kind            TEXT COLLATE "C" NOT NULL CHECK (kind <> ''),
    conversation_id TEXT NOT NULL CHECK (conversation_id <> ''),
    service_url     TEXT NOT NULL DEFAULT '',
    activity_id     TEXT NOT NULL CHECK (activity_id <> ''),
    updated_at      TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (request_id, recipient_id, kind)
);
