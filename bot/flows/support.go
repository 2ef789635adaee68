package flows

// The answers and the hand-off: free text that is not a command gets the FAQ's best answers; "ask a person" hands
// the question to the digituki channel; while a hand-off is active the employee's 1:1 messages and the taker's
// replies in the card's thread are relayed; supporters take and close in the channel; main users review proposed
// answers and read the measures.

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"strings"
	"time"

	"github.com/infracloudio/msbotbuilder-go/schema"

	"github.com/valtuusbotti/valtuusbotti/cards"
	"github.com/valtuusbotti/valtuusbotti/internal/domain"
	"github.com/valtuusbotti/valtuusbotti/internal/hetu"
	"github.com/valtuusbotti/valtuusbotti/internal/state"
	"github.com/valtuusbotti/valtuusbotti/internal/support"
)

// helpdesk is the answers and the hand-off.
type helpdesk struct{ *Flows }

// MeasureDays is how far back the main users' measures look.
const MeasureDays = 30

// turnsTTL is how long the last turns of a conversation are kept (in the ephemeral state) for a hand-off.
const turnsTTL = 2 * time.Hour

func (h *helpdesk) register() {
	if h.Support == nil {
		return
	}
	h.verbs[cards.VerbFAQFeedback] = verb{handle: h.feedback}
	h.verbs[cards.VerbAskPerson] = verb{handle: h.askPerson}
	h.verbs[cards.VerbHandoffStart] = verb{handle: h.start}
	h.verbs[cards.VerbHandoffCancel] = verb{handle: h.cancel}
	h.verbs[cards.VerbHandoffTake] = verb{handle: h.take, public: true}
	h.verbs[cards.VerbHandoffClose] = verb{handle: h.close, public: true}
	h.verbs[cards.VerbProposalDecide] = verb{handle: h.decide}
	h.verbs[cards.VerbSupportMeasures] = verb{handle: noData(h.measures)}
}

// supportPhrases are the main users' commands of this file.
var supportPhrases = map[string]func(h *helpdesk) commandHandler{
	"tukimittarit": func(h *helpdesk) commandHandler { return h.measures }, "kysymystilasto": func(h *helpdesk) commandHandler { return h.measures },
	"stödstatistik": func(h *helpdesk) commandHandler { return h.measures }, "frågestatistik": func(h *helpdesk) commandHandler { return h.measures },
	"support stats": func(h *helpdesk) commandHandler { return h.measures }, "question stats": func(h *helpdesk) commandHandler { return h.measures },
	"vastausehdotukset": func(h *helpdesk) commandHandler { return h.proposals }, "svarsförslag": func(h *helpdesk) commandHandler { return h.proposals },
	"answer proposals": func(h *helpdesk) commandHandler { return h.proposals },
}

// needWords mark a request for mandates ("I need…") rather than a question about using one.
var needWords = []string{"tarvitsen", "tarvitsisin", "tarvitaan", "hae", "haen", "haluan", "behöver", "vill ha", "need", "want", "request"}

// beforeCommands handles what comes before the typed commands: a message in a hand-off's thread, the commands of
// this file, a message in the 1:1 chat while a hand-off is active (relayed, unless it is a command phrase), and a
// question that only mentions a mandate (the FAQ answers it rather than opening the intake).
func (h *helpdesk) beforeCommands(ctx context.Context, t *Turn, cmd string) (*schema.Activity, bool, error) {
	if h.Support == nil || t.Actor() == "" {
		return nil, false, nil
	}
	if !t.Personal() {
		return h.inThread(ctx, t)
	}
	if mk, ok := supportPhrases[cmd]; ok {
		a, err := h.command(ctx, t, mk(h))
		return a, true, err
	}
	_, exact := commandPhrases[cmd]
	// A person the bot has never heard from has no hand-off open: one starts from their own message in this chat,
	// which stored their conversation reference (never deleted). Their first message skips the read.
	if _, lang := languageCommand(cmd); !exact && !lang && !t.FirstContact {
		if active, err := h.Support.Store.ActiveHandoff(ctx, t.Actor()); err == nil {
			return h.relayFromEmployee(ctx, t, active)
		} else if !domain.IsCode(err, domain.ENotFound) {
			return nil, true, err
		}
	}
	if c, _ := matchCommand(cmd); c == cmdIntake && !exact && !hasAny(cmd, needWords) {
		// "miten käytän valtuutta omaverossa" names a mandate but asks how to use it: the FAQ answers that.
		ans, err := h.Support.Ask(ctx, "", t.Lang, t.Activity.Text)
		if err == nil && ans.Answered {
			a, err := h.answer(ctx, t, t.Activity.Text)
			return a, true, err
		}
	}
	return nil, false, nil
}

