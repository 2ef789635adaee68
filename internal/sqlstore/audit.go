package sqlstore

import (
	"context"
	"database/sql"

	"github.com/valtuusbotti/valtuusbotti/internal/domain"
)

const insertAuditSQL = `
INSERT INTO audit_log (at, actor_id, action, request_id, mandate_id, before, after, activity_id)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`

const selectAuditForRequestSQL = `
SELECT id, at, actor_id, action, request_id, mandate_id, before, after, activity_id
FROM audit_log
WHERE request_id = $1
ORDER BY at, id`

// AppendAudit adds one row to the audit trail; At is the clock's now when zero. ActorID and Action are required,
// Before and After must be valid JSON or empty (stored as NULL), else EInvalid. The database itself refuses any
// UPDATE or DELETE of audit rows (triggers on both dialects), so the trail is append-only whoever writes to it.
func (t *Tx) AppendAudit(ctx context.Context, e domain.AuditEvent) error {
	const op = "sqlstore.AppendAudit"
	if e.ActorID == "" || e.Action == "" {
		return opError(op, domain.Errorf(domain.EInvalid, "an audit event needs an actor and an action"))
	}
	before, err := jsonArg("the audit event's before snapshot", e.Before)
	if err != nil {
		return opError(op, err)
	}
	after, err := jsonArg("the audit event's after snapshot", e.After)
	if err != nil {
		return opError(op, err)
	}
	at := e.At
	if at.IsZero() {
		at = t.db.nowUTC()
	}
	if _, err := t.tx.ExecContext(ctx, insertAuditSQL, t.db.timeArg(at), e.ActorID, e.Action,
		idArg(e.RequestID), idArg(e.MandateID), before, after, e.ActivityID); err != nil {
		return opError(op, err)
	}
	return nil
}

// AuditForRequest returns the audit trail of one request, oldest first (by At, then in the order written).
// Before and After come back exactly as written, or nil for none.
func (db *Register) AuditForRequest(ctx context.Context, requestID int64) ([]domain.AuditEvent, error) {
	const op = "sqlstore.AuditForRequest"
	return queryAll(ctx, db.read, op, selectAuditForRequestSQL, func(rows *sql.Rows) (domain.AuditEvent, error) {
		var e domain.AuditEvent
		err := rows.Scan(&e.ID, timeScanner{&e.At}, &e.ActorID, &e.Action, idScanner{&e.RequestID},
			idScanner{&e.MandateID}, jsonScanner{&e.Before}, jsonScanner{&e.After}, &e.ActivityID)
		return e, err
	}, requestID)
}
