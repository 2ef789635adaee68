package alerts_test

import (
	"context"
	"testing"
	"time"

	"github.com/valtuusbotti/valtuusbotti/internal/domain"
	"github.com/valtuusbotti/valtuusbotti/internal/workflow"
)

func (g *rig) delegations() *workflow.Delegations {
	return &workflow.Delegations{Workflow: g.wf, Alerts: g.alerts}
}

func (g *rig) away(approver, delegate string, from, until domain.Date) (domain.Delegation, int) {
	g.t.Helper()
	d, moved, err := g.delegations().Set(context.Background(), workflow.DelegationInput{ActorID: approver,
		DelegateID: delegate, From: from, Until: until, ActivityID: "act-away"})
	if err != nil {
		g.t.Fatalf("delegation: %v", err)
	}
	return d, moved
}

// Sami is away from today to Friday and names Dina: Elina's waiting request moves to Dina at once and her new one
// goes to Dina from the start; Dina is reminded, not Sami; the day after the absence (the next working moment) the
// requests still open go back to Sami, whose reminders then start again.
func TestDelegationRoutesNewAndOpenApprovals(t *testing.T) {
	each(t, at(time.May, 4, 10, 0), func(t *testing.T, g *rig) {
		open := g.submit(elina)
		seen := len(g.sent(open.ID, 0))
		g.clk.Set(at(time.May, 4, 11, 0))
		_, moved := g.away(sami, dina, domain.NewDate(2027, 5, 4), domain.NewDate(2027, 5, 7))
		if moved != 1 {
			t.Fatalf("moved %d", moved)
		}
		got := g.sent(open.ID, seen)
		wantSent(t, "the waiting request moves", got, "refresh_cards→", "approval_request→dina", "approver_changed→elina")
		seen += len(got)
		if r := g.request(open.ID); r.ApproverID != dina || r.Reassigned.Reason != domain.ReassignDelegated || r.Reassigned.FromID != sami {
			t.Fatalf("after the delegation: %s %+v", name(r.ApproverID), r.Reassigned)
		}
		newer, err := g.wf.Submit(context.Background(), workflow.SubmitInput{RequesterID: elina,
			TaskIDs: []string{"kela-paivarahojen-hakeminen"}, Justification: "Haen päivärahat.",
			ValidUntil: time.Date(2028, 5, 31, 0, 0, 0, 0, time.UTC)})
		if err != nil {
			t.Fatal(err)
		}
		if newer.ApproverID != dina || newer.Reassigned.FromID != sami {
			t.Errorf("a new request goes to %s (%+v)", name(newer.ApproverID), newer.Reassigned)
		}
		// Sami's reminder of 10 May was planned for him: it does nothing. Dina's reminder (three working days after
		// the move, Monday 10 May) finds the request back with Sami: nothing either.
		g.runAt(at(time.May, 7, 15, 0))
		wantSent(t, "during the absence", g.sent(open.ID, seen))
		g.runAt(at(time.May, 10, 8, 0)) // Saturday 8 May is the day after; the first working moment is Monday 08:00
		got = g.sent(open.ID, seen)
		wantSent(t, "back on Monday", got, "refresh_cards→", "approval_request→sami", "approver_changed→elina")
		seen += len(got)
		for _, id := range []int64{open.ID, newer.ID} {
			if r := g.request(id); r.ApproverID != sami || r.Reassigned.Reason != domain.ReassignReturned {
				t.Errorf("request %d after the absence: %s %+v", id, name(r.ApproverID), r.Reassigned)
			}
		}
		g.runAt(at(time.May, 10, 12, 0))
		wantSent(t, "the old reminders do nothing", g.sent(open.ID, seen))
		g.runAt(at(time.May, 13, 8, 0)) // three working days after the return
		wantSent(t, "Sami's new reminder", g.sent(open.ID, seen), "approval_reminder→sami")
		if got := actions(g.audit(open.ID)); len(got) < 3 || got[1] != "request.delegated by sami" || got[2] != "request.returned by system" {
			t.Errorf("audit %q", got)
		}
	})
}

