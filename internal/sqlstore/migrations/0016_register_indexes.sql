-- Indexes for the main users' overview and the exports with a large register (issue 9.5: every query under 50 ms
-- with 100,000 mandates; figures in docs/performance.md, BenchmarkRegister100k).
--
-- mandates_in_force replaces mandates_active_until (same leading column and condition, so every query that used
-- it can use this one) and also carries valid_from and department: the overview's counts of mandates ending soon
-- read the index alone instead of fetching the rows. mandates_in_force_department gives the overview the mandates
-- in force per department (and so their number) from the index, without sorting them. Mandates a main user granted
-- to themselves are rare: a partial index finds them without a scan. mandates_theme_in_force answers an export of
-- one theme's mandates in force, or ending before a day, without reading the other themes' rows.
-- mandates_export_order is an export's order: an export reads the register a page at a time in that order (keyset
-- pagination), each page at once instead of after sorting the register.
DROP INDEX mandates_active_until;
CREATE INDEX mandates_in_force ON mandates (valid_until, valid_from, department) WHERE state = 'active';
CREATE INDEX mandates_in_force_department ON mandates (department, valid_until, valid_from) WHERE state = 'active';
CREATE INDEX mandates_self_granted ON mandates (valid_until) WHERE state = 'active' AND granted_by = holder_id;
CREATE INDEX mandates_theme_in_force ON mandates (theme_id, valid_until) WHERE state = 'active';
CREATE INDEX mandates_export_order ON mandates (holder_name, holder_id, theme_id, valid_until, id);
