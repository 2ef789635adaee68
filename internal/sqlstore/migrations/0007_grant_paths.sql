-- One grant path per request (issue 7). An approved request is granted either through the employee's own
-- valtuuspyyntö in Suomi.fi, which a main user accepts ('valtuuspyynto'), or directly by a main user ('direct');
-- '' until the request is approved. The mandate keeps the path it was granted by ('' for imported mandates).
ALTER TABLE requests ADD COLUMN grant_path TEXT NOT NULL DEFAULT '' CHECK (grant_path IN ('', 'valtuuspyynto', 'direct'));
ALTER TABLE mandates ADD COLUMN grant_path TEXT NOT NULL DEFAULT '' CHECK (grant_path IN ('', 'valtuuspyynto', 'direct'));

-- When the employee said they sent the valtuuspyyntö for the item in Suomi.fi.
ALTER TABLE request_items ADD COLUMN filed_at {{timestamp}};

-- Themes DVV has added to the organisation's valtuutusoikeus since the catalog was written, as main users recorded
-- them. Together with the catalog's covered_themes they are what main users may grant; items approved for a theme
-- outside both wait for the right (covered = false) and continue when it is recorded here.
CREATE TABLE granting_rights (
@postgres     theme_id      TEXT COLLATE "C" PRIMARY KEY CHECK (theme_id <> ''),
@postgres     registered_on DATE NOT NULL,
@sqlite       theme_id      TEXT PRIMARY KEY CHECK (theme_id <> ''),
@sqlite       registered_on TEXT NOT NULL CHECK (registered_on IS date(registered_on)),
    recorded_by   TEXT NOT NULL CHECK (recorded_by <> ''),
    recorded_at   {{timestamp}} NOT NULL
){{strict}};
