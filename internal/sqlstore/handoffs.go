package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"sort"
	"time"

	"github.com/valtuusbotti/valtuusbotti/internal/domain"
)

// Support is the register of the answers and the hand-off (0013): the questions the FAQ answered, the hand-offs to
// the digituki channel and the messages relayed through them, the proposed FAQ entries and the channels the bot can
// post to. Writes that belong together go through InTx (domain.SupportTx); the rest are single statements.
type Support struct{ *conn }

// Support returns the answers' and hand-off's part of the store.
func (db *DB) Support() *Support { return &Support{db.conn} }

var _ domain.SupportTx = (*Tx)(nil)

// InTx runs fn in one transaction, retried on PostgreSQL serialization failures like Register.InTx.
func (db *Support) InTx(ctx context.Context, fn func(tx domain.SupportTx) error) error {
	return (&Register{db.conn}).InTx(ctx, func(tx domain.Tx) error { return fn(tx.(*Tx)) })
}

const handoffColumns = `id, employee_id, employee_name, department, lang, question, turns, state, taken_by,
    taken_by_name, taken_at, closed_by, closed_at, resolution, ask_id, channel_id, thread_id, service_url,
    card_activity_id, reminders, created_at, updated_at, version`

func scanHandoff(row interface{ Scan(...any) error }) (domain.Handoff, error) {
	var h domain.Handoff
	var lang, state string
	var turns json.RawMessage
	err := row.Scan(&h.ID, &h.EmployeeID, &h.EmployeeName, &h.Department, &lang, &h.Question, jsonScanner{&turns},
		&state, &h.TakenBy, &h.TakenByName, timeScanner{&h.TakenAt}, &h.ClosedBy, timeScanner{&h.ClosedAt},
		&h.Resolution, idScanner{&h.AskID}, &h.ChannelID, &h.ThreadID, &h.ServiceURL, &h.CardActivityID, &h.Reminders,
		timeScanner{&h.CreatedAt}, timeScanner{&h.UpdatedAt}, &h.Version)
	if err != nil {
		return h, err
	}
	h.Lang, h.State = domain.Lang(lang), domain.HandoffState(state)
	if len(turns) > 0 {
		if err := json.Unmarshal(turns, &h.Turns); err != nil {
			return h, err
		}
	}
	return h, nil
}

func handoffNotFound(op string, err error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return opError(op, domain.Errorf(domain.ENotFound, "handoff.err.not_found"))
	}
	return opError(op, err)
}

// CreateHandoff inserts h (state open unless set) and sets its ID, Version 1 and timestamps. An employee with an
// active hand-off already is EConflict.
func (t *Tx) CreateHandoff(ctx context.Context, h *domain.Handoff) error {
	const op = "sqlstore.CreateHandoff"
	if h.State == "" {
		h.State = domain.HandoffOpen
	}
	turns, err := json.Marshal(h.Turns)
	if err != nil || h.Turns == nil {
		turns = []byte("[]")
	}
	now := t.db.nowUTC()
	var id int64
	err = t.tx.QueryRowContext(ctx, `
INSERT INTO handoffs (employee_id, employee_name, department, lang, question, turns, state, ask_id, channel_id,
    created_at, updated_at, version)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10, 1) RETURNING id`,
		h.EmployeeID, h.EmployeeName, h.Department, string(h.Lang), h.Question, string(turns), string(h.State),
		idArg(h.AskID), h.ChannelID, t.db.timeArg(now)).Scan(&id)
	if err != nil {
		if classify(err) == domain.EConflict {
			return &domain.Error{Code: domain.EConflict, Op: op, Message: "handoff.err.already_open", Err: err}
		}
		return opError(op, err)
	}
	h.ID, h.Version, h.CreatedAt, h.UpdatedAt = id, 1, now, now
	return nil
}

// Handoff reads a hand-off inside the transaction.
func (t *Tx) Handoff(ctx context.Context, id int64) (domain.Handoff, error) {
	h, err := scanHandoff(t.tx.QueryRowContext(ctx, `SELECT `+handoffColumns+` FROM handoffs WHERE id = $1`, id))
	if err != nil {
		return h, handoffNotFound("sqlstore.Handoff", err)
	}
	return h, nil
}

