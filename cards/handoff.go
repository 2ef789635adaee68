package cards

// The answers and the hand-off to the digituki network: the answers card in the employee's chat, the hand-off's
// card in the channel (always its current state), the notices to the employee, the proposed FAQ entry a main user
// reviews and the main users' measures. Every card says why it came and what to do.

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/valtuusbotti/valtuusbotti/internal/domain"
	"github.com/valtuusbotti/valtuusbotti/internal/i18n"
)

// Verbs of the answers and the hand-off.
const (
	VerbFAQFeedback     = "faqFeedback"     // data: FeedbackData
	VerbAskPerson       = "askPerson"       // show what handing the question off means; data: AskPersonData
	VerbHandoffStart    = "handoffStart"    // inputs: QuestionInput; data: AskPersonData (AskID only)
	VerbHandoffCancel   = "handoffCancel"   // the employee withdraws; data: HandoffData
	VerbHandoffTake     = "handoffTake"     // a supporter takes it, in the channel; data: HandoffData
	VerbHandoffClose    = "handoffClose"    // inputs: ResolutionInput and the proposal's; data: HandoffData
	VerbProposalDecide  = "proposalDecide"  // inputs: ProposalTextPrefix+q_/a_+lang; data: ProposalData
	VerbSupportMeasures = "supportMeasures" // the main users' figures; data: {}
)

// Inputs of the hand-off's cards.
const (
	QuestionInput         = "question"
	ResolutionInput       = "resolution"
	ProposalQuestionInput = "proposalQuestion"
	ProposalAnswerInput   = "proposalAnswer"
	ProposalLangInput     = "proposalLang"
	// ProposalTextPrefix + "q_" or "a_" + language: the texts a main user approves.
	ProposalTextPrefix = "faq_"
)

// FeedbackData says whether the answers to a question helped.
type FeedbackData struct {
	AskID   int64 `json:"askId"`
	Helpful bool  `json:"helpful"`
}

// AskPersonData carries the question to hand off (the employee's own text, checked again when it comes back).
type AskPersonData struct {
	AskID    int64  `json:"askId,omitempty"`
	Question string `json:"q,omitempty"`
}

// HandoffData names a hand-off.
type HandoffData struct {
	HandoffID int64 `json:"handoffId"`
}

// ProposalData names a proposal and the decision.
type ProposalData struct {
	ProposalID int64 `json:"proposalId"`
	Approve    bool  `json:"approve"`
}

// AnswersInput is what the answers card shows.
type AnswersInput struct {
	AskID    int64
	Question string
	Entries  []domain.FAQEntry
	Answered bool // the best answers the question; otherwise they are shown as "perhaps"
	Handoff  bool // a person can be asked (a digituki channel is configured)
}

