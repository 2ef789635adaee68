package sqlstore

import (
	"context"
	"database/sql"
	"math"
	"time"

	"github.com/valtuusbotti/valtuusbotti/internal/domain"
)

const insertMandateSQL = `
INSERT INTO mandates (
    holder_id, holder_name, department, theme_id, valid_from, valid_until, state,
    request_id, item_id, granted_by, grant_path, created_at, updated_at,
    open_ended, revoked_on, holder_mail, notes
) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $12, $11, $11, $13, $14, $15, $16)
RETURNING id`

// mandateColumns are the columns scanMandate reads, in its order.
const mandateColumns = `id, holder_id, holder_name, department, theme_id, valid_from, valid_until, state,
       request_id, item_id, granted_by, grant_path, created_at, updated_at, open_ended, revoked_on, holder_mail, notes,
       lapse_by, lapse_at`

const selectMandatesByHolderSQL = `
SELECT ` + mandateColumns + `
FROM mandates
WHERE holder_id = $1
ORDER BY valid_until, id`

// A mandate is in force on day $1 when it is active and $1 lies within [valid_from, valid_until]. $2 and $3 are
// the last days of the 30- and 90-day windows. The open invalidation tasks are counted from the partial index
// mandate_invalidations_open (migration 0021).
const overviewCountsSQL = `
SELECT
    (SELECT COUNT(*) FROM mandates
     WHERE state = 'active' AND valid_from <= $1 AND valid_until >= $1 AND valid_until <= $2),
    (SELECT COUNT(*) FROM mandates
     WHERE state = 'active' AND valid_from <= $1 AND valid_until >= $1 AND valid_until <= $3),
    (SELECT COUNT(*) FROM request_items WHERE state = 'approved'),
    (SELECT COUNT(*) FROM mandates
     WHERE state = 'active' AND valid_until >= $1 AND granted_by = holder_id),
    (SELECT COUNT(*) FROM mandate_invalidations WHERE confirmed_at IS NULL)`

// overviewDepartmentsSQL counts the mandates in force per department, most first: the overview names the first
// five and sums them all for the mandates in force, so the register's mandates in force are read once (through
// the index mandates_in_force_department, migration 0016).
const overviewDepartmentsSQL = `
SELECT department, COUNT(*) AS n
FROM mandates
WHERE state = 'active' AND valid_from <= $1 AND valid_until >= $1
GROUP BY department
ORDER BY n DESC, department`

// overviewDepartments is how many departments the overview names.
const overviewDepartments = 5

// CreateMandate inserts m into the register and sets m.ID and m.CreatedAt = m.UpdatedAt = the clock's now. It
// needs a holder, a theme, both dates (ValidUntil not before ValidFrom) and a valid state, else EInvalid. Only one
// mandate can come from one request item: a second one is EConflict (e.g. two main users granting at once).
func (t *Tx) CreateMandate(ctx context.Context, m *domain.Mandate) error {
	const op = "sqlstore.CreateMandate"
	switch {
	case m.HolderID == "":
		return opError(op, domain.Errorf(domain.EInvalid, "the mandate has no holder"))
	case m.ThemeID == "":
		return opError(op, domain.Errorf(domain.EInvalid, "the mandate has no theme"))
	case m.ValidFrom.IsZero() || m.ValidUntil.IsZero():
		return opError(op, domain.Errorf(domain.EInvalid, "a mandate needs a start and an end date"))
	case m.State != domain.MandateActive && m.State != domain.MandateRevoked:
		return opError(op, domain.Errorf(domain.EInvalid, "unknown mandate state %q", string(m.State)))
	}
	now := t.db.nowUTC()
	var id int64
	err := t.tx.QueryRowContext(ctx, insertMandateSQL,
		m.HolderID, m.HolderName, m.Department, m.ThemeID, dateArg(m.ValidFrom), dateArg(m.ValidUntil),
		string(m.State), idArg(m.RequestID), idArg(m.ItemID), m.GrantedBy, t.db.timeArg(now), string(m.GrantPath),
		m.OpenEnded, dateArg(m.RevokedOn), m.HolderMail, m.Notes,
	).Scan(&id)
	if err != nil {
		return opError(op, err)
	}
	m.ID, m.CreatedAt, m.UpdatedAt = id, now, now
	return nil
}

