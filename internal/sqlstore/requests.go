package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/valtuusbotti/valtuusbotti/internal/domain"
)

const insertRequestSQL = `
INSERT INTO requests (
    requester_id, requester_name, requester_mail, requester_department, requester_job_title,
    approver_id, approver_name, approver_basis, state, justification, role_id, task_ids, valid_until,
    decided_by, decided_at, decision_reason, created_at, updated_at, version,
    reassigned_reason, reassigned_from_id, reassigned_from_name, reassigned_at, valid_from, renews_mandate_id
) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $17, 1, $18, $19, $20, $21, $22, $23)
RETURNING id`

const insertItemSQL = `
INSERT INTO request_items (
    request_id, position, theme_id, task_ids, covered, state,
    granted_from, granted_until, granted_by, not_granted_reason, mandate_id, open_key
) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
RETURNING id`

// The version condition makes the update optimistic: it changes nothing when someone else updated first.
const updateRequestSQL = `
UPDATE requests SET
    state = $3, decided_by = $4, decided_at = $5, decision_reason = $6, updated_at = $7, grant_path = $8,
    approver_id = $9, approver_name = $10, approver_basis = $11,
    reassigned_reason = $12, reassigned_from_id = $13, reassigned_from_name = $14, reassigned_at = $15,
    version = version + 1
WHERE id = $1 AND version = $2`

const updateItemSQL = `
UPDATE request_items SET
    state = $3, granted_from = $4, granted_until = $5, granted_by = $6, not_granted_reason = $7, mandate_id = $8,
    open_key = $9, covered = $10, filed_at = $11
WHERE id = $1 AND request_id = $2`

// Requests are read together with their items in one statement (a consistent snapshot on both dialects): one row
// per item, or one row with NULL item columns for a request without items. %s is the FROM source, either the
// requests table or a subquery over it that filters, orders and limits; it is always aliased r.
const selectRequestsSQL = `
SELECT r.id, r.requester_id, r.requester_name, r.requester_mail, r.requester_department, r.requester_job_title,
       r.approver_id, r.approver_name, r.approver_basis, r.state, r.justification, r.role_id, r.task_ids,
       r.valid_until, r.decided_by, r.decided_at, r.decision_reason, r.created_at, r.updated_at, r.version,
       r.grant_path, r.reassigned_reason, r.reassigned_from_id, r.reassigned_from_name, r.reassigned_at, r.valid_from, r.renews_mandate_id, i.id, i.theme_id, i.task_ids, i.covered, i.state, i.granted_from, i.granted_until, i.granted_by,
       i.not_granted_reason, i.mandate_id, i.filed_at
FROM %s r
LEFT JOIN request_items i ON i.request_id = r.id
`

var (
	selectRequestByIDSQL = fmt.Sprintf(selectRequestsSQL, "requests") + `WHERE r.id = $1 ORDER BY i.position`

	selectRequestsByRequesterSQL = fmt.Sprintf(selectRequestsSQL, `(
    SELECT * FROM requests WHERE requester_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2
)`) + `ORDER BY r.created_at DESC, r.id DESC, i.position`

	selectPendingBeforeSQL = fmt.Sprintf(selectRequestsSQL, "requests") +
		`WHERE r.state = 'pending' AND r.created_at < $1 ORDER BY r.created_at, r.id, i.position`

	selectRequestsAwaitingApproverSQL = fmt.Sprintf(selectRequestsSQL, "requests") +
		`WHERE r.approver_id = $1 AND r.state = 'pending' ORDER BY r.created_at, r.id, i.position`

	selectRequestsAwaitingGrantSQL = fmt.Sprintf(selectRequestsSQL, "requests") + `WHERE r.state = 'approved'
  AND EXISTS (SELECT 1 FROM request_items a WHERE a.request_id = r.id AND a.state = 'approved')
ORDER BY r.created_at, r.id, i.position`
)

