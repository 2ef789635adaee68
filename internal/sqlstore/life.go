package sqlstore

// Reads inside a transaction for the directory's joiners and leavers and the continuity of the right to grant
// (internal/alerts: joiner.go, leaver.go, continuity.go).

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/valtuusbotti/valtuusbotti/internal/domain"
)

var selectOpenRequestsByRequesterSQL = fmt.Sprintf(selectRequestsSQL, "requests") +
	`WHERE r.requester_id = $1 AND r.state IN ('pending', 'approved') ORDER BY r.created_at, r.id, i.position`

// ActiveMandatesOf returns the person's mandates that are active and have not ended by the civil date today, by end
// date.
func (t *Tx) ActiveMandatesOf(ctx context.Context, holderID string, today time.Time) ([]domain.Mandate, error) {
	return queryAll(ctx, t.tx, "sqlstore.ActiveMandatesOf", `
SELECT `+mandateColumns+` FROM mandates
WHERE holder_id = $1 AND state = 'active' AND valid_until >= $2
ORDER BY valid_until, id`, scanMandates, holderID, dateArg(domain.Civil(today)))
}

// OpenRequestsBy returns the person's requests that still need someone to act (pending or approved), oldest first,
// with their items.
func (t *Tx) OpenRequestsBy(ctx context.Context, requesterID string) ([]domain.Request, error) {
	rs, err := queryRequests(ctx, t.tx, selectOpenRequestsByRequesterSQL, requesterID)
	if err != nil {
		return nil, opError("sqlstore.OpenRequestsBy", err)
	}
	return rs, nil
}

// ThemesInUse returns the themes of the mandates in force on the civil date today and of the items of open
// requests that still wait (pending or approved), sorted.
func (t *Tx) ThemesInUse(ctx context.Context, today time.Time) ([]string, error) {
	return queryAll(ctx, t.tx, "sqlstore.ThemesInUse", `
SELECT theme_id FROM mandates WHERE state = 'active' AND valid_until >= $1
UNION
SELECT i.theme_id FROM request_items i JOIN requests r ON r.id = i.request_id
WHERE r.state IN ('pending', 'approved') AND i.state IN ('pending', 'approved')
ORDER BY 1`, func(rows *sql.Rows) (string, error) {
		var s string
		return s, rows.Scan(&s)
	}, dateArg(domain.Civil(today)))
}
