-- The mandate flow: requests and their items, the organisation's register of mandates, the append-only audit
-- trail, the outbox of messages to deliver and the cards the bot posted.
--
@postgres -- Conventions (see 0001): timestamps are TIMESTAMPTZ written in UTC at microsecond precision; civil dates are DATE.
@postgres -- Lists of ids are JSONB arrays (queryable, e.g. task_ids ? 'payroll'); audit snapshots and outbox payloads are
@postgres -- JSON, which keeps the text exactly as written (what the audit trail recorded is what it gives back). A reference
@postgres -- to no row is NULL, never 0.
@sqlite   -- Conventions (see 0001): timestamps are UTC text "YYYY-MM-DDTHH:MM:SS.ffffffZ"; civil dates are text
@sqlite   -- 'YYYY-MM-DD', checked with "x IS date(x)", which refuses other formats and impossible dates such as 2026-02-30;
@sqlite   -- JSON is text checked with json_valid(). Ids are AUTOINCREMENT so that an id people have seen (the request
@sqlite   -- reference VB-2026-0042) is never given to another row. A reference to no row is NULL, never 0.

CREATE TABLE requests (
    id                   {{id}},
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
@postgres     task_ids             JSONB NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(task_ids) = 'array'),
@postgres     valid_until          DATE,
@sqlite       task_ids             TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(task_ids) AND json_type(task_ids) = 'array'),
@sqlite       valid_until          TEXT CHECK (valid_until IS date(valid_until)),
    decided_by           TEXT NOT NULL DEFAULT '',
    decided_at           {{timestamp}},
    decision_reason      TEXT NOT NULL DEFAULT '',
    created_at           {{timestamp}} NOT NULL,
    updated_at           {{timestamp}} NOT NULL,
    version              INTEGER NOT NULL CHECK (version >= 1)
){{strict}};

CREATE INDEX requests_requester ON requests (requester_id, created_at);
CREATE INDEX requests_approver ON requests (approver_id, state, created_at);
CREATE INDEX requests_state ON requests (state, created_at);

-- One row per theme of a request, in the order the requester saw them (position). mandate_id refers to the
@postgres -- register entry the grant created; its foreign key is added after mandates exists (the reference is circular).
@sqlite   -- register entry the grant created; the reference is circular with mandates.item_id, which SQLite resolves when
@sqlite   -- rows are written.
CREATE TABLE request_items (
    id                 {{id}},
    request_id         {{bigint}} NOT NULL REFERENCES requests (id),
    position           INTEGER NOT NULL CHECK (position >= 0),
    theme_id           TEXT NOT NULL CHECK (theme_id <> ''),
@postgres     task_ids           JSONB NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(task_ids) = 'array'),
@postgres     covered            BOOLEAN NOT NULL DEFAULT FALSE,
@sqlite       task_ids           TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(task_ids) AND json_type(task_ids) = 'array'),
@sqlite       covered            INTEGER NOT NULL DEFAULT 0 CHECK (covered IN (0, 1)),
    state              TEXT NOT NULL
        CHECK (state IN ('pending', 'approved', 'rejected', 'granted', 'not_granted', 'cancelled')),
@postgres     granted_from       DATE,
@postgres     granted_until      DATE,
@sqlite       granted_from       TEXT CHECK (granted_from IS date(granted_from)),
@sqlite       granted_until      TEXT CHECK (granted_until IS date(granted_until)),
    granted_by         TEXT NOT NULL DEFAULT '',
    not_granted_reason TEXT NOT NULL DEFAULT '',
@postgres     mandate_id         BIGINT,
@sqlite       mandate_id         INTEGER REFERENCES mandates (id),
    UNIQUE (request_id, position),
    CHECK (granted_until IS NULL OR granted_from IS NULL OR granted_until >= granted_from)
){{strict}};

-- Grant tasks: the items waiting for a main user.
CREATE INDEX request_items_approved ON request_items (request_id) WHERE state = 'approved';

-- The register. Expiry is derived from valid_until; state records what people did.
CREATE TABLE mandates (
    id          {{id}},
    holder_id   TEXT NOT NULL CHECK (holder_id <> ''),
    holder_name TEXT NOT NULL DEFAULT '',
    department  TEXT NOT NULL DEFAULT '',
    theme_id    TEXT NOT NULL CHECK (theme_id <> ''),
@postgres     valid_from  DATE NOT NULL,
@postgres     valid_until DATE NOT NULL,
@sqlite       valid_from  TEXT NOT NULL CHECK (valid_from IS date(valid_from)),
@sqlite       valid_until TEXT NOT NULL CHECK (valid_until IS date(valid_until)),
    state       TEXT NOT NULL CHECK (state IN ('active', 'revoked')),
    request_id  {{bigint}} REFERENCES requests (id),
    item_id     {{bigint}} REFERENCES request_items (id),
    granted_by  TEXT NOT NULL DEFAULT '',
    created_at  {{timestamp}} NOT NULL,
    updated_at  {{timestamp}} NOT NULL,
    CHECK (valid_until >= valid_from)
@postgres );
@postgres 
@postgres ALTER TABLE request_items ADD CONSTRAINT request_items_mandate_id_fkey
@postgres     FOREIGN KEY (mandate_id) REFERENCES mandates (id);
@sqlite   ) STRICT;

