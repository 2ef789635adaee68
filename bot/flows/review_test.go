package flows

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/infracloudio/msbotbuilder-go/schema"

	"github.com/valtuusbotti/valtuusbotti/cards"
	"github.com/valtuusbotti/valtuusbotti/internal/alerts"
	"github.com/valtuusbotti/valtuusbotti/internal/catalog"
	"github.com/valtuusbotti/valtuusbotti/internal/directory"
	"github.com/valtuusbotti/valtuusbotti/internal/domain"
	"github.com/valtuusbotti/valtuusbotti/internal/i18n"
	"github.com/valtuusbotti/valtuusbotti/internal/language"
	"github.com/valtuusbotti/valtuusbotti/internal/sqlstore"
	"github.com/valtuusbotti/valtuusbotti/internal/sqlstore/sqltest"
	"github.com/valtuusbotti/valtuusbotti/internal/state"
	"github.com/valtuusbotti/valtuusbotti/internal/testfakes/clock"
	"github.com/valtuusbotti/valtuusbotti/internal/views"
	"github.com/valtuusbotti/valtuusbotti/internal/workflow"
)

const oskarID = "7c1e4a52-0000-4000-8000-000000000006" // no manager: Leo, head of Sivistyspalvelut, reviews

// newReviewFlows is the flows with reviews wired on db, and active mandates of Elina (supervisor Sami) and Oskar.
func newReviewFlows(t *testing.T, db *sqlstore.DB) *Flows {
	t.Helper()
	clk := clock.NewManual(time.Time{})
	cat, err := catalog.Default()
	if err != nil {
		t.Fatal(err)
	}
	dir, err := directory.LoadDemo()
	if err != nil {
		t.Fatal(err)
	}
	st := state.NewMemory(clk.Now)
	al := &alerts.Service{Store: db.Register, Catalog: cat, Directory: dir, Now: clk.Now}
	wf := &workflow.Service{Store: db.Register, Directory: dir, Catalog: cat, Now: clk.Now, Alerts: al}
	ms := &workflow.Mandates{Flow: wf, Store: db.Register}
	f := New(Deps{Workflow: wf, Catalog: cat, Directory: dir, Register: db.People,
		Views:    &views.Views{Catalog: cat, Directory: dir, Refs: db.People, Now: clk.Now},
		Language: &language.Resolver{Hints: st, Default: domain.Finnish}, Messages: i18n.MustLoad(), State: st, Now: clk.Now,
		Mandates: ms, Reviews: &workflow.Reviews{Mandates: ms, Store: db.Register, Campaigns: al}})
	for _, h := range []struct{ id, name, dept string }{{elina, "Elina Lindholm", "Talous- ja henkilöstöpalvelut"},
		{oskarID, "Oskar Berg", "Sivistyspalvelut"}} {
		m := domain.Mandate{HolderID: h.id, HolderName: h.name, Department: h.dept, ThemeID: "vero-veroasiat",
			ValidFrom: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), ValidUntil: time.Date(2028, 1, 1, 0, 0, 0, 0, time.UTC),
			State: domain.MandateActive}
		if err := db.Register.InTx(context.Background(), func(tx domain.Tx) error { return tx.CreateMandate(context.Background(), &m) }); err != nil {
			t.Fatal(err)
		}
	}
	return f
}

// reviewOf is the review of the campaign whose reviewer is who.
func reviewOf(t *testing.T, db *sqlstore.DB, who string) domain.Review {
	t.Helper()
	c, err := db.Register.LatestCampaign(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	rs, err := db.Register.CampaignReviews(context.Background(), c.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rs {
		if r.ReviewerID == who {
			return r
		}
	}
	t.Fatalf("no review for %s", who)
	return domain.Review{}
}

// A main user starts a campaign by command, confirmed first; anyone else is refused; the report is theirs only.
func TestReviewCampaignCommand(t *testing.T) {
	sqltest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		f := newReviewFlows(t, db)
		ctx := context.Background()
		p := f.Messages.Printer(domain.Finnish)
		say := func(who, text string) string {
			t.Helper()
			res, err := f.Message(ctx, turn(f, who, "personal", schema.Activity{Type: "message", Text: text}))
			if err != nil || len(res.Replies) != 1 {
				t.Fatalf("%q: %v %v", text, err, res)
			}
			a := res.Replies[0]
			if len(a.Attachments) > 0 {
				return fmt.Sprint(a.Attachments[0].Content)
			}
			return a.Text
		}
		if got := say(sami, "aloita katselmointi"); got != p.Get("err.not_main_user") {
			t.Errorf("a supervisor starting a review: %q", got)
		}
		if got := say(mikaelID, "aloita katselmointi"); !strings.Contains(got, cards.VerbReviewStart) {
			t.Fatalf("no confirmation: %s", got)
		}
		if _, err := db.Register.LatestCampaign(ctx); !domain.IsCode(err, domain.ENotFound) {
			t.Fatalf("the command started a campaign before the confirmation: %v", err)
		}
		open := p.Format("myteam.review", "n", "1")
		if got := say(sami, "tiimini"); strings.Contains(got, open) || !strings.Contains(got, "Elina Lindholm") {
			t.Errorf("Sami's team before the campaign: %s", got)
		}
		body := invokeAs(t, f, mikaelID, cards.VerbReviewStart, map[string]any{"confirm": true})
		if !strings.Contains(body, p.Format("review.start.done", "n", "2", "date", "")[:20]) {
			t.Fatalf("start: %s", body)
		}
		// The supervisor's view shows the review waiting on Elina's mandate.
		if got := say(sami, "tiimini"); !strings.Contains(got, open) {
			t.Errorf("Sami's team during the campaign does not show the open review (%q): %s", open, got)
		}
		if body := invokeAs(t, f, mikaelID, cards.VerbReviewStart, map[string]any{"confirm": true}); !strings.Contains(body, p.Get("review.err.campaign_open")) {
			t.Errorf("a second start: %s", body)
		}
		if got := say(mikaelID, "start review"); !strings.Contains(got, cards.VerbReviewStart) {
			t.Errorf("the English command: %s", got)
		}
		if got := say(sami, "katselmointiraportti"); got != p.Get("err.not_main_user") {
			t.Errorf("a supervisor read the report: %q", got)
		}
		if got := say(mikaelID, "katselmoinnin raportti"); !strings.Contains(got, p.Get("review.report.title")) {
			t.Errorf("the report: %s", got)
		}
	})
}

