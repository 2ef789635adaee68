package alerts_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/valtuusbotti/valtuusbotti/internal/alerts"
	"github.com/valtuusbotti/valtuusbotti/internal/domain"
	"github.com/valtuusbotti/valtuusbotti/internal/i18n"
	"github.com/valtuusbotti/valtuusbotti/internal/sqlstore"
	"github.com/valtuusbotti/valtuusbotti/internal/workflow"
)

// The demo's other people in the review scenarios.
const (
	tiina = "7c1e4a52-0000-4000-8000-000000000007" // manager Pekka, whose account is disabled: Leo, head of Sivistyspalvelut, reviews
)

// mandate records an active mandate of holder directly in the register (as an import would).
func (g *rig) mandate(holder, name, dept, theme string, until time.Time) domain.Mandate {
	g.t.Helper()
	m := domain.Mandate{HolderID: holder, HolderName: name, Department: dept, ThemeID: theme,
		ValidFrom: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), ValidUntil: until, State: domain.MandateActive}
	err := g.db.Register.InTx(context.Background(), func(tx domain.Tx) error { return tx.CreateMandate(context.Background(), &m) })
	if err != nil {
		g.t.Fatal(err)
	}
	return m
}

// moved schedules the directory's mover event of elina: to Sivistyspalvelut, under Leo.
func (g *rig) moved(at time.Time) {
	g.t.Helper()
	ev := domain.DirectoryEvent{Kind: domain.Mover, PersonID: elina, EffectiveOn: at, DetectedAt: at, Fingerprint: "sivistys",
		Before: &domain.DirectoryPerson{User: domain.User{ID: elina, DisplayName: "Elina Lindholm",
			Department: "Talous- ja henkilöstöpalvelut", JobTitle: "Palkkasihteeri", AccountEnabled: true}, ManagerID: sami},
		After: &domain.DirectoryPerson{User: domain.User{ID: elina, DisplayName: "Elina Lindholm",
			Department: "Sivistyspalvelut", JobTitle: "Koulusihteeri", AccountEnabled: true}, ManagerID: leo}}
	job, err := ev.Job(at)
	if err != nil {
		g.t.Fatal(err)
	}
	for range 2 { // the sync sees the same move twice: one job
		if _, err := g.db.Jobs.Schedule(context.Background(), job); err != nil {
			g.t.Fatal(err)
		}
	}
}

// kinds lists the kinds of the outbox messages to who, in the order written.
func (g *rig) kinds(who string, kind string) []domain.Payload {
	g.t.Helper()
	msgs, err := g.db.Outbox.ForRecipient(context.Background(), who)
	if err != nil {
		g.t.Fatal(err)
	}
	var out []domain.Payload
	for _, m := range msgs {
		if m.Kind == kind {
			p, err := m.Decode()
			if err != nil {
				g.t.Fatal(err)
			}
			out = append(out, p)
		}
	}
	return out
}

// auditActions lists the actions of the whole audit trail, oldest first.
func (g *rig) auditActions() []string {
	g.t.Helper()
	var out []string
	err := g.db.Register.EachAudit(context.Background(), sqlstore.AuditFilter{}, func(e domain.AuditEvent) error {
		out = append(out, e.Action)
		return nil
	})
	if err != nil {
		g.t.Fatal(err)
	}
	return out
}

func (g *rig) reviews() *workflow.Reviews {
	return &workflow.Reviews{Mandates: &workflow.Mandates{Flow: g.wf, Store: g.db.Register}, Store: g.db.Register, Campaigns: g.alerts}
}

