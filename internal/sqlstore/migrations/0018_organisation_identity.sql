-- Whose register this is (issue 13): one deployment serves several organisations, each from a database of its own,
-- and no read path of one may reach another's. The service records its organisation's business id and Entra
-- tenant here when it first opens the database and refuses to start on a database another organisation's
-- configuration points at (sqlstore.DB.ClaimOrganisation). One row at most.
CREATE TABLE organisation_identity (
    slot        INTEGER PRIMARY KEY CHECK (slot = 1),
    business_id TEXT NOT NULL CHECK (business_id <> ''),
    tenant_id   TEXT NOT NULL DEFAULT '',
    recorded_at {{timestamp}} NOT NULL
){{strict}};
