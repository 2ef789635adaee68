-- Mandates imported from the main users' own lists (issue 9). Versions 0010 and 0011 are reserved for other work.
--
-- open_ended: the list said the mandate has no end ("toistaiseksi", "tills vidare", an empty cell). Suomi.fi itself
-- grants no mandate for longer than 25 years, so valid_until stays NOT NULL and holds the longest validity Suomi.fi
-- allows, 25 years from valid_from, and this flag says that the end was not written anywhere: an export writes such
-- a mandate back as open-ended, not as a date nobody chose. (Dropping NOT NULL would need a rebuild of the table on
-- SQLite, which every query and index of the register relies on.)
-- revoked_on: the day a revoked (invalidated) mandate was invalidated in Suomi.fi, when known.
-- holder_mail: the holder's e-mail address in lower case as the list or the directory gave it; for a person the
-- directory does not know, holder_id is that address too.
-- notes: the list's notes on the mandate (free text: never a personal identity code, the import refuses such rows).
@postgres ALTER TABLE mandates ADD COLUMN open_ended BOOLEAN NOT NULL DEFAULT FALSE;
@postgres ALTER TABLE mandates ADD COLUMN revoked_on DATE;
@sqlite   ALTER TABLE mandates ADD COLUMN open_ended INTEGER NOT NULL DEFAULT 0 CHECK (open_ended IN (0, 1));
@sqlite   ALTER TABLE mandates ADD COLUMN revoked_on TEXT CHECK (revoked_on IS date(revoked_on));
ALTER TABLE mandates ADD COLUMN holder_mail TEXT NOT NULL DEFAULT '';
ALTER TABLE mandates ADD COLUMN notes TEXT NOT NULL DEFAULT '';

-- The import looks a row's mandate up by theme and holder (object id or e-mail address).
CREATE INDEX mandates_theme_holder ON mandates (theme_id, holder_id);
CREATE INDEX mandates_holder_mail ON mandates (holder_mail) WHERE holder_mail <> '';
