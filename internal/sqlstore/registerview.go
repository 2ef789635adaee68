package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/valtuusbotti/valtuusbotti/internal/domain"
)

// The dashboard tab's reads of the register (issue 9): a page of the register at a time (keyset pagination by
// holder name), the counts behind the dashboard, the open tasks and one person's history. Every read takes the
// caller's scope: the whole register for a main user, or the listed people (a supervisor's own people). The
// indexes of migration 0017 keep each under 50 ms with 100,000 mandates (BenchmarkRegisterView).

// MandatesUpcoming asks for mandates granted for a later start: not revoked, starting after Today.
const MandatesUpcoming MandateState = "upcoming"

// ViewScope limits a read to some holders: nil Holders means the whole register; otherwise only the mandates,
// requests and tasks of those people (an empty non-nil list reads nothing).
type ViewScope struct {
	Holders []string
}

// RegisterQuery selects a page of the register for the tab. Zero fields select everything.
type RegisterQuery struct {
	Scope        ViewScope
	Department   string   // the holder's department, exactly as stored (the tab offers the stored values)
	ThemeIDs     []string // any of these themes (an agency's themes); nil for every theme
	State        MandateState
	Today        time.Time // the civil date State is judged on; required with a State
	EndingBefore time.Time // valid_until before this civil date
	Name         string    // part of the holder's name, in lower case or capitalised as names are written
	After        RegisterCursor
	Limit        int // at most 200; default 50
}

// RegisterCursor is where a page of the register ends: the next page starts after this holder name and id. The
// zero cursor starts at the beginning.
type RegisterCursor struct {
	Name string `json:"name"`
	ID   int64  `json:"id"`
}

// IsZero reports whether c is the start of the register.
func (c RegisterCursor) IsZero() bool { return c.ID == 0 && c.Name == "" }

// Page sizes of RegisterPage.
const (
	DefaultRegisterPage = 50
	MaxRegisterPage     = 200
)

// RegisterPage returns the page of mandates q selects, ordered by holder name and id, and the cursor of the next
// page (zero when this page is the last).
func (db *Register) RegisterPage(ctx context.Context, q RegisterQuery) ([]domain.Mandate, RegisterCursor, error) {
	const op = "sqlstore.RegisterPage"
	limit := q.Limit
	switch {
	case limit <= 0:
		limit = DefaultRegisterPage
	case limit > MaxRegisterPage:
		limit = MaxRegisterPage
	}
	var w where
	nameHits := ""
	w.scope("holder_id", q.Scope)
	if q.Department != "" {
		w.add("department = " + w.arg(q.Department))
	}
	if len(q.ThemeIDs) == 0 && q.ThemeIDs != nil {
		w.add("1 = 0")
	}
	if err := w.state(q.State, q.Today); err != nil {
		return nil, RegisterCursor{}, opError(op, err)
	}
	if !q.EndingBefore.IsZero() {
		w.add("valid_until < " + w.arg(dateArg(q.EndingBefore)))
	}
	if name := strings.TrimSpace(q.Name); name != "" {
		lower, title := namePatterns(name)
		// The text in lower case, or with each word capitalised as names are written: plain LIKE compares bytes on
		// PostgreSQL, much cheaper than folding the case of every name in the register (SQLite's LIKE folds ASCII
		// letters itself; the capitalised pattern catches names that start with Å, Ä or Ö there).
		// The matching ids are found first from the narrow (holder_name, id) index (or the table, as the planner
		// finds cheaper), and only those rows are fetched and sorted: walking the name order row by row to the end
		// of the register looking for a rare name is what a plain ORDER BY … LIMIT would do.
		w.add("id IN (SELECT id FROM name_hits)")
		nameHits = `WITH name_hits AS MATERIALIZED (SELECT id FROM mandates WHERE holder_name LIKE ` + w.arg(lower) +
			` ESCAPE '\' OR holder_name LIKE ` + w.arg(title) + ` ESCAPE '\')
`
	}
	if !q.After.IsZero() {
		// A row value, which both databases answer from the (holder_name, id) index.
		w.add("(holder_name, id) > (" + w.arg(q.After.Name) + ", " + w.arg(q.After.ID) + ")")
	}
	lim := w.arg(limit + 1)
	query := nameHits + `SELECT ` + mandateColumns + ` FROM mandates` + w.sql() + `
ORDER BY holder_name, id
LIMIT ` + lim
	if len(q.ThemeIDs) > 0 {
		// One page per theme, each a range of the (theme_id, holder_name, id) index, merged: an agency's themes
		// found in name order without sorting every mandate of theirs. The other conditions' placeholders serve
		// every branch.
		base := w.conds
		var parts []string
		for i, id := range q.ThemeIDs {
			w.conds = append(slices.Clone(base), "theme_id = "+w.arg(id))
			parts = append(parts, fmt.Sprintf(`SELECT * FROM (SELECT %s FROM mandates%s ORDER BY holder_name, id LIMIT %s) t%d`,
				mandateColumns, w.sql(), lim, i))
		}
		query = nameHits + `SELECT * FROM (` + strings.Join(parts, "\nUNION ALL\n") + `) pages
ORDER BY holder_name, id
LIMIT ` + lim
	}
	ms, err := queryAll(ctx, db.read, op, query, scanMandates, w.args...)
	if err != nil {
		return nil, RegisterCursor{}, err
	}
	var next RegisterCursor
	if len(ms) > limit {
		ms = ms[:limit]
		last := ms[len(ms)-1]
		next = RegisterCursor{Name: last.HolderName, ID: last.ID}
	}
	return ms, next, nil
}