func hasAny(s string, words []string) bool {
	for _, w := range words {
		if strings.Contains(" "+s+" ", " "+w+" ") {
			return true
		}
	}
	return false
}

// answer is the FAQ's answers to a free-text question in the 1:1 chat.
func (h *helpdesk) answer(ctx context.Context, t *Turn, text string) (*schema.Activity, error) {
	question := strings.TrimSpace(mentionRE.ReplaceAllString(text, " "))
	ans, err := h.Support.Ask(ctx, t.Actor(), t.Lang, question)
	if err != nil {
		return nil, err
	}
	in := cards.AnswersInput{AskID: ans.AskID, Question: truncateRunes(question, domain.MaxQuestion), Answered: ans.Answered,
		Handoff: h.Catalog.Org.Digituki.Enabled()}
	reply := h.P(t).Get("faq.none.title")
	for _, hit := range ans.Hits {
		in.Entries = append(in.Entries, hit.Entry)
	}
	if len(ans.Hits) > 0 {
		reply = ans.Hits[0].Entry.Question.In(t.Lang)
	}
	h.remember(ctx, t.Actor(), domain.Turn{Text: question}, domain.Turn{FromBot: true, Text: reply})
	return activity(cards.Answers(t.P, in)), nil
}

// P is the turn's printer (a method so handlers read alike).
func (h *helpdesk) P(t *Turn) interface{ Get(string) string } { return t.P }

// remember keeps the last turns of the person's conversation for a hand-off, in the ephemeral state.
func (h *helpdesk) remember(ctx context.Context, who string, turns ...domain.Turn) {
	key := "helpturns:" + who
	var all []domain.Turn
	if raw, err := h.State.Get(ctx, key); err == nil {
		_ = json.Unmarshal(raw, &all)
	}
	all = append(all, turns...)
	if len(all) > domain.MaxTurns {
		all = all[len(all)-domain.MaxTurns:]
	}
	raw, _ := json.Marshal(all)
	if err := h.State.Set(ctx, key, raw, turnsTTL); err != nil {
		h.Logger.WarnContext(ctx, "could not keep the conversation's last turns", slog.String("error", err.Error()))
	}
}

func (h *helpdesk) recall(ctx context.Context, who string) []domain.Turn {
	var all []domain.Turn
	if raw, err := h.State.Get(ctx, "helpturns:"+who); err == nil {
		_ = json.Unmarshal(raw, &all)
	} else if !errors.Is(err, state.ErrNotFound) {
		h.Logger.WarnContext(ctx, "could not read the conversation's last turns", slog.String("error", err.Error()))
	}
	return all
}

// relayFromEmployee passes the employee's message into the hand-off's thread; nothing is answered in the chat.
func (h *helpdesk) relayFromEmployee(ctx context.Context, t *Turn, active domain.Handoff) (*schema.Activity, bool, error) {
	_, err := h.Support.Relay(ctx, active, t.Actor(), t.Activity.From.Name, relayText(t.Activity.Text), t.Activity.ID)
	if msg, ok := userError(t.P, err); ok {
		return textReply(msg), true, nil
	}
	return nil, true, err
}