// UpdateHandoff writes h's state, take, close, thread and reminder fields if the stored version is still
// h.Version; otherwise EConflict (someone else changed it first) or ENotFound.
func (t *Tx) UpdateHandoff(ctx context.Context, h *domain.Handoff) error {
	const op = "sqlstore.UpdateHandoff"
	now := t.db.nowUTC()
	n, err := changedRows(ctx, t.tx, `
UPDATE handoffs SET state = $3, taken_by = $4, taken_by_name = $5, taken_at = $6, closed_by = $7, closed_at = $8,
    resolution = $9, reminders = $10, updated_at = $11, version = version + 1
WHERE id = $1 AND version = $2`,
		h.ID, h.Version, string(h.State), h.TakenBy, h.TakenByName, t.db.nullTimeArg(h.TakenAt), h.ClosedBy,
		t.db.nullTimeArg(h.ClosedAt), h.Resolution, h.Reminders, t.db.timeArg(now))
	if err != nil {
		return opError(op, err)
	}
	if n == 0 {
		if _, err := t.Handoff(ctx, h.ID); err != nil {
			return err
		}
		return opError(op, domain.Errorf(domain.EConflict, "handoff.err.changed"))
	}
	h.Version++
	h.UpdatedAt = now
	return nil
}

// AddHandoffMessage stores a relayed message and sets its ID and CreatedAt.
func (t *Tx) AddHandoffMessage(ctx context.Context, m *domain.HandoffMessage) error {
	now := t.db.nowUTC()
	err := t.tx.QueryRowContext(ctx, `
INSERT INTO handoff_messages (handoff_id, author_id, author_name, to_employee, text, created_at)
VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
		m.HandoffID, m.AuthorID, m.AuthorName, m.ToEmployee, m.Text, t.db.timeArg(now)).Scan(&m.ID)
	if err != nil {
		return opError("sqlstore.AddHandoffMessage", err)
	}
	m.CreatedAt = now
	return nil
}

// EnqueueHandoff adds an outbox message about hand-off handoffID (0: about none, e.g. a proposal), due now.
func (t *Tx) EnqueueHandoff(ctx context.Context, handoffID int64, m domain.OutboxMessage) error {
	const op = "sqlstore.EnqueueHandoff"
	if m.Kind == "" {
		return opError(op, domain.Errorf(domain.EInvalid, "an outbox message needs a kind"))
	}
	payload, err := jsonArg("the outbox payload", m.Payload)
	if err != nil {
		return opError(op, err)
	}
	now := t.db.timeArg(t.db.nowUTC())
	if _, err := t.tx.ExecContext(ctx, `
INSERT INTO outbox (kind, recipient_id, request_id, payload, created_at, attempts, next_attempt, handoff_id)
VALUES ($1, $2, NULL, $3, $4, 0, $4, $5)`, m.Kind, m.RecipientID, payload, now, idArg(handoffID)); err != nil {
		return opError(op, err)
	}
	return nil
}

// AppendHandoffAudit adds an audit row about a hand-off; At is the clock's now when zero.
func (t *Tx) AppendHandoffAudit(ctx context.Context, handoffID int64, e domain.AuditEvent) error {
	const op = "sqlstore.AppendHandoffAudit"
	if e.ActorID == "" || e.Action == "" {
		return opError(op, domain.Errorf(domain.EInvalid, "an audit event needs an actor and an action"))
	}
	after, err := jsonArg("the audit event's after snapshot", e.After)
	if err != nil {
		return opError(op, err)
	}
	at := e.At
	if at.IsZero() {
		at = t.db.nowUTC()
	}
	if _, err := t.tx.ExecContext(ctx, `
INSERT INTO audit_log (at, actor_id, action, before, after, activity_id, handoff_id)
VALUES ($1, $2, $3, NULL, $4, $5, $6)`, t.db.timeArg(at), e.ActorID, e.Action, after, e.ActivityID, idArg(handoffID)); err != nil {
		return opError(op, err)
	}
	return nil
}

// LinkAsk records that the question askID led to hand-off handoffID.
func (t *Tx) LinkAsk(ctx context.Context, askID, handoffID int64) error {
	if _, err := t.tx.ExecContext(ctx, `UPDATE faq_asks SET handoff_id = $2 WHERE id = $1`, askID, handoffID); err != nil {
		return opError("sqlstore.LinkAsk", err)
	}
	return nil
}

const proposalColumns = `id, handoff_id, lang, question, answer, state, proposed_by, proposed_at, decided_by, decided_at, version`

func scanProposal(row interface{ Scan(...any) error }) (domain.FAQProposal, error) {
	var p domain.FAQProposal
	var lang, state string
	var q, a json.RawMessage
	if err := row.Scan(&p.ID, idScanner{&p.HandoffID}, &lang, jsonScanner{&q}, jsonScanner{&a}, &state, &p.ProposedBy,
		timeScanner{&p.ProposedAt}, &p.DecidedBy, timeScanner{&p.DecidedAt}, &p.Version); err != nil {
		return p, err
	}
	p.Lang, p.State = domain.Lang(lang), domain.ProposalState(state)
	if err := json.Unmarshal(q, &p.Question); err != nil {
		return p, err
	}
	return p, json.Unmarshal(a, &p.Answer)
}

// CreateProposal stores a proposed FAQ entry (pending) and sets its ID, Version and ProposedAt.
func (t *Tx) CreateProposal(ctx context.Context, p *domain.FAQProposal) error {
	q, _ := json.Marshal(p.Question) // cannot fail: plain strings
	a, _ := json.Marshal(p.Answer)
	now := t.db.nowUTC()
	if p.State == "" {
		p.State = domain.ProposalPending
	}
	err := t.tx.QueryRowContext(ctx, `
INSERT INTO faq_proposals (handoff_id, lang, question, answer, state, proposed_by, proposed_at, version)
VALUES ($1, $2, $3, $4, $5, $6, $7, 1) RETURNING id`,
		idArg(p.HandoffID), string(p.Lang), string(q), string(a), string(p.State), p.ProposedBy, t.db.timeArg(now)).Scan(&p.ID)
	if err != nil {
		return opError("sqlstore.CreateProposal", err)
	}
	p.Version, p.ProposedAt = 1, now
	return nil
}

// Proposal reads a proposal inside the transaction.
func (t *Tx) Proposal(ctx context.Context, id int64) (domain.FAQProposal, error) {
	p, err := scanProposal(t.tx.QueryRowContext(ctx, `SELECT `+proposalColumns+` FROM faq_proposals WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return p, opError("sqlstore.Proposal", domain.Errorf(domain.ENotFound, "faq.err.no_proposal"))
	}
	if err != nil {
		return p, opError("sqlstore.Proposal", err)
	}
	return p, nil
}

