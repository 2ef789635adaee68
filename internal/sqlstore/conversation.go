package sqlstore

import (
	"context"
	"database/sql"
	"errors"

	"github.com/valtuusbotti/valtuusbotti/internal/domain"
)

// One statement for both dialects: an upsert where an empty value never replaces a stored one, returning whether
// messages wait for the person (hasWaitingExpr). $11 (the time) is used twice; SQLite, like PostgreSQL, binds a
// repeated "$11" to the same argument.
const upsertConversationRefSQL = `
INSERT INTO conversation_refs (
    aad_object_id, user_id, user_name, bot_id, conversation_id, conversation_type,
    service_url, tenant_id, channel_id, locale, created_at, updated_at
) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11)
ON CONFLICT (aad_object_id) DO UPDATE SET
    user_id           = COALESCE(NULLIF(excluded.user_id, ''), conversation_refs.user_id),
    user_name         = COALESCE(NULLIF(excluded.user_name, ''), conversation_refs.user_name),
    bot_id            = COALESCE(NULLIF(excluded.bot_id, ''), conversation_refs.bot_id),
    conversation_id   = COALESCE(NULLIF(excluded.conversation_id, ''), conversation_refs.conversation_id),
    conversation_type = COALESCE(NULLIF(excluded.conversation_type, ''), conversation_refs.conversation_type),
    service_url       = COALESCE(NULLIF(excluded.service_url, ''), conversation_refs.service_url),
    tenant_id         = COALESCE(NULLIF(excluded.tenant_id, ''), conversation_refs.tenant_id),
    channel_id        = COALESCE(NULLIF(excluded.channel_id, ''), conversation_refs.channel_id),
    locale            = COALESCE(NULLIF(excluded.locale, ''), conversation_refs.locale),
    updated_at        = excluded.updated_at
RETURNING ` + hasWaitingExpr

const selectConversationRefSQL = `
SELECT c.aad_object_id, c.user_id, c.user_name, c.bot_id, c.conversation_id, c.conversation_type,
       c.service_url, c.tenant_id, c.channel_id, c.locale, COALESCE(s.language, ''), c.updated_at
FROM conversation_refs c
LEFT JOIN user_settings s ON s.aad_object_id = c.aad_object_id
WHERE c.aad_object_id = $1`

const upsertLanguageSQL = `
INSERT INTO user_settings (aad_object_id, language, created_at, updated_at) VALUES ($1, $2, $3, $3)
ON CONFLICT (aad_object_id) DO UPDATE SET language = excluded.language, updated_at = excluded.updated_at`

// UpsertConversationRef stores what ref says about the person ref.AADObjectID, inserting or updating their row.
//
// Empty fields of ref leave the stored values alone, so an activity from a group chat or channel (where the caller
// passes no personal ConversationID) keeps the stored 1:1 conversation. ConversationType describes that stored
// conversation, so it is recorded only together with a ConversationID and ignored without one. ref.Language and
// ref.UpdatedAt are ignored: the language is changed only by SetLanguage, and UpdatedAt becomes the clock's now.
// An empty AADObjectID is EInvalid.
func (db *People) UpsertConversationRef(ctx context.Context, ref domain.ConversationRef) error {
	_, err := db.RememberConversationRef(ctx, ref)
	return err
}

// RememberConversationRef is UpsertConversationRef that also tells, from the same statement, whether messages wait
// for the person (HasWaiting): a turn that stores a new person's reference learns whether anything must be
// released without a read of its own. On SQLite, upserts that arrive together are committed together (refBatch).
func (db *People) RememberConversationRef(ctx context.Context, ref domain.ConversationRef) (waiting bool, err error) {
	const op = "sqlstore.UpsertConversationRef"
	if ref.AADObjectID == "" {
		return false, opError(op, domain.Errorf(domain.EInvalid, "conversation reference has no Entra object id"))
	}
	if ref.ConversationID == "" {
		ref.ConversationType = ""
	}
	if db.dialect == DialectSQLite {
		waiting, err = db.refs.upsert(ctx, db.conn, ref) // one writer: commit what queues behind it together
	} else {
		w := &refWrite{ref: ref} // PostgreSQL commits concurrent transactions side by side and shares their flushes
		err = db.upsertRef(ctx, db.write, w)
		waiting = w.waiting
	}
	if err != nil {
		return false, opError(op, err)
	}
	return waiting, nil
}