// Answers is the FAQ's answers to a free-text question, with "did this help?" and "ask a person".
func Answers(p i18n.Printer, in AnswersInput) *Card {
	c := New(string(p.Lang))
	switch {
	case len(in.Entries) == 0:
		c.FallbackText = p.Get("faq.none.title")
		c.Body = []Element{Heading(p.Get("faq.none.title")), Text(p.Get("faq.none.why"))}
	case !in.Answered:
		c.FallbackText = p.Get("faq.maybe.title")
		c.Body = []Element{Heading(p.Get("faq.maybe.title")), Text(p.Get("faq.maybe.why"))}
	default:
		c.FallbackText = p.Get("faq.title")
		c.Body = []Element{Heading(p.Get("faq.title")), subtle(p.Get("faq.why"))}
	}
	for i, e := range in.Entries {
		items := []Element{
			TextBlock{Type: "TextBlock", Text: escapeMarkdown(e.Question.In(p.Lang)), Weight: "Bolder", Wrap: true},
			Text(escapeMarkdown(e.Answer.In(p.Lang))),
		}
		var links []Action
		for _, l := range e.Links {
			links = append(links, OpenURL(l.Title.In(p.Lang), l.URL))
		}
		if len(links) > 0 {
			items = append(items, ActionSet{Type: "ActionSet", Actions: links})
		}
		style := "emphasis"
		if i > 0 {
			style = "default"
		}
		c.Body = append(c.Body, Container{Type: "Container", Style: style, Spacing: "Medium", Items: items})
	}
	ask := Execute(p.Get("faq.ask_person"), VerbAskPerson, AskPersonData{AskID: in.AskID, Question: in.Question})
	if !in.Handoff {
		c.Body = append(c.Body, subtle(p.Get("faq.no_channel")))
		return c
	}
	if len(in.Entries) == 0 || !in.Answered {
		ask.Style = "positive"
		c.Body = append(c.Body, Text(p.Get("faq.next.ask")))
		c.Actions = []Action{ask}
		return c
	}
	c.Body = append(c.Body, TextBlock{Type: "TextBlock", Text: p.Get("faq.helped"), Weight: "Bolder", Wrap: true, Spacing: "Large"})
	c.Actions = []Action{
		Execute(p.Get("faq.helped.yes"), VerbFAQFeedback, FeedbackData{AskID: in.AskID, Helpful: true}),
		Execute(p.Get("faq.helped.no"), VerbFAQFeedback, FeedbackData{AskID: in.AskID, Helpful: false}),
		ask,
	}
	return c
}

// FeedbackThanks answers the feedback: thanks, and after "no" the way to a person.
func FeedbackThanks(p i18n.Printer, helpful, handoff bool, askID int64, question string) *Card {
	c := New(string(p.Lang))
	if helpful {
		c.FallbackText = p.Get("faq.thanks.yes")
		c.Body = []Element{Heading(p.Get("faq.thanks.yes")), Text(p.Get("faq.thanks.yes.next"))}
		return c
	}
	c.FallbackText = p.Get("faq.thanks.no")
	c.Body = []Element{Heading(p.Get("faq.thanks.no"))}
	if !handoff {
		c.Body = append(c.Body, Text(p.Get("faq.no_channel")))
		return c
	}
	c.Body = append(c.Body, Text(p.Get("faq.next.ask")))
	ask := Execute(p.Get("faq.ask_person"), VerbAskPerson, AskPersonData{AskID: askID, Question: question})
	ask.Style = "positive"
	c.Actions = []Action{ask}
	return c
}

// AskPerson says what handing the question off means (who sees what) and lets the employee edit it first.
func AskPerson(p i18n.Printer, askID int64, question, errText string) *Card {
	c := New(string(p.Lang))
	c.FallbackText = p.Get("handoff.ask.title")
	c.Body = []Element{Heading(p.Get("handoff.ask.title")), Text(p.Get("handoff.ask.why"))}
	c.Body = append(c.Body, errorBox(errText)...)
	c.Body = append(c.Body, Input{Type: "Input.Text", ID: QuestionInput, Label: p.Get("handoff.ask.label"), Value: question,
		IsMultiline: true, IsRequired: true, MaxLength: domain.MaxQuestion, ErrorMessage: p.Get("faq.err.question_required")})
	send := Execute(p.Get("handoff.ask.send"), VerbHandoffStart, AskPersonData{AskID: askID})
	send.Style = "positive"
	c.Actions = []Action{send}
	return c
}

// HandoffStarted is the employee's card of a hand-off under way: what happens next, and cancel.
func HandoffStarted(p i18n.Printer, h domain.Handoff) *Card {
	c := New(string(p.Lang))
	c.FallbackText = p.Get("handoff.started.title")
	c.Body = []Element{Heading(p.Get("handoff.started.title")), typedText(h.Question)}
	switch h.State {
	case domain.HandoffOpen:
		c.Body = append(c.Body, Text(p.Get("handoff.started.next")))
		c.Actions = []Action{Execute(p.Get("handoff.cancel"), VerbHandoffCancel, HandoffData{HandoffID: h.ID})}
	case domain.HandoffTaken:
		c.Body = append(c.Body, Text(p.Format("handoff.notice.taken", "name", escapeMarkdown(h.TakenByName))))
		c.Actions = []Action{closeByEmployee(p, h)}
	case domain.HandoffCancelled:
		c.Body = append(c.Body, Text(p.Get("handoff.cancelled")))
	default:
		c.Body = append(c.Body, Text(p.Get("handoff.notice.closed")), typedText(h.Resolution))
	}
	return c
}