// CreateRequest inserts r and its items (in the order of r.Items) and sets r.ID, the items' IDs, r.Version = 1 and
// r.CreatedAt = r.UpdatedAt = the clock's now. A request needs a requester, a valid state and at least one item
// with a theme and a valid state; anything else is EInvalid.
func (t *Tx) CreateRequest(ctx context.Context, r *domain.Request) error {
	const op = "sqlstore.CreateRequest"
	if err := validateNewRequest(r); err != nil {
		return opError(op, err)
	}
	tasks, err := listArg(r.TaskIDs)
	if err != nil {
		return opError(op, err)
	}
	now := t.db.nowUTC()
	var id int64
	err = t.tx.QueryRowContext(ctx, insertRequestSQL,
		r.RequesterID, r.RequesterName, r.RequesterMail, r.RequesterDepartment, r.RequesterJobTitle,
		r.ApproverID, r.ApproverName, string(r.ApproverBasis), string(r.State), r.Justification, r.RoleID, tasks,
		dateArg(r.ValidUntil), r.DecidedBy, t.db.nullTimeArg(r.DecidedAt), r.DecisionReason, t.db.timeArg(now),
		string(r.Reassigned.Reason), r.Reassigned.FromID, r.Reassigned.FromName, t.db.nullTimeArg(r.Reassigned.At),
		dateArg(r.ValidFrom), idArg(r.RenewsMandateID),
	).Scan(&id)
	if err != nil {
		return opError(op, err)
	}
	itemIDs := make([]int64, len(r.Items))
	for pos, it := range r.Items {
		itemTasks, err := listArg(it.TaskIDs)
		if err != nil {
			return opError(op, err)
		}
		err = t.tx.QueryRowContext(ctx, insertItemSQL,
			id, pos, it.ThemeID, itemTasks, it.Covered, string(it.State),
			dateArg(it.GrantedFrom), dateArg(it.GrantedUntil), it.GrantedBy, it.NotGrantedReason, idArg(it.MandateID),
			openKey(r.RequesterID, it),
		).Scan(&itemIDs[pos])
		if err != nil {
			if classify(err) == domain.EConflict {
				// The unique open key: this person already has an open request for the theme.
				return &domain.Error{Code: domain.EConflict, Op: op, Message: "err.already_requested", Err: err}
			}
			return opError(op, fmt.Errorf("item %d (%s): %w", pos, it.ThemeID, err))
		}
	}
	// Only now, when everything is written, does r change.
	r.ID, r.Version, r.CreatedAt, r.UpdatedAt = id, 1, now, now
	for i := range r.Items {
		r.Items[i].ID = itemIDs[i]
	}
	return nil
}

func validateNewRequest(r *domain.Request) error {
	switch {
	case r.RequesterID == "":
		return domain.Errorf(domain.EInvalid, "the request has no requester")
	case !validRequestState(r.State):
		return domain.Errorf(domain.EInvalid, "unknown request state %q", string(r.State))
	case len(r.Items) == 0:
		return domain.Errorf(domain.EInvalid, "the request names no mandate theme")
	}
	for _, it := range r.Items {
		if it.ThemeID == "" {
			return domain.Errorf(domain.EInvalid, "a request item has no theme")
		}
		if !validItemState(it.State) {
			return domain.Errorf(domain.EInvalid, "unknown request item state %q", string(it.State))
		}
	}
	return nil
}

func validRequestState(s domain.RequestState) bool {
	switch s {
	case domain.RequestPending, domain.RequestApproved, domain.RequestRejected, domain.RequestCancelled,
		domain.RequestCompleted:
		return true
	}
	return false
}

func validItemState(s domain.ItemState) bool {
	switch s {
	case domain.ItemPending, domain.ItemApproved, domain.ItemRejected, domain.ItemGranted, domain.ItemNotGranted,
		domain.ItemCancelled:
		return true
	}
	return false
}

// Request reads a request with its items inside the transaction; ENotFound when there is none.
func (t *Tx) Request(ctx context.Context, id int64) (domain.Request, error) {
	return requestByID(ctx, t.tx, id)
}

