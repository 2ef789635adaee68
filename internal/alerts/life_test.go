package alerts_test

import (
	"context"
	"slices"
	"testing"

	"github.com/valtuusbotti/valtuusbotti/internal/domain"
	"github.com/valtuusbotti/valtuusbotti/internal/sqlstore"
	"github.com/valtuusbotti/valtuusbotti/internal/workflow"
)

// More demo people (docs/demo-people.md), and a newcomer the demo directory does not have yet.
const (
	headHelena = "7c1e4a52-0000-4000-8000-000000000003" // head of Talous- ja henkilöstöpalvelut, Sami's manager
	newcomer   = "7c1e4a52-0000-4000-8000-0000000000a1"
)

// event schedules a directory event as the sync does (its job, due on the day it takes effect).
func (w *expiryWorld) event(kind domain.DirectoryEventKind, person string, before, after *domain.DirectoryPerson, on domain.Date) {
	w.t.Helper()
	ev := domain.DirectoryEvent{Kind: kind, PersonID: person, Before: before, After: after, EffectiveOn: on.Time(),
		DetectedAt: w.clk.Now()}
	job, err := ev.Job(w.clk.Now())
	if err != nil {
		w.t.Fatal(err)
	}
	if _, err := w.db.Jobs.Schedule(context.Background(), job); err != nil {
		w.t.Fatal(err)
	}
}

// actions counts the audit rows with the action, whatever they are about.
func (w *expiryWorld) actions(action string) int {
	w.t.Helper()
	n := 0
	if err := w.db.Register.EachAudit(context.Background(), sqlstore.AuditFilter{}, func(e domain.AuditEvent) error {
		if e.Action == action {
			n++
		}
		return nil
	}); err != nil {
		w.t.Fatal(err)
	}
	return n
}

// person is a directory person for an event.
func person(id, name, dept, title, manager string) *domain.DirectoryPerson {
	return &domain.DirectoryPerson{User: domain.User{ID: id, DisplayName: name, Department: dept, JobTitle: title,
		AccountEnabled: true}, ManagerID: manager}
}

// A newcomer gets one welcome (with the role profile of their job title, so the intake opens with it) and their
// supervisor one notice; the same person joining again (a resync, a rehire of the account) welcomes nobody again.
func TestJoinerWelcomedOnce(t *testing.T) {
	eachWorld(t, func(t *testing.T, w *expiryWorld) {
		ctx := context.Background()
		joiner := person(newcomer, "Noora Uusi", "Talous- ja henkilöstöpalvelut", "Palkkasihteeri", supervisorSami)
		w.event(domain.Joiner, newcomer, nil, joiner, domain.Today(w.clk.Now()))
		w.runUntil(fiTime(2026, 11, 27, 20, 0))
		welcomes, notices := w.of(domain.MsgJoinerWelcome), w.of(domain.MsgJoinerNotice)
		if len(welcomes) != 1 || welcomes[0].RecipientID != newcomer {
			t.Fatalf("welcomes: %v", welcomes)
		}
		if got := welcomes[0].payload.(domain.JoinerWelcome).Roles; !slices.Equal(got, []string{"palkkasihteeri"}) {
			t.Errorf("roles on the welcome: %v", got)
		}
		if len(notices) != 1 || notices[0].RecipientID != supervisorSami {
			t.Fatalf("notices: %v", notices)
		}
		n := notices[0].payload.(domain.JoinerNotice)
		if n.Name != "Noora Uusi" || n.JobTitle != "Palkkasihteeri" || !slices.Equal(n.Roles, []string{"palkkasihteeri"}) {
			t.Errorf("notice: %+v", n)
		}
		// Rehired (another day, another event): no second welcome, no second notice.
		w.event(domain.Joiner, newcomer, nil, joiner, domain.Today(w.clk.Now()))
		w.runUntil(fiTime(2026, 12, 2, 20, 0))
		if n := len(w.of(domain.MsgJoinerWelcome, domain.MsgJoinerNotice)); n != 2 {
			t.Errorf("%d joiner messages after the second event, want 2", n)
		}
		if got := w.actions("directory.joiner"); got != 2 {
			t.Errorf("%d joiner audit rows, want 2 (welcomed, then welcomed before)", got)
		}
		// A joiner without a manager: the head of their department is told.
		w.event(domain.Joiner, "7c1e4a52-0000-4000-8000-0000000000a2", nil,
			person("7c1e4a52-0000-4000-8000-0000000000a2", "Olli Opettaja", "Sivistyspalvelut", "Koulusihteeri", ""),
			domain.Today(w.clk.Now()))
		w.runUntil(fiTime(2026, 12, 3, 20, 0))
		last := w.of(domain.MsgJoinerNotice)
		if len(last) != 2 || last[1].RecipientID != "7c1e4a52-0000-4000-8000-000000000009" {
			t.Errorf("notices: %v", last)
		}
		_ = ctx
	})
}

