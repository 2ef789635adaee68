package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/valtuusbotti/valtuusbotti/internal/domain"
)

// The life of a mandate after its grant (migration 0010): the choice to let it lapse, its revocation, the main
// users' invalidation tasks and the renewal request that renews it. Tx implements domain.MandateTx.

var _ domain.MandateTx = (*Tx)(nil)

const selectMandateSQL = `SELECT ` + mandateColumns + ` FROM mandates WHERE id = $1`

const invalidationColumns = `mandate_id, requested_by, requested_role, requested_at, reason, confirmed_by,
    confirmed_at, invalidated_on`

// Mandate reads a mandate inside the transaction; ENotFound when there is none.
func (t *Tx) Mandate(ctx context.Context, id int64) (domain.Mandate, error) {
	return mandateByID(ctx, t.tx, id)
}

// Mandate returns a mandate of the register; ENotFound when there is none.
func (db *Register) Mandate(ctx context.Context, id int64) (domain.Mandate, error) {
	return mandateByID(ctx, db.read, id)
}

func mandateByID(ctx context.Context, q querier, id int64) (domain.Mandate, error) {
	const op = "sqlstore.Mandate"
	m, err := scanMandate(q.QueryRowContext(ctx, selectMandateSQL, id))
	if errors.Is(err, sql.ErrNoRows) {
		return m, opError(op, domain.Errorf(domain.ENotFound, "mandate %d not found", id))
	}
	if err != nil {
		return m, opError(op, err)
	}
	return m, nil
}

// SetLapse records m.LapseBy (required) and m.LapseAt (the clock's now when zero) on an active mandate that has no
// lapse recorded yet, and sets m.UpdatedAt; otherwise EConflict (ENotFound for no mandate), and m is unchanged.
func (t *Tx) SetLapse(ctx context.Context, m *domain.Mandate) error {
	const op = "sqlstore.SetLapse"
	if m.LapseBy == "" {
		return opError(op, domain.Errorf(domain.EInvalid, "a lapse needs who chose it"))
	}
	now := t.db.nowUTC()
	at := m.LapseAt
	if at.IsZero() {
		at = now
	}
	n, err := changedRows(ctx, t.tx, `
UPDATE mandates SET lapse_by = $2, lapse_at = $3, updated_at = $4
WHERE id = $1 AND state = 'active' AND lapse_by = ''`, m.ID, m.LapseBy, t.db.timeArg(at), t.db.timeArg(now))
	if err != nil {
		return opError(op, err)
	}
	if n == 0 {
		return opError(op, t.whyMandateUnchanged(ctx, m.ID, "err.mandate_lapsing"))
	}
	m.LapseAt, m.UpdatedAt = at.UTC().Truncate(time.Microsecond), now
	return nil
}

// RevokeMandate moves an active mandate to revoked and sets m.State and m.UpdatedAt; a mandate that is not active is
// EConflict (ENotFound for none), and m is unchanged.
func (t *Tx) RevokeMandate(ctx context.Context, m *domain.Mandate) error {
	const op = "sqlstore.RevokeMandate"
	now := t.db.nowUTC()
	n, err := changedRows(ctx, t.tx, `
UPDATE mandates SET state = 'revoked', updated_at = $2 WHERE id = $1 AND state = 'active'`, m.ID, t.db.timeArg(now))
	if err != nil {
		return opError(op, err)
	}
	if n == 0 {
		return opError(op, t.whyMandateUnchanged(ctx, m.ID, "err.mandate_revoked"))
	}
	m.State, m.UpdatedAt = domain.MandateRevoked, now
	return nil
}

// whyMandateUnchanged tells a missing mandate (ENotFound) from one whose state refused the change (EConflict with
// the message key).
func (t *Tx) whyMandateUnchanged(ctx context.Context, id int64, key string) error {
	if _, err := t.Mandate(ctx, id); err != nil {
		return err
	}
	return domain.Errorf(domain.EConflict, "%s", key)
}