// UpdateRequest writes r's mutable fields if the stored version still equals r.Version: the request's state,
// DecidedBy, DecidedAt, DecisionReason, GrantPath, its approver (ApproverID, ApproverName, ApproverBasis) and
// Reassigned, and for every item in r.Items its state, Covered, FiledAt,
// GrantedFrom, GrantedUntil, GrantedBy, NotGrantedReason and MandateID. Other fields are not written. It then sets r.Version to the new
// version and r.UpdatedAt to the clock's now.
//
// A different stored version is EConflict (someone else changed the request first) and a missing request is
// ENotFound; in both cases nothing is written, and r is unchanged. An item that is not part of the request is
// EInvalid: the caller's transaction must then be rolled back (InTx does so when fn returns the error).
func (t *Tx) UpdateRequest(ctx context.Context, r *domain.Request) error {
	const op = "sqlstore.UpdateRequest"
	if !validRequestState(r.State) {
		return opError(op, domain.Errorf(domain.EInvalid, "unknown request state %q", string(r.State)))
	}
	for _, it := range r.Items {
		if !validItemState(it.State) {
			return opError(op, domain.Errorf(domain.EInvalid, "unknown request item state %q", string(it.State)))
		}
	}
	now := t.db.nowUTC()
	n, err := changedRows(ctx, t.tx, updateRequestSQL, r.ID, r.Version,
		string(r.State), r.DecidedBy, t.db.nullTimeArg(r.DecidedAt), r.DecisionReason, t.db.timeArg(now),
		string(r.GrantPath), r.ApproverID, r.ApproverName, string(r.ApproverBasis),
		string(r.Reassigned.Reason), r.Reassigned.FromID, r.Reassigned.FromName, t.db.nullTimeArg(r.Reassigned.At))
	if err != nil {
		return opError(op, err)
	}
	if n == 0 {
		return opError(op, t.whyNotUpdated(ctx, r))
	}
	for _, it := range r.Items {
		res, err := t.tx.ExecContext(ctx, updateItemSQL, it.ID, r.ID, string(it.State),
			dateArg(it.GrantedFrom), dateArg(it.GrantedUntil), it.GrantedBy, it.NotGrantedReason, idArg(it.MandateID),
			openKey(r.RequesterID, it), it.Covered, t.db.nullTimeArg(it.FiledAt))
		if err != nil {
			return opError(op, fmt.Errorf("item %d: %w", it.ID, err))
		}
		if n, err := res.RowsAffected(); err != nil {
			return opError(op, err)
		} else if n == 0 {
			return opError(op, domain.Errorf(domain.EInvalid, "item %d is not part of request %d", it.ID, r.ID))
		}
	}
	r.Version++
	r.UpdatedAt = now
	return nil
}

// whyNotUpdated tells a missing request (ENotFound) from one changed by someone else (EConflict).
func (t *Tx) whyNotUpdated(ctx context.Context, r *domain.Request) error {
	var version int
	err := t.tx.QueryRowContext(ctx, `SELECT version FROM requests WHERE id = $1`, r.ID).Scan(&version)
	if err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return domain.Errorf(domain.ENotFound, "request %d not found", r.ID)
		}
		return err
	}
	return domain.Errorf(domain.EConflict,
		"request %d was changed by someone else in the meantime (version %d, not %d)", r.ID, version, r.Version)
}

// Request returns the request with its items, in their original order; ENotFound when there is none.
func (db *Register) Request(ctx context.Context, id int64) (domain.Request, error) {
	return requestByID(ctx, db.read, id)
}

func requestByID(ctx context.Context, q querier, id int64) (domain.Request, error) {
	const op = "sqlstore.Request"
	rs, err := queryRequests(ctx, q, selectRequestByIDSQL, id)
	if err != nil {
		return domain.Request{}, opError(op, err)
	}
	if len(rs) == 0 {
		return domain.Request{}, opError(op, domain.Errorf(domain.ENotFound, "request %d not found", id))
	}
	return rs[0], nil
}

// RequestsByRequester returns the person's requests, newest first, with their items: at most limit of them, or all
// when limit <= 0.
func (db *Register) RequestsByRequester(ctx context.Context, requesterID string, limit int) ([]domain.Request, error) {
	if limit <= 0 {
		limit = math.MaxInt32
	}
	rs, err := queryRequests(ctx, db.read, selectRequestsByRequesterSQL, requesterID, limit)
	if err != nil {
		return nil, opError("sqlstore.RequestsByRequester", err)
	}
	return rs, nil
}

// RequestsAwaitingApprover returns the pending requests whose approver is approverID, oldest first, with items.
func (db *Register) RequestsAwaitingApprover(ctx context.Context, approverID string) ([]domain.Request, error) {
	rs, err := queryRequests(ctx, db.read, selectRequestsAwaitingApproverSQL, approverID)
	if err != nil {
		return nil, opError("sqlstore.RequestsAwaitingApprover", err)
	}
	return rs, nil
}