// UpdateProposal writes p's state, texts and decision if the stored version is still p.Version (else EConflict).
func (t *Tx) UpdateProposal(ctx context.Context, p *domain.FAQProposal) error {
	q, _ := json.Marshal(p.Question)
	a, _ := json.Marshal(p.Answer)
	n, err := changedRows(ctx, t.tx, `
UPDATE faq_proposals SET state = $3, question = $4, answer = $5, decided_by = $6, decided_at = $7, version = version + 1
WHERE id = $1 AND version = $2`, p.ID, p.Version, string(p.State), string(q), string(a), p.DecidedBy,
		t.db.nullTimeArg(p.DecidedAt))
	if err != nil {
		return opError("sqlstore.UpdateProposal", err)
	}
	if n == 0 {
		return opError("sqlstore.UpdateProposal", domain.Errorf(domain.EConflict, "faq.err.decided"))
	}
	p.Version++
	return nil
}

// Handoff reads a hand-off.
func (db *Support) Handoff(ctx context.Context, id int64) (domain.Handoff, error) {
	h, err := scanHandoff(db.read.QueryRowContext(ctx, `SELECT `+handoffColumns+` FROM handoffs WHERE id = $1`, id))
	if err != nil {
		return h, handoffNotFound("sqlstore.Handoff", err)
	}
	return h, nil
}

// ActiveHandoff is the employee's open or taken hand-off (ENotFound when none).
func (db *Support) ActiveHandoff(ctx context.Context, employeeID string) (domain.Handoff, error) {
	h, err := scanHandoff(db.read.QueryRowContext(ctx, `SELECT `+handoffColumns+` FROM handoffs
WHERE employee_id = $1 AND state IN ('open', 'taken')`, employeeID))
	if err != nil {
		return h, handoffNotFound("sqlstore.ActiveHandoff", err)
	}
	return h, nil
}

