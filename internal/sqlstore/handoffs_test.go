package sqlstore_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/valtuusbotti/valtuusbotti/internal/domain"
	"github.com/valtuusbotti/valtuusbotti/internal/sqlstore"
	"github.com/valtuusbotti/valtuusbotti/internal/sqlstore/sqltest"
	"github.com/valtuusbotti/valtuusbotti/internal/testfakes/clock"
)

const (
	employee = "7c1e4a52-0000-4000-8000-000000000001"
	dinaID   = "7c1e4a52-0000-4000-8000-000000000005"
	mikaelID = "7c1e4a52-0000-4000-8000-000000000004"
)

func newHandoff(t *testing.T, s *sqlstore.Support) domain.Handoff {
	t.Helper()
	h := domain.Handoff{EmployeeID: employee, EmployeeName: "Elina Lindholm", Department: "Talous", Lang: domain.Finnish,
		Question: "Miten saan auton avaimet?", Turns: []domain.Turn{{Text: "auton avaimet"}, {FromBot: true, Text: "En löytänyt"}},
		ChannelID: "19:chan@thread.tacv2"}
	if err := s.InTx(context.Background(), func(tx domain.SupportTx) error { return tx.CreateHandoff(context.Background(), &h) }); err != nil {
		t.Fatal(err)
	}
	return h
}

// A hand-off on both dialects: one active per employee; two supporters taking it at once, one wins and the other
// gets a conflict; messages, outbox order and the audit trail come back as written.
func TestHandoffStore(t *testing.T) {
	sqltest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		s := db.Support()
		h := newHandoff(t, s)
		if h.ID == 0 || h.Version != 1 || h.State != domain.HandoffOpen {
			t.Fatalf("created %+v", h)
		}
		dup := domain.Handoff{EmployeeID: employee, Lang: domain.Finnish, Question: "toinen"}
		if err := s.InTx(ctx, func(tx domain.SupportTx) error { return tx.CreateHandoff(ctx, &dup) }); !domain.IsCode(err, domain.EConflict) {
			t.Fatalf("a second active hand-off: %v", err)
		}
		got, err := s.ActiveHandoff(ctx, employee)
		if err != nil || got.ID != h.ID || len(got.Turns) != 2 || !got.Turns[1].FromBot || got.Question != h.Question {
			t.Fatalf("active %+v %v", got, err)
		}

		// Two takes at once: both read version 1, one update wins.
		var wg sync.WaitGroup
		results := make([]error, 2)
		for i, who := range []string{dinaID, mikaelID} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				results[i] = s.InTx(ctx, func(tx domain.SupportTx) error {
					cur, err := tx.Handoff(ctx, h.ID)
					if err != nil {
						return err
					}
					cur.Version = 1 // as read before the other's take
					if err := cur.Take(who, who, clock.Start); err != nil {
						return err
					}
					return tx.UpdateHandoff(ctx, &cur)
				})
			}()
		}
		wg.Wait()
		won := 0
		for _, err := range results {
			switch {
			case err == nil:
				won++
			case !domain.IsCode(err, domain.EConflict):
				t.Fatalf("take: %v", err)
			}
		}
		if won != 1 {
			t.Fatalf("%d takes won, want exactly 1 (%v)", won, results)
		}
		taken, _ := s.Handoff(ctx, h.ID)
		if taken.State != domain.HandoffTaken || taken.Version != 2 || (taken.TakenBy != dinaID && taken.TakenBy != mikaelID) {
			t.Fatalf("after the takes %+v", taken)
		}

		if err := s.SetHandoffThread(ctx, h.ID, "19:thread-1@thread.tacv2", "https://smba.example/", "act-1"); err != nil {
			t.Fatal(err)
		}
		if byThread, err := s.HandoffByThread(ctx, "19:thread-1@thread.tacv2"); err != nil || byThread.ID != h.ID || byThread.Version != 2 {
			t.Fatalf("by thread %+v %v", byThread, err)
		}

		// Messages and their outbox rows, in order; the second waits for the first.
		var ids []int64
		err = s.InTx(ctx, func(tx domain.SupportTx) error {
			for _, text := range []string{"eka", "toka"} {
				m := domain.HandoffMessage{HandoffID: h.ID, AuthorID: employee, AuthorName: "Elina", Text: text}
				if err := tx.AddHandoffMessage(ctx, &m); err != nil {
					return err
				}
				ids = append(ids, m.ID)
				if err := tx.EnqueueHandoff(ctx, h.ID, domain.Message(domain.ChannelRecipient(h.ChannelID), 0,
					domain.HandoffRelay{Handoff: h.ID, Message: m.ID})); err != nil {
					return err
				}
			}
			return tx.AppendHandoffAudit(ctx, h.ID, domain.AuditEvent{ActorID: dinaID, Action: "handoff.taken", After: []byte(`{"by":"x"}`)})
		})
		if err != nil {
			t.Fatal(err)
		}
		msgs, err := s.HandoffMessages(ctx, h.ID)
		if err != nil || len(msgs) != 2 || msgs[0].Text != "eka" || msgs[1].ToEmployee {
			t.Fatalf("messages %+v %v", msgs, err)
		}
		out, err := db.Outbox.ForRecipient(ctx, domain.ChannelRecipient(h.ChannelID))
		if err != nil || len(out) != 2 {
			t.Fatalf("outbox %+v %v", out, err)
		}
		if p, err := out[1].Decode(); err != nil || p.(domain.HandoffRelay).Message != ids[1] {
			t.Fatalf("payload %+v %v", p, err)
		}
		if wait, err := s.EarlierPending(ctx, h.ID, out[1].RecipientID, out[1].ID, domain.MsgHandoffRelay); err != nil || !wait {
			t.Fatalf("the second relay should wait for the first: %v %v", wait, err)
		}
		if wait, _ := s.EarlierPending(ctx, h.ID, out[0].RecipientID, out[0].ID, domain.MsgHandoffRelay); wait {
			t.Fatal("the first relay waits for nothing")
		}
		audit, err := s.HandoffAudit(ctx, h.ID)
		if err != nil || len(audit) != 1 || audit[0].Action != "handoff.taken" {
			t.Fatalf("audit %+v %v", audit, err)
		}

		// Closing by someone else than the taker or the employee is refused; the taker closes.
		err = s.InTx(ctx, func(tx domain.SupportTx) error {
			cur, _ := tx.Handoff(ctx, h.ID)
			if err := cur.Close("someone", "x", clock.Start); !domain.IsCode(err, domain.EForbidden) {
				t.Errorf("a stranger closing: %v", err)
			}
			if err := cur.Close(cur.TakenBy, "Neuvottu", clock.Start.Add(time.Hour)); err != nil {
				return err
			}
			return tx.UpdateHandoff(ctx, &cur)
		})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.ActiveHandoff(ctx, employee); !domain.IsCode(err, domain.ENotFound) {
			t.Fatalf("active after close: %v", err)
		}
		newHandoff(t, s) // closed ones do not count: a new question may be handed off
	})
}