// inThread handles a message in a channel: in a hand-off's thread, the taker's reply goes to the employee; anything
// else in the channel is not for the hand-off.
func (h *helpdesk) inThread(ctx context.Context, t *Turn) (*schema.Activity, bool, error) {
	conv := t.Activity.Conversation.ID
	base, root, threaded := strings.Cut(conv, ";messageid=")
	if !threaded {
		return nil, false, nil
	}
	ho, err := h.Support.Store.HandoffByThread(ctx, conv)
	if domain.IsCode(err, domain.ENotFound) {
		if ho, err = h.Support.Store.HandoffByThread(ctx, base); err == nil && ho.CardActivityID != root {
			err = domain.Errorf(domain.ENotFound, "another thread")
		}
	}
	if domain.IsCode(err, domain.ENotFound) {
		return nil, false, nil
	}
	if err != nil {
		return nil, true, err
	}
	if !ho.Active() && t.Actor() == ho.TakenBy {
		return textReply(t.P.Get("handoff.thread.closed")), true, nil
	}
	_, err = h.Support.Relay(ctx, ho, t.Actor(), t.Activity.From.Name, relayText(t.Activity.Text), t.Activity.ID)
	if msg, ok := userError(t.P, err); ok {
		return textReply(msg), true, nil
	}
	return nil, true, err
}

// relayText is what a person typed, as plain text: mentions and markup removed, entities decoded.
func relayText(s string) string {
	s = mentionRE.ReplaceAllString(s, "")
	s = strings.ReplaceAll(s, "<br>", "\n")
	s = tagRE.ReplaceAllString(s, "")
	return strings.TrimSpace(htmlEntities.Replace(s))
}

var htmlEntities = strings.NewReplacer("&nbsp;", " ", "&lt;", "<", "&gt;", ">", "&quot;", `"`, "&#39;", "'", "&amp;", "&")

func (h *helpdesk) command(ctx context.Context, t *Turn, c commandHandler) (*schema.Activity, error) {
	card, err := c(ctx, t)
	if err != nil {
		if msg, ok := userError(t.P, err); ok {
			return textReply(msg), nil
		}
		return nil, err
	}
	return activity(card), nil
}

func (h *helpdesk) feedback(ctx context.Context, t *Turn, raw json.RawMessage) (*cards.Card, error) {
	var d cards.FeedbackData
	if _, err := decode(raw, &d, nil); err != nil || d.AskID <= 0 {
		return nil, errBadAction
	}
	if err := h.Support.Feedback(ctx, t.Actor(), d.AskID, d.Helpful); err != nil && !domain.IsCode(err, domain.EConflict) {
		return nil, err
	}
	question := ""
	if turns := h.recall(ctx, t.Actor()); len(turns) > 1 {
		question = turns[len(turns)-2].Text
	}
	return cards.FeedbackThanks(t.P, d.Helpful, h.Catalog.Org.Digituki.Enabled(), d.AskID, question), nil
}

func (h *helpdesk) askPerson(ctx context.Context, t *Turn, raw json.RawMessage) (*cards.Card, error) {
	var d cards.AskPersonData
	if _, err := decode(raw, &d, nil); err != nil {
		return nil, errBadAction
	}
	if !h.Catalog.Org.Digituki.Enabled() {
		return nil, domain.Errorf(domain.EInvalid, "handoff.err.no_channel")
	}
	if active, err := h.Support.Store.ActiveHandoff(ctx, t.Actor()); err == nil {
		return cards.HandoffStarted(t.P, active), nil
	}
	if hetu.Contains(d.Question) {
		return cards.AskPerson(t.P, d.AskID, "", t.P.Get("hetu.refused")), nil
	}
	return cards.AskPerson(t.P, d.AskID, d.Question, ""), nil
}

