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

// HasWaiting is true exactly while a parked message waits for the person, and the cached statements of the hot
// path give the same answers on every call (and after a write).
func TestHasWaitingAndCachedStatements(t *testing.T) {
	sqltest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		now := time.Date(2026, 11, 25, 8, 0, 0, 0, time.UTC)
		waiting := func(who string) bool {
			t.Helper()
			ok, err := db.People.HasWaiting(ctx, who)
			if err != nil {
				t.Fatal(err)
			}
			return ok
		}
		if waiting("a") {
			t.Fatal("waiting with an empty outbox")
		}
		if err := db.Register.InTx(ctx, func(tx workflow.Tx) error {
			return tx.Enqueue(ctx, domain.OutboxMessage{Kind: domain.MsgDecisionNotice, RecipientID: "a"})
		}); err != nil {
			t.Fatal(err)
		}
		if waiting("a") {
			t.Fatal("a message due now counts as waiting for its recipient")
		}
		claimed, token, err := db.Outbox.ClaimOutbox(ctx, now.Add(time.Hour), 1, time.Minute)
		if err != nil || len(claimed) != 1 {
			t.Fatalf("claimed %d: %v", len(claimed), err)
		}
		if err := db.Outbox.MarkWaiting(ctx, claimed[0].ID, token, now.Add(time.Hour), now.Add(48*time.Hour), "no reference"); err != nil {
			t.Fatal(err)
		}
		if !waiting("a") || waiting("b") {
			t.Fatal("HasWaiting misses the parked message, or finds it for another person")
		}

		for i, locale := range []string{"fi-FI", "fi-FI", "sv-SE"} {
			if err := db.People.UpsertConversationRef(ctx, domain.ConversationRef{AADObjectID: "a", UserID: "29:a",
				ConversationID: "a:1", ServiceURL: "https://s/", Locale: locale}); err != nil {
				t.Fatal(err)
			}
			ref, err := db.People.ConversationRef(ctx, "a")
			if err != nil || ref.Locale != locale || ref.ConversationID != "a:1" {
				t.Fatalf("round %d: %+v, %v", i, ref, err)
			}
		}
		n, err := db.Writes(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if (db.Dialect() == sqlstore.DialectSQLite) != (n > 0) {
			t.Errorf("Writes = %d on %s", n, db.Dialect())
		}
	})
}