CREATE INDEX mandates_holder ON mandates (holder_id, valid_until);
CREATE INDEX mandates_active_until ON mandates (valid_until) WHERE state = 'active';
CREATE INDEX mandates_request ON mandates (request_id) WHERE request_id IS NOT NULL;
-- An item is granted once: a second grant of the same item (two main users at once) is a conflict.
CREATE UNIQUE INDEX mandates_item ON mandates (item_id) WHERE item_id IS NOT NULL;

@postgres -- The audit trail: rows are only ever inserted; the triggers below refuse UPDATE, DELETE and TRUNCATE. (A role that
@postgres -- owns the table can still disable triggers: in production the application's role should not own the schema.)
@sqlite   -- The audit trail: rows are only ever inserted; the triggers below refuse UPDATE and DELETE.
CREATE TABLE audit_log (
    id          {{id}},
    at          {{timestamp}} NOT NULL,
    actor_id    TEXT NOT NULL CHECK (actor_id <> ''),
    action      TEXT NOT NULL CHECK (action <> ''),
    request_id  {{bigint}} REFERENCES requests (id),
    mandate_id  {{bigint}} REFERENCES mandates (id),
@postgres     before      JSON,
@sqlite       before      TEXT CHECK (before IS NULL OR json_valid(before)),
@postgres     after       JSON,
@sqlite       after       TEXT CHECK (after IS NULL OR json_valid(after)),
    activity_id TEXT NOT NULL DEFAULT ''
){{strict}};

CREATE INDEX audit_log_request ON audit_log (request_id, at) WHERE request_id IS NOT NULL;
CREATE INDEX audit_log_mandate ON audit_log (mandate_id, at) WHERE mandate_id IS NOT NULL;

@postgres CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
@sqlite   CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
@postgres     RAISE EXCEPTION 'audit_log is append-only: % is not allowed', TG_OP USING ERRCODE = 'insufficient_privilege';
@sqlite       SELECT RAISE(ABORT, 'audit_log is append-only: UPDATE is not allowed');
END;
@postgres $$;

@postgres CREATE TRIGGER audit_log_no_update_delete BEFORE UPDATE OR DELETE ON audit_log
@postgres     FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
@postgres 
@postgres CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
@postgres     FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();
@sqlite   CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
@sqlite   BEGIN
@sqlite       SELECT RAISE(ABORT, 'audit_log is append-only: DELETE is not allowed');
@sqlite   END;

-- Messages written in the same transaction as the change that causes them; delivered rows are kept for the record.
CREATE TABLE outbox (
    id           {{id}},
    kind         TEXT NOT NULL CHECK (kind <> ''),
    recipient_id TEXT NOT NULL DEFAULT '',
    request_id   {{bigint}} REFERENCES requests (id),
@postgres     payload      JSON,
@sqlite       payload      TEXT CHECK (payload IS NULL OR json_valid(payload)),
    created_at   {{timestamp}} NOT NULL,
    attempts     INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    next_attempt {{timestamp}} NOT NULL,
    delivered_at {{timestamp}},
    abandoned_at {{timestamp}},
    last_error   TEXT NOT NULL DEFAULT ''
){{strict}};

CREATE INDEX outbox_due ON outbox (next_attempt) WHERE delivered_at IS NULL AND abandoned_at IS NULL;
CREATE INDEX outbox_request ON outbox (request_id) WHERE request_id IS NOT NULL;

@postgres -- Cards the bot posted, so that they can be updated (PUT) when their request changes. Identifiers sort bytewise
@postgres -- (COLLATE "C"), as on SQLite, whatever the database's locale.
@sqlite   -- Cards the bot posted, so that they can be updated (PUT) when their request changes.
CREATE TABLE card_refs (
    request_id      {{bigint}} NOT NULL REFERENCES requests (id),
@postgres     recipient_id    TEXT COLLATE "C" NOT NULL,
@sqlite       recipient_id    TEXT NOT NULL,
@postgres     kind            TEXT COLLATE "C" NOT NULL CHECK (kind <> ''),
@sqlite       kind            TEXT NOT NULL CHECK (kind <> ''),
    conversation_id TEXT NOT NULL CHECK (conversation_id <> ''),
    service_url     TEXT NOT NULL DEFAULT '',
    activity_id     TEXT NOT NULL CHECK (activity_id <> ''),
    updated_at      {{timestamp}} NOT NULL,
    PRIMARY KEY (request_id, recipient_id, kind)
){{strict}};