// ConversationRef returns the stored reference of the person with the given Entra object id, with the language
// they chose (empty when they chose none). It is ENotFound when the bot has no conversation reference for them,
// even if they chose a language.
func (db *People) ConversationRef(ctx context.Context, aadObjectID string) (domain.ConversationRef, error) {
	const op = "sqlstore.ConversationRef"
	var ref domain.ConversationRef
	var lang string
	err := db.read.QueryRowContext(ctx, selectConversationRefSQL, aadObjectID).Scan(
		&ref.AADObjectID, &ref.UserID, &ref.UserName, &ref.BotID, &ref.ConversationID, &ref.ConversationType,
		&ref.ServiceURL, &ref.TenantID, &ref.ChannelID, &ref.Locale, &lang, timeScanner{&ref.UpdatedAt})
	if errors.Is(err, sql.ErrNoRows) {
		return domain.ConversationRef{}, opError(op, domain.Errorf(domain.ENotFound, "no conversation reference for this user"))
	}
	if err != nil {
		return domain.ConversationRef{}, opError(op, err)
	}
	ref.Language = storedLang(lang)
	return ref, nil
}

// SetLanguage records the language the person chose; "" clears the choice so the bot follows the client's locale
// again. It works whether or not a conversation reference exists. An unsupported language is EInvalid.
func (db *People) SetLanguage(ctx context.Context, aadObjectID string, lang domain.Lang) error {
	const op = "sqlstore.SetLanguage"
	if aadObjectID == "" {
		return opError(op, domain.Errorf(domain.EInvalid, "no Entra object id given"))
	}
	if lang != "" && !lang.Valid() {
		return opError(op, domain.Errorf(domain.EInvalid, "unsupported language %q", string(lang)))
	}
	now := db.timeArg(db.nowUTC())
	if _, err := db.write.ExecContext(ctx, upsertLanguageSQL, aadObjectID, string(lang), now); err != nil {
		return opError(op, err)
	}
	return nil
}

// Language returns the language the person chose, or "" when they chose none (or are unknown).
func (db *People) Language(ctx context.Context, aadObjectID string) (domain.Lang, error) {
	const op = "sqlstore.Language"
	var lang string
	err := db.read.QueryRowContext(ctx, `SELECT language FROM user_settings WHERE aad_object_id = $1`, aadObjectID).Scan(&lang)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", opError(op, err)
	}
	return storedLang(lang), nil
}

// storedLang turns a stored language code into a Lang. The application writes only supported codes; anything else
// (a row edited by hand, a language since retired) reads as "no choice", so the bot falls back to the locale.
func storedLang(s string) domain.Lang {
	if l := domain.Lang(s); l.Valid() {
		return l
	}
	return ""
}

// hasWaitingSQL is whether any message waits for the recipient: a read on the partial index of waiting messages.
const hasWaitingSQL = `SELECT ` + hasWaitingExpr

// hasWaitingExpr is whether any message waits for the person $1, or is in delivery to them.
const hasWaitingExpr = `EXISTS (SELECT 1 FROM outbox
    WHERE recipient_id = $1 AND (waiting_recipient = TRUE OR claim_token IS NOT NULL)
    AND delivered_at IS NULL AND abandoned_at IS NULL)`

// HasWaiting reports whether messages wait for recipientID, or are in delivery to them (see Outbox.ReleaseWaiting). A turn asks this first, on
// the read pool, so that the person's first message costs no write when nothing waits for them.
func (db *People) HasWaiting(ctx context.Context, recipientID string) (bool, error) {
	var ok bool
	if err := db.read.QueryRowContext(ctx, hasWaitingSQL, recipientID).Scan(&ok); err != nil {
		return false, opError("sqlstore.HasWaiting", err)
	}
	return ok, nil
}

// Writes is how many rows the service has changed in a SQLite database since it was opened (SQLite's
// total_changes() of the single writing connection); -1 on PostgreSQL. Tests and benchmarks use it to show that a
// turn wrote nothing.
func (db *DB) Writes(ctx context.Context) (int64, error) {
	if db.dialect != DialectSQLite {
		return -1, nil
	}
	var n int64
	if err := db.write.QueryRowContext(ctx, `SELECT total_changes()`).Scan(&n); err != nil {
		return 0, opError("sqlstore.Writes", err)
	}
	return n, nil
}