// HandoffByThread is the hand-off whose card starts the channel thread threadID (ENotFound when none).
func (db *Support) HandoffByThread(ctx context.Context, threadID string) (domain.Handoff, error) {
	h, err := scanHandoff(db.read.QueryRowContext(ctx, `SELECT `+handoffColumns+` FROM handoffs
WHERE thread_id = $1 ORDER BY id DESC LIMIT 1`, threadID))
	if err != nil {
		return h, handoffNotFound("sqlstore.HandoffByThread", err)
	}
	return h, nil
}

// SetHandoffThread records where the hand-off's card was posted. It does not change the version: the card's place
// is not part of the hand-off's state, and a take racing with the post must not fail because of it.
func (db *Support) SetHandoffThread(ctx context.Context, id int64, threadID, serviceURL, activityID string) error {
	if _, err := db.write.ExecContext(ctx, `
UPDATE handoffs SET thread_id = $2, service_url = $3, card_activity_id = $4 WHERE id = $1`,
		id, threadID, serviceURL, activityID); err != nil {
		return opError("sqlstore.SetHandoffThread", err)
	}
	return nil
}

// HandoffMessage reads one relayed message.
func (db *Support) HandoffMessage(ctx context.Context, id int64) (domain.HandoffMessage, error) {
	var m domain.HandoffMessage
	err := db.read.QueryRowContext(ctx, `
SELECT id, handoff_id, author_id, author_name, to_employee, text, created_at FROM handoff_messages WHERE id = $1`, id).
		Scan(&m.ID, &m.HandoffID, &m.AuthorID, &m.AuthorName, &m.ToEmployee, &m.Text, timeScanner{&m.CreatedAt})
	if errors.Is(err, sql.ErrNoRows) {
		return m, opError("sqlstore.HandoffMessage", domain.Errorf(domain.ENotFound, "handoff message %d not found", id))
	}
	if err != nil {
		return m, opError("sqlstore.HandoffMessage", err)
	}
	return m, nil
}

// HandoffMessages lists a hand-off's relayed messages in the order written.
func (db *Support) HandoffMessages(ctx context.Context, handoffID int64) ([]domain.HandoffMessage, error) {
	return queryAll(ctx, db.read, "sqlstore.HandoffMessages", `
SELECT id, handoff_id, author_id, author_name, to_employee, text, created_at FROM handoff_messages
WHERE handoff_id = $1 ORDER BY id`, func(rows *sql.Rows) (domain.HandoffMessage, error) {
		var m domain.HandoffMessage
		err := rows.Scan(&m.ID, &m.HandoffID, &m.AuthorID, &m.AuthorName, &m.ToEmployee, &m.Text, timeScanner{&m.CreatedAt})
		return m, err
	}, handoffID)
}

// EarlierPending reports whether an outbox message about the same hand-off to the same recipient, written before
// message outboxID and of one of kinds, is neither delivered nor abandoned: then outboxID must wait its turn.
func (db *Support) EarlierPending(ctx context.Context, handoffID int64, recipientID string, outboxID int64, kinds ...string) (bool, error) {
	var n int
	for _, k := range kinds {
		var c int
		if err := db.read.QueryRowContext(ctx, `
SELECT COUNT(*) FROM outbox WHERE handoff_id = $1 AND recipient_id = $2 AND id < $3 AND kind = $4
    AND delivered_at IS NULL AND abandoned_at IS NULL`, handoffID, recipientID, outboxID, k).Scan(&c); err != nil {
			return false, opError("sqlstore.EarlierPending", err)
		}
		n += c
	}
	return n > 0, nil
}

// HandoffAudit is the audit trail of a hand-off, oldest first.
func (db *Support) HandoffAudit(ctx context.Context, handoffID int64) ([]domain.AuditEvent, error) {
	return queryAll(ctx, db.read, "sqlstore.HandoffAudit", `
SELECT id, at, actor_id, action, after, activity_id FROM audit_log WHERE handoff_id = $1 ORDER BY at, id`,
		func(rows *sql.Rows) (domain.AuditEvent, error) {
			var e domain.AuditEvent
			err := rows.Scan(&e.ID, timeScanner{&e.At}, &e.ActorID, &e.Action, jsonScanner{&e.After}, &e.ActivityID)
			return e, err
		}, handoffID)
}