// MandatesByHolder returns every mandate of the person in the register, in any state, ordered by ValidUntil.
func (db *Register) MandatesByHolder(ctx context.Context, holderID string) ([]domain.Mandate, error) {
	return queryAll(ctx, db.read, "sqlstore.MandatesByHolder", selectMandatesByHolderSQL, scanMandates, holderID)
}

// MandatesEnding returns the active mandates whose last day lies within [from, to] (civil dates), by end date: the
// first limit of them, or all when limit <= 0.
func (db *Register) MandatesEnding(ctx context.Context, from, to time.Time, limit int) ([]domain.Mandate, error) {
	if limit <= 0 {
		limit = math.MaxInt32
	}
	return queryAll(ctx, db.read, "sqlstore.MandatesEnding", `
SELECT `+mandateColumns+`
FROM mandates
WHERE state = 'active' AND valid_until >= $1 AND valid_until <= $2
ORDER BY valid_until, id
LIMIT $3`, scanMandates, dateArg(from), dateArg(to), limit)
}

// scanMandates reads one row of mandateColumns (for queryAll).
func scanMandates(rows *sql.Rows) (domain.Mandate, error) { return scanMandate(rows) }

// scanMandate reads one row of mandateColumns.
func scanMandate(rows interface{ Scan(dest ...any) error }) (domain.Mandate, error) {
	var m domain.Mandate
	err := rows.Scan(&m.ID, &m.HolderID, &m.HolderName, &m.Department, &m.ThemeID,
		dateScanner{&m.ValidFrom}, dateScanner{&m.ValidUntil}, (*string)(&m.State),
		idScanner{&m.RequestID}, idScanner{&m.ItemID}, &m.GrantedBy, (*string)(&m.GrantPath),
		timeScanner{&m.CreatedAt}, timeScanner{&m.UpdatedAt}, &m.OpenEnded, dateScanner{&m.RevokedOn},
		&m.HolderMail, &m.Notes, &m.LapseBy, timeScanner{&m.LapseAt})
	return m, err
}

// Overview returns the main users' picture of the register on the civil date today (its calendar day in its own
// location), read from one snapshot:
//
//   - RequestsByState: the number of requests in each state, with every state present (0 when none);
//   - ActiveMandates: mandates in force today (active, ValidFrom <= today <= ValidUntil);
//   - EndingWithin30/90: those of them whose ValidUntil is at most 30/90 days after today (today included);
//   - OpenGrantTasks: request items approved and not yet granted or refused;
//   - OpenInvalidations: invalidation tasks not yet confirmed;
//   - TopDepartments: the five departments with the most mandates in force, most first, ties by name.
func (db *Register) Overview(ctx context.Context, today time.Time) (domain.Overview, error) {
	const op = "sqlstore.Overview"
	day := time.Date(today.Year(), today.Month(), today.Day(), 0, 0, 0, 0, time.UTC)
	in30, in90 := dateArg(day.AddDate(0, 0, 30)), dateArg(day.AddDate(0, 0, 90))
	ov := domain.Overview{RequestsByState: map[domain.RequestState]int{
		domain.RequestPending: 0, domain.RequestApproved: 0, domain.RequestRejected: 0,
		domain.RequestCancelled: 0, domain.RequestCompleted: 0,
	}}
	err := db.readTx(ctx, func(q querier) error {
		states, err := q.QueryContext(ctx, `SELECT state, COUNT(*) FROM requests GROUP BY state`)
		if err != nil {
			return err
		}
		defer states.Close()
		for states.Next() {
			var state string
			var n int
			if err := states.Scan(&state, &n); err != nil {
				return err
			}
			ov.RequestsByState[domain.RequestState(state)] = n
		}
		if err := states.Err(); err != nil {
			return err
		}
		if err := q.QueryRowContext(ctx, overviewCountsSQL, dateArg(day), in30, in90).Scan(
			&ov.EndingWithin30, &ov.EndingWithin90, &ov.OpenGrantTasks, &ov.SelfGranted, &ov.OpenInvalidations); err != nil {
			return err
		}
		depts, err := q.QueryContext(ctx, overviewDepartmentsSQL, dateArg(day))
		if err != nil {
			return err
		}
		defer depts.Close()
		for depts.Next() {
			var d domain.DepartmentCount
			if err := depts.Scan(&d.Department, &d.Mandates); err != nil {
				return err
			}
			ov.ActiveMandates += d.Mandates
			if len(ov.TopDepartments) < overviewDepartments {
				ov.TopDepartments = append(ov.TopDepartments, d)
			}
		}
		return depts.Err()
	})
	if err != nil {
		return domain.Overview{}, opError(op, err)
	}
	return ov, nil
}

