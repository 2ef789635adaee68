package sqlstore

import (
	"context"
	"time"

	"github.com/valtuusbotti/valtuusbotti/internal/domain"
)

// Delegations: an approver away hands their approvals to a colleague for a period (domain.Delegation).

const insertDelegationSQL = `
INSERT INTO delegations (approver_id, approver_name, delegate_id, delegate_name, starts_on, ends_on, created_by, created_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
RETURNING id`

// The delegations of an approver not ended and lasting until from or later, by their first day.
const selectDelegationsSQL = `
SELECT id, approver_id, approver_name, delegate_id, delegate_name, starts_on, ends_on, created_by, created_at,
       ended_at, ended_by
FROM delegations
WHERE approver_id = $1 AND ended_at IS NULL AND ends_on >= $2
ORDER BY starts_on, id`

// CreateDelegation stores d and sets its ID and CreatedAt (the clock's now). The rules (domain.NewDelegation) are
// the caller's; the store refuses only what no rule could allow (no approver or delegate, the approver as their
// own delegate, a period that ends before it starts: EInvalid).
func (t *Tx) CreateDelegation(ctx context.Context, d *domain.Delegation) error {
	const op = "sqlstore.CreateDelegation"
	switch {
	case d.ApproverID == "" || d.DelegateID == "" || d.CreatedBy == "":
		return opError(op, domain.Errorf(domain.EInvalid, "a delegation needs an approver, a delegate and who set it"))
	case d.From.IsZero() || d.Until.IsZero() || d.Until.Before(d.From):
		return opError(op, domain.Errorf(domain.EInvalid, "a delegation needs a period that ends on or after its start"))
	}
	now := t.db.nowUTC()
	var id int64
	err := t.tx.QueryRowContext(ctx, insertDelegationSQL, d.ApproverID, d.ApproverName, d.DelegateID, d.DelegateName,
		dateArg(d.From.Time()), dateArg(d.Until.Time()), d.CreatedBy, t.db.timeArg(now)).Scan(&id)
	if err != nil {
		return opError(op, err)
	}
	d.ID, d.CreatedAt = id, now
	return nil
}

// DelegationsOf returns, inside the transaction, the approver's delegations that are not ended and last until from
// or later (in force then, or to come), by their first day.
func (t *Tx) DelegationsOf(ctx context.Context, approverID string, from domain.Date) ([]domain.Delegation, error) {
	ds, err := queryDelegations(ctx, t.tx, approverID, from)
	return ds, opError("sqlstore.DelegationsOf", err)
}

// Delegations is DelegationsOf outside a transaction.
func (db *Register) Delegations(ctx context.Context, approverID string, from domain.Date) ([]domain.Delegation, error) {
	ds, err := queryDelegations(ctx, db.read, approverID, from)
	return ds, opError("sqlstore.Delegations", err)
}

// EndDelegation records that d ended early (d.EndedAt, d.EndedBy). A delegation that is gone or ended already is
// EConflict: someone ended it first.
func (t *Tx) EndDelegation(ctx context.Context, d domain.Delegation) error {
	const op = "sqlstore.EndDelegation"
	if d.EndedAt.IsZero() || d.EndedBy == "" {
		return opError(op, domain.Errorf(domain.EInvalid, "an ended delegation needs when and by whom"))
	}
	n, err := changedRows(ctx, t.tx, `UPDATE delegations SET ended_at = $2, ended_by = $3 WHERE id = $1 AND ended_at IS NULL`,
		d.ID, t.db.timeArg(d.EndedAt), d.EndedBy)
	if err != nil {
		return opError(op, err)
	}
	if n == 0 {
		return opError(op, domain.Errorf(domain.EConflict, "err.delegation_ended"))
	}
	return nil
}

// RequestsAwaitingApprover is Register.RequestsAwaitingApprover inside the transaction.
func (t *Tx) RequestsAwaitingApprover(ctx context.Context, approverID string) ([]domain.Request, error) {
	rs, err := queryRequests(ctx, t.tx, selectRequestsAwaitingApproverSQL, approverID)
	return rs, opError("sqlstore.RequestsAwaitingApprover", err)
}

func queryDelegations(ctx context.Context, q querier, approverID string, from domain.Date) ([]domain.Delegation, error) {
	rows, err := q.QueryContext(ctx, selectDelegationsSQL, approverID, dateArg(from.Time()))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []domain.Delegation
	for rows.Next() {
		var d domain.Delegation
		var starts, ends time.Time
		if err := rows.Scan(&d.ID, &d.ApproverID, &d.ApproverName, &d.DelegateID, &d.DelegateName,
			dateScanner{&starts}, dateScanner{&ends}, &d.CreatedBy, timeScanner{&d.CreatedAt},
			timeScanner{&d.EndedAt}, &d.EndedBy); err != nil {
			return nil, err
		}
		d.From, d.Until = domain.DateOf(starts), domain.DateOf(ends)
		out = append(out, d)
	}
	return out, rows.Err()
}
