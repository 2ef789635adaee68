-- The dashboard tab's reads of the register (issue 9): each stays under 50 ms with 100,000 mandates on SQLite and
-- PostgreSQL (BenchmarkRegisterView, docs/performance.md). Versions 0015 and 0016 are the reviews and the overview's indexes.
--
-- The register list, by holder name, read a page at a time after the last (holder_name, id) seen (keyset
-- pagination); the same order within one department.
CREATE INDEX mandates_by_name ON mandates (holder_name, id);
CREATE INDEX mandates_department_name ON mandates (department, holder_name, id);
-- The same within one theme (an agency's themes are read theme by theme and merged).
CREATE INDEX mandates_theme_name ON mandates (theme_id, holder_name, id);
-- Counts by state, read from the index alone.
CREATE INDEX mandates_state_dates ON mandates (state, valid_until, valid_from);
-- Mandates in force by department and by theme (the tab maps themes to agencies).
CREATE INDEX mandates_active_department ON mandates (department, valid_until, valid_from) WHERE state = 'active';
CREATE INDEX mandates_active_theme ON mandates (theme_id, valid_until, valid_from) WHERE state = 'active';
