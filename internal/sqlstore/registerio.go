package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/valtuusbotti/valtuusbotti/internal/domain"
)

// The register's imports and exports (issue 9): the lookups an import makes inside its transaction, the update of
// an imported mandate, and the streaming reads of the register and the audit trail for exports.

// MandatesOf returns, inside the transaction, the mandates of theme themeID held by the person with the object id
// holderID or recorded against the e-mail address mail (compared in lower case; "" matches no address), oldest
// first. Either key may be empty.
func (t *Tx) MandatesOf(ctx context.Context, holderID, mail, themeID string) ([]domain.Mandate, error) {
	mail = strings.ToLower(strings.TrimSpace(mail))
	return queryAll(ctx, t.tx, "sqlstore.MandatesOf", `
SELECT `+mandateColumns+`
FROM mandates
WHERE theme_id = $1 AND ((holder_id = $2 AND $2 <> '') OR (holder_mail = $3 AND $3 <> ''))
ORDER BY id`, scanMandates, themeID, holderID, mail)
}

// UpdateMandate writes what an import may change of the mandate m.ID: its holder (id, name, mail, department), its
// dates and whether it is open-ended, its state and the day it was revoked, who granted it and the notes; then it
// sets m.UpdatedAt to the clock's now. The same checks as CreateMandate apply (EInvalid); a missing mandate is
// ENotFound.
func (t *Tx) UpdateMandate(ctx context.Context, m *domain.Mandate) error {
	const op = "sqlstore.UpdateMandate"
	switch {
	case m.HolderID == "":
		return opError(op, domain.Errorf(domain.EInvalid, "the mandate has no holder"))
	case m.ValidFrom.IsZero() || m.ValidUntil.IsZero():
		return opError(op, domain.Errorf(domain.EInvalid, "a mandate needs a start and an end date"))
	case m.State != domain.MandateActive && m.State != domain.MandateRevoked:
		return opError(op, domain.Errorf(domain.EInvalid, "unknown mandate state %q", string(m.State)))
	}
	now := t.db.nowUTC()
	n, err := changedRows(ctx, t.tx, `
UPDATE mandates SET
    holder_id = $2, holder_name = $3, holder_mail = $4, department = $5, valid_from = $6, valid_until = $7,
    open_ended = $8, state = $9, revoked_on = $10, granted_by = $11, notes = $12, updated_at = $13
WHERE id = $1`, m.ID, m.HolderID, m.HolderName, m.HolderMail, m.Department, dateArg(m.ValidFrom),
		dateArg(m.ValidUntil), m.OpenEnded, string(m.State), dateArg(m.RevokedOn), m.GrantedBy, m.Notes, t.db.timeArg(now))
	if err != nil {
		return opError(op, err)
	}
	if n == 0 {
		return opError(op, domain.Errorf(domain.ENotFound, "mandate %d not found", m.ID))
	}
	m.UpdatedAt = now
	return nil
}

// MandateState filters an export by where a mandate stands on MandateFilter.Today.
type MandateState string

// The states an export can ask for.
const (
	MandatesAll     MandateState = ""
	MandatesActive  MandateState = "active"  // not revoked and not ended: in force, or starting later
	MandatesExpired MandateState = "expired" // not revoked, ended before today
	MandatesRevoked MandateState = "revoked" // invalidated
)

// MandateFilter selects mandates for EachMandate; zero fields select everything.
type MandateFilter struct {
	Department   string   // the holder's department, in any case
	ThemeIDs     []string // any of these themes; nil for every theme
	State        MandateState
	Today        time.Time // the civil date State is judged on; required with MandatesActive and MandatesExpired
	EndingBefore time.Time // valid_until before this civil date
	Holder       string    // the holder's object id or e-mail address
}

// exportPageRows is how many mandates one query of EachMandate reads when it reads pages.
const exportPageRows = 500

// EachMandate calls fn with every mandate f selects, ordered by holder name, holder, theme, end and id. It reads
// them a page at a time (keyset pagination on that order, which the index mandates_export_order serves, migration
// 0016), all pages from one snapshot: every query returns its first rows at once whatever the register's size, and
// the register is never held in memory. A theme or person filter reads its few rows in one query. fn's error stops
// the reading and is returned.
func (db *Register) EachMandate(ctx context.Context, f MandateFilter, fn func(domain.Mandate) error) error {
	const op = "sqlstore.EachMandate"
	where, args, err := f.where()
	if err != nil {
		return opError(op, err)
	}
	// A theme or a person selects a small part of the register, which its own index finds and the database sorts
	// at once: one query. Anything else may be the whole register: pages in index order.
	pageRows := exportPageRows
	if f.ThemeIDs != nil || strings.TrimSpace(f.Holder) != "" {
		pageRows = 0
	}
	var fnErr error
	err = db.readTx(ctx, func(q querier) error {
		var after *domain.Mandate
		for {
			n, last, err := mandatePage(ctx, q, f, where, args, pageRows, after, func(m domain.Mandate) error {
				if fnErr = fn(m); fnErr != nil {
					return fnErr
				}
				return nil
			})
			if err != nil || pageRows == 0 || n < pageRows {
				return err
			}
			after = &last
		}
	})
	if fnErr != nil {
		return fnErr
	}
	if err != nil {
		return opError(op, err)
	}
	return nil
}

