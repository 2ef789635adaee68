package sqlstore

import (
	"context"
	"database/sql"

	"github.com/valtuusbotti/valtuusbotti/internal/domain"
)

const upsertCardRefSQL = `
INSERT INTO card_refs (request_id, recipient_id, kind, conversation_id, service_url, activity_id, updated_at)
VALUES ($1, $2, $3, $4, $5, $6, $7)
ON CONFLICT (request_id, recipient_id, kind) DO UPDATE SET
    conversation_id = excluded.conversation_id,
    service_url     = excluded.service_url,
    activity_id     = excluded.activity_id,
    updated_at      = excluded.updated_at`

// SaveCardRef remembers a card the bot posted, so that it can be updated when its request changes. There is one
// reference per request, recipient and kind: saving again (e.g. after the card was re-posted) replaces it.
// ref.UpdatedAt is ignored and becomes the clock's now. RequestID, Kind, ConversationID and ActivityID are
// required (EInvalid); an unknown request is EInvalid too.
func (db *People) SaveCardRef(ctx context.Context, ref domain.CardRef) error {
	const op = "sqlstore.SaveCardRef"
	if ref.RequestID == 0 || ref.Kind == "" || ref.ConversationID == "" || ref.ActivityID == "" {
		return opError(op, domain.Errorf(domain.EInvalid,
			"a card reference needs a request, a kind, a conversation and an activity id"))
	}
	if _, err := db.write.ExecContext(ctx, upsertCardRefSQL, ref.RequestID, ref.RecipientID, ref.Kind,
		ref.ConversationID, ref.ServiceURL, ref.ActivityID, db.timeArg(db.nowUTC())); err != nil {
		return opError(op, err)
	}
	return nil
}

// CardRefs returns the stored card references of a request, ordered by kind and recipient.
func (db *People) CardRefs(ctx context.Context, requestID int64) ([]domain.CardRef, error) {
	const op = "sqlstore.CardRefs"
	return queryAll(ctx, db.read, op, `
SELECT request_id, recipient_id, kind, conversation_id, service_url, activity_id, updated_at
FROM card_refs WHERE request_id = $1 ORDER BY kind, recipient_id`, func(rows *sql.Rows) (domain.CardRef, error) {
		var c domain.CardRef
		err := rows.Scan(&c.RequestID, &c.RecipientID, &c.Kind, &c.ConversationID, &c.ServiceURL,
			&c.ActivityID, timeScanner{&c.UpdatedAt})
		return c, err
	}, requestID)
}