// OpenInvalidation inserts a main users' invalidation task for inv.MandateID and sets inv.RequestedAt to the clock's
// now. A mandate that has a task already (open or confirmed) is EConflict; a task without a mandate, requester, role
// or reason is EInvalid.
func (t *Tx) OpenInvalidation(ctx context.Context, inv *domain.Invalidation) error {
	const op = "sqlstore.OpenInvalidation"
	switch {
	case inv.MandateID <= 0 || inv.RequestedBy == "" || inv.Reason == "":
		return opError(op, domain.Errorf(domain.EInvalid, "an invalidation task needs a mandate, who asked and a reason"))
	case inv.RequestedRole != domain.InvalidationByMainUser && inv.RequestedRole != domain.InvalidationBySupervisor:
		return opError(op, domain.Errorf(domain.EInvalid, "unknown invalidation role %q", string(inv.RequestedRole)))
	}
	now := t.db.nowUTC()
	_, err := t.tx.ExecContext(ctx, `
INSERT INTO mandate_invalidations (mandate_id, requested_by, requested_role, requested_at, reason)
VALUES ($1, $2, $3, $4, $5)`, inv.MandateID, inv.RequestedBy, string(inv.RequestedRole), t.db.timeArg(now), inv.Reason)
	if err != nil {
		if classify(err) == domain.EConflict {
			return &domain.Error{Code: domain.EConflict, Op: op, Message: "err.invalidation_exists", Err: err}
		}
		return opError(op, err)
	}
	inv.RequestedAt = now
	return nil
}

// Invalidation reads the mandate's invalidation task inside the transaction; ENotFound when it has none.
func (t *Tx) Invalidation(ctx context.Context, mandateID int64) (domain.Invalidation, error) {
	return invalidationOf(ctx, t.tx, mandateID)
}

// Invalidation returns the mandate's invalidation task; ENotFound when it has none.
func (db *Register) Invalidation(ctx context.Context, mandateID int64) (domain.Invalidation, error) {
	return invalidationOf(ctx, db.read, mandateID)
}

func invalidationOf(ctx context.Context, q querier, mandateID int64) (domain.Invalidation, error) {
	const op = "sqlstore.Invalidation"
	inv, err := scanInvalidation(q.QueryRowContext(ctx,
		`SELECT `+invalidationColumns+` FROM mandate_invalidations WHERE mandate_id = $1`, mandateID))
	if errors.Is(err, sql.ErrNoRows) {
		return inv, opError(op, domain.Errorf(domain.ENotFound, "mandate %d has no invalidation task", mandateID))
	}
	if err != nil {
		return inv, opError(op, err)
	}
	return inv, nil
}

func scanInvalidation(row interface{ Scan(dest ...any) error }) (domain.Invalidation, error) {
	var inv domain.Invalidation
	var on time.Time
	err := row.Scan(&inv.MandateID, &inv.RequestedBy, (*string)(&inv.RequestedRole), timeScanner{&inv.RequestedAt},
		&inv.Reason, &inv.ConfirmedBy, timeScanner{&inv.ConfirmedAt}, dateScanner{&on})
	inv.InvalidatedOn = domain.DateOf(on)
	return inv, err
}

// ConfirmInvalidation records inv.ConfirmedBy and inv.InvalidatedOn (both required) on the mandate's open task, once,
// and sets inv.ConfirmedAt to the clock's now. A task confirmed already is EConflict (a second tap records nothing),
// no task is ENotFound.
func (t *Tx) ConfirmInvalidation(ctx context.Context, inv *domain.Invalidation) error {
	const op = "sqlstore.ConfirmInvalidation"
	if inv.ConfirmedBy == "" || inv.InvalidatedOn.IsZero() {
		return opError(op, domain.Errorf(domain.EInvalid, "a confirmation needs who confirmed and the day"))
	}
	now := t.db.nowUTC()
	n, err := changedRows(ctx, t.tx, `
UPDATE mandate_invalidations SET confirmed_by = $2, confirmed_at = $3, invalidated_on = $4
WHERE mandate_id = $1 AND confirmed_at IS NULL`,
		inv.MandateID, inv.ConfirmedBy, t.db.timeArg(now), dateArg(inv.InvalidatedOn.Time()))
	if err != nil {
		return opError(op, err)
	}
	if n == 0 {
		if _, err := t.Invalidation(ctx, inv.MandateID); err != nil {
			return err
		}
		return opError(op, domain.Errorf(domain.EConflict, "err.invalidation_confirmed"))
	}
	inv.ConfirmedAt = now
	return nil
}

