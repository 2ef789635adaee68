package sqlstore

import (
	"context"
	"crypto/rand"
	"database/sql"
	"fmt"
	"slices"
	"time"

	"github.com/valtuusbotti/valtuusbotti/internal/domain"
)

const insertOutboxSQL = `
INSERT INTO outbox (kind, recipient_id, request_id, payload, created_at, attempts, next_attempt)
VALUES ($1, $2, $3, $4, $5, 0, $5)`

const outboxColumns = `id, kind, recipient_id, request_id, payload, created_at, attempts, next_attempt, delivered_at,
    last_error`

// Claiming is one statement, so it is atomic on both dialects: on SQLite the statement holds the database's write
// lock; on PostgreSQL FOR UPDATE locks the chosen rows and SKIP LOCKED makes a concurrent claimer take the next ones
// instead of waiting and then finding them already claimed. A message is claimable when it is due and nobody holds
// a live claim on it. $1 is now, $2 the end of the lease, $3 the limit, $4 the claim's token.
//
// A claim is fair between conversations: it takes at most claimPerConversation messages of any one recipient (card
// refreshes count per request), oldest first, so a person receiving hundreds of cards, whose conversation Teams
// lets the bot write to only a few times a second, never holds up everybody else's messages.
const claimOutboxSQL = `
UPDATE outbox SET attempts = attempts + 1, next_attempt = $2, claimed_until = $2, claim_token = $4,
    waiting_recipient = FALSE
WHERE id IN (
    SELECT id FROM outbox
    WHERE id IN (
        SELECT id FROM (
            SELECT id, ROW_NUMBER() OVER (
                PARTITION BY recipient_id, CASE WHEN recipient_id = '' THEN request_id END ORDER BY id) AS nth
            FROM outbox
            WHERE delivered_at IS NULL AND abandoned_at IS NULL AND next_attempt <= $1
                AND (claimed_until IS NULL OR claimed_until <= $1)
        ) due
        WHERE nth <= ` + claimPerConversation + `
    )
    -- again here: on PostgreSQL the row lock re-checks these against a row another claimer just committed
    AND delivered_at IS NULL AND abandoned_at IS NULL AND next_attempt <= $1
    AND (claimed_until IS NULL OR claimed_until <= $1)
    -- someone waits for these: an approver for their card, everybody for their cards' current state
    ORDER BY CASE kind WHEN 'approval_request' THEN 0 WHEN 'refresh_cards' THEN 1 ELSE 2 END, id
    LIMIT $3%s
)
RETURNING ` + outboxColumns

// Within that, approval cards and card refreshes go first: a person is waiting to act on them, while notices and
// grant tasks can wait the few seconds a busy Teams budget costs.

// claimPerConversation is how many messages of one recipient a claim takes at most.
const claimPerConversation = "2"

var (
	claimOutboxSQLite   = fmt.Sprintf(claimOutboxSQL, "")
	claimOutboxPostgres = fmt.Sprintf(claimOutboxSQL, "\n    FOR UPDATE SKIP LOCKED")
)

// Every statement that acts on a claim matches the row by id ($1), token ($2) and a lease that has not ended at now
// ($3), and those that end the claim clear it; their own arguments start at $4.
const (
	liveClaim = `WHERE id = $1 AND claim_token = $2 AND claimed_until > $3`
	endClaim  = `claim_token = NULL, claimed_until = NULL`
)

// claimedTable is a table whose rows are held under fenced claims: its name, and what its errors call a row.
type claimedTable struct{ name, row string }

var (
	outboxRows = claimedTable{"outbox", "outbox message"}
	jobRows    = claimedTable{"scheduled_jobs", "scheduled job"}
)

