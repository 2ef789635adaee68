-- Indexes for the main users' overview and the exports with a large register (issue 9.5: every query under 50 ms
-- with 100,000 mandates; figures in docs/performance.md, BenchmarkRegister100k).
--
-- mandates_in_force replaces mandates_active_until (same leading column and condition, so every query that used it
-- can use this one) and also carries valid_from and department: the overview's counts of mandates in force read the
-- index alone instead of fetching half the table row by row. mandates_in_force_department lets the overview group
-- the mandates in force by department without sorting them. Mandates a main user granted to themselves are rare:
-- a partial index finds them without a scan. mandates_export_order is the order of an export, so that an export
-- streams its first rows at once instead of sorting the register first.
DROP INDEX mandates_active_until;
CREATE INDEX mandates_in_force ON mandates (valid_until, valid_from, department) WHERE state = 'active';
CREATE INDEX mandates_in_force_department ON mandates (department, valid_until, valid_from) WHERE state = 'active';
CREATE INDEX mandates_self_granted ON mandates (valid_until) WHERE state = 'active' AND granted_by = holder_id;
CREATE INDEX mandates_export_order ON mandates (holder_name, holder_id, theme_id, valid_until);