// A leaver with no mandates, no requests and nothing to decide produces the audit row and nothing else.
func TestLeaverWithNothingIsOnlyAudited(t *testing.T) {
	eachWorld(t, func(t *testing.T, w *expiryWorld) {
		w.event(domain.Leaver, strangerDina, person(strangerDina, "Dina Korhonen", "Tietohallinto", "", mainUserMikael), nil,
			domain.Today(w.clk.Now()))
		w.runUntil(fiTime(2026, 12, 10, 20, 0))
		if len(w.delivered) != 0 {
			t.Errorf("messages: %v", w.delivered)
		}
		if got := w.actions("directory.leaver"); got != 1 {
			t.Errorf("%d leaver audit rows", got)
		}
	})
}

// An approver who leaves: the request waiting for them moves to the alternate approver (the requester's head of
// department), who gets the approval card; the requester is told why; the leaver is not messaged.
func TestLeaverApprovalsMoveToTheAlternate(t *testing.T) {
	eachWorld(t, func(t *testing.T, w *expiryWorld) {
		ctx := context.Background()
		r, err := w.flow.Submit(ctx, workflow.SubmitInput{RequesterID: holderElina, TaskIDs: []string{expiryTask},
			Justification: "Palkanlaskenta", ValidUntil: domain.NewDate(2027, 6, 30).Time()})
		if err != nil {
			t.Fatal(err)
		}
		w.deliver()
		before := len(w.delivered)
		w.event(domain.Leaver, supervisorSami, person(supervisorSami, "Sami Virtanen", "Talous- ja henkilöstöpalvelut", "", headHelena), nil,
			domain.Today(w.clk.Now()))
		w.runUntil(fiTime(2026, 11, 25, 13, 0))
		got, err := w.db.Register.Request(ctx, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.ApproverID != headHelena || got.State != domain.RequestPending {
			t.Fatalf("request after the approver left: approver %s, %s", got.ApproverID, got.State)
		}
		var to []string
		for _, d := range w.delivered[before:] {
			if d.Kind != domain.MsgRefreshCards {
				to = append(to, d.Kind+"→"+d.RecipientID[len(d.RecipientID)-2:])
			}
			if d.RecipientID == supervisorSami {
				t.Errorf("the leaver was messaged: %v", d)
			}
			if ch, ok := d.payload.(domain.ApproverChanged); ok && ch.Reason != domain.ReassignApproverLeft {
				t.Errorf("approver changed for %q", ch.Reason)
			}
		}
		if want := []string{"approval_request→03", "approver_changed→01"}; !slices.Equal(to, want) {
			t.Errorf("messages %v, want %v", to, want)
		}
		if n := w.auditCount(r.ID, "request.approver_left"); n != 1 {
			t.Errorf("%d approver_left audit rows", n)
		}
	})
}

// A requester who leaves: their request waiting for approval ends (not as an expiry), the approver's card is
// updated, nobody is messaged about it, and its reminders stop.
func TestLeaverRequestsEnd(t *testing.T) {
	eachWorld(t, func(t *testing.T, w *expiryWorld) {
		ctx := context.Background()
		r, err := w.flow.Submit(ctx, workflow.SubmitInput{RequesterID: holderElina, TaskIDs: []string{expiryTask},
			Justification: "Palkanlaskenta", ValidUntil: domain.NewDate(2027, 6, 30).Time()})
		if err != nil {
			t.Fatal(err)
		}
		w.deliver()
		before := len(w.delivered)
		w.event(domain.Leaver, holderElina, person(holderElina, "Elina Lindholm", "Talous- ja henkilöstöpalvelut", "", supervisorSami), nil,
			domain.Today(w.clk.Now()))
		w.runUntil(fiTime(2027, 1, 29, 20, 0))
		got, err := w.db.Register.Request(ctx, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !got.EndedForLeaver() || got.Expired() {
			t.Errorf("request after the requester left: %s by %s (%s)", got.State, got.DecidedBy, got.DecisionReason)
		}
		for _, d := range w.delivered[before:] {
			if d.Kind != domain.MsgRefreshCards {
				t.Errorf("message after the requester left: %v", d)
			}
		}
		if n := w.auditCount(r.ID, "request.ended_requester_left"); n != 1 {
			t.Errorf("%d ended audit rows", n)
		}
	})
}