// markClaimed runs query, which matches the row of table t with liveClaim, with id, token and now before args. When
// it changes no row, the claim was lost (EConflict), or the row does not exist (ENotFound).
func (c *conn) markClaimed(ctx context.Context, op string, t claimedTable, id int64, token string, now time.Time, query string, args ...any) error {
	n, err := changedRows(ctx, c.write, query, append([]any{id, token, c.timeArg(now)}, args...)...)
	if err != nil {
		return opError(op, err)
	}
	if n == 1 {
		return nil
	}
	var exists bool
	if err := c.read.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM `+t.name+` WHERE id = $1)`, id).Scan(&exists); err != nil {
		return opError(op, err)
	}
	if !exists {
		return opError(op, domain.Errorf(domain.ENotFound, "%s %d not found", t.row, id))
	}
	return opError(op, domain.Errorf(domain.EConflict, "claim lost: %s %d is no longer held by this claim", t.row, id))
}

// Enqueue adds an outbox message, due now (the clock's now); ID, CreatedAt, Attempts, NextAttempt, DeliveredAt and
// LastError of m are ignored. Kind is required and Payload must be valid JSON or empty, else EInvalid.
func (t *Tx) Enqueue(ctx context.Context, m domain.OutboxMessage) error {
	const op = "sqlstore.Enqueue"
	if m.Kind == "" {
		return opError(op, domain.Errorf(domain.EInvalid, "an outbox message needs a kind"))
	}
	payload, err := jsonArg("the outbox payload", m.Payload)
	if err != nil {
		return opError(op, err)
	}
	if _, err := t.tx.ExecContext(ctx, insertOutboxSQL, m.Kind, m.RecipientID, idArg(m.RequestID), payload,
		t.db.timeArg(t.db.nowUTC())); err != nil {
		return opError(op, err)
	}
	return nil
}

// taskCardsSQL reads, for recipient $1 at now $2, whether a task list waits unclaimed, and whether any grant-task
// card or list is waiting, in delivery, or was delivered since $3.
const taskCardsSQL = `
SELECT
    EXISTS (SELECT 1 FROM outbox WHERE recipient_id = $1 AND kind = 'grant_digest'
        AND delivered_at IS NULL AND abandoned_at IS NULL AND (claimed_until IS NULL OR claimed_until <= $2)),
    EXISTS (SELECT 1 FROM outbox WHERE recipient_id = $1 AND kind IN ('grant_task', 'grant_digest')
        AND abandoned_at IS NULL AND (delivered_at IS NULL OR delivered_at >= $3))`

// TaskCards reads what the outbox holds for a main user's grant-task cards, at the store's clock: whether a task
// list waits unclaimed, and whether a task card or list is waiting, in delivery, or was delivered within
// domain.CoalesceWindow.
func (t *Tx) TaskCards(ctx context.Context, recipientID string) (domain.TaskCards, error) {
	const op = "sqlstore.TaskCards"
	now := t.db.nowUTC()
	var c domain.TaskCards
	if err := t.tx.QueryRowContext(ctx, taskCardsSQL, recipientID, t.db.timeArg(now),
		t.db.timeArg(now.Add(-domain.CoalesceWindow))).Scan(&c.DigestWaiting, &c.Recent); err != nil {
		return c, opError(op, err)
	}
	return c, nil
}

// ClaimOutbox returns up to limit undelivered, not abandoned messages whose NextAttempt is at or before now and that
// no live claim holds, oldest first, after atomically incrementing their Attempts, moving their NextAttempt to
// now+lease (the values returned are the new ones) and giving them a claim: a new random token, returned with
// them ("" when there are none), whose lease ends at now+lease. Concurrent claimers, in this process or others,
// never get the same message while its lease lasts; once it has ended, another claimer may take the message and
// the token no longer holds it. limit and lease must be positive (EInvalid).
func (db *Outbox) ClaimOutbox(ctx context.Context, now time.Time, limit int, lease time.Duration) ([]domain.OutboxMessage, string, error) {
	const op = "sqlstore.ClaimOutbox"
	if limit <= 0 || lease <= 0 {
		return nil, "", opError(op, domain.Errorf(domain.EInvalid, "claiming needs a positive limit and lease"))
	}
	query := claimOutboxSQLite
	if db.dialect == DialectPostgres {
		query = claimOutboxPostgres
	}
	token := rand.Text()
	now = now.UTC().Truncate(time.Microsecond)
	rows, err := db.write.QueryContext(ctx, query, db.timeArg(now), db.timeArg(now.Add(lease)), limit, token)
	if err != nil {
		return nil, "", opError(op, err)
	}
	out, err := scanOutbox(rows)
	if err != nil {
		return nil, "", opError(op, err)
	}
	if len(out) == 0 {
		return nil, "", nil
	}
	// RETURNING gives rows in no defined order.
	slices.SortFunc(out, func(a, b domain.OutboxMessage) int { return cmpInt64(a.ID, b.ID) })
	return out, token, nil
}

// RenewClaim extends the claim token holds on message id to now+lease (its NextAttempt moves with it), if that
// claim is live at now: the message's current claim, its lease not ended. Otherwise the claim is lost (EConflict)
// and nothing changes. lease must be positive (EInvalid); an unknown id is ENotFound.
func (db *Outbox) RenewClaim(ctx context.Context, id int64, token string, now time.Time, lease time.Duration) error {
	const op = "sqlstore.RenewClaim"
	if lease <= 0 {
		return opError(op, domain.Errorf(domain.EInvalid, "renewing a claim needs a positive lease"))
	}
	until := db.timeArg(now.Add(lease))
	return db.markClaimed(ctx, op, outboxRows, id, token, now,
		`UPDATE outbox SET next_attempt = $4, claimed_until = $4 `+liveClaim, until)
}

// MarkDelivered records that the message was delivered at at, and ends the claim. Like every Mark method it takes
// the token of the claim under which the message was delivered and changes the message only while that claim is
// live at at (now): the message's current claim, its lease not ended. Otherwise the claim is lost (EConflict),
// perhaps to another worker, and nothing changes. An unknown id is ENotFound.
func (db *Outbox) MarkDelivered(ctx context.Context, id int64, token string, at time.Time) error {
	return db.markClaimed(ctx, "sqlstore.MarkDelivered", outboxRows, id, token, at,
		`UPDATE outbox SET delivered_at = $3, `+endClaim+` `+liveClaim)
}

// MarkRetry records a failed attempt under the claim token, live at now (see MarkDelivered): the claim ends and the
// message is due again at next, with lastError kept for the record.
func (db *Outbox) MarkRetry(ctx context.Context, id int64, token string, now, next time.Time, lastError string) error {
	return db.markClaimed(ctx, "sqlstore.MarkRetry", outboxRows, id, token, now,
		`UPDATE outbox SET next_attempt = $4, last_error = $5, `+endClaim+` `+liveClaim, db.timeArg(next), lastError)
}

// MarkAbandoned records, under the claim token, live at at (see MarkDelivered), that the message will not be tried
// again (abandoned at at, because of lastError). It stays in the table for the record but is neither claimed nor
// counted as pending.
func (db *Outbox) MarkAbandoned(ctx context.Context, id int64, token string, at time.Time, lastError string) error {
	return db.markClaimed(ctx, "sqlstore.MarkAbandoned", outboxRows, id, token, at,
		`UPDATE outbox SET abandoned_at = $3, last_error = $4, `+endClaim+` `+liveClaim, lastError)
}

// MarkWaiting records, under the claim token, live at now (see MarkDelivered), that the recipient cannot be reached
// yet: the claim ends and the message is tried again at next (or sooner, when ReleaseWaiting is called for the
// recipient; at once when it was called while this attempt ran), and this attempt does not count towards
// abandoning it.
func (db *Outbox) MarkWaiting(ctx context.Context, id int64, token string, now, next time.Time, lastError string) error {
	return db.markClaimed(ctx, "sqlstore.MarkWaiting", outboxRows, id, token, now,
		`UPDATE outbox SET waiting_recipient = TRUE, next_attempt = CASE WHEN release_requested THEN $3 ELSE $4 END,
    release_requested = FALSE, last_error = $5, `+endClaim+`,
    attempts = CASE WHEN attempts > 0 THEN attempts - 1 ELSE 0 END
