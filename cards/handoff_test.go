package cards

import (
	"strings"
	"testing"
	"time"

	"github.com/valtuusbotti/valtuusbotti/internal/domain"
	"github.com/valtuusbotti/valtuusbotti/internal/i18n"
)

func init() { goldenSets = append(goldenSets, handoffGolden) }

var handoffAt = time.Date(2026, 11, 24, 9, 15, 0, 0, time.UTC)

func sampleEntries() []domain.FAQEntry {
	return []domain.FAQEntry{
		{ID: "valtuus-ei-nay", Question: domain.Text{FI: "Valtuus ei näy asiointipalvelussa, mitä teen?", SV: "Fullmakten syns inte i e-tjänsten, vad gör jag?", EN: "My mandate does not show up in the e-service, what do I do?"},
			Answer: domain.Text{FI: "Tarkista alkupäivä ja valitse kaupunki.", SV: "Kontrollera startdatumet och välj staden.", EN: "Check the start date and choose the city."},
			Links:  []domain.FAQLink{{Title: domain.Text{FI: "Suomi.fi-valtuudet", SV: "Suomi.fi-fullmakter", EN: "Suomi.fi e-Authorizations"}, URL: "https://www.suomi.fi/valtuudet"}}},
		{ID: "tunnistautuminen", Question: domain.Text{FI: "Millä tunnuksilla kirjaudun?", SV: "Med vilka koder loggar jag in?", EN: "Which credentials do I log in with?"},
			Answer: domain.Text{FI: "Omilla pankkitunnuksillasi.", SV: "Med dina egna bankkoder.", EN: "With your own online banking codes."}},
	}
}

func sampleHandoff(state domain.HandoffState) domain.Handoff {
	h := domain.Handoff{ID: 12, EmployeeID: "e", EmployeeName: "Elina Lindholm", Department: "Talous- ja henkilöstöpalvelut",
		Lang: domain.Finnish, Question: "Miten saan kaupungin auton avaimet?", State: state, CreatedAt: handoffAt,
		Turns: []domain.Turn{{Text: "auton avaimet"}, {FromBot: true, Text: "En löytänyt vastausta"}}}
	if state != domain.HandoffOpen {
		h.TakenBy, h.TakenByName, h.TakenAt = "d", "Dina Korhonen", handoffAt.Add(7*time.Minute)
	}
	if state == domain.HandoffClosed {
		h.ClosedAt, h.Resolution = handoffAt.Add(40*time.Minute), "Avaimet saa tilapalveluista."
	}
	return h
}

func evilHandoff(state domain.HandoffState) domain.Handoff {
	h := sampleHandoff(state)
	h.EmployeeName, h.Department, h.TakenByName = evil("employee"), evil("department"), evil("taker")
	return h
}

func evilAnswers(p i18n.Printer) *Card {
	es := sampleEntries()
	es[0].Question = domain.Text{FI: evil("faq"), SV: evil("faq"), EN: evil("faq")}
	return Answers(p, AnswersInput{AskID: 3, Question: "x", Entries: es, Answered: true, Handoff: true})
}

func sampleProposal() domain.FAQProposal {
	return domain.FAQProposal{ID: 4, HandoffID: 12, Lang: domain.Finnish, State: domain.ProposalPending,
		Question: domain.Text{FI: "Mistä saan kaupungin auton avaimet?"}, Answer: domain.Text{FI: "Tilapalveluista, varaa auto ensin."}}
}

func sampleMeasures() domain.SupportMeasures {
	return domain.SupportMeasures{Asked: 120, Helpful: 61, NotHelpful: 14, Handoffs: 17, Taken: 15, Closed: 13, Cancelled: 2,
		Open: 1, MedianTake: 12 * time.Minute, MedianClose: 3*time.Hour + 30*time.Minute, PendingReviews: 2}
}