func closeByEmployee(p i18n.Printer, h domain.Handoff) Action {
	return Execute(p.Get("handoff.close.employee"), VerbHandoffClose, HandoffData{HandoffID: h.ID})
}

// HandoffNotice tells the employee that someone took their question, or that it was closed.
func HandoffNotice(p i18n.Printer, h domain.Handoff, event string) *Card {
	c := New(string(p.Lang))
	if event == domain.NoticeTaken {
		title := p.Format("handoff.notice.taken.title", "name", h.TakenByName)
		c.FallbackText = title
		c.Body = []Element{Heading(escapeMarkdown(title)), Text(p.Format("handoff.notice.taken", "name", escapeMarkdown(h.TakenByName))),
			subtle(p.Get("handoff.your_question")), typedText(h.Question)}
		c.Actions = []Action{closeByEmployee(p, h)}
		return c
	}
	c.FallbackText = p.Get("handoff.notice.closed.title")
	c.Body = []Element{Heading(p.Get("handoff.notice.closed.title")), Text(p.Format("handoff.notice.closed.by", "name", escapeMarkdown(h.TakenByName))),
		subtle(p.Get("handoff.resolution")), typedText(h.Resolution), subtle(p.Get("handoff.notice.closed.next"))}
	return c
}

// HandoffChannelInput is the channel card's data.
type HandoffChannelInput struct {
	Handoff domain.Handoff
	Now     time.Time
}

// HandoffChannel is the hand-off's card in the digituki channel, as it is now: the question, who asks (name,
// department, language) and the last turns; then Take while open, the close form while taken, the outcome after.
func HandoffChannel(p i18n.Printer, in HandoffChannelInput) *Card {
	h := in.Handoff
	c := New(string(p.Lang))
	title := p.Format("handoff.channel.title", "name", h.EmployeeName)
	c.FallbackText = title
	c.Body = []Element{Heading(escapeMarkdown(title)), subtle(p.Get("handoff.channel.why")), typedText(h.Question),
		FactSet{Type: "FactSet", Facts: []Fact{
			{Title: p.Get("handoff.channel.who"), Value: escapeMarkdown(orDash(h.EmployeeName))},
			{Title: p.Get("handoff.channel.department"), Value: escapeMarkdown(orDash(h.Department))},
			{Title: p.Get("handoff.channel.lang"), Value: p.Get("language.name." + string(h.Lang))},
			{Title: p.Get("handoff.channel.asked"), Value: dateTime(p, h.CreatedAt)},
			{Title: p.Get("handoff.channel.state"), Value: stateText(p, h)},
		}}}
	if len(h.Turns) > 0 {
		c.Body = append(c.Body, sectionHeading(p.Get("handoff.channel.turns")))
		for _, t := range h.Turns {
			who := h.EmployeeName
			if t.FromBot {
				who = p.Get("handoff.channel.bot")
			}
			c.Body = append(c.Body, richTextBlock{Type: "RichTextBlock", Inlines: []textRun{{Type: "TextRun", Text: who + ": " + t.Text}}})
		}
	}
	switch h.State {
	case domain.HandoffOpen:
		c.Body = append(c.Body, Text(p.Get("handoff.channel.next.open")))
		take := Execute(p.Get("handoff.take"), VerbHandoffTake, HandoffData{HandoffID: h.ID})
		take.Style = "positive"
		c.Actions = []Action{take}
	case domain.HandoffTaken:
		c.Body = append(c.Body, Text(p.Format("handoff.channel.next.taken", "name", escapeMarkdown(h.TakenByName))),
			Input{Type: "Input.Text", ID: ResolutionInput, Label: p.Get("handoff.resolution"), IsMultiline: true,
				IsRequired: true, MaxLength: domain.MaxReason, ErrorMessage: p.Get("handoff.err.resolution_required")},
			sectionHeading(p.Get("handoff.propose.title")), subtle(p.Get("handoff.propose.why")),
			Input{Type: "Input.Text", ID: ProposalQuestionInput, Label: p.Get("handoff.propose.question"), MaxLength: domain.MaxQuestion},
			Input{Type: "Input.Text", ID: ProposalAnswerInput, Label: p.Get("handoff.propose.answer"), IsMultiline: true, MaxLength: domain.MaxAnswer},
			Input{Type: "Input.ChoiceSet", ID: ProposalLangInput, Label: p.Get("handoff.propose.lang"), Value: string(h.Lang), Style: "compact",
				Choices: langChoices(p)})
		done := Execute(p.Get("handoff.close"), VerbHandoffClose, HandoffData{HandoffID: h.ID})
		done.Style = "positive"
		c.Actions = []Action{done}
	case domain.HandoffClosed:
		c.Body = append(c.Body, subtle(p.Get("handoff.resolution")), typedText(orDash(h.Resolution)))
	}
	return c
}