const hasRequestsAwaitingApproverSQL = `SELECT EXISTS (SELECT 1 FROM requests WHERE approver_id = $1 AND state = 'pending')`

// HasRequestsAwaitingApprover reports whether any request waits for approverID's decision: RequestsAwaitingApprover
// for a card that only needs to know (the welcome card), one index probe instead of the requests and their items.
func (db *Register) HasRequestsAwaitingApprover(ctx context.Context, approverID string) (bool, error) {
	var ok bool
	err := db.read.QueryRowContext(ctx, hasRequestsAwaitingApproverSQL, approverID).Scan(&ok)
	if err != nil {
		return false, opError("sqlstore.HasRequestsAwaitingApprover", err)
	}
	return ok, nil
}

// PendingBefore returns the requests made before t that still wait for their approver, oldest first.
func (db *Register) PendingBefore(ctx context.Context, t time.Time) ([]domain.Request, error) {
	rs, err := queryRequests(ctx, db.read, selectPendingBeforeSQL, db.timeArg(t))
	if err != nil {
		return nil, opError("sqlstore.PendingBefore", err)
	}
	return rs, nil
}

// RequestsAwaitingGrant returns the approved requests that still have at least one approved (not yet granted or
// refused) item, oldest first, with all their items.
func (db *Register) RequestsAwaitingGrant(ctx context.Context) ([]domain.Request, error) {
	rs, err := queryRequests(ctx, db.read, selectRequestsAwaitingGrantSQL)
	if err != nil {
		return nil, opError("sqlstore.RequestsAwaitingGrant", err)
	}
	return rs, nil
}

// queryRequests runs a selectRequestsSQL query, whose rows come grouped by request, and assembles the requests.
func queryRequests(ctx context.Context, q querier, query string, args ...any) ([]domain.Request, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []domain.Request
	for rows.Next() {
		var (
			r        domain.Request
			it       domain.RequestItem
			theme    sql.NullString
			covered  sql.NullBool
			state    sql.NullString
			grantBy  sql.NullString
			notGrant sql.NullString
		)
		if err := rows.Scan(
			&r.ID, &r.RequesterID, &r.RequesterName, &r.RequesterMail, &r.RequesterDepartment, &r.RequesterJobTitle,
			&r.ApproverID, &r.ApproverName, (*string)(&r.ApproverBasis), (*string)(&r.State), &r.Justification,
			&r.RoleID, listScanner{&r.TaskIDs}, dateScanner{&r.ValidUntil}, &r.DecidedBy, timeScanner{&r.DecidedAt},
			&r.DecisionReason, timeScanner{&r.CreatedAt}, timeScanner{&r.UpdatedAt}, &r.Version, (*string)(&r.GrantPath),
			(*string)(&r.Reassigned.Reason), &r.Reassigned.FromID, &r.Reassigned.FromName, timeScanner{&r.Reassigned.At},
			dateScanner{&r.ValidFrom}, idScanner{&r.RenewsMandateID},
			idScanner{&it.ID}, &theme, listScanner{&it.TaskIDs}, &covered, &state, dateScanner{&it.GrantedFrom},
			dateScanner{&it.GrantedUntil}, &grantBy, &notGrant, idScanner{&it.MandateID}, timeScanner{&it.FiledAt},
		); err != nil {
			return nil, err
		}
		if len(out) == 0 || out[len(out)-1].ID != r.ID {
			out = append(out, r)
		}
		if it.ID != 0 {
			it.ThemeID, it.Covered, it.State = theme.String, covered.Bool, domain.ItemState(state.String)
			it.GrantedBy, it.NotGrantedReason = grantBy.String, notGrant.String
			last := &out[len(out)-1]
			last.Items = append(last.Items, it)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return out, nil
}

// openKey is the item's key in the unique index of open items: one open request per person and theme. Items that
// are no longer open have none (NULL), so they never block a new request.
func openKey(requesterID string, it domain.RequestItem) any {
	if it.State != domain.ItemPending && it.State != domain.ItemApproved {
		return nil
	}
	return requesterID + ":" + it.ThemeID
}
