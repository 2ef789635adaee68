package sqlstore_test

import (
	"reflect"
	"testing"
	"time"

	"github.com/valtuusbotti/valtuusbotti/internal/domain"
	"github.com/valtuusbotti/valtuusbotti/internal/sqlstore"
	"github.com/valtuusbotti/valtuusbotti/internal/sqlstore/sqltest"
	"github.com/valtuusbotti/valtuusbotti/internal/testfakes/clock"
	"github.com/valtuusbotti/valtuusbotti/internal/workflow"
)

// UpdateRequest writes the approver: an escalated or delegated request reads back with its new approver and why it
// moved, and the approver's list follows it. A new request can be filed delegated already.
func TestUpdateRequestWritesTheApprover(t *testing.T) {
	sqltest.EachDSN(t, func(t *testing.T, dsn string) {
		clk := clock.NewManual(start)
		db := sqltest.OpenDSN(t, dsn, sqlstore.WithNow(clk.Now))
		ctx := t.Context()

		r := sampleRequest("requester-1", "incomes_register_wages")
		createRequest(t, db, &r)
		at := start.Add(7 * 24 * time.Hour)
		clk.Set(at)
		inTx(t, db, func(tx workflow.Tx) error {
			if err := r.Reassign(domain.Assignment{ID: "head-1", Name: "Helena Åberg", Basis: domain.ApproverDepartmentHead,
				Reason: domain.ReassignEscalated}, at); err != nil {
				return err
			}
			return tx.UpdateRequest(ctx, &r)
		})
		r.Reassigned.At = stored(r.Reassigned.At)
		got := readRequest(t, db, r.ID)
		if !reflect.DeepEqual(got, r) {
			t.Errorf("after escalation:\n got %+v\nwant %+v", got, r)
		}
		if got.ApproverID != "head-1" || got.ApproverBasis != domain.ApproverDepartmentHead ||
			got.Reassigned.Reason != domain.ReassignEscalated || got.Reassigned.FromID != "approver-1" ||
			got.Reassigned.FromName != "Esko Esihenkilö" || !got.Reassigned.At.Equal(stored(at)) {
			t.Errorf("approver %s %s %+v", got.ApproverID, got.ApproverBasis, got.Reassigned)
		}
		for who, want := range map[string]int{"approver-1": 0, "head-1": 1} {
			rs, err := db.Register.RequestsAwaitingApprover(ctx, who)
			if err != nil || len(rs) != want {
				t.Errorf("%s waits for %d requests (%v), want %d", who, len(rs), err, want)
			}
			inTx(t, db, func(tx workflow.Tx) error {
				rs, err := tx.RequestsAwaitingApprover(ctx, who)
				if err != nil || len(rs) != want {
					t.Errorf("in a transaction, %s waits for %d requests (%v), want %d", who, len(rs), err, want)
				}
				return nil
			})
		}

		// Filed while the manager is away: the delegate decides from the start.
		d := sampleRequest("requester-2", "kela_benefits")
		d.Reassigned = domain.Reassignment{Reason: domain.ReassignDelegated, FromID: "approver-1", FromName: "Esko Esihenkilö", At: stored(at)}
		d.ApproverID, d.ApproverName = "delegate-1", "Dina Korhonen"
		createRequest(t, db, &d)
		if got := readRequest(t, db, d.ID); !reflect.DeepEqual(got, d) {
			t.Errorf("delegated at filing:\n got %+v\nwant %+v", got, d)
		}
		// The database refuses a reason it does not know.
		bad := readRequest(t, db, d.ID)
		bad.Reassigned.Reason = "kidnapped"
		if err := db.Register.InTx(ctx, func(tx workflow.Tx) error { return tx.UpdateRequest(ctx, &bad) }); err == nil {
			t.Error("an unknown reassignment reason was stored")
		}
	})
}