func langChoices(p i18n.Printer) []Choice {
	var out []Choice
	for _, l := range domain.Langs {
		out = append(out, Choice{Title: p.Get("language.name." + string(l)), Value: string(l)})
	}
	return out
}

// stateText says where the hand-off stands, with who and when.
func stateText(p i18n.Printer, h domain.Handoff) string {
	switch h.State {
	case domain.HandoffTaken:
		return p.Format("handoff.state.taken", "name", escapeMarkdown(h.TakenByName), "at", dateTime(p, h.TakenAt))
	case domain.HandoffClosed:
		return p.Format("handoff.state.closed", "at", dateTime(p, h.ClosedAt))
	case domain.HandoffCancelled:
		return p.Get("handoff.state.cancelled")
	}
	return p.Get("handoff.state.open")
}

// dateTime is a moment in Finnish time, "d.m.yyyy hh.mm" (Finnish, Swedish) or "yyyy-mm-dd hh:mm" (English).
func dateTime(p i18n.Printer, t time.Time) string {
	if t.IsZero() {
		return "–"
	}
	if loc, err := time.LoadLocation("Europe/Helsinki"); err == nil {
		t = t.In(loc)
	}
	if p.Lang == domain.English {
		return t.Format("2006-01-02 15:04")
	}
	return fmt.Sprintf("%d.%d.%d %02d.%02d", t.Day(), t.Month(), t.Year(), t.Hour(), t.Minute())
}

// ProposalInput is a proposal for review.
type ProposalInput struct {
	Proposal domain.FAQProposal
	Error    string
}