// CreateAsk records a question the FAQ answered and sets its ID and AskedAt.
func (db *Support) CreateAsk(ctx context.Context, a *domain.FAQAsk, answered bool) error {
	ids, err := listArg(a.EntryIDs)
	if err != nil {
		return opError("sqlstore.CreateAsk", err)
	}
	now := db.nowUTC()
	if err := db.write.QueryRowContext(ctx, `
INSERT INTO faq_asks (asker_id, lang, entry_ids, answered, asked_at) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
		a.AskerID, string(a.Lang), ids, answered, db.timeArg(now)).Scan(&a.ID); err != nil {
		return opError("sqlstore.CreateAsk", err)
	}
	a.AskedAt = now
	return nil
}

// Ask reads a question the FAQ answered.
func (db *Support) Ask(ctx context.Context, id int64) (domain.FAQAsk, error) {
	var a domain.FAQAsk
	var lang string
	var helpful sql.NullBool
	err := db.read.QueryRowContext(ctx, `
SELECT id, asker_id, lang, entry_ids, asked_at, helpful, handoff_id FROM faq_asks WHERE id = $1`, id).
		Scan(&a.ID, &a.AskerID, &lang, listScanner{&a.EntryIDs}, timeScanner{&a.AskedAt}, &helpful, idScanner{&a.HandoffID})
	if errors.Is(err, sql.ErrNoRows) {
		return a, opError("sqlstore.Ask", domain.Errorf(domain.ENotFound, "faq.err.no_ask"))
	}
	if err != nil {
		return a, opError("sqlstore.Ask", err)
	}
	a.Lang = domain.Lang(lang)
	if helpful.Valid {
		a.Helpful = &helpful.Bool
	}
	return a, nil
}

// SetAskFeedback records whether the answers helped, once: a second answer changes nothing (EConflict).
func (db *Support) SetAskFeedback(ctx context.Context, id int64, helpful bool) error {
	n, err := changedRows(ctx, db.write, `UPDATE faq_asks SET helpful = $2, feedback_at = $3 WHERE id = $1 AND helpful IS NULL`,
		id, helpful, db.timeArg(db.nowUTC()))
	if err != nil {
		return opError("sqlstore.SetAskFeedback", err)
	}
	if n == 0 {
		return opError("sqlstore.SetAskFeedback", domain.Errorf(domain.EConflict, "faq.err.feedback_given"))
	}
	return nil
}

// Proposals lists the proposals in a state, oldest first.
func (db *Support) Proposals(ctx context.Context, state domain.ProposalState) ([]domain.FAQProposal, error) {
	return queryAll(ctx, db.read, "sqlstore.Proposals", `SELECT `+proposalColumns+` FROM faq_proposals
WHERE state = $1 ORDER BY id`, func(rows *sql.Rows) (domain.FAQProposal, error) { return scanProposal(rows) }, string(state))
}

// Proposal reads a proposal.
func (db *Support) Proposal(ctx context.Context, id int64) (domain.FAQProposal, error) {
	p, err := scanProposal(db.read.QueryRowContext(ctx, `SELECT `+proposalColumns+` FROM faq_proposals WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return p, opError("sqlstore.Proposal", domain.Errorf(domain.ENotFound, "faq.err.no_proposal"))
	}
	if err != nil {
		return p, opError("sqlstore.Proposal", err)
	}
	return p, nil
}

// UpsertChannelRef stores how to post into a channel; empty fields keep the stored values.
func (db *Support) UpsertChannelRef(ctx context.Context, r domain.ChannelRef) error {
	if r.ChannelID == "" || r.ServiceURL == "" {
		return opError("sqlstore.UpsertChannelRef", domain.Errorf(domain.EInvalid, "a channel reference needs a channel id and a service URL"))
	}
	_, err := db.write.ExecContext(ctx, `
INSERT INTO channel_refs (channel_id, team_id, service_url, tenant_id, bot_id, updated_at) VALUES ($1, $2, $3, $4, $5, $6)
ON CONFLICT (channel_id) DO UPDATE SET
    team_id = COALESCE(NULLIF(excluded.team_id, ''), channel_refs.team_id),
    service_url = excluded.service_url,
    tenant_id = COALESCE(NULLIF(excluded.tenant_id, ''), channel_refs.tenant_id),
    bot_id = COALESCE(NULLIF(excluded.bot_id, ''), channel_refs.bot_id),
    updated_at = excluded.updated_at`, r.ChannelID, r.TeamID, r.ServiceURL, r.TenantID, r.BotID, db.timeArg(db.nowUTC()))
	if err != nil {
		return opError("sqlstore.UpsertChannelRef", err)
	}
	return nil
}