// A delegation set ahead of time moves the waiting requests on its first day, at the start of working hours.
func TestDelegationSetAheadMovesOnItsFirstDay(t *testing.T) {
	each(t, at(time.May, 4, 10, 0), func(t *testing.T, g *rig) {
		r := g.submit(elina)
		if _, moved := g.away(sami, dina, domain.NewDate(2027, 5, 10), domain.NewDate(2027, 5, 12)); moved != 0 {
			t.Fatalf("moved %d before the absence", moved)
		}
		g.runAt(at(time.May, 7, 15, 0))
		if got := g.request(r.ID); got.ApproverID != sami {
			t.Fatalf("moved early to %s", name(got.ApproverID))
		}
		seen := len(g.sent(r.ID, 0))
		g.runAt(at(time.May, 10, 8, 0))
		wantSent(t, "Monday 08:00", g.sent(r.ID, seen), "refresh_cards→", "approval_request→dina", "approver_changed→elina")
		seen = len(g.sent(r.ID, 0))
		g.runAt(at(time.May, 10, 10, 0)) // Sami's reminder was due now: he is away and the request is Dina's
		wantSent(t, "no reminder to Sami", g.sent(r.ID, seen))
		g.runAt(at(time.May, 13, 8, 0)) // the day after the absence
		if got := g.request(r.ID); got.ApproverID != sami {
			t.Errorf("not back: %s", name(got.ApproverID))
		}
	})
}

// Nobody decides their own request: Sami names Elina, so Elina's request stays with Sami, and her new one too.
func TestDelegateNeverDecidesTheirOwnRequest(t *testing.T) {
	each(t, at(time.May, 4, 10, 0), func(t *testing.T, g *rig) {
		r := g.submit(elina)
		if _, moved := g.away(sami, elina, domain.NewDate(2027, 5, 4), domain.NewDate(2027, 5, 14)); moved != 0 {
			t.Errorf("moved %d", moved)
		}
		if got := g.request(r.ID); got.ApproverID != sami {
			t.Errorf("Elina's request went to %s", name(got.ApproverID))
		}
		newer, err := g.wf.Submit(context.Background(), workflow.SubmitInput{RequesterID: elina,
			TaskIDs: []string{"kela-paivarahojen-hakeminen"}, Justification: "Haen päivärahat.",
			ValidUntil: time.Date(2028, 5, 31, 0, 0, 0, 0, time.UTC)})
		if err != nil || newer.ApproverID != sami || newer.Reassigned.Reason != "" {
			t.Errorf("Elina's new request: %s %+v %v", name(newer.ApproverID), newer.Reassigned, err)
		}
		// Sami is away and does not decide: the escalation still moves it, to the head of department.
		g.runAt(at(time.May, 14, 10, 0))
		if got := g.request(r.ID); got.ApproverID != helena {
			t.Errorf("escalated to %s", name(got.ApproverID))
		}
	})
}

// Escalation to someone away goes to their delegate: Helena is away and names Mikael.
func TestEscalationToAnAlternateWhoIsAway(t *testing.T) {
	each(t, at(time.May, 4, 10, 0), func(t *testing.T, g *rig) {
		r := g.submit(elina)
		g.away(helena, mikael, domain.NewDate(2027, 5, 4), domain.NewDate(2027, 5, 31))
		g.runAt(at(time.May, 14, 10, 0))
		got := g.request(r.ID)
		if got.ApproverID != mikael || got.Reassigned.Reason != domain.ReassignEscalated || got.Reassigned.FromID != sami ||
			got.ApproverBasis != domain.ApproverDepartmentHead {
			t.Errorf("escalated to %s %s %+v", name(got.ApproverID), got.ApproverBasis, got.Reassigned)
		}
	})
}