func (h *helpdesk) start(ctx context.Context, t *Turn, raw json.RawMessage) (*cards.Card, error) {
	var d cards.AskPersonData
	in, err := decode(raw, &d, []string{cards.QuestionInput})
	if err != nil {
		return nil, err
	}
	ho, err := h.Support.StartHandoff(ctx, support.HandoffInput{EmployeeID: t.Actor(), Name: hetu.Redact(t.Activity.From.Name),
		Lang: t.Lang, Question: in[cards.QuestionInput], Turns: h.recall(ctx, t.Actor()), AskID: d.AskID, ActivityID: t.Activity.ID})
	switch {
	case domain.IsCode(err, domain.EConflict):
		if active, aerr := h.Support.Store.ActiveHandoff(ctx, t.Actor()); aerr == nil {
			return cards.HandoffStarted(t.P, active), nil
		}
	case domain.IsCode(err, domain.EInvalid) && domain.ErrorMessage(err) != "handoff.err.no_channel":
		msg, _ := userError(t.P, err)
		q := in[cards.QuestionInput]
		if hetu.Contains(q) {
			q = ""
		}
		return cards.AskPerson(t.P, d.AskID, q, msg), nil
	}
	if err != nil {
		return nil, err
	}
	return cards.HandoffStarted(t.P, ho), nil
}

func decodeHandoff(raw json.RawMessage, inputs ...string) (cards.HandoffData, map[string]string, error) {
	var d cards.HandoffData
	in, err := decode(raw, &d, inputs)
	if err == nil && d.HandoffID <= 0 {
		err = errBadAction
	}
	return d, in, err
}

func (h *helpdesk) cancel(ctx context.Context, t *Turn, raw json.RawMessage) (*cards.Card, error) {
	d, _, err := decodeHandoff(raw)
	if err != nil {
		return nil, err
	}
	ho, err := h.Support.Cancel(ctx, t.Actor(), d.HandoffID, t.Activity.ID)
	if domain.IsCode(err, domain.EConflict) {
		ho, err = h.Support.Store.Handoff(ctx, d.HandoffID)
	}
	if err != nil {
		return nil, err
	}
	return cards.HandoffStarted(t.P, ho), nil
}

// inDigitukiChannel reports whether the turn comes from the organisation's digituki channel (or a thread in it).
func (h *helpdesk) inDigitukiChannel(t *Turn) bool {
	ch := h.Catalog.Org.Digituki.ChannelID
	if ch == "" {
		return false
	}
	if cd, ok := t.Activity.ChannelData["channel"].(map[string]any); ok {
		if id, _ := cd["id"].(string); id == ch {
			return true
		}
	}
	base, _, _ := strings.Cut(t.Activity.Conversation.ID, ";messageid=")
	return base == ch
}

// channelCard is the hand-off's card as the channel sees it, in the organisation's language.
func (h *helpdesk) channelCard(ho domain.Handoff) *cards.Card {
	p := h.Messages.Printer(h.Catalog.Org.DefaultLanguage)
	return cards.HandoffChannel(p, cards.HandoffChannelInput{Handoff: ho, Now: h.Now()})
}

func (h *helpdesk) take(ctx context.Context, t *Turn, raw json.RawMessage) (*cards.Card, error) {
	d, _, err := decodeHandoff(raw)
	if err != nil {
		return nil, err
	}
	if !h.inDigitukiChannel(t) {
		return nil, domain.Errorf(domain.EForbidden, "handoff.err.not_yours")
	}
	ho, won, err := h.Support.Take(ctx, t.Actor(), hetu.Redact(t.Activity.From.Name), d.HandoffID, t.Activity.ID)
	if err != nil {
		return nil, err
	}
	c := h.channelCard(ho)
	if !won && ho.TakenBy != t.Actor() && ho.TakenByName != "" {
		p := h.Messages.Printer(h.Catalog.Org.DefaultLanguage)
		c = cards.Marked(c, p.Format("handoff.taken_by_other", "name", ho.TakenByName))
	}
	return c, nil
}

