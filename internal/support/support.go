// Package support runs the answers and the hand-off to the digituki network: it answers free-text questions from
// the FAQ (the catalog's entries and the approved proposals), records the questions and their feedback for the
// measures, and moves a hand-off through its steps (handed off, taken, messages relayed both ways, closed or
// cancelled, a proposed FAQ entry approved), each step saved with its audit row and outbox messages in one
// transaction. Every text a person wrote passes the identity-code guard (domain.FreeText) before anything stores it.
package support

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/valtuusbotti/valtuusbotti/internal/alerts"
	"github.com/valtuusbotti/valtuusbotti/internal/answers"
	"github.com/valtuusbotti/valtuusbotti/internal/catalog"
	"github.com/valtuusbotti/valtuusbotti/internal/domain"
)

// Store is the register as the answers and the hand-off use it (sqlstore.Support).
type Store interface {
	InTx(ctx context.Context, fn func(tx domain.SupportTx) error) error
	Handoff(ctx context.Context, id int64) (domain.Handoff, error)
	ActiveHandoff(ctx context.Context, employeeID string) (domain.Handoff, error)
	HandoffByThread(ctx context.Context, threadID string) (domain.Handoff, error)
	CreateAsk(ctx context.Context, a *domain.FAQAsk, answered bool) error
	Ask(ctx context.Context, id int64) (domain.FAQAsk, error)
	SetAskFeedback(ctx context.Context, id int64, helpful bool) error
	Proposals(ctx context.Context, state domain.ProposalState) ([]domain.FAQProposal, error)
	Proposal(ctx context.Context, id int64) (domain.FAQProposal, error)
	Measures(ctx context.Context, since time.Time) (domain.SupportMeasures, error)
}

// Service answers questions and runs hand-offs.
type Service struct {
	Store     Store
	Catalog   *catalog.Catalog
	Directory domain.Directory
	Alerts    *alerts.Service // schedules the reminders of untaken hand-offs; nil: none
	Now       func() time.Time
	Logger    *slog.Logger
	// Committed is called after a transaction enqueued messages, to wake the outbox worker.
	Committed func()

	mu       sync.Mutex
	index    *answers.Index
	indexKey string
}

// System is the actor of the bot's own steps in the audit trail.
const System = "system"

// TopAnswers is how many answers a question gets.
const TopAnswers = 3

// Answer is what the FAQ has for a question.
type Answer struct {
	AskID    int64
	Hits     []answers.Hit
	Answered bool // the best hit answers the question rather than guesses
}

// Ask looks the question up and records it for the measures (without its text).
func (s *Service) Ask(ctx context.Context, askerID string, lang domain.Lang, question string) (Answer, error) {
	ix, err := s.Index(ctx)
	if err != nil {
		return Answer{}, err
	}
	hits := ix.Search(question, TopAnswers)
	a := Answer{Hits: hits, Answered: answers.Answered(hits)}
	if len(hits) == 0 || askerID == "" {
		return a, nil
	}
	rec := domain.FAQAsk{AskerID: askerID, Lang: lang}
	for _, h := range hits {
		rec.EntryIDs = append(rec.EntryIDs, h.Entry.ID)
	}
	if err := s.Store.CreateAsk(ctx, &rec, a.Answered); err != nil {
		return a, err
	}
	a.AskID = rec.ID
	return a, nil
}

