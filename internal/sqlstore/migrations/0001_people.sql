-- People the bot talks to. Keyed by the Entra object id (aad_object_id), the id every later table uses for a
@postgres -- person. Timestamps are TIMESTAMPTZ, written in UTC at microsecond precision.
@sqlite   -- person. Timestamps are UTC text "YYYY-MM-DDTHH:MM:SS.ffffffZ" (fixed width: text order is time order).
@sqlite   -- STRICT makes SQLite enforce the declared column types.

-- conversation_refs: how to reach a person proactively; one row per person, updated from each activity.
CREATE TABLE conversation_refs (
    aad_object_id     TEXT NOT NULL PRIMARY KEY,
    user_id           TEXT NOT NULL DEFAULT '',
    user_name         TEXT NOT NULL DEFAULT '',
    bot_id            TEXT NOT NULL DEFAULT '',
    conversation_id   TEXT NOT NULL DEFAULT '',
    conversation_type TEXT NOT NULL DEFAULT '',
    service_url       TEXT NOT NULL DEFAULT '',
    tenant_id         TEXT NOT NULL DEFAULT '',
    channel_id        TEXT NOT NULL DEFAULT '',
    locale            TEXT NOT NULL DEFAULT '',
    created_at        {{timestamp}} NOT NULL,
    updated_at        {{timestamp}} NOT NULL
){{strict}};

-- user_settings: choices a person makes; independent of conversation_refs so a choice can be stored first.
-- language is '' (follow the client's locale) or a code the application validates (fi, sv, en).
CREATE TABLE user_settings (
    aad_object_id TEXT NOT NULL PRIMARY KEY,
    language      TEXT NOT NULL DEFAULT '',
    created_at    {{timestamp}} NOT NULL,
    updated_at    {{timestamp}} NOT NULL
){{strict}};