func TestDelegationsStore(t *testing.T) {
	sqltest.EachDSN(t, func(t *testing.T, dsn string) {
		clk := clock.NewManual(start)
		db := sqltest.OpenDSN(t, dsn, sqlstore.WithNow(clk.Now))
		ctx := t.Context()
		july := domain.Delegation{ApproverID: "sami", ApproverName: "Sami Virtanen", DelegateID: "helena",
			DelegateName: "Helena Åberg", From: domain.NewDate(2025, 7, 10), Until: domain.NewDate(2025, 7, 24), CreatedBy: "sami"}
		august := july
		august.From, august.Until = domain.NewDate(2025, 8, 1), domain.NewDate(2025, 8, 3)
		other := july
		other.ApproverID, other.CreatedBy = "leo", "leo"
		inTx(t, db, func(tx workflow.Tx) error {
			for _, d := range []*domain.Delegation{&august, &july, &other} {
				if err := tx.CreateDelegation(ctx, d); err != nil {
					return err
				}
			}
			return nil
		})
		if july.ID == 0 || august.ID == 0 || july.ID == august.ID || !july.CreatedAt.Equal(stored(start)) {
			t.Fatalf("ids %d %d created %v", july.ID, august.ID, july.CreatedAt)
		}
		list := func(from domain.Date) []domain.Delegation {
			t.Helper()
			ds, err := db.Register.Delegations(ctx, "sami", from)
			if err != nil {
				t.Fatal(err)
			}
			var inTxList []domain.Delegation
			inTx(t, db, func(tx workflow.Tx) error {
				inTxList, err = tx.DelegationsOf(ctx, "sami", from)
				return err
			})
			if !reflect.DeepEqual(ds, inTxList) {
				t.Errorf("outside and inside a transaction: %+v, %+v", ds, inTxList)
			}
			return ds
		}
		if got := list(domain.NewDate(2025, 7, 1)); !reflect.DeepEqual(got, []domain.Delegation{july, august}) {
			t.Errorf("in force or to come on 1.7.:\n got %+v\nwant %+v", got, []domain.Delegation{july, august})
		}
		if got := list(domain.NewDate(2025, 7, 24)); len(got) != 2 {
			t.Errorf("on the last day of July's: %+v", got)
		}
		if got := list(domain.NewDate(2025, 7, 25)); !reflect.DeepEqual(got, []domain.Delegation{august}) {
			t.Errorf("after July's: %+v", got)
		}

		ended := july
		ended.EndedAt, ended.EndedBy = start.Add(time.Hour), "sami"
		inTx(t, db, func(tx workflow.Tx) error { return tx.EndDelegation(ctx, ended) })
		if got := list(domain.NewDate(2025, 7, 1)); !reflect.DeepEqual(got, []domain.Delegation{august}) {
			t.Errorf("an ended delegation is still listed: %+v", got)
		}
		err := db.Register.InTx(ctx, func(tx workflow.Tx) error { return tx.EndDelegation(ctx, ended) })
		if !domain.IsCode(err, domain.EConflict) {
			t.Errorf("ending twice: %v", err)
		}
		for name, bad := range map[string]domain.Delegation{
			"no delegate":    {ApproverID: "sami", CreatedBy: "sami", From: july.From, Until: july.Until},
			"backwards":      {ApproverID: "sami", DelegateID: "helena", CreatedBy: "sami", From: july.Until, Until: july.From},
			"no period":      {ApproverID: "sami", DelegateID: "helena", CreatedBy: "sami"},
			"to oneself":     {ApproverID: "sami", DelegateID: "SAMI", CreatedBy: "sami", From: july.From, Until: july.Until},
			"nobody set it":  {ApproverID: "sami", DelegateID: "helena", From: july.From, Until: july.Until},
			"never approved": {DelegateID: "helena", CreatedBy: "x", From: july.From, Until: july.Until},
		} {
			err := db.Register.InTx(ctx, func(tx workflow.Tx) error { return tx.CreateDelegation(ctx, &bad) })
			if err == nil {
				t.Errorf("%s: stored", name)
			}
		}
	})
}