// ProposalReview asks a main user to approve an FAQ entry the support network proposed: its texts editable, the
// other languages to fill in, approve or reject.
func ProposalReview(p i18n.Printer, in ProposalInput) *Card {
	pr := in.Proposal
	c := New(string(p.Lang))
	c.FallbackText = p.Get("faq.review.title")
	c.Body = []Element{Heading(p.Get("faq.review.title")), Text(p.Get("faq.review.why"))}
	c.Body = append(c.Body, errorBox(in.Error)...)
	if pr.State != domain.ProposalPending {
		c.Body = append(c.Body, Text(p.Get("faq.review.decided."+string(pr.State))),
			typedText(pr.Question.In(pr.Lang)), typedText(pr.Answer.In(pr.Lang)))
		return c
	}
	for _, l := range append([]domain.Lang{pr.Lang}, otherLangs(pr.Lang)...) {
		lang := p.Get("language.name." + string(l))
		c.Body = append(c.Body, sectionHeading(lang),
			Input{Type: "Input.Text", ID: ProposalTextPrefix + "q_" + string(l), Label: p.Get("handoff.propose.question"),
				Value: pr.Question.Exact(l), MaxLength: domain.MaxQuestion, IsRequired: l == pr.Lang,
				ErrorMessage: p.Get("faq.err.question_required")},
			Input{Type: "Input.Text", ID: ProposalTextPrefix + "a_" + string(l), Label: p.Get("handoff.propose.answer"),
				Value: pr.Answer.Exact(l), IsMultiline: true, MaxLength: domain.MaxAnswer, IsRequired: l == pr.Lang,
				ErrorMessage: p.Get("faq.err.answer_required")})
	}
	ok := Execute(p.Get("faq.review.approve"), VerbProposalDecide, ProposalData{ProposalID: pr.ID, Approve: true})
	ok.Style = "positive"
	no := Execute(p.Get("faq.review.reject"), VerbProposalDecide, ProposalData{ProposalID: pr.ID})
	no.AssociatedInputs = "none"
	c.Actions = []Action{ok, no}
	return c
}

func otherLangs(l domain.Lang) []domain.Lang {
	var out []domain.Lang
	for _, x := range domain.Langs {
		if x != l {
			out = append(out, x)
		}
	}
	return out
}

// MeasuresInput is the main users' figures.
type MeasuresInput struct {
	Measures domain.SupportMeasures
	Days     int
}

// SupportMeasures is the main users' card of the answers and the hand-off: how many questions the FAQ answered
// and how many helped, hand-offs, how long they waited to be taken and to be closed, proposals to review.
func SupportMeasures(p i18n.Printer, in MeasuresInput) *Card {
	m := in.Measures
	c := New(string(p.Lang))
	title := p.Format("support.measures.title", "days", strconv.Itoa(in.Days))
	c.FallbackText = title
	c.Body = []Element{Heading(title), subtle(p.Get("support.measures.why")),
		FactSet{Type: "FactSet", Facts: []Fact{
			{Title: p.Get("support.measures.asked"), Value: strconv.Itoa(m.Asked)},
			{Title: p.Get("support.measures.helpful"), Value: fmt.Sprintf("%d / %d", m.Helpful, m.Helpful+m.NotHelpful)},
			{Title: p.Get("support.measures.handoffs"), Value: strconv.Itoa(m.Handoffs)},
			{Title: p.Get("support.measures.open"), Value: strconv.Itoa(m.Open)},
			{Title: p.Get("support.measures.closed"), Value: strconv.Itoa(m.Closed)},
			{Title: p.Get("support.measures.cancelled"), Value: strconv.Itoa(m.Cancelled)},
			{Title: p.Get("support.measures.take"), Value: duration(p, m.MedianTake, m.Taken)},
			{Title: p.Get("support.measures.close"), Value: duration(p, m.MedianClose, m.Closed)},
			{Title: p.Get("support.measures.reviews"), Value: strconv.Itoa(m.PendingReviews)},
		}}}
	if m.PendingReviews > 0 {
		c.Body = append(c.Body, Container{Type: "Container", Style: "warning", Items: []Element{Text(p.Get("support.measures.reviews.next"))}})
	}
	c.Actions = []Action{Execute(p.Get("admin.list.refresh"), VerbSupportMeasures, struct{}{})}
	return c
}

// duration is a median wait in minutes or hours, or a dash when nothing was measured.
func duration(p i18n.Printer, d time.Duration, n int) string {
	if n == 0 {
		return "–"
	}
	if d < time.Hour {
		return p.Format("support.minutes", "n", strconv.Itoa(int(d.Round(time.Minute).Minutes())))
	}
	return p.Format("support.hours", "n", strings.TrimSuffix(strconv.FormatFloat(d.Hours(), 'f', 1, 64), ".0"))
}
