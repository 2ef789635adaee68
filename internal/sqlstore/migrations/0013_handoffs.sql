-- Answers and the hand-off to the digituki network (issue 11). 0010–0012 are reserved for work on other branches.
--
-- faq_asks: each free-text question the FAQ answered, for the main users' measures: who asked (only they may say
-- whether it helped), in which language, which entries were shown, and their feedback. The question is not kept.
CREATE TABLE faq_asks (
    id          {{id}},
    asker_id    TEXT NOT NULL CHECK (asker_id <> ''),
    lang        TEXT NOT NULL CHECK (lang IN ('fi', 'sv', 'en')),
@postgres     entry_ids   JSONB NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(entry_ids) = 'array'),
@postgres     answered    BOOLEAN NOT NULL DEFAULT FALSE,
@postgres     helpful     BOOLEAN,
@sqlite       entry_ids   TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(entry_ids) AND json_type(entry_ids) = 'array'),
@sqlite       answered    INTEGER NOT NULL DEFAULT 0 CHECK (answered IN (0, 1)),
@sqlite       helpful     INTEGER CHECK (helpful IN (0, 1)),
    asked_at    {{timestamp}} NOT NULL,
    feedback_at {{timestamp}}
){{strict}};

CREATE INDEX faq_asks_asked ON faq_asks (asked_at);

-- handoffs: a question handed from an employee's 1:1 chat to the organisation's digituki channel. The card in the
-- channel (thread_id, card_activity_id once posted) shows its state; a supporter takes it once (the version check
-- lets exactly one of two simultaneous takes through); it ends closed with a resolution or cancelled. turns are the
-- last lines of the conversation before it (JSON), shown to the supporters. One active hand-off per employee.
CREATE TABLE handoffs (
    id               {{id}},
    employee_id      TEXT NOT NULL CHECK (employee_id <> ''),
    employee_name    TEXT NOT NULL DEFAULT '',
    department       TEXT NOT NULL DEFAULT '',
    lang             TEXT NOT NULL CHECK (lang IN ('fi', 'sv', 'en')),
    question         TEXT NOT NULL CHECK (question <> ''),
@postgres     turns            JSON NOT NULL DEFAULT '[]',
@sqlite       turns            TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(turns)),
    state            TEXT NOT NULL CHECK (state IN ('open', 'taken', 'closed', 'cancelled')),
    taken_by         TEXT NOT NULL DEFAULT '',
    taken_by_name    TEXT NOT NULL DEFAULT '',
    taken_at         {{timestamp}},
    closed_by        TEXT NOT NULL DEFAULT '',
    closed_at        {{timestamp}},
    resolution       TEXT NOT NULL DEFAULT '',
    ask_id           {{bigint}} REFERENCES faq_asks (id),
    channel_id       TEXT NOT NULL DEFAULT '',
    thread_id        TEXT NOT NULL DEFAULT '',
    service_url      TEXT NOT NULL DEFAULT '',
    card_activity_id TEXT NOT NULL DEFAULT '',
    reminders        INTEGER NOT NULL DEFAULT 0 CHECK (reminders >= 0),
    created_at       {{timestamp}} NOT NULL,
    updated_at       {{timestamp}} NOT NULL,
    version          INTEGER NOT NULL CHECK (version >= 1)
){{strict}};

CREATE UNIQUE INDEX handoffs_active_employee ON handoffs (employee_id) WHERE state IN ('open', 'taken');
CREATE INDEX handoffs_thread ON handoffs (thread_id) WHERE thread_id <> '';
CREATE INDEX handoffs_created ON handoffs (created_at);

ALTER TABLE faq_asks ADD COLUMN handoff_id {{bigint}} REFERENCES handoffs (id);

-- handoff_messages: the messages relayed through a hand-off, each once, in order (to_employee: from the supporter
-- to the employee; otherwise from the employee into the thread). Every one passed the identity-code guard.
CREATE TABLE handoff_messages (
    id          {{id}},
    handoff_id  {{bigint}} NOT NULL REFERENCES handoffs (id),
    author_id   TEXT NOT NULL CHECK (author_id <> ''),
    author_name TEXT NOT NULL DEFAULT '',
@postgres     to_employee BOOLEAN NOT NULL,
@sqlite       to_employee INTEGER NOT NULL CHECK (to_employee IN (0, 1)),
    text        TEXT NOT NULL CHECK (text <> ''),
    created_at  {{timestamp}} NOT NULL
){{strict}};

CREATE INDEX handoff_messages_handoff ON handoff_messages (handoff_id, id);

-- faq_proposals: FAQ entries the supporters proposed when closing a hand-off. The bot answers with one only once a
-- main user approved it (state 'approved'); question and answer are texts per language (JSON {"fi","sv","en"}).
CREATE TABLE faq_proposals (
    id          {{id}},
    handoff_id  {{bigint}} REFERENCES handoffs (id),
    lang        TEXT NOT NULL CHECK (lang IN ('fi', 'sv', 'en')),
@postgres     question    JSON NOT NULL,
@postgres     answer      JSON NOT NULL,
@sqlite       question    TEXT NOT NULL CHECK (json_valid(question)),
@sqlite       answer      TEXT NOT NULL CHECK (json_valid(answer)),
    state       TEXT NOT NULL CHECK (state IN ('pending', 'approved', 'rejected')),
    proposed_by TEXT NOT NULL CHECK (proposed_by <> ''),
    proposed_at {{timestamp}} NOT NULL,
    decided_by  TEXT NOT NULL DEFAULT '',
    decided_at  {{timestamp}},
    version     INTEGER NOT NULL CHECK (version >= 1)
){{strict}};

CREATE INDEX faq_proposals_state ON faq_proposals (state, id);

-- channel_refs: how to post into a Teams channel of a team the bot is installed in, stored from any activity the
-- bot receives there (its installation, a message that mentions it).
@postgres CREATE TABLE channel_refs (
@postgres     channel_id  TEXT COLLATE "C" PRIMARY KEY CHECK (channel_id <> ''),
@sqlite   CREATE TABLE channel_refs (
@sqlite       channel_id  TEXT PRIMARY KEY CHECK (channel_id <> ''),
    team_id     TEXT NOT NULL DEFAULT '',
    service_url TEXT NOT NULL CHECK (service_url <> ''),
    tenant_id   TEXT NOT NULL DEFAULT '',
    bot_id      TEXT NOT NULL DEFAULT '',
    updated_at  {{timestamp}} NOT NULL
){{strict}};

-- Outbox messages and audit rows about a hand-off name it: the relays of one hand-off to one recipient go out in
-- the order written, and the hand-off's steps can be read back from the audit trail.
ALTER TABLE outbox ADD COLUMN handoff_id {{bigint}} REFERENCES handoffs (id);
CREATE INDEX outbox_handoff ON outbox (handoff_id, recipient_id, id) WHERE handoff_id IS NOT NULL;
ALTER TABLE audit_log ADD COLUMN handoff_id {{bigint}} REFERENCES handoffs (id);
CREATE INDEX audit_log_handoff ON audit_log (handoff_id, at) WHERE handoff_id IS NOT NULL;
