package sqlstore_test

import (
	"context"
	"testing"
	"time"

	"github.com/valtuusbotti/valtuusbotti/internal/domain"
	"github.com/valtuusbotti/valtuusbotti/internal/sqlstore"
	"github.com/valtuusbotti/valtuusbotti/internal/sqlstore/sqltest"
	"github.com/valtuusbotti/valtuusbotti/internal/workflow"
)

// A message parked for an unreachable recipient keeps its attempts, is released only for that recipient, and a
// claimed (in-flight) message is never released, so it cannot be delivered twice.
func TestOutboxWaitingRecipient(t *testing.T) {
	sqltest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		now := time.Date(2026, 11, 25, 8, 0, 0, 0, time.UTC)
		err := db.Register.InTx(ctx, func(tx workflow.Tx) error {
			for _, who := range []string{"a", "a", "b"} {
				if err := tx.Enqueue(ctx, domain.OutboxMessage{Kind: domain.MsgDecisionNotice, RecipientID: who}); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		claimed, token, err := db.Outbox.ClaimOutbox(ctx, now.Add(time.Hour), 3, time.Minute)
		if err != nil || len(claimed) != 3 {
			t.Fatalf("claimed %d: %v", len(claimed), err)
		}
		// The first "a" message is parked; the second stays claimed (in flight).
		if err := db.Outbox.MarkWaiting(ctx, claimed[0].ID, token, now.Add(time.Hour), now.Add(48*time.Hour), "no reference"); err != nil {
			t.Fatal(err)
		}
		if err := db.Outbox.MarkWaiting(ctx, claimed[2].ID, token, now.Add(time.Hour), now.Add(48*time.Hour), "no reference"); err != nil {
			t.Fatal(err)
		}
		// Within the in-flight message's lease (claimed at +1h for a minute).
		at := now.Add(time.Hour + 30*time.Second)
		n, err := db.Outbox.ReleaseWaiting(ctx, "a", at)
		if err != nil || n != 1 {
			t.Fatalf("released %d, want only the parked message of a: %v", n, err)
		}
		again, _, err := db.Outbox.ClaimOutbox(ctx, at, 10, time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		if len(again) != 1 || again[0].ID != claimed[0].ID || again[0].Attempts != 1 {
			t.Fatalf("claimable after release: %+v (want the parked one, its attempt not used up)", again)
		}
		// The release came while the second "a" message was in delivery: when its attempt parks it, it is due at
		// once, not at the late retry (the person installed the app while the bot was trying to reach them).
		if err := db.Outbox.MarkWaiting(ctx, claimed[1].ID, token, at, now.Add(48*time.Hour), "no reference"); err != nil {
			t.Fatal(err)
		}
		due, token2, err := db.Outbox.ClaimOutbox(ctx, at, 10, time.Minute)
		if err != nil || len(due) != 1 || due[0].ID != claimed[1].ID {
			t.Fatalf("due after a release during its attempt: %+v %v", due, err)
		}
		// The request was used up: parked again, it waits for its retry.
		if err := db.Outbox.MarkWaiting(ctx, due[0].ID, token2, at, now.Add(48*time.Hour), "no reference"); err != nil {
			t.Fatal(err)
		}
		later, _, err := db.Outbox.ClaimOutbox(ctx, at.Add(time.Hour), 10, time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range later {
			if m.ID == due[0].ID {
				t.Fatalf("a parked message came due before its retry: %+v", m)
			}
		}
	})
}
