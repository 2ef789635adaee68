package cards

import (
	"strings"
	"testing"
	"time"

	"github.com/valtuusbotti/valtuusbotti/internal/domain"
	"github.com/valtuusbotti/valtuusbotti/internal/i18n"
)

func init() {
	goldenSets = append(goldenSets, reviewGolden)
	evilSets = append(evilSets, reviewEvil)
}

// reviewEvil builds every review card from hostile directory data (names, departments, job titles).
func reviewEvil() map[string]evilCard {
	cat := defaultCatalog()
	hostile := func(r domain.Review) domain.Review {
		r.ReviewerName, r.OldDepartment, r.NewTitle = evil("reviewer"), evil("olddept"), evil("newtitle")
		for i := range r.Items {
			r.Items[i].HolderName = evil("holder")
		}
		return r
	}
	deadline := time.Date(2027, 5, 25, 0, 0, 0, 0, time.UTC)
	return map[string]evilCard{
		"review-mover": {"Review", []string{"holder", "olddept", "newtitle"}, func(p i18n.Printer) *Card {
			return Review(p, ReviewInput{Catalog: cat, Review: hostile(moverReview(false)), MayDecide: true})
		}},
		"review-report": {"ReviewReport", []string{"holder", "reviewer"}, func(p i18n.Printer) *Card {
			return ReviewReport(p, ReviewReportInput{Catalog: cat, Reviews: []domain.Review{hostile(campaignReview())},
				Campaign: domain.Campaign{ID: 3, StartedAt: reviewCreated, Deadline: deadline}})
		}},
		"review-start-confirm": {"ReviewStartConfirm", nil, func(p i18n.Printer) *Card { return ReviewStartConfirm(p, deadline) }},
		"review-started":       {"ReviewStarted", nil, func(p i18n.Printer) *Card { return ReviewStarted(p, 2, deadline) }},
	}
}

var reviewCreated = time.Date(2027, 5, 3, 9, 0, 0, 0, time.UTC)

// moverReview is Anna Virtanen's review after her move, for her new supervisor: two mandates, one decided when
// decided is true.
func moverReview(decided bool) domain.Review {
	r := domain.Review{ID: 7, Kind: domain.ReviewMover, SubjectID: mandateHolder, ReviewerID: mandateBoss,
		ReviewerName: "Sami Virtanen", OldDepartment: "Talous- ja henkilöstöpalvelut", OldTitle: "Palkkasihteeri",
		NewDepartment: "Sivistyspalvelut", NewTitle: "Koulusihteeri", CreatedAt: reviewCreated,
		Items: []domain.ReviewItem{
			{ID: 71, ReviewID: 7, MandateID: 17, HolderID: mandateHolder, HolderName: "Anna Virtanen",
				ThemeID: "tulorekisteri-palkkatiedot-ilmoittaminen", ValidUntil: time.Date(2028, 3, 7, 0, 0, 0, 0, time.UTC)},
			{ID: 72, ReviewID: 7, MandateID: 18, HolderID: mandateHolder, HolderName: "Anna Virtanen",
				ThemeID: "vero-veroasiat", ValidUntil: time.Date(2027, 12, 31, 0, 0, 0, 0, time.UTC)},
		}}
	if decided {
		r.Items[0].Decision, r.Items[0].DecidedBy, r.Items[0].DecidedAt = domain.ReviewInvalidate, mandateBoss, reviewCreated
	}
	return r
}

// campaignReview is a supervisor's review in a campaign: two people, one item of each.
func campaignReview() domain.Review {
	r := moverReview(false)
	r.Kind, r.CampaignID, r.SubjectID, r.OldDepartment, r.OldTitle, r.NewDepartment, r.NewTitle = domain.ReviewCampaign, 3, "", "", "", "", ""
	r.Items[1].HolderName, r.Items[1].HolderID = "Bo Ek", "7c1e4a52-0000-4000-8000-000000000010"
	return r
}

func reviewGolden() map[string]func(p i18n.Printer) *Card {
	cat := defaultCatalog()
	deadline := time.Date(2027, 5, 25, 0, 0, 0, 0, time.UTC)
	done := moverReview(true)
	done.Items[1].Decision, done.Items[1].DecidedBy = domain.ReviewKeep, mandateBoss
	report := []domain.Review{moverReview(true), campaignReview()}
	report[0].Kind, report[0].CampaignID = domain.ReviewCampaign, 3
	return map[string]func(p i18n.Printer) *Card{
		"review-mover": func(p i18n.Printer) *Card {
			return Review(p, ReviewInput{Catalog: cat, Review: moverReview(false), MayDecide: true})
		},
		"review-mover-partly": func(p i18n.Printer) *Card {
			return Review(p, ReviewInput{Catalog: cat, Review: moverReview(true), MayDecide: true, Reminder: 1,
				Saved: p.Format("review.saved", "kept", "0", "tasks", "1")})
		},
		"review-mover-done": func(p i18n.Printer) *Card {
			return Review(p, ReviewInput{Catalog: cat, Review: done, MayDecide: true})
		},
		"review-campaign": func(p i18n.Printer) *Card {
			return Review(p, ReviewInput{Catalog: cat, Review: campaignReview(), Deadline: deadline, MayDecide: true})
		},
		"review-moved": func(p i18n.Printer) *Card {
			r := moverReview(false)
			r.Escalated, r.ReviewerID, r.ReviewerName = true, mandateMain, "Mikael Nordström"
			return Review(p, ReviewInput{Catalog: cat, Review: r, Reader: mandateBoss})
		},
		"review-start-confirm": func(p i18n.Printer) *Card { return ReviewStartConfirm(p, deadline) },
		"review-started":       func(p i18n.Printer) *Card { return ReviewStarted(p, 4, deadline) },
		"review-report": func(p i18n.Printer) *Card {
			return ReviewReport(p, ReviewReportInput{Catalog: cat, Reviews: report, Campaign: domain.Campaign{ID: 3,
				StartedBy: mandateMain, StartedAt: reviewCreated, Deadline: deadline, ClosedAt: deadline.Add(9 * time.Hour)}})
		},
	}
}

// The card offers a choice only for the undecided items, and none at all to someone who may not decide or once
// every item is decided; every choice's id names an item of the review.
func TestReviewCardChoices(t *testing.T) {
	p := bundle.Printer(domain.Finnish)
	cat := defaultCatalog()
	ids := func(c *Card) []string {
		var out []string
		for _, e := range c.Body {
			if box, ok := e.(Container); ok {
				for _, it := range box.Items {
					if in, ok := it.(Input); ok {
						out = append(out, in.ID)
					}
				}
			}
		}
		return out
	}
	if got := ids(Review(p, ReviewInput{Catalog: cat, Review: moverReview(true), MayDecide: true})); strings.Join(got, ",") != "review_72" {
		t.Errorf("partly decided: inputs %v, want review_72", got)
	}
	if c := Review(p, ReviewInput{Catalog: cat, Review: moverReview(false)}); len(ids(c)) != 0 || len(c.Actions) != 0 {
		t.Errorf("a reader who may not decide got inputs or actions")
	}
}
