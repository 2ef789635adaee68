-- The life of a mandate after its grant (issue 8: expiry and invalidation).
--
-- Expiry stays derived from valid_until: mandates.state keeps its two values (a CHECK that SQLite could only change
-- by rebuilding the table). What people choose is recorded instead: the holder or their supervisor may let a mandate
-- lapse (no more expiry notices; who and when), a renewal request names the mandate it renews and the day the new
-- mandate is to start (the old one's end date), and a main user's invalidation task lives in mandate_invalidations
-- until a main user confirms that the mandate was invalidated in Suomi.fi (the mandate then becomes 'revoked').
ALTER TABLE mandates ADD COLUMN lapse_by TEXT NOT NULL DEFAULT '';
ALTER TABLE mandates ADD COLUMN lapse_at {{timestamp}};

ALTER TABLE requests ADD COLUMN renews_mandate_id {{bigint}} REFERENCES mandates (id);
@postgres ALTER TABLE requests ADD COLUMN valid_from DATE;
@sqlite   ALTER TABLE requests ADD COLUMN valid_from TEXT CHECK (valid_from IS date(valid_from));

-- One invalidation task per mandate: opened by a main user or asked for by the holder's supervisor (reason required),
-- confirmed once by a main user with the day the mandate was invalidated in Suomi.fi.
CREATE TABLE mandate_invalidations (
    mandate_id     {{bigint}} PRIMARY KEY REFERENCES mandates (id),
    requested_by   TEXT NOT NULL CHECK (requested_by <> ''),
    requested_role TEXT NOT NULL CHECK (requested_role IN ('main_user', 'supervisor')),
    requested_at   {{timestamp}} NOT NULL,
    reason         TEXT NOT NULL CHECK (reason <> ''),
    confirmed_by   TEXT NOT NULL DEFAULT '',
    confirmed_at   {{timestamp}},
@postgres     invalidated_on DATE,
@sqlite       invalidated_on TEXT CHECK (invalidated_on IS date(invalidated_on)),
    CHECK ((confirmed_at IS NULL) = (invalidated_on IS NULL)),
    CHECK ((confirmed_at IS NULL) = (confirmed_by = ''))
){{strict}};

-- The open tasks, oldest first.
CREATE INDEX mandate_invalidations_open ON mandate_invalidations (requested_at) WHERE confirmed_at IS NULL;
