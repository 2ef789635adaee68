-- The main users' overview names the invalidation tasks that have waited longest (issue 9.4), oldest first with the
-- mandate's id breaking a tie (Register.OldestInvalidations). mandate_invalidations_open (migration 0010) carried
-- requested_at alone, so the first few in that order meant sorting every open task; carrying mandate_id too, the
-- index holds them in that order and the overview reads only the first few. Its leading column and condition are
-- unchanged, so what used it (OpenInvalidations, the overview's count, the tab's open tasks) still does.
DROP INDEX mandate_invalidations_open;
CREATE INDEX mandate_invalidations_open ON mandate_invalidations (requested_at, mandate_id) WHERE confirmed_at IS NULL;