// mandatePage reads the page of at most pageRows mandates (0: all of them) after the mandate after (nil: the first
// page), calls fn with each one the filter keeps, and returns how many rows it read and the last of them.
func mandatePage(ctx context.Context, q querier, f MandateFilter, where string, args []any, pageRows int,
	after *domain.Mandate, fn func(domain.Mandate) error) (int, domain.Mandate, error) {
	var last domain.Mandate
	if after != nil {
		n := len(args)
		cond := fmt.Sprintf("(holder_name, holder_id, theme_id, valid_until, id) > ($%d, $%d, $%d, $%d, $%d)", n+1, n+2, n+3, n+4, n+5)
		if where == "" {
			where = "\nWHERE " + cond
		} else {
			where += " AND " + cond
		}
		args = append(args[:n:n], after.HolderName, after.HolderID, after.ThemeID, dateArg(after.ValidUntil), after.ID)
	}
	limit := ""
	if pageRows > 0 {
		limit = "\nLIMIT " + fmt.Sprint(pageRows)
	}
	rows, err := q.QueryContext(ctx, `SELECT `+mandateColumns+` FROM mandates`+where+`
ORDER BY holder_name, holder_id, theme_id, valid_until, id`+limit, args...)
	if err != nil {
		return 0, last, err
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		m, err := scanMandate(rows)
		if err != nil {
			return n, last, err
		}
		n, last = n+1, m
		if f.Department != "" && !strings.EqualFold(strings.TrimSpace(m.Department), strings.TrimSpace(f.Department)) {
			continue
		}
		if err := fn(m); err != nil {
			return n, last, err
		}
	}
	return n, last, rows.Err()
}

// where renders the filter as a WHERE clause with $n placeholders (the department is compared in Go: SQLite's
// lower() folds ASCII only).
func (f MandateFilter) where() (string, []any, error) {
	var conds []string
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return fmt.Sprintf("$%d", len(args))
	}
	if f.ThemeIDs != nil {
		if len(f.ThemeIDs) == 0 {
			conds = append(conds, "1 = 0")
		}
		var in []string
		for _, id := range f.ThemeIDs {
			in = append(in, arg(id))
		}
		if len(in) > 0 {
			conds = append(conds, "theme_id IN ("+strings.Join(in, ", ")+")")
		}
	}
	switch f.State {
	case MandatesAll:
	case MandatesActive, MandatesExpired:
		if f.Today.IsZero() {
			return "", nil, domain.Errorf(domain.EInvalid, "the %s filter needs today's date", f.State)
		}
		cmp := ">="
		if f.State == MandatesExpired {
			cmp = "<"
		}
		conds = append(conds, "state = 'active' AND valid_until "+cmp+" "+arg(dateArg(f.Today)))
	case MandatesRevoked:
		conds = append(conds, "state = 'revoked'")
	default:
		return "", nil, domain.Errorf(domain.EInvalid, "unknown mandate state filter %q", string(f.State))
	}
	if !f.EndingBefore.IsZero() {
		conds = append(conds, "valid_until < "+arg(dateArg(f.EndingBefore)))
	}
	if h := strings.TrimSpace(f.Holder); h != "" {
		// "holder_mail <> ''" lets the partial index mandates_holder_mail answer its half of the OR.
		conds = append(conds, "(holder_id = "+arg(h)+" OR (holder_mail = "+arg(strings.ToLower(h))+" AND holder_mail <> ''))")
	}
	if len(conds) == 0 {
		return "", nil, nil
	}
	return "\nWHERE " + strings.Join(conds, " AND "), args, nil
}

// AuditFilter selects audit rows for EachAudit; zero fields select everything.
type AuditFilter struct {
	// Person: rows the person (object id, or the e-mail address an imported mandate is held under) acted in, and
	// rows about their requests and mandates.
	Person string
	From   time.Time // rows at or after this instant
	Until  time.Time // rows before this instant
}

// EachAudit calls fn with every audit row f selects, oldest first, reading them one row at a time. fn's error stops
// the reading and is returned.
func (db *Register) EachAudit(ctx context.Context, f AuditFilter, fn func(domain.AuditEvent) error) error {
	const op = "sqlstore.EachAudit"
	var conds []string
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return fmt.Sprintf("$%d", len(args))
	}
	if p := strings.TrimSpace(f.Person); p != "" {
		id, mail := arg(p), arg(strings.ToLower(p))
		conds = append(conds, `(actor_id = `+id+`
    OR mandate_id IN (SELECT m.id FROM mandates m WHERE m.holder_id = `+id+` OR m.holder_mail = `+mail+`)
    OR request_id IN (SELECT r.id FROM requests r WHERE r.requester_id = `+id+`))`)
	}
	if !f.From.IsZero() {
		conds = append(conds, "at >= "+arg(db.timeArg(f.From)))
	}
	if !f.Until.IsZero() {
		conds = append(conds, "at < "+arg(db.timeArg(f.Until)))
	}
	where := ""
	if len(conds) > 0 {
		where = "\nWHERE " + strings.Join(conds, " AND ")
	}
	rows, err := db.read.QueryContext(ctx, `
SELECT id, at, actor_id, action, request_id, mandate_id, before, after, activity_id
FROM audit_log`+where+`
ORDER BY at, id`, args...)
	if err != nil {
		return opError(op, err)
	}
	defer rows.Close()
	for rows.Next() {
		e, err := scanAudit(rows)
		if err != nil {
			return opError(op, err)
		}
		if err := fn(e); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return opError(op, err)
	}
	return nil
}

func scanAudit(rows *sql.Rows) (domain.AuditEvent, error) {
	var e domain.AuditEvent
	err := rows.Scan(&e.ID, timeScanner{&e.At}, &e.ActorID, &e.Action, idScanner{&e.RequestID},
		idScanner{&e.MandateID}, jsonScanner{&e.Before}, jsonScanner{&e.After}, &e.ActivityID)
	return e, err
}