// A mover produces one review card to the new supervisor, with the old and new job; a second run of the job and
// the same move seen again change nothing; the reviewer's "invalidate" becomes the main users' invalidation task,
// "keep" keeps; a second submit and card data from another review are refused and record nothing more.
func TestMoverReviewBecomesInvalidationTasks(t *testing.T) {
	each(t, at(time.May, 3, 9, 0), func(t *testing.T, g *rig) {
		ctx := context.Background()
		until := time.Date(2028, 5, 31, 0, 0, 0, 0, time.UTC)
		m1 := g.mandate(elina, "Elina Lindholm", "Talous- ja henkilöstöpalvelut", "tulorekisteri-palkkatiedot-ilmoittaminen", until)
		m2 := g.mandate(elina, "Elina Lindholm", "Talous- ja henkilöstöpalvelut", "vero-veroasiat", until)
		g.moved(g.clk.Now())
		g.runAt(at(time.May, 3, 9, 5))
		g.runAt(at(time.May, 3, 9, 6))
		cardsTo := g.kinds(leo, domain.MsgReviewCard)
		if len(cardsTo) != 1 {
			t.Fatalf("Leo got %d review cards, want 1", len(cardsTo))
		}
		if n := len(g.kinds(sami, domain.MsgReviewCard)); n != 0 {
			t.Errorf("the old supervisor got %d review cards", n)
		}
		id := cardsTo[0].(domain.ReviewCard).Review
		r, err := g.db.Register.Review(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if r.Kind != domain.ReviewMover || r.ReviewerID != leo || r.OldDepartment != "Talous- ja henkilöstöpalvelut" ||
			r.NewTitle != "Koulusihteeri" || r.OldTitle != "Palkkasihteeri" || len(r.Items) != 2 {
			t.Fatalf("review: %+v", r)
		}
		rv := g.reviews()
		byMandate := map[int64]int64{}
		for _, it := range r.Items {
			byMandate[it.MandateID] = it.ID
		}
		// Tampered data: Sami submits Leo's review; Leo names an item id that is not his review's.
		if _, err := rv.Decide(ctx, workflow.ReviewDecisionInput{ActorID: sami, ReviewID: id,
			Decisions: map[int64]domain.ReviewDecision{byMandate[m1.ID]: domain.ReviewInvalidate}}); !domain.IsCode(err, domain.EForbidden) {
			t.Fatalf("another person's review: %v, want forbidden", err)
		}
		if _, err := rv.Decide(ctx, workflow.ReviewDecisionInput{ActorID: leo, ReviewID: id,
			Decisions: map[int64]domain.ReviewDecision{byMandate[m1.ID] + 1000: domain.ReviewInvalidate}}); !domain.IsCode(err, domain.EForbidden) {
			t.Fatalf("an item of no review: %v, want forbidden", err)
		}
		out, err := rv.Decide(ctx, workflow.ReviewDecisionInput{ActorID: leo, ReviewID: id, ActivityID: "act-review",
			Decisions: map[int64]domain.ReviewDecision{byMandate[m1.ID]: domain.ReviewInvalidate, byMandate[m2.ID]: domain.ReviewKeep}})
		if err != nil {
			t.Fatal(err)
		}
		if out.Tasks != 1 || out.Kept != 1 || out.Review.Open() {
			t.Fatalf("outcome %+v", out)
		}
		// The double submit: refused, nothing more recorded.
		if _, err := rv.Decide(ctx, workflow.ReviewDecisionInput{ActorID: leo, ReviewID: id,
			Decisions: map[int64]domain.ReviewDecision{byMandate[m1.ID]: domain.ReviewInvalidate}}); !domain.IsCode(err, domain.EConflict) {
			t.Fatalf("second submit: %v, want conflict", err)
		}
		inv, err := g.db.Register.Invalidation(ctx, m1.ID)
		if err != nil || !inv.Open() || inv.RequestedBy != leo {
			t.Fatalf("the invalidation task: %+v, %v", inv, err)
		}
		if _, err := g.db.Register.Invalidation(ctx, m2.ID); !domain.IsCode(err, domain.ENotFound) {
			t.Errorf("the kept mandate has a task: %v", err)
		}
		tasks := g.kinds(mikael, domain.MsgInvalidationTask)
		if len(tasks) != 1 || tasks[0].(domain.InvalidationTask).Mandate != m1.ID {
			t.Errorf("Mikael's invalidation tasks: %v", tasks)
		}
		got := g.auditActions()
		for _, want := range []string{"review.opened", "review.invalidate", "mandate.invalidation_requested", "review.kept"} {
			if n := countOf(got, want); n != 1 {
				t.Errorf("audit %s: %d rows, want 1 (%v)", want, n, got)
			}
		}
		// The decided review reminds nobody; the task reminds the main users as any invalidation task does.
		g.runAt(at(time.May, 20, 10, 0))
		if n := len(g.kinds(leo, domain.MsgReviewCard)); n != 1 {
			t.Errorf("a decided review was reminded: %d cards", n)
		}
	})
}

// A mover without active mandates: nothing is sent, one audit row says so.
func TestMoverWithoutMandatesOnlyAudits(t *testing.T) {
	each(t, at(time.May, 3, 9, 0), func(t *testing.T, g *rig) {
		g.moved(g.clk.Now())
		g.runAt(at(time.May, 3, 9, 5))
		if n := len(g.kinds(leo, domain.MsgReviewCard)); n != 0 {
			t.Errorf("%d review cards for a mover without mandates", n)
		}
		if got := g.auditActions(); !slices.Equal(got, []string{"review.mover_no_mandates"}) {
			t.Errorf("audit: %v", got)
		}
	})
}

// A mover's review nobody answers reminds the new supervisor after the approval reminder's working days and moves
// to the alternate reviewer after the escalation's: Leo is the head of Sivistyspalvelut himself, so a main user.
func TestMoverReviewRemindsAndEscalates(t *testing.T) {
	each(t, at(time.May, 3, 9, 0), func(t *testing.T, g *rig) {
		g.mandate(elina, "Elina Lindholm", "Talous- ja henkilöstöpalvelut", "vero-veroasiat", time.Date(2028, 5, 31, 0, 0, 0, 0, time.UTC))
		g.moved(g.clk.Now())
		for d := 3; d <= 17; d++ {
			g.runAt(at(time.May, d, 10, 0))
		}
		leoCards := g.kinds(leo, domain.MsgReviewCard)
		if len(leoCards) != 3 || leoCards[1].(domain.ReviewCard).Reminder != 1 || leoCards[2].(domain.ReviewCard).Reminder != 0 {
			t.Fatalf("Leo's cards: %v, want the card, one reminder and the card saying it moved", leoCards)
		}
		// Monday 3 May + 7 working days (helatorstai 6 May is a holiday) = Thursday 13 May.
		mik := g.kinds(mikael, domain.MsgReviewCard)
		if len(mik) < 1 {
			t.Fatalf("the review did not move to the main user: %v", mik)
		}
		r, _ := g.db.Register.Review(context.Background(), mik[0].(domain.ReviewCard).Review)
		if r.ReviewerID != mikael || !r.Escalated {
			t.Errorf("after escalation: reviewer %s, escalated %v", name(r.ReviewerID), r.Escalated)
		}
		if _, err := g.reviews().Decide(context.Background(), workflow.ReviewDecisionInput{ActorID: leo, ReviewID: r.ID,
			Decisions: map[int64]domain.ReviewDecision{r.Items[0].ID: domain.ReviewKeep}}); !domain.IsCode(err, domain.EForbidden) {
			t.Errorf("the reviewer it left decided: %v", err)
		}
	})
}

// A campaign a main user starts: every supervisor gets one card of their people's mandates (Sami: Elina's; Leo:
// Oskar's, who has no manager, and Tiina's, whose manager's account is disabled); a second start is refused while it
// runs; Sami answers, Leo does not: he is reminded, the review escalates, and at the deadline the report goes to the
// main users with the unanswered items left as they were.
func TestCampaignRemindsEscalatesAndReports(t *testing.T) {
	each(t, at(time.May, 3, 9, 0), func(t *testing.T, g *rig) {
		ctx := context.Background()
		until := time.Date(2028, 5, 31, 0, 0, 0, 0, time.UTC)
		me := g.mandate(elina, "Elina Lindholm", "Talous- ja henkilöstöpalvelut", "vero-veroasiat", until)
		g.mandate(oskar, "Oskar Berg", "Sivistyspalvelut", "vero-veroasiat", until)
		g.mandate(tiina, "Tiina Mäkelä", "Sivistyspalvelut", "vero-veroasiat", until)
		rv := g.reviews()
		if _, err := rv.StartCampaign(ctx, elina, ""); !domain.IsCode(err, domain.EForbidden) {
			t.Fatalf("an employee started a campaign: %v", err)
		}
		c, err := rv.StartCampaign(ctx, mikael, "act-start")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := rv.StartCampaign(ctx, mikael, "act-start-2"); !domain.IsCode(err, domain.EConflict) {
			t.Fatalf("a second campaign while one runs: %v", err)
		}
		samiCards, leoCards := g.kinds(sami, domain.MsgReviewCard), g.kinds(leo, domain.MsgReviewCard)
		if len(samiCards) != 1 || len(leoCards) != 1 {
			t.Fatalf("cards: Sami %d, Leo %d, want one each", len(samiCards), len(leoCards))
		}
		leoReview, _ := g.db.Register.Review(ctx, leoCards[0].(domain.ReviewCard).Review)
		if len(leoReview.Items) != 2 {
			t.Fatalf("Leo reviews %d mandates, want Oskar's and Tiina's", len(leoReview.Items))
		}
		samiReview, _ := g.db.Register.Review(ctx, samiCards[0].(domain.ReviewCard).Review)
		if _, err := rv.Decide(ctx, workflow.ReviewDecisionInput{ActorID: sami, ReviewID: samiReview.ID,
			Decisions: map[int64]domain.ReviewDecision{leoReview.Items[0].ID: domain.ReviewKeep}}); !domain.IsCode(err, domain.EForbidden) {
			t.Fatalf("Sami decided an item of Leo's review: %v", err)
		}
		if _, err := rv.Decide(ctx, workflow.ReviewDecisionInput{ActorID: sami, ReviewID: samiReview.ID,
			Decisions: map[int64]domain.ReviewDecision{samiReview.Items[0].ID: domain.ReviewKeep}}); err != nil {
			t.Fatal(err)
		}
		// The deadline: 15 working days from Monday 3 May (helatorstai 6 May, no other holiday) = Tuesday 25 May.
		for d := 3; d <= 31; d++ {
			g.runAt(at(time.May, d, 10, 0))
		}
		if n := len(g.kinds(leo, domain.MsgReviewCard)); n != 3 {
			t.Errorf("Leo got %d cards, want the card, one reminder and the card saying it moved", n)
		}
		if n := len(g.kinds(sami, domain.MsgReviewCard)); n != 1 {
			t.Errorf("Sami, who answered, got %d cards", n)
		}
		// The escalation on Thursday 13 May gives Mikael the card, reminded on Tuesday 18 May, before the deadline.
		if mik := g.kinds(mikael, domain.MsgReviewCard); len(mik) != 2 || mik[1].(domain.ReviewCard).Reminder != 1 {
			t.Errorf("the escalation gave Mikael %v, want the card and one reminder", mik)
		}
		reports := g.kinds(mikael, domain.MsgReviewReport)
		if len(reports) != 1 || reports[0].(domain.ReviewReport).Campaign != c.ID {
			t.Fatalf("reports: %v", reports)
		}
		rep, err := rv.Report(ctx, mikael, 0)
		if err != nil {
			t.Fatal(err)
		}
		if rep.Campaign.Open() || len(rep.Reviews) != 2 {
			t.Fatalf("report: %+v", rep)
		}
		unanswered := 0
		for _, r := range rep.Reviews {
			unanswered += r.Undecided()
		}
		if unanswered != 2 {
			t.Errorf("%d unanswered items, want Oskar's and Tiina's", unanswered)
		}
		// Never silently kept or revoked: the unanswered mandates are as they were, with no task.
		for _, it := range leoReview.Items {
			if m, _ := g.db.Register.Mandate(ctx, it.MandateID); m.State != domain.MandateActive {
				t.Errorf("an unanswered mandate became %s", m.State)
			}
		}
		if m, _ := g.db.Register.Mandate(ctx, me.ID); m.State != domain.MandateActive {
			t.Errorf("a kept mandate became %s", m.State)
		}
		// After the deadline nobody decides any more.
		if _, err := rv.Decide(ctx, workflow.ReviewDecisionInput{ActorID: mikael, ReviewID: leoReview.ID,
			Decisions: map[int64]domain.ReviewDecision{leoReview.Items[0].ID: domain.ReviewKeep}}); !domain.IsCode(err, domain.EConflict) {
			t.Errorf("a decision after the deadline: %v", err)
		}
		if _, err := rv.Report(ctx, sami, 0); !domain.IsCode(err, domain.EForbidden) {
			t.Errorf("a supervisor read the report: %v", err)
		}
	})
}

// The periodic campaign: Start schedules it on review.first_on (1 March 2027 in the embedded catalog), it runs then
// and schedules the one after every_months.
func TestPeriodicCampaignIsScheduled(t *testing.T) {
	each(t, time.Date(2027, 2, 22, 9, 0, 0, 0, helsinki), func(t *testing.T, g *rig) {
		ctx := context.Background()
		g.mandate(elina, "Elina Lindholm", "Talous- ja henkilöstöpalvelut", "vero-veroasiat", time.Date(2028, 5, 31, 0, 0, 0, 0, time.UTC))
		if err := g.alerts.Start(ctx, g.db.Jobs); err != nil {
			t.Fatal(err)
		}
		for d := 22; d <= 28; d++ {
			g.runAt(time.Date(2027, 2, d, 10, 0, 0, 0, helsinki))
		}
		if n := len(g.kinds(sami, domain.MsgReviewCard)); n != 0 {
			t.Fatalf("a campaign before its day: %d cards", n)
		}
		g.runAt(time.Date(2027, 3, 1, 8, 30, 0, 0, helsinki))
		if n := len(g.kinds(sami, domain.MsgReviewCard)); n != 1 {
			t.Fatalf("Sami got %d cards on the campaign's day, want 1", n)
		}
		jobs, err := g.db.Jobs.PendingUntil(ctx, time.Date(2028, 3, 2, 0, 0, 0, 0, time.UTC))
		if err != nil {
			t.Fatal(err)
		}
		var next []string
		for _, j := range jobs {
			if j.Kind == alerts.KindReviewCampaign {
				next = append(next, j.Key)
			}
		}
		if !slices.Equal(next, []string{"review_campaign/periodic/2028-03-01"}) {
			t.Errorf("next campaigns: %v", next)
		}
	})
}

func countOf(list []string, s string) int {
	n := 0
	for _, x := range list {
		if x == s {
			n++
		}
	}
	return n
}

// A year of reviews, 2027, on an injected clock with scheduler passes through every day: the periodic campaign
// starts on review.first_on (Monday 1 March), Sami answers, Leo does not and is reminded, his review moves to the
// main user, and at the deadline the report goes to the main user with Oskar's mandate unanswered; in June Elina
// moves to Sivistyspalvelut and Leo, her new supervisor, gets one review card whose "invalidate" becomes the main
// user's invalidation task. Every review message is written in working hours.
func TestAYearOfReviews(t *testing.T) {
	each(t, time.Date(2027, 1, 4, 8, 30, 0, 0, helsinki), func(t *testing.T, g *rig) {
		ctx := context.Background()
		day := func(m time.Month, d, h int) time.Time { return time.Date(2027, m, d, h, 0, 0, 0, helsinki) }
		until := time.Date(2028, 12, 31, 0, 0, 0, 0, time.UTC)
		me := g.mandate(elina, "Elina Lindholm", "Talous- ja henkilöstöpalvelut", "vero-veroasiat", until)
		g.mandate(oskar, "Oskar Berg", "Sivistyspalvelut", "vero-veroasiat", until)
		if err := g.alerts.Start(ctx, g.db.Jobs); err != nil {
			t.Fatal(err)
		}
		walked := g.clk.Now()
		walk := func(to time.Time) {
			t.Helper()
			for d := walked; !d.After(to); d = d.Add(time.Hour) {
				if h := d.In(helsinki).Hour(); h == 2 || h == 7 || h == 8 || h == 10 || h == 15 || h == 17 {
					g.runAt(d)
				}
			}
			walked = to
			g.clk.Set(to)
		}
		when := func(who, kind string) []string {
			t.Helper()
			msgs, err := g.db.Outbox.ForRecipient(ctx, who)
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, m := range msgs {
				if m.Kind == kind {
					out = append(out, m.CreatedAt.In(helsinki).Format("2.1. 15"))
				}
			}
			return out
		}
		want := func(what string, got []string, w ...string) {
			t.Helper()
			if !slices.Equal(got, w) {
				t.Errorf("%s: %v, want %v", what, got, w)
			}
		}
		rv := g.reviews()

		// March: the campaign starts on Monday 1 March at the start of working hours; Sami keeps Elina's mandate on
		// the 2nd.
		walk(day(time.March, 2, 9))
		want("Sami's campaign card", when(sami, domain.MsgReviewCard), "1.3. 08")
		want("Leo's campaign card", when(leo, domain.MsgReviewCard), "1.3. 08")
		c, err := g.db.Register.LatestCampaign(ctx)
		if err != nil {
			t.Fatal(err)
		}
		rs, _ := g.db.Register.CampaignReviews(ctx, c.ID)
		for _, r := range rs {
			if r.ReviewerID == sami {
				if _, err := rv.Decide(ctx, workflow.ReviewDecisionInput{ActorID: sami, ReviewID: r.ID,
					Decisions: map[int64]domain.ReviewDecision{r.Items[0].ID: domain.ReviewKeep}}); err != nil {
					t.Fatal(err)
				}
			}
		}
		// The passes run at half past (the clock started at 8:30), so the campaign started at 8:30 and its jobs are
		// due at 8:30 of their day, run by the 10:30 pass. Leo is reminded on the third working day (Thursday 4
		// March), his review moves to Mikael on the seventh (Wednesday 10 March), who is reminded on Monday 15 March;
		// the deadline, fifteen working days from the start, is Monday 22 March: Mikael gets the report.
		walk(day(time.April, 1, 9))
		want("Leo's card, reminder and the card saying it moved", when(leo, domain.MsgReviewCard), "1.3. 08", "4.3. 10", "10.3. 10")
		want("Mikael's escalated card and reminder", when(mikael, domain.MsgReviewCard), "10.3. 10", "15.3. 10")
		want("Sami, who answered", when(sami, domain.MsgReviewCard), "1.3. 08")
		want("the report", when(mikael, domain.MsgReviewReport), "22.3. 10")
		rep, err := rv.Report(ctx, mikael, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		kept, unanswered := 0, 0
		for _, r := range rep.Reviews {
			for _, it := range r.Items {
				switch it.Decision {
				case domain.ReviewKeep:
					kept++
				case "":
					unanswered++
				}
			}
		}
		if kept != 1 || unanswered != 1 || rep.Campaign.Open() {
			t.Errorf("report: %d kept, %d unanswered, open %v", kept, unanswered, rep.Campaign.Open())
		}

		// June: Elina moves (the event detected on Saturday 12 June, handled on Monday 14th); Leo gets one card and
		// invalidates her mandate on the 15th: the main user's task.
		walk(day(time.June, 12, 11))
		g.moved(g.clk.Now())
		walk(day(time.June, 15, 9))
		want("Leo's cards after the move", when(leo, domain.MsgReviewCard), "1.3. 08", "4.3. 10", "10.3. 10", "14.6. 08")
		mine, _ := g.db.Register.Review(ctx, g.kinds(leo, domain.MsgReviewCard)[3].(domain.ReviewCard).Review)
		if mine.Kind != domain.ReviewMover || len(mine.Items) != 1 || mine.Items[0].MandateID != me.ID {
			t.Fatalf("the mover's review: %+v", mine)
		}
		if _, err := rv.Decide(ctx, workflow.ReviewDecisionInput{ActorID: leo, ReviewID: mine.ID,
			Decisions: map[int64]domain.ReviewDecision{mine.Items[0].ID: domain.ReviewInvalidate}}); err != nil {
			t.Fatal(err)
		}
		want("the invalidation task", when(mikael, domain.MsgInvalidationTask), "15.6. 09")

		// The periodic campaign of 2028 is planned; nothing else about reviews happens this year.
		walk(day(time.December, 31, 18))
		want("no more review cards", when(leo, domain.MsgReviewCard), "1.3. 08", "4.3. 10", "10.3. 10", "14.6. 08")
		want("one report", when(mikael, domain.MsgReviewReport), "22.3. 10")
		cal := g.alerts.Calendar()
		for _, who := range []string{sami, leo, mikael} {
			msgs, _ := g.db.Outbox.ForRecipient(ctx, who)
			for _, m := range msgs {
				if (m.Kind == domain.MsgReviewCard || m.Kind == domain.MsgReviewReport) && !cal.IsWorkingTime(m.CreatedAt) {
					t.Errorf("%s to %s at %s: outside working hours", m.Kind, name(who), m.CreatedAt.In(helsinki))
				}
			}
		}
	})
}

// The upcoming reminders name a mover's review, its reminder and escalation in words, never by a job key (which
// holds Entra object ids): a mover with mandates is previewed for the new supervisor; once Leo has the card, its
// reminder and escalation are previewed for him until he decides.
func TestReviewJobsArePreviewedInWords(t *testing.T) {
	each(t, at(time.May, 3, 9, 0), func(t *testing.T, g *rig) {
		ctx := context.Background()
		p := i18n.MustLoad().Printer(domain.English)
		g.mandate(elina, "Elina Lindholm", "Talous- ja henkilöstöpalvelut", "vero-veroasiat", time.Date(2028, 5, 31, 0, 0, 0, 0, time.UTC))
		g.moved(g.clk.Now())
		list, err := g.alerts.Preview(ctx, g.db.Jobs, g.clk.Now(), 30, p)
		if err != nil {
			t.Fatal(err)
		}
		var mover bool
		for _, a := range list {
			if strings.Contains(a.What, elina) || strings.Contains(a.What, "/") {
				t.Errorf("an alert named by its key: %+v", a)
			}
			if a.Kind == alerts.KindMover && slices.Equal(a.To, []string{leo}) && strings.Contains(a.What, "Elina Lindholm") {
				mover = true
			}
		}
		if !mover {
			t.Fatalf("no preview of the mover's review for Leo: %+v", list)
		}
		g.runAt(at(time.May, 3, 9, 5))
		list, err = g.alerts.Preview(ctx, g.db.Jobs, g.clk.Now(), 30, p)
		if err != nil {
			t.Fatal(err)
		}
		kinds := map[string]bool{}
		for _, a := range list {
			if strings.Contains(a.What, "/") {
				t.Errorf("an alert named by its key: %+v", a)
			}
			kinds[a.Kind] = true
		}
		if !kinds[alerts.KindReviewReminder] || !kinds[alerts.KindReviewEscalation] {
			t.Errorf("the review's reminder and escalation are not previewed: %+v", list)
		}
	})
}