// namePatterns returns the LIKE patterns for a part of a name: in lower case, and with each word's first letter
// in upper case and the rest in lower case. % and _ in the text match themselves.
func namePatterns(name string) (lower, title string) {
	esc := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	lower = strings.ToLower(name)
	words := strings.Fields(lower)
	for i, w := range words {
		r, size := utf8.DecodeRuneInString(w)
		words[i] = string(unicode.ToUpper(r)) + w[size:]
	}
	return "%" + esc.Replace(lower) + "%", "%" + esc.Replace(strings.Join(words, " ")) + "%"
}

// StateCounts is the number of mandates in each state on a day: Active (not revoked, in force or starting later;
// Upcoming of them start later), Expired (ended before the day), Revoked (invalidated), and EndingWithin90, those in
// force whose last day is at most 90 days away.
type StateCounts struct {
	Active         int `json:"active"`
	Upcoming       int `json:"upcoming"`
	Expired        int `json:"expired"`
	Revoked        int `json:"revoked"`
	EndingWithin90 int `json:"ending_within_90"`
}

// CountsByState counts the mandates in scope by state on the civil date today. Each count is its own range of the
// (state, valid_until, valid_from) index, read from the index alone: much cheaper than testing every mandate.
func (db *Register) CountsByState(ctx context.Context, scope ViewScope, today time.Time) (StateCounts, error) {
	const op = "sqlstore.CountsByState"
	var w where
	in := ""
	if scope.Holders != nil {
		in = " AND " + w.inList("holder_id", scope.Holders) // the same placeholders serve every count
	}
	d, d90 := w.arg(dateArg(today)), w.arg(dateArg(today.AddDate(0, 0, 90)))
	query := `
SELECT
    (SELECT COUNT(*) FROM mandates WHERE state = 'active' AND valid_until >= ` + d + in + `),
    (SELECT COUNT(*) FROM mandates WHERE state = 'active' AND valid_until > ` + d + ` AND valid_from > ` + d + in + `),
    (SELECT COUNT(*) FROM mandates WHERE state = 'active' AND valid_until < ` + d + in + `),
    (SELECT COUNT(*) FROM mandates WHERE state = 'revoked'` + in + `),
    (SELECT COUNT(*) FROM mandates WHERE state = 'active' AND valid_until >= ` + d + ` AND valid_until <= ` + d90 + `
                                     AND valid_from <= ` + d + in + `)`
	var c StateCounts
	if err := db.read.QueryRowContext(ctx, query, w.args...).Scan(
		&c.Active, &c.Upcoming, &c.Expired, &c.Revoked, &c.EndingWithin90); err != nil {
		return StateCounts{}, opError(op, err)
	}
	return c, nil
}

// MonthCount is the number of mandates ending in one calendar month ("2026-12").
type MonthCount struct {
	Month string `json:"month"`
	N     int    `json:"n"`
}

// EndingByMonth counts the active mandates in scope that end in each of the months calendar months starting with
// today's month (from today on), every month present (0 when none end in it), in order.
func (db *Register) EndingByMonth(ctx context.Context, scope ViewScope, today time.Time, months int) ([]MonthCount, error) {
	const op = "sqlstore.EndingByMonth"
	if months <= 0 || months > 36 {
		return nil, opError(op, domain.Errorf(domain.EInvalid, "months must be 1 to 36, not %d", months))
	}
	first := time.Date(today.Year(), today.Month(), 1, 0, 0, 0, 0, time.UTC)
	end := first.AddDate(0, months, 0)
	var w where
	w.scope("holder_id", scope)
	w.add("state = 'active'")
	w.add("valid_until >= " + w.arg(dateArg(today)))
	w.add("valid_until < " + w.arg(dateArg(end)))
	month := "substr(valid_until, 1, 7)"
	if db.dialect == DialectPostgres {
		month = "to_char(valid_until, 'YYYY-MM')"
	}
	query := `SELECT ` + month + ` AS m, COUNT(*) FROM mandates` + w.sql() + ` GROUP BY m`
	counts := map[string]int{}
	_, err := queryAll(ctx, db.read, op, query, func(rows *sql.Rows) (struct{}, error) {
		var m string
		var n int
		err := rows.Scan(&m, &n)
		counts[m] = n
		return struct{}{}, err
	}, w.args...)
	if err != nil {
		return nil, err
	}
	out := make([]MonthCount, months)
	for i := range out {
		m := first.AddDate(0, i, 0).Format("2006-01")
		out[i] = MonthCount{Month: m, N: counts[m]}
	}
	return out, nil
}