func handoffGolden() map[string]func(p i18n.Printer) *Card {
	return map[string]func(p i18n.Printer) *Card{
		"faq-answers": func(p i18n.Printer) *Card {
			return Answers(p, AnswersInput{AskID: 3, Question: "valtuus ei näy", Entries: sampleEntries(), Answered: true, Handoff: true})
		},
		"faq-maybe": func(p i18n.Printer) *Card {
			return Answers(p, AnswersInput{AskID: 3, Question: "auton avaimet", Entries: sampleEntries()[1:], Handoff: true})
		},
		"faq-none":        func(p i18n.Printer) *Card { return Answers(p, AnswersInput{Question: "asdf", Handoff: true}) },
		"faq-thanks":      func(p i18n.Printer) *Card { return FeedbackThanks(p, false, true, 3, "valtuus ei näy") },
		"handoff-ask":     func(p i18n.Printer) *Card { return AskPerson(p, 3, "Miten saan kaupungin auton avaimet?", "") },
		"handoff-started": func(p i18n.Printer) *Card { return HandoffStarted(p, sampleHandoff(domain.HandoffOpen)) },
		"handoff-taken": func(p i18n.Printer) *Card {
			return HandoffNotice(p, sampleHandoff(domain.HandoffTaken), domain.NoticeTaken)
		},
		"handoff-closed": func(p i18n.Printer) *Card {
			return HandoffNotice(p, sampleHandoff(domain.HandoffClosed), domain.NoticeClosed)
		},
		"handoff-open": func(p i18n.Printer) *Card {
			return HandoffChannel(p, HandoffChannelInput{Handoff: sampleHandoff(domain.HandoffOpen)})
		},
		"handoff-working": func(p i18n.Printer) *Card {
			return HandoffChannel(p, HandoffChannelInput{Handoff: sampleHandoff(domain.HandoffTaken)})
		},
		"handoff-done": func(p i18n.Printer) *Card {
			return HandoffChannel(p, HandoffChannelInput{Handoff: sampleHandoff(domain.HandoffClosed)})
		},
		"proposal-review": func(p i18n.Printer) *Card { return ProposalReview(p, ProposalInput{Proposal: sampleProposal()}) },
		"support-measures": func(p i18n.Printer) *Card {
			return SupportMeasures(p, MeasuresInput{Measures: sampleMeasures(), Days: 30})
		},
	}
}

// The channel card always shows the current state: Take only while open, the close form only while taken, the
// resolution once closed; and it says why it came.
func TestHandoffChannelShowsItsState(t *testing.T) {
	p := bundle.Printer(domain.Finnish)
	for state, want := range map[domain.HandoffState][]string{
		domain.HandoffOpen:   {VerbHandoffTake, p.Get("handoff.state.open")},
		domain.HandoffTaken:  {VerbHandoffClose, "Dina Korhonen", ResolutionInput},
		domain.HandoffClosed: {"Avaimet saa tilapalveluista.", "Suljettu"},
	} {
		raw, _ := HandoffChannel(p, HandoffChannelInput{Handoff: sampleHandoff(state)}).JSON()
		s := string(raw)
		for _, w := range append(want, p.Get("handoff.channel.why")) {
			if !strings.Contains(s, w) {
				t.Errorf("%s: card lacks %q", state, w)
			}
		}
		if state != domain.HandoffOpen && strings.Contains(s, VerbHandoffTake) {
			t.Errorf("%s: Take still offered", state)
		}
		if state == domain.HandoffClosed && strings.Contains(s, VerbHandoffClose) {
			t.Error("a closed hand-off still offers closing")
		}
	}
}

// The answers card offers feedback and the hand-off when an answer was found; without one, the hand-off first.
func TestAnswersOffersFeedbackAndAPerson(t *testing.T) {
	p := bundle.Printer(domain.Swedish)
	c := Answers(p, AnswersInput{AskID: 3, Entries: sampleEntries(), Answered: true, Handoff: true})
	if len(c.Actions) != 3 || c.Actions[0].Verb != VerbFAQFeedback || c.Actions[2].Verb != VerbAskPerson || c.Actions[2].Title != "Fråga en människa" {
		t.Errorf("actions %+v", c.Actions)
	}
	none := Answers(p, AnswersInput{Handoff: true})
	if len(none.Actions) != 1 || none.Actions[0].Verb != VerbAskPerson || none.Actions[0].Style != "positive" {
		t.Errorf("no answer: %+v", none.Actions)
	}
	if off := Answers(p, AnswersInput{Entries: sampleEntries(), Answered: true}); len(off.Actions) != 0 {
		t.Errorf("without a channel nothing to ask: %+v", off.Actions)
	}
}