`+liveClaim, db.timeArg(next), lastError)
}

// ReleaseWaiting makes the messages waiting for recipientID due at now, because the person can now be reached. It
// touches only messages marked waiting, never one that a worker has claimed, so nothing is delivered twice; a
// claimed one is asked to be released (MarkWaiting then makes it due at once) in case its attempt is about to find
// the person unreachable. It returns how many waiting messages it released.
func (db *Outbox) ReleaseWaiting(ctx context.Context, recipientID string, now time.Time) (int64, error) {
	const op = "sqlstore.ReleaseWaiting"
	if _, err := db.write.ExecContext(ctx, `
UPDATE outbox SET release_requested = TRUE
WHERE recipient_id = $1 AND claim_token IS NOT NULL AND delivered_at IS NULL AND abandoned_at IS NULL`, recipientID); err != nil {
		return 0, opError(op, err)
	}
	res, err := db.write.ExecContext(ctx, `
UPDATE outbox SET next_attempt = $2
WHERE recipient_id = $1 AND waiting_recipient = TRUE AND delivered_at IS NULL AND abandoned_at IS NULL`,
		recipientID, db.timeArg(now))
	if err != nil {
		return 0, opError(op, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, opError(op, err)
	}
	return n, nil
}

// PendingOutbox returns the number of messages neither delivered nor abandoned, for metrics and tests.
func (db *Outbox) PendingOutbox(ctx context.Context) (int, error) {
	var n int
	err := db.read.QueryRowContext(ctx,
		`SELECT COUNT(*) FROM outbox WHERE delivered_at IS NULL AND abandoned_at IS NULL`).Scan(&n)
	if err != nil {
		return 0, opError("sqlstore.PendingOutbox", err)
	}
	return n, nil
}

// ForRequest returns every outbox message of a request, in any state, in the order they were enqueued; for tests.
func (db *Outbox) ForRequest(ctx context.Context, requestID int64) ([]domain.OutboxMessage, error) {
	return db.where(ctx, "sqlstore.ForRequest", "request_id", requestID)
}

// ForRecipient returns the messages to a person, oldest first, for tests and support.
func (db *Outbox) ForRecipient(ctx context.Context, recipientID string) ([]domain.OutboxMessage, error) {
	return db.where(ctx, "sqlstore.ForRecipient", "recipient_id", recipientID)
}

// where returns the messages whose column (a constant of the callers) equals value, oldest first.
func (db *Outbox) where(ctx context.Context, op, column string, value any) ([]domain.OutboxMessage, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT `+outboxColumns+` FROM outbox WHERE `+column+` = $1 ORDER BY id`, value)
	if err != nil {
		return nil, opError(op, err)
	}
	out, err := scanOutbox(rows)
	if err != nil {
		return nil, opError(op, err)
	}
	return out, nil
}

// scanOutbox reads rows of outboxColumns and closes them.
func scanOutbox(rows *sql.Rows) ([]domain.OutboxMessage, error) {
	defer rows.Close()
	var out []domain.OutboxMessage
	for rows.Next() {
		var m domain.OutboxMessage
		if err := rows.Scan(&m.ID, &m.Kind, &m.RecipientID, idScanner{&m.RequestID}, jsonScanner{&m.Payload},
			timeScanner{&m.CreatedAt}, &m.Attempts, timeScanner{&m.NextAttempt}, timeScanner{&m.DeliveredAt},
			&m.LastError); err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return out, nil
}

// OldestPending returns when the oldest message neither delivered nor abandoned was written (zero when none), for
// the backlog-age metric.
func (db *Outbox) OldestPending(ctx context.Context) (time.Time, error) {
	var t time.Time
	err := db.read.QueryRowContext(ctx, `
SELECT MIN(created_at) FROM outbox WHERE delivered_at IS NULL AND abandoned_at IS NULL`).Scan(timeScanner{&t})
	if err != nil {
		return time.Time{}, opError("sqlstore.OldestPending", err)
	}
	return t, nil
}