// The reviewer's submit: tampered data (a field the bot did not write, an unknown choice, an item of another
// review, another person's review) is refused and records nothing; a valid submit records each decision once with
// its audit row and opens the invalidation task; the same submit again changes nothing.
func TestReviewSubmitAuthorisedAndOnce(t *testing.T) {
	sqltest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		f := newReviewFlows(t, db)
		ctx := context.Background()
		p := f.Messages.Printer(domain.Finnish)
		invokeAs(t, f, mikaelID, cards.VerbReviewStart, map[string]any{"confirm": true})
		mine, leos := reviewOf(t, db, sami), reviewOf(t, db, "7c1e4a52-0000-4000-8000-000000000009")
		item := fmt.Sprint(cards.ReviewInputPrefix, mine.Items[0].ID)
		other := fmt.Sprint(cards.ReviewInputPrefix, leos.Items[0].ID)
		decided := func() int {
			n := 0
			for _, r := range []domain.Review{mine, leos} {
				got, err := db.Register.Review(ctx, r.ID)
				if err != nil {
					t.Fatal(err)
				}
				n += len(got.Items) - got.Undecided()
			}
			return n
		}
		for name, c := range map[string]struct {
			who  string
			data map[string]any
			want string
		}{
			"a field the bot did not write": {sami, map[string]any{"reviewId": mine.ID, "reviewerId": sami, item: "keep"}, p.Get("error.invalid_action")},
			"an unknown choice":             {sami, map[string]any{"reviewId": mine.ID, item: "delete"}, p.Get("error.invalid_action")},
			"an item of another review":     {sami, map[string]any{"reviewId": mine.ID, other: "invalidate"}, p.Get("review.err.not_in_review")},
			"another person's review":       {sami, map[string]any{"reviewId": leos.ID, other: "invalidate"}, p.Get("review.err.not_reviewer")},
			"a review that does not exist":  {sami, map[string]any{"reviewId": 999999, item: "keep"}, p.Get("review.err.not_reviewer")},
			"nothing chosen":                {sami, map[string]any{"reviewId": mine.ID, item: ""}, p.Get("review.err.nothing_chosen")},
		} {
			if body := invokeAs(t, f, c.who, cards.VerbReviewSubmit, c.data); !strings.Contains(body, jsonText(c.want)) {
				t.Errorf("%s: %s, want %q", name, body, c.want)
			}
		}
		if n := decided(); n != 0 {
			t.Fatalf("refused submits decided %d items", n)
		}
		submit := map[string]any{"reviewId": mine.ID, item: "invalidate"}
		if body := invokeAs(t, f, sami, cards.VerbReviewSubmit, submit); !strings.Contains(body, p.Format("review.saved", "kept", "0", "tasks", "1")) {
			t.Fatalf("submit: %s", body)
		}
		if body := invokeAs(t, f, sami, cards.VerbReviewSubmit, submit); !strings.Contains(body, p.Get("review.err.decided")) {
			t.Errorf("the double submit: %s", body)
		}
		if n := decided(); n != 1 {
			t.Errorf("%d items decided, want 1", n)
		}
		if inv, err := db.Register.Invalidation(ctx, mine.Items[0].MandateID); err != nil || !inv.Open() {
			t.Errorf("the invalidation task: %+v %v", inv, err)
		}
	})
}

// jsonText is s as a JSON string carries it, without the quotes.
func jsonText(s string) string {
	raw, _ := json.Marshal(s)
	return string(raw[1 : len(raw)-1])
}

func invokeAs(t *testing.T, f *Flows, who, verb string, data map[string]any) string {
	t.Helper()
	res, err := f.Invoke(context.Background(), turn(f, who, "personal", invoke(verb, data)))
	if err != nil {
		t.Fatalf("%s by %s: %v", verb, who, err)
	}
	return string(res.Invoke.Body)
}
