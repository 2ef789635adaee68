-- The directory sync (issue 10): what the last sync saw of each person in the organisation's directory, so the next
-- one can tell joiners, movers and leavers, and where the next sync continues. Keyed by the organisation's business
-- id (Y-tunnus), so a second organisation gets rows of its own.
--
-- directory_sync_state: one row per organisation. delta_link is where the next sync continues (Microsoft Graph's
-- @odata.deltaLink, or the demo file's content hash); version counts the committed syncs, so a sync that read an
-- older version before it fetched the changes discards its result (another replica committed first); baseline_at
-- is when the first full sync recorded everyone without raising joiner events; lease_token and lease_until are the
-- hold of the replica syncing now.
CREATE TABLE directory_sync_state (
    org_id      TEXT PRIMARY KEY CHECK (org_id <> ''),
    delta_link  TEXT NOT NULL DEFAULT '',
    version     {{bigint}} NOT NULL DEFAULT 0 CHECK (version >= 0),
    baseline_at {{timestamp}},
    synced_at   {{timestamp}},
    lease_token TEXT NOT NULL DEFAULT '',
    lease_until {{timestamp}}
){{strict}};

-- directory_people: each person as the last sync saw them (domain.DirectoryPerson as JSON: name, mail, department,
-- job title, account state, leave date, manager). A person deleted from the directory is deleted here.
CREATE TABLE directory_people (
    org_id        TEXT NOT NULL CHECK (org_id <> ''),
    aad_object_id TEXT NOT NULL CHECK (aad_object_id <> ''),
@postgres     person        JSONB NOT NULL CHECK (jsonb_typeof(person) = 'object'),
@sqlite       person        TEXT NOT NULL CHECK (json_valid(person) AND json_type(person) = 'object'),
    updated_at    {{timestamp}} NOT NULL,
    PRIMARY KEY (org_id, aad_object_id)
){{strict}};
