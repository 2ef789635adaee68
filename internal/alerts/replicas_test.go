package alerts_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/valtuusbotti/valtuusbotti/internal/domain"
	"github.com/valtuusbotti/valtuusbotti/internal/scheduler"
	"github.com/valtuusbotti/valtuusbotti/internal/sqlstore/sqltest"
	"github.com/valtuusbotti/valtuusbotti/internal/testfakes/clock"
	"github.com/valtuusbotti/valtuusbotti/internal/workflow"
)

// Two replicas' schedulers on one PostgreSQL database run their passes at the same time over many due alerts:
// every alert goes out exactly once, and a replica that dies holding a claim loses none.
func TestTwoReplicasSendEveryAlertOnce(t *testing.T) {
	db := sqltest.OpenPostgres(t)
	clk := clock.NewManual(time.Date(2026, 12, 2, 10, 0, 0, 0, helsinki))
	w := newWorld(t, db, clk)
	ctx := context.Background()
	const n = 40
	var ids []int64
	for i := range n {
		task := []string{"palkkatietojen-ilmoittaminen", "palkkatietojen-tarkistus", "palkkatietojen-tulosteet", "kela-paivarahojen-hakeminen"}[i%4]
		who := []string{elina, "7c1e4a52-0000-4000-8000-000000000005", "7c1e4a52-0000-4000-8000-000000000007", "7c1e4a52-0000-4000-8000-000000000006"}[i/4%4]
		r, err := w.flow.Submit(ctx, workflow.SubmitInput{RequesterID: who, TaskIDs: []string{task}, Justification: "Työ.",
			ValidUntil: time.Date(2027, 12, 31, 0, 0, 0, 0, time.UTC)})
		if err != nil {
			continue // the same person and theme twice: already requested
		}
		if _, err := w.flow.Decide(ctx, workflow.DecideInput{ActorID: r.ApproverID, RequestID: r.ID, Decision: domain.ApproveAll}); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, r.ID)
	}
	if len(ids) < 12 {
		t.Fatalf("only %d requests", len(ids))
	}
	clk.Set(time.Date(2026, 12, 4, 10, 5, 0, 0, helsinki)) // every filing reminder is due
	// A replica that claims a batch and dies.
	if _, _, err := db.Jobs.ClaimDue(ctx, clk.Now(), []string{"filing.remind"}, 3, time.Minute); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for range 2 {
		r := &scheduler.Runner{Store: db.Jobs, Handlers: w.alerts.Handlers(), Now: clk.Now, Batch: 5, Parallel: 4}
		wg.Go(func() {
			for range 10 {
				if _, err := r.RunOnce(ctx); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	clk.Set(time.Date(2026, 12, 4, 10, 7, 0, 0, helsinki)) // the dead replica's lease has ended
	r := &scheduler.Runner{Store: db.Jobs, Handlers: w.alerts.Handlers(), Now: clk.Now}
	if _, err := r.RunOnce(ctx); err != nil {
		t.Fatal(err)
	}
	for _, id := range ids {
		req, _ := db.Register.Request(ctx, id)
		if got := w.sent(domain.MsgFilingReminder, req.RequesterID, id); got != 1 {
			t.Errorf("request %d: %d filing reminders", id, got)
		}
	}
}