// Renewal returns the newest request that renews the mandate, in any state, if any.
func (t *Tx) Renewal(ctx context.Context, mandateID int64) (domain.Request, bool, error) {
	return renewalOf(ctx, t.tx, mandateID)
}

// Renewal returns the newest request that renews the mandate, in any state, if any.
func (db *Register) Renewal(ctx context.Context, mandateID int64) (domain.Request, bool, error) {
	return renewalOf(ctx, db.read, mandateID)
}

const selectRenewalSQL = `SELECT id FROM requests WHERE renews_mandate_id = $1 ORDER BY id DESC LIMIT 1`

func renewalOf(ctx context.Context, q querier, mandateID int64) (domain.Request, bool, error) {
	const op = "sqlstore.Renewal"
	var id int64
	err := q.QueryRowContext(ctx, selectRenewalSQL, mandateID).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return domain.Request{}, false, nil
	}
	if err != nil {
		return domain.Request{}, false, opError(op, err)
	}
	r, err := requestByID(ctx, q, id)
	if err != nil {
		return domain.Request{}, false, err
	}
	return r, true, nil
}

// CurrentMandates returns the mandates that are active and have not ended by the civil date today (they may start
// later), by holder name, holder and end date.
func (db *Register) CurrentMandates(ctx context.Context, today time.Time) ([]domain.Mandate, error) {
	return queryAll(ctx, db.read, "sqlstore.CurrentMandates", `
SELECT `+mandateColumns+` FROM mandates
WHERE state = 'active' AND valid_until >= $1
ORDER BY holder_name, holder_id, valid_until, id`, scanMandates, dateArg(domain.Civil(today)))
}

// OpenInvalidations returns the invalidation tasks waiting for a main user, oldest first.
func (db *Register) OpenInvalidations(ctx context.Context) ([]domain.Invalidation, error) {
	return queryAll(ctx, db.read, "sqlstore.OpenInvalidations", `
SELECT `+invalidationColumns+` FROM mandate_invalidations WHERE confirmed_at IS NULL ORDER BY requested_at, mandate_id`,
		func(rows *sql.Rows) (domain.Invalidation, error) { return scanInvalidation(rows) })
}

// OldestInvalidations returns the first limit invalidation tasks waiting for a main user, oldest first (as
// OpenInvalidations), each with its mandate (Today and Renewal left zero): what the overview names. The tasks are
// chosen first, in order from the partial index mandate_invalidations_open (migration 0021), and only then joined
// to their mandates: joined first, PostgreSQL would hash every mandate in the register to find a few.
func (db *Register) OldestInvalidations(ctx context.Context, limit int) ([]domain.MandateLife, error) {
	if limit <= 0 {
		return nil, nil
	}
	return queryAll(ctx, db.read, "sqlstore.OldestInvalidations", `
SELECT `+invalidationColumns+`, `+mandateColumns+`
FROM (SELECT `+invalidationColumns+` FROM mandate_invalidations
      WHERE confirmed_at IS NULL
      ORDER BY requested_at, mandate_id
      LIMIT $1) oldest
JOIN mandates ON mandates.id = oldest.mandate_id
ORDER BY requested_at, mandate_id`, func(rows *sql.Rows) (domain.MandateLife, error) {
		// One row, two scanners: the task's columns, then its mandate's.
		var l domain.MandateLife
		var err error
		l.Invalidation, err = scanInvalidation(scanFunc(func(task ...any) error {
			var merr error
			l.Mandate, merr = scanMandate(scanFunc(func(mandate ...any) error { return rows.Scan(append(task, mandate...)...) }))
			return merr
		}))
		return l, err
	}, limit)
}

// scanFunc is a function that scans a row, as the row's Scan.
type scanFunc func(dest ...any) error

func (f scanFunc) Scan(dest ...any) error { return f(dest...) }