// GroupCount is the number of mandates in force in one group (a department, a theme).
type GroupCount struct {
	Key string `json:"key"`
	N   int    `json:"n"`
}

// CountsByDepartment counts the mandates in scope in force on today by the holder's department, most first, ties by
// name.
func (db *Register) CountsByDepartment(ctx context.Context, scope ViewScope, today time.Time) ([]GroupCount, error) {
	return db.countsInForce(ctx, "sqlstore.CountsByDepartment", "department", scope, today)
}

// CountsByTheme counts the mandates in scope in force on today by theme, most first, ties by id.
func (db *Register) CountsByTheme(ctx context.Context, scope ViewScope, today time.Time) ([]GroupCount, error) {
	return db.countsInForce(ctx, "sqlstore.CountsByTheme", "theme_id", scope, today)
}

func (db *Register) countsInForce(ctx context.Context, op, column string, scope ViewScope, today time.Time) ([]GroupCount, error) {
	var w where
	w.scope("holder_id", scope)
	d := w.arg(dateArg(today))
	w.add("state = 'active'")
	w.add("valid_until >= " + d)
	w.add("valid_from <= " + d)
	query := `SELECT ` + column + `, COUNT(*) AS n FROM mandates` + w.sql() + ` GROUP BY ` + column + ` ORDER BY n DESC, ` + column
	return queryAll(ctx, db.read, op, query, func(rows *sql.Rows) (GroupCount, error) {
		var g GroupCount
		err := rows.Scan(&g.Key, &g.N)
		return g, err
	}, w.args...)
}

// DepartmentsInRegister returns the departments written on the mandates in scope, sorted: the choices of the tab's
// department filter.
func (db *Register) DepartmentsInRegister(ctx context.Context, scope ViewScope) ([]string, error) {
	scan := func(rows *sql.Rows) (string, error) {
		var s string
		err := rows.Scan(&s)
		return s, err
	}
	if scope.Holders != nil {
		var w where
		w.scope("holder_id", scope)
		w.add("department <> ''")
		return queryAll(ctx, db.read, "sqlstore.DepartmentsInRegister",
			`SELECT DISTINCT department FROM mandates`+w.sql()+` ORDER BY department`, scan, w.args...)
	}
	// The whole register: one index probe per department (a loose index scan) instead of reading every mandate.
	return queryAll(ctx, db.read, "sqlstore.DepartmentsInRegister", `
WITH RECURSIVE d (department) AS (
    SELECT MIN(department) FROM mandates WHERE department > ''
    UNION ALL
    SELECT (SELECT MIN(department) FROM mandates WHERE department > d.department) FROM d WHERE d.department IS NOT NULL
)
SELECT department FROM d WHERE department IS NOT NULL ORDER BY department`, scan)
}

// OpenTaskKind names what an open task waits for.
type OpenTaskKind string

// The open tasks the tab lists.
const (
	TaskApproval     OpenTaskKind = "approval"     // a request waiting for its approver
	TaskGrant        OpenTaskKind = "grant"        // an approved theme waiting for a main user to grant it
	TaskInvalidation OpenTaskKind = "invalidation" // a mandate waiting for a main user to invalidate it in Suomi.fi
)

// OpenTask is one task that waits for someone, with the day it started waiting.
type OpenTask struct {
	Kind       OpenTaskKind `json:"kind"`
	RequestID  int64        `json:"request_id,omitempty"`
	MandateID  int64        `json:"mandate_id,omitempty"`
	PersonID   string       `json:"person_id"`
	PersonName string       `json:"person_name"`
	ThemeID    string       `json:"theme_id,omitempty"`
	Since      time.Time    `json:"since"`
}