// RecordRight records that DVV registered the organisation's valtuutusoikeus for right.ThemeID on
// right.RegisteredOn, as right.RecordedBy says (RecordedAt becomes the clock's now). A theme recorded already is
// EConflict; a missing theme, day or recorder is EInvalid.
func (t *Tx) RecordRight(ctx context.Context, right domain.GrantingRight) error {
	const op = "sqlstore.RecordRight"
	if right.ThemeID == "" || right.RegisteredOn.IsZero() || right.RecordedBy == "" {
		return opError(op, domain.Errorf(domain.EInvalid, "a granting right needs a theme, a day and who recorded it"))
	}
	_, err := t.tx.ExecContext(ctx, `
INSERT INTO granting_rights (theme_id, registered_on, recorded_by, recorded_at) VALUES ($1, $2, $3, $4)`,
		right.ThemeID, dateArg(right.RegisteredOn.Time()), right.RecordedBy, t.db.timeArg(t.db.nowUTC()))
	if err != nil {
		if classify(err) == domain.EConflict {
			return &domain.Error{Code: domain.EConflict, Op: op, Message: "err.right_already_recorded", Err: err}
		}
		return opError(op, err)
	}
	return nil
}

// MandatesGrantedBy counts the mandates the person recorded as granted, in any state: whether a main user has
// done this before (their grant task then folds the Suomi.fi steps they already know).
func (db *Register) MandatesGrantedBy(ctx context.Context, actorID string) (int, error) {
	if actorID == "" {
		return 0, nil
	}
	var n int
	if err := db.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM mandates WHERE granted_by = $1`, actorID).Scan(&n); err != nil {
		return 0, opError("sqlstore.MandatesGrantedBy", err)
	}
	return n, nil
}

// GrantingRights returns the rights main users recorded, by theme.
func (db *Register) GrantingRights(ctx context.Context) ([]domain.GrantingRight, error) {
	return queryAll(ctx, db.read, "sqlstore.GrantingRights", `
SELECT theme_id, registered_on, recorded_by, recorded_at FROM granting_rights ORDER BY theme_id`,
		func(rows *sql.Rows) (domain.GrantingRight, error) {
			var g domain.GrantingRight
			var on time.Time
			err := rows.Scan(&g.ThemeID, dateScanner{&on}, &g.RecordedBy, timeScanner{&g.RecordedAt})
			g.RegisteredOn = domain.DateOf(on)
			return g, err
		})
}

// HasRight reports whether a main user has recorded the right to grant the theme.
func (t *Tx) HasRight(ctx context.Context, themeID string) (bool, error) {
	var has bool
	err := t.tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM granting_rights WHERE theme_id = $1)`, themeID).Scan(&has)
	if err != nil {
		return false, opError("sqlstore.HasRight", err)
	}
	return has, nil
}

// AwaitingRight counts the approved items of approved requests that wait for the right to grant the theme (not
// covered).
func (t *Tx) AwaitingRight(ctx context.Context, themeID string) (int, error) {
	var n int
	err := t.tx.QueryRowContext(ctx, `
SELECT COUNT(*) FROM request_items i JOIN requests r ON r.id = i.request_id
WHERE i.theme_id = $1 AND i.state = 'approved' AND NOT i.covered AND r.state = 'approved'`, themeID).Scan(&n)
	if err != nil {
		return 0, opError("sqlstore.AwaitingRight", err)
	}
	return n, nil
}