// ChannelRef reads how to post into a channel (ENotFound: the bot has heard nothing from it).
func (db *Support) ChannelRef(ctx context.Context, channelID string) (domain.ChannelRef, error) {
	var r domain.ChannelRef
	err := db.read.QueryRowContext(ctx, `
SELECT channel_id, team_id, service_url, tenant_id, bot_id, updated_at FROM channel_refs WHERE channel_id = $1`, channelID).
		Scan(&r.ChannelID, &r.TeamID, &r.ServiceURL, &r.TenantID, &r.BotID, timeScanner{&r.UpdatedAt})
	if errors.Is(err, sql.ErrNoRows) {
		return r, opError("sqlstore.ChannelRef", domain.Errorf(domain.ENotFound, "no reference for the channel"))
	}
	if err != nil {
		return r, opError("sqlstore.ChannelRef", err)
	}
	return r, nil
}

// Measures are the main users' figures since a time: questions the FAQ answered and their feedback, hand-offs by
// state, the median times to take and to close, and the proposals waiting for review.
func (db *Support) Measures(ctx context.Context, since time.Time) (domain.SupportMeasures, error) {
	const op = "sqlstore.Measures"
	m := domain.SupportMeasures{Since: since}
	s := db.timeArg(since)
	if err := db.read.QueryRowContext(ctx, `
SELECT COUNT(*),
    COALESCE(SUM(CASE WHEN helpful THEN 1 ELSE 0 END), 0),
    COALESCE(SUM(CASE WHEN NOT helpful THEN 1 ELSE 0 END), 0)
FROM faq_asks WHERE asked_at >= $1 AND answered`, s).Scan(&m.Asked, &m.Helpful, &m.NotHelpful); err != nil {
		return m, opError(op, err)
	}
	if err := db.read.QueryRowContext(ctx, `
SELECT COUNT(*),
    COALESCE(SUM(CASE WHEN taken_at IS NOT NULL THEN 1 ELSE 0 END), 0),
    COALESCE(SUM(CASE WHEN state = 'closed' THEN 1 ELSE 0 END), 0),
    COALESCE(SUM(CASE WHEN state = 'cancelled' THEN 1 ELSE 0 END), 0),
    COALESCE(SUM(CASE WHEN state = 'open' THEN 1 ELSE 0 END), 0)
FROM handoffs WHERE created_at >= $1`, s).Scan(&m.Handoffs, &m.Taken, &m.Closed, &m.Cancelled, &m.Open); err != nil {
		return m, opError(op, err)
	}
	if err := db.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM faq_proposals WHERE state = 'pending'`).Scan(&m.PendingReviews); err != nil {
		return m, opError(op, err)
	}
	spans, err := queryAll(ctx, db.read, op, `SELECT created_at, taken_at, closed_at, state FROM handoffs WHERE created_at >= $1`,
		func(rows *sql.Rows) ([3]time.Time, error) {
			var t [3]time.Time
			var state string
			err := rows.Scan(timeScanner{&t[0]}, timeScanner{&t[1]}, timeScanner{&t[2]}, &state)
			if state != string(domain.HandoffClosed) {
				t[2] = time.Time{}
			}
			return t, err
		}, s)
	if err != nil {
		return m, err
	}
	var take, closing []time.Duration
	for _, t := range spans {
		if !t[1].IsZero() {
			take = append(take, t[1].Sub(t[0]))
		}
		if !t[2].IsZero() {
			closing = append(closing, t[2].Sub(t[0]))
		}
	}
	m.MedianTake, m.MedianClose = median(take), median(closing)
	return m, nil
}

func median(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
	if len(ds)%2 == 1 {
		return ds[len(ds)/2]
	}
	return (ds[len(ds)/2-1] + ds[len(ds)/2]) / 2
}