// Asks, feedback once, proposals, channel references and the measures, on both dialects.
func TestSupportRecords(t *testing.T) {
	clk := clock.NewManual(time.Time{})
	sqltest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		s := db.Support()
		a := domain.FAQAsk{AskerID: employee, Lang: domain.Swedish, EntryIDs: []string{"a", "b"}}
		if err := s.CreateAsk(ctx, &a, true); err != nil {
			t.Fatal(err)
		}
		if err := s.SetAskFeedback(ctx, a.ID, true); err != nil {
			t.Fatal(err)
		}
		if err := s.SetAskFeedback(ctx, a.ID, false); !domain.IsCode(err, domain.EConflict) {
			t.Fatalf("second feedback: %v", err)
		}
		got, err := s.Ask(ctx, a.ID)
		if err != nil || got.Helpful == nil || !*got.Helpful || len(got.EntryIDs) != 2 || got.Lang != domain.Swedish {
			t.Fatalf("ask %+v %v", got, err)
		}

		h := newHandoff(t, s)
		clk.Advance(10 * time.Minute)
		p := domain.FAQProposal{HandoffID: h.ID, Lang: domain.Finnish, Question: domain.Text{FI: "Q"}, Answer: domain.Text{FI: "A"}, ProposedBy: dinaID}
		err = s.InTx(ctx, func(tx domain.SupportTx) error {
			cur, _ := tx.Handoff(ctx, h.ID)
			if err := cur.Take(dinaID, "Dina", clock.Start.Add(4*time.Minute)); err != nil {
				return err
			}
			if err := tx.UpdateHandoff(ctx, &cur); err != nil {
				return err
			}
			if err := tx.LinkAsk(ctx, a.ID, h.ID); err != nil {
				return err
			}
			return tx.CreateProposal(ctx, &p)
		})
		if err != nil {
			t.Fatal(err)
		}
		if pend, err := s.Proposals(ctx, domain.ProposalPending); err != nil || len(pend) != 1 || pend[0].Question.FI != "Q" {
			t.Fatalf("pending %+v %v", pend, err)
		}
		err = s.InTx(ctx, func(tx domain.SupportTx) error {
			cur, err := tx.Proposal(ctx, p.ID)
			if err != nil {
				return err
			}
			cur.State, cur.DecidedBy, cur.DecidedAt = domain.ProposalApproved, mikaelID, clock.Start
			cur.Question.SV = "F"
			return tx.UpdateProposal(ctx, &cur)
		})
		if err != nil {
			t.Fatal(err)
		}
		if ok, err := s.Proposals(ctx, domain.ProposalApproved); err != nil || len(ok) != 1 || ok[0].Question.SV != "F" || ok[0].Version != 2 {
			t.Fatalf("approved %+v %v", ok, err)
		}
		stale := p // version 1
		if err := s.InTx(ctx, func(tx domain.SupportTx) error { return tx.UpdateProposal(ctx, &stale) }); !domain.IsCode(err, domain.EConflict) {
			t.Fatalf("deciding twice: %v", err)
		}

		ref := domain.ChannelRef{ChannelID: "19:chan@thread.tacv2", TeamID: "19:team@thread.tacv2", ServiceURL: "https://smba.example/", BotID: "28:bot"}
		if err := s.UpsertChannelRef(ctx, ref); err != nil {
			t.Fatal(err)
		}
		if err := s.UpsertChannelRef(ctx, domain.ChannelRef{ChannelID: ref.ChannelID, ServiceURL: "https://smba2.example/"}); err != nil {
			t.Fatal(err)
		}
		if r, err := s.ChannelRef(ctx, ref.ChannelID); err != nil || r.ServiceURL != "https://smba2.example/" || r.TeamID != ref.TeamID || r.BotID != "28:bot" {
			t.Fatalf("channel ref %+v %v", r, err)
		}

		m, err := s.Measures(ctx, clock.Start.Add(-time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		if m.Asked != 1 || m.Helpful != 1 || m.Handoffs != 1 || m.Taken != 1 || m.Open != 0 || m.PendingReviews != 0 {
			t.Fatalf("measures %+v", m)
		}
	}, sqlstore.WithNow(clk.Now))
}
