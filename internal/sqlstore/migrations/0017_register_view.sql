-- The dashboard tab's reads of the register (issue 9): each stays under 50 ms with 100,000 mandates on SQLite and
-- PostgreSQL (BenchmarkRegisterView, docs/performance.md). Versions 0015 and 0016 are the reviews and the overview's indexes.
--
-- The register list, by holder name, read a page at a time after the last (holder_name, id) seen (keyset
-- pagination); the same order within one department.
CREATE INDEX mandates_by_name ON mandates (holder_name, id);
CREATE INDEX mandates_department_name ON mandates (department, holder_name, id);
-- The same within one theme (an agency's themes are read theme by theme and merged).
CREATE INDEX mandates_theme_name ON mandates (theme_id, holder_name, id);
-- Counts by state: the active ones from the index alone (mandates_in_force, 0016), the revoked ones from this one.
-- (An index on (state, valid_until, valid_from) answered the counts as well, but SQLite, which has no statistics,
-- then took it for the overview's and the export's reads of the mandates in force too, twenty to thirty times
-- slower than through 0016's indexes.)
CREATE INDEX mandates_revoked ON mandates (valid_until, department) WHERE state = 'revoked';
-- Mandates in force by theme (the tab maps themes to agencies), with valid_from so that "in force" is read from the
-- index alone; it replaces 0016's narrower index on (theme_id, valid_until). By department, 0016's
-- mandates_in_force_department serves.
DROP INDEX mandates_theme_in_force;
CREATE INDEX mandates_active_theme ON mandates (theme_id, valid_until, valid_from) WHERE state = 'active';