func (h *helpdesk) close(ctx context.Context, t *Turn, raw json.RawMessage) (*cards.Card, error) {
	d, in, err := decodeHandoff(raw, cards.ResolutionInput, cards.ProposalQuestionInput, cards.ProposalAnswerInput, cards.ProposalLangInput)
	if err != nil {
		return nil, err
	}
	if t.Personal() {
		ho, err := h.Support.Close(ctx, t.Actor(), d.HandoffID, t.P.Get("handoff.closed.by_employee"), nil, t.Activity.ID)
		if domain.IsCode(err, domain.EConflict) {
			ho, err = h.Support.Store.Handoff(ctx, d.HandoffID)
		}
		if err != nil {
			return nil, err
		}
		return cards.HandoffStarted(t.P, ho), nil
	}
	if !h.inDigitukiChannel(t) {
		return nil, domain.Errorf(domain.EForbidden, "handoff.err.not_yours")
	}
	var prop *support.ProposalInput
	if q, a := strings.TrimSpace(in[cards.ProposalQuestionInput]), strings.TrimSpace(in[cards.ProposalAnswerInput]); q != "" || a != "" {
		prop = &support.ProposalInput{Lang: domain.Lang(in[cards.ProposalLangInput]), Question: q, Answer: a}
	}
	ho, err := h.Support.Close(ctx, t.Actor(), d.HandoffID, in[cards.ResolutionInput], prop, t.Activity.ID)
	if err != nil {
		return nil, err
	}
	return h.channelCard(ho), nil
}

func (h *helpdesk) decide(ctx context.Context, t *Turn, raw json.RawMessage) (*cards.Card, error) {
	var d cards.ProposalData
	in, err := decode(raw, &d, nil, cards.ProposalTextPrefix)
	if err != nil || d.ProposalID <= 0 {
		return nil, errBadAction
	}
	var q, a domain.Text
	for _, l := range domain.Langs {
		setText(&q, l, in[cards.ProposalTextPrefix+"q_"+string(l)])
		setText(&a, l, in[cards.ProposalTextPrefix+"a_"+string(l)])
	}
	p, err := h.Support.Decide(ctx, t.Actor(), d.ProposalID, d.Approve, q, a, t.Activity.ID)
	if domain.IsCode(err, domain.EInvalid) {
		if cur, perr := h.Support.Store.Proposal(ctx, d.ProposalID); perr == nil {
			msg, _ := userError(t.P, err)
			return cards.ProposalReview(t.P, cards.ProposalInput{Proposal: cur, Error: msg}), nil
		}
	}
	if domain.IsCode(err, domain.EConflict) {
		p, err = h.Support.Store.Proposal(ctx, d.ProposalID)
	}
	if err != nil {
		return nil, err
	}
	return cards.ProposalReview(t.P, cards.ProposalInput{Proposal: p}), nil
}

func setText(t *domain.Text, l domain.Lang, v string) {
	switch l {
	case domain.Swedish:
		t.SV = v
	case domain.English:
		t.EN = v
	default:
		t.FI = v
	}
}

func (h *helpdesk) measures(ctx context.Context, t *Turn) (*cards.Card, error) {
	m, err := h.Support.Measures(ctx, t.Actor(), MeasureDays)
	if err != nil {
		return nil, err
	}
	return cards.SupportMeasures(t.P, cards.MeasuresInput{Measures: m, Days: MeasureDays}), nil
}

// proposals shows the oldest proposal waiting for review, or the measures when none waits.
func (h *helpdesk) proposals(ctx context.Context, t *Turn) (*cards.Card, error) {
	if !h.Catalog.Org.IsMainUser(t.Actor()) {
		return nil, domain.Errorf(domain.EForbidden, "err.not_main_user")
	}
	pending, err := h.Support.Store.Proposals(ctx, domain.ProposalPending)
	if err != nil {
		return nil, err
	}
	if len(pending) == 0 {
		return h.measures(ctx, t)
	}
	return cards.ProposalReview(t.P, cards.ProposalInput{Proposal: pending[0]}), nil
}

func truncateRunes(s string, n int) string {
	r := []rune(s)
	if len(r) > n {
		return string(r[:n])
	}
	return s
}