// Index is the FAQ as the bot answers from it now: the catalog's entries and the approved proposals, rebuilt when
// a proposal has been approved since (on any replica: the approved set is read each time, and it is small).
func (s *Service) Index(ctx context.Context) (*answers.Index, error) {
	approved, err := s.Store.Proposals(ctx, domain.ProposalApproved)
	if err != nil {
		return nil, err
	}
	var key strings.Builder
	for _, p := range approved {
		fmt.Fprintf(&key, "%d.%d,", p.ID, p.Version)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.index == nil || s.indexKey != key.String() {
		entries := append([]domain.FAQEntry(nil), s.Catalog.FAQ...)
		for _, p := range approved {
			entries = append(entries, p.Entry())
		}
		s.index, s.indexKey = answers.New(entries), key.String()
	}
	return s.index, nil
}

// Entry finds an FAQ entry by id, among the catalog's and the approved proposals'.
func (s *Service) Entry(ctx context.Context, id string) (domain.FAQEntry, bool) {
	if e, ok := s.Catalog.FAQEntry(id); ok {
		return e, true
	}
	var pid int64
	if _, err := fmt.Sscanf(id, domain.ProposalEntryPrefix+"%d", &pid); err == nil {
		if p, err := s.Store.Proposal(ctx, pid); err == nil && p.State == domain.ProposalApproved {
			return p.Entry(), true
		}
	}
	return domain.FAQEntry{}, false
}

// Feedback records whether the answers to question askID helped; only the person who asked may say, once.
func (s *Service) Feedback(ctx context.Context, actorID string, askID int64, helpful bool) error {
	a, err := s.Store.Ask(ctx, askID)
	if err != nil {
		return err
	}
	if a.AskerID != actorID {
		return domain.Errorf(domain.EForbidden, "faq.err.not_yours")
	}
	return s.Store.SetAskFeedback(ctx, askID, helpful)
}

// HandoffInput is what an employee hands to the support network.
type HandoffInput struct {
	EmployeeID string
	Name       string // as Teams sent it; the directory's wins
	Lang       domain.Lang
	Question   string
	Turns      []domain.Turn
	AskID      int64
	ActivityID string
}

// StartHandoff hands a question to the digituki channel: the hand-off is stored with the employee's name,
// department and language and their last turns, the card is posted to the channel (outbox) and the reminder is
// scheduled. An employee with a hand-off under way gets that one back (EConflict "handoff.err.already_open").
func (s *Service) StartHandoff(ctx context.Context, in HandoffInput) (domain.Handoff, error) {
	d := s.Catalog.Org.Digituki
	if !d.Enabled() {
		return domain.Handoff{}, domain.Errorf(domain.EInvalid, "handoff.err.no_channel")
	}
	q, err := domain.QuestionText.Check(in.Question)
	if err != nil {
		return domain.Handoff{}, err
	}
	h := domain.Handoff{EmployeeID: in.EmployeeID, EmployeeName: in.Name, Lang: in.Lang, Question: q,
		Turns: safeTurns(in.Turns), AskID: in.AskID, ChannelID: d.ChannelID}
	if u, err := s.Directory.User(ctx, in.EmployeeID); err == nil {
		h.EmployeeName, h.Department = u.DisplayName, u.Department
	}
	now := s.now()
	err = s.inTx(ctx, func(tx domain.SupportTx) error {
		h.ID, h.Version = 0, 0
		if err := tx.CreateHandoff(ctx, &h); err != nil {
			return err
		}
		if h.AskID != 0 {
			if err := tx.LinkAsk(ctx, h.AskID, h.ID); err != nil {
				return err
			}
		}
		if err := s.audit(ctx, tx, h, in.EmployeeID, "handoff.created", in.ActivityID, map[string]any{"lang": h.Lang}); err != nil {
			return err
		}
		if err := tx.EnqueueHandoff(ctx, h.ID, domain.Message(domain.ChannelRecipient(h.ChannelID), 0, domain.HandoffCard{Handoff: h.ID})); err != nil {
			return err
		}
		if s.Alerts != nil {
			if _, err := tx.Schedule(ctx, alerts.HandoffReminderJob(s.Alerts, h.ID, 1, now)); err != nil {
				return err
			}
		}
		return nil
	})
	return h, err
}

// safeTurns keeps the last turns that hold no identity code (the guard ran when they were written; this is the
// second line), each bounded.
func safeTurns(turns []domain.Turn) []domain.Turn {
	var out []domain.Turn
	for _, t := range turns {
		if text, err := domain.RelayText.Check(t.Text); err == nil {
			out = append(out, domain.Turn{FromBot: t.FromBot, Text: text})
		}
	}
	if len(out) > domain.MaxTurns {
		out = out[len(out)-domain.MaxTurns:]
	}
	return out
}

// Take gives the hand-off to the supporter: the first tap wins. won is false when someone else (or this same
// supporter, on a repeated tap) took it first; the hand-off returned then shows who.
func (s *Service) Take(ctx context.Context, actorID, name string, id int64, activityID string) (h domain.Handoff, won bool, err error) {
	name = s.name(ctx, actorID, name)
	err = s.inTx(ctx, func(tx domain.SupportTx) error {
		won = false
		if h, err = tx.Handoff(ctx, id); err != nil {
			return err
		}
		if h.State != domain.HandoffOpen {
			return nil // taken (or ended) already: show it
		}
		if err := h.Take(actorID, name, s.now()); err != nil {
			return err
		}
		if err := tx.UpdateHandoff(ctx, &h); err != nil {
			return err
		}
		won = true
		if err := s.audit(ctx, tx, h, actorID, "handoff.taken", activityID, nil); err != nil {
			return err
		}
		if err := tx.EnqueueHandoff(ctx, h.ID, domain.Message(domain.ChannelRecipient(h.ChannelID), 0, domain.HandoffCard{Handoff: h.ID})); err != nil {
			return err
		}
		return tx.EnqueueHandoff(ctx, h.ID, domain.Message(h.EmployeeID, 0, domain.HandoffNotice{Handoff: h.ID, Event: domain.NoticeTaken}))
	})
	if domain.IsCode(err, domain.EConflict) && domain.ErrorMessage(err) == "handoff.err.changed" {
		// Another take committed between our read and our write: show theirs.
		h, err = s.Store.Handoff(ctx, id)
		return h, false, err
	}
	return h, won, err
}

// Relay passes a message through the hand-off: from the employee into the thread (while it is open or taken), or
// from the supporter who took it to the employee. The text passes the identity-code guard first; a refused one is
// neither stored nor logged. relayed is false when the message is not for the hand-off (someone else in the thread).
func (s *Service) Relay(ctx context.Context, h domain.Handoff, authorID, authorName, text, activityID string) (relayed bool, err error) {
	toEmployee := authorID != h.EmployeeID
	if toEmployee && !h.MayRelay(authorID) {
		return false, nil
	}
	msg, err := domain.RelayText.Check(text)
	if err != nil {
		return false, err
	}
	err = s.inTx(ctx, func(tx domain.SupportTx) error {
		cur, err := tx.Handoff(ctx, h.ID)
		if err != nil {
			return err
		}
		if !cur.Active() || (toEmployee && !cur.MayRelay(authorID)) {
			return domain.Errorf(domain.EConflict, "handoff.err.closed")
		}
		m := domain.HandoffMessage{HandoffID: cur.ID, AuthorID: authorID, AuthorName: s.name(ctx, authorID, authorName),
			ToEmployee: toEmployee, Text: msg}
		if err := tx.AddHandoffMessage(ctx, &m); err != nil {
			return err
		}
		to := domain.ChannelRecipient(cur.ChannelID)
		if toEmployee {
			to = cur.EmployeeID
		}
		return tx.EnqueueHandoff(ctx, cur.ID, domain.Message(to, 0, domain.HandoffRelay{Handoff: cur.ID, Message: m.ID}))
	})
	return err == nil, err
}

// ProposalInput is an FAQ entry a supporter proposes when closing.
type ProposalInput struct {
	Lang             domain.Lang
	Question, Answer string
}

// Close ends the hand-off with a resolution; the supporter may propose an FAQ entry, which goes to the main users
// for review.
func (s *Service) Close(ctx context.Context, actorID string, id int64, resolution string, proposal *ProposalInput, activityID string) (domain.Handoff, error) {
	var p *domain.FAQProposal
	if proposal != nil {
		q, err := domain.QuestionText.Check(proposal.Question)
		if err != nil {
			return domain.Handoff{}, err
		}
		a, err := domain.AnswerText.Check(proposal.Answer)
		if err != nil {
			return domain.Handoff{}, err
		}
		if !proposal.Lang.Valid() {
			return domain.Handoff{}, domain.Errorf(domain.EInvalid, "faq.err.lang")
		}
		p = &domain.FAQProposal{Lang: proposal.Lang, ProposedBy: actorID}
		p.Question = textIn(proposal.Lang, q)
		p.Answer = textIn(proposal.Lang, a)
	}
	var h domain.Handoff
	err := s.inTx(ctx, func(tx domain.SupportTx) error {
		var err error
		if h, err = tx.Handoff(ctx, id); err != nil {
			return err
		}
		if err := h.Close(actorID, resolution, s.now()); err != nil {
			return err
		}
		if err := tx.UpdateHandoff(ctx, &h); err != nil {
			return err
		}
		if err := s.audit(ctx, tx, h, actorID, "handoff.closed", activityID, nil); err != nil {
			return err
		}
		if err := s.ended(ctx, tx, h, actorID); err != nil {
			return err
		}
		if p == nil || actorID == h.EmployeeID {
			return nil
		}
		p.HandoffID, p.ID = h.ID, 0
		if err := tx.CreateProposal(ctx, p); err != nil {
			return err
		}
		if err := s.audit(ctx, tx, h, actorID, "faq.proposed", activityID, map[string]any{"proposal": p.ID}); err != nil {
			return err
		}
		for _, mu := range s.Catalog.Org.MainUsers {
			if err := tx.EnqueueHandoff(ctx, 0, domain.Message(mu, 0, domain.ProposalReview{Proposal: p.ID})); err != nil {
				return err
			}
		}
		return nil
	})
	return h, err
}

// Cancel withdraws the employee's question.
func (s *Service) Cancel(ctx context.Context, actorID string, id int64, activityID string) (domain.Handoff, error) {
	var h domain.Handoff
	err := s.inTx(ctx, func(tx domain.SupportTx) error {
		var err error
		if h, err = tx.Handoff(ctx, id); err != nil {
			return err
		}
		if err := h.Cancel(actorID, s.now()); err != nil {
			return err
		}
		if err := tx.UpdateHandoff(ctx, &h); err != nil {
			return err
		}
		if err := s.audit(ctx, tx, h, actorID, "handoff.cancelled", activityID, nil); err != nil {
			return err
		}
		return s.ended(ctx, tx, h, actorID)
	})
	return h, err
}

// ended updates the channel card and tells the other side that the hand-off ended.
func (s *Service) ended(ctx context.Context, tx domain.SupportTx, h domain.Handoff, actorID string) error {
	if err := tx.EnqueueHandoff(ctx, h.ID, domain.Message(domain.ChannelRecipient(h.ChannelID), 0, domain.HandoffCard{Handoff: h.ID})); err != nil {
		return err
	}
	if actorID == h.EmployeeID {
		return nil // the employee knows; the card in the channel shows it
	}
	return tx.EnqueueHandoff(ctx, h.ID, domain.Message(h.EmployeeID, 0, domain.HandoffNotice{Handoff: h.ID, Event: domain.NoticeClosed}))
}

// Decide approves or rejects a proposed FAQ entry; only a main user may, once. On approval the texts given (the
// other languages the main user filled in) replace the proposal's; the bot answers with it from then on.
func (s *Service) Decide(ctx context.Context, actorID string, id int64, approve bool, question, answer domain.Text, activityID string) (domain.FAQProposal, error) {
	if !s.Catalog.Org.IsMainUser(actorID) {
		return domain.FAQProposal{}, domain.Errorf(domain.EForbidden, "err.not_main_user")
	}
	var p domain.FAQProposal
	err := s.inTx(ctx, func(tx domain.SupportTx) error {
		var err error
		if p, err = tx.Proposal(ctx, id); err != nil {
			return err
		}
		if p.State != domain.ProposalPending {
			return domain.Errorf(domain.EConflict, "faq.err.decided")
		}
		if approve {
			for _, l := range domain.Langs {
				for _, f := range []struct {
					dst  *domain.Text
					src  string
					rule domain.FreeText
				}{{&p.Question, question.Exact(l), domain.QuestionText}, {&p.Answer, answer.Exact(l), domain.AnswerText}} {
					if strings.TrimSpace(f.src) == "" {
						continue
					}
					v, err := f.rule.Check(f.src)
					if err != nil {
						return err
					}
					setIn(f.dst, l, v)
				}
			}
			if p.Question.Exact(p.Lang) == "" || p.Answer.Exact(p.Lang) == "" {
				return domain.Errorf(domain.EInvalid, "faq.err.answer_required")
			}
			p.State = domain.ProposalApproved
		} else {
			p.State = domain.ProposalRejected
		}
		p.DecidedBy, p.DecidedAt = actorID, s.now()
		if err := tx.UpdateProposal(ctx, &p); err != nil {
			return err
		}
		action := "faq.rejected"
		if approve {
			action = "faq.approved"
		}
		return tx.AppendHandoffAudit(ctx, p.HandoffID, domain.AuditEvent{ActorID: actorID, Action: action, ActivityID: activityID,
			After: mustJSON(map[string]any{"proposal": p.ID})})
	})
	return p, err
}

// Measures are the figures of the last days for a main user.
func (s *Service) Measures(ctx context.Context, actorID string, days int) (domain.SupportMeasures, error) {
	if !s.Catalog.Org.IsMainUser(actorID) {
		return domain.SupportMeasures{}, domain.Errorf(domain.EForbidden, "err.not_main_user")
	}
	return s.Store.Measures(ctx, s.now().AddDate(0, 0, -days))
}

func (s *Service) audit(ctx context.Context, tx domain.SupportTx, h domain.Handoff, actor, action, activityID string, after map[string]any) error {
	if after == nil {
		after = map[string]any{}
	}
	after["state"] = h.State
	return tx.AppendHandoffAudit(ctx, h.ID, domain.AuditEvent{ActorID: actor, Action: action, ActivityID: activityID, After: mustJSON(after)})
}

// inTx runs fn and wakes the outbox worker after a commit.
func (s *Service) inTx(ctx context.Context, fn func(tx domain.SupportTx) error) error {
	if err := s.Store.InTx(ctx, fn); err != nil {
		return err
	}
	if s.Committed != nil {
		s.Committed()
	}
	return nil
}

// name is a person's display name from the directory, or the one Teams sent.
func (s *Service) name(ctx context.Context, id, fallback string) string {
	if u, err := s.Directory.User(ctx, id); err == nil && u.DisplayName != "" {
		return u.DisplayName
	}
	return fallback
}

func (s *Service) now() time.Time {
	if s.Now == nil {
		return time.Now()
	}
	return s.Now()
}

func textIn(l domain.Lang, v string) domain.Text {
	var t domain.Text
	setIn(&t, l, v)
	return t
}

func setIn(t *domain.Text, l domain.Lang, v string) {
	switch l {
	case domain.Swedish:
		t.SV = v
	case domain.English:
		t.EN = v
	default:
		t.FI = v
	}
}

func mustJSON(v any) json.RawMessage {
	raw, _ := json.Marshal(v) // plain maps of strings and numbers
	return raw
}