// OpenTasks returns the oldest limit open tasks concerning the people in scope, oldest first: requests waiting for
// approval (since filed), approved themes waiting for their grant (since approved) and invalidation tasks (since
// opened).
func (db *Register) OpenTasks(ctx context.Context, scope ViewScope, limit int) ([]OpenTask, error) {
	const op = "sqlstore.OpenTasks"
	if limit <= 0 || limit > MaxRegisterPage {
		limit = DefaultRegisterPage
	}
	var w where
	approvals, grants, invalidations := "", "", ""
	if scope.Holders != nil {
		approvals = " AND " + w.inList("r.requester_id", scope.Holders)
		grants = " AND " + w.inList("r.requester_id", scope.Holders)
		invalidations = " AND " + w.inList("m.holder_id", scope.Holders)
	}
	query := `
SELECT kind, request_id, mandate_id, person_id, person_name, theme_id, since FROM (
    SELECT 'approval' AS kind, r.id AS request_id, CAST(NULL AS BIGINT) AS mandate_id, r.requester_id AS person_id,
           r.requester_name AS person_name, '' AS theme_id, r.created_at AS since
    FROM requests r WHERE r.state = 'pending'` + approvals + `
    UNION ALL
    SELECT 'grant', r.id, CAST(NULL AS BIGINT), r.requester_id, r.requester_name, i.theme_id, COALESCE(r.decided_at, r.created_at)
    FROM request_items i JOIN requests r ON r.id = i.request_id WHERE i.state = 'approved'` + grants + `
    UNION ALL
    SELECT 'invalidation', CAST(NULL AS BIGINT), m.id, m.holder_id, m.holder_name, m.theme_id, v.requested_at
    FROM mandate_invalidations v JOIN mandates m ON m.id = v.mandate_id WHERE v.confirmed_at IS NULL` + invalidations + `
) tasks
ORDER BY since, kind, request_id, mandate_id
LIMIT ` + w.arg(limit)
	return queryAll(ctx, db.read, op, query, func(rows *sql.Rows) (OpenTask, error) {
		var t OpenTask
		err := rows.Scan((*string)(&t.Kind), idScanner{&t.RequestID}, idScanner{&t.MandateID}, &t.PersonID,
			&t.PersonName, &t.ThemeID, timeScanner{&t.Since})
		return t, err
	}, w.args...)
}

// PersonHistory returns the audit trail of the person's requests and mandates, newest first, at most limit events.
func (db *Register) PersonHistory(ctx context.Context, personID string, limit int) ([]domain.AuditEvent, error) {
	const op = "sqlstore.PersonHistory"
	if limit <= 0 || limit > MaxRegisterPage {
		limit = DefaultRegisterPage
	}
	return queryAll(ctx, db.read, op, `
SELECT id, at, actor_id, action, request_id, mandate_id, before, after, activity_id
FROM audit_log
WHERE request_id IN (SELECT id FROM requests WHERE requester_id = $1)
   OR mandate_id IN (SELECT id FROM mandates WHERE holder_id = $1)
ORDER BY at DESC, id DESC
LIMIT $2`, func(rows *sql.Rows) (domain.AuditEvent, error) {
		var e domain.AuditEvent
		err := rows.Scan(&e.ID, timeScanner{&e.At}, &e.ActorID, &e.Action, idScanner{&e.RequestID},
			idScanner{&e.MandateID}, jsonScanner{&e.Before}, jsonScanner{&e.After}, &e.ActivityID)
		return e, err
	}, personID, limit)
}

// where collects the conditions and arguments of a query with $n placeholders.
type where struct {
	conds []string
	args  []any
}

func (w *where) arg(v any) string {
	w.args = append(w.args, v)
	return fmt.Sprintf("$%d", len(w.args))
}

func (w *where) add(cond string) { w.conds = append(w.conds, cond) }

// inList renders "column IN (...)"; an empty list matches nothing.
func (w *where) inList(column string, values []string) string {
	if len(values) == 0 {
		return "1 = 0"
	}
	ps := make([]string, len(values))
	for i, v := range values {
		ps[i] = w.arg(v)
	}
	return column + " IN (" + strings.Join(ps, ", ") + ")"
}

func (w *where) in(column string, values []string) { w.add(w.inList(column, values)) }

func (w *where) scope(column string, s ViewScope) {
	if s.Holders != nil {
		w.in(column, s.Holders)
	}
}

func (w *where) state(s MandateState, today time.Time) error {
	if s != MandatesAll && s != MandatesRevoked && today.IsZero() {
		return domain.Errorf(domain.EInvalid, "the %s filter needs today's date", s)
	}
	switch s {
	case MandatesAll:
	case MandatesActive:
		w.add("state = 'active' AND valid_until >= " + w.arg(dateArg(today)))
	case MandatesUpcoming:
		w.add("state = 'active' AND valid_from > " + w.arg(dateArg(today)))
	case MandatesExpired:
		w.add("state = 'active' AND valid_until < " + w.arg(dateArg(today)))
	case MandatesRevoked:
		w.add("state = 'revoked'")
	default:
		return domain.Errorf(domain.EInvalid, "unknown mandate state filter %q", string(s))
	}
	return nil
}

func (w *where) sql() string {
	if len(w.conds) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(w.conds, " AND ")
}
