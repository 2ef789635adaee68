package sqlstore_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/valtuusbotti/valtuusbotti/internal/domain"
	"github.com/valtuusbotti/valtuusbotti/internal/sqlstore"
	"github.com/valtuusbotti/valtuusbotti/internal/sqlstore/sqltest"
	"github.com/valtuusbotti/valtuusbotti/internal/workflow"
)

// Conversation references stored while another commit runs are committed together, in one transaction; each
// caller learns whether messages wait for its person; a caller that gives up before its turn stores nothing; and
// on PostgreSQL, where one failing statement aborts the transaction, a bad reference fails alone.
func TestConversationRefsCommitTogether(t *testing.T) {
	sqltest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		now := time.Date(2026, 11, 25, 8, 0, 0, 0, time.UTC)
		// A message parked for p03, who has not talked to the bot yet.
		if err := db.Register.InTx(ctx, func(tx workflow.Tx) error {
			return tx.Enqueue(ctx, domain.OutboxMessage{Kind: domain.MsgDecisionNotice, RecipientID: "p03"})
		}); err != nil {
			t.Fatal(err)
		}
		claimed, token, err := db.Outbox.ClaimOutbox(ctx, now, 1, time.Minute)
		if err != nil || len(claimed) != 1 {
			t.Fatalf("claimed %d: %v", len(claimed), err)
		}
		if err := db.Outbox.MarkWaiting(ctx, claimed[0].ID, token, now, now.Add(48*time.Hour), "no reference"); err != nil {
			t.Fatal(err)
		}
		ref := func(id, name string) domain.ConversationRef {
			return domain.ConversationRef{AADObjectID: id, UserID: "29:" + id, UserName: name, ConversationID: "a:" + id,
				ConversationType: "personal", ServiceURL: "https://smba.example/", Locale: "fi-FI"}
		}

		release := db.HoldRefCommits()
		gone, cancel := context.WithCancel(ctx)
		cancel()
		if _, err := db.People.RememberConversationRef(gone, ref("quitter", "Q")); !errors.Is(err, context.Canceled) {
			t.Fatalf("a caller that gave up: %v", err)
		}
		const n = 20
		bad := -1
		if db.Dialect() == sqlstore.DialectPostgres {
			bad = 7 // PostgreSQL refuses a NUL in text
		}
		waiting := make([]bool, n)
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			name := fmt.Sprintf("Person %d", i)
			if i == bad {
				name = "Bad\x00Name"
			}
			wg.Go(func() {
				waiting[i], errs[i] = db.People.RememberConversationRef(ctx, ref(fmt.Sprintf("p%02d", i), name))
			})
		}
		for db.PendingRefs() < n {
			time.Sleep(time.Millisecond)
		}
		before := db.RefCommits()
		release()
		wg.Wait()
		want := int64(1)
		if bad >= 0 {
			want = n - 1 // the transaction failed; each was stored on its own
		}
		if got := db.RefCommits() - before; got != want {
			t.Fatalf("%d transactions stored %d references, want %d", got, n, want)
		}
		for i := range n {
			if (errs[i] != nil) != (i == bad) {
				t.Fatalf("reference %d: %v", i, errs[i])
			}
			if waiting[i] != (i == 3) {
				t.Errorf("reference %d: waiting %v", i, waiting[i])
			}
			got, err := db.People.ConversationRef(ctx, fmt.Sprintf("p%02d", i))
			if i == bad {
				if !domain.IsCode(err, domain.ENotFound) {
					t.Errorf("the bad reference was stored: %+v %v", got, err)
				}
				continue
			}
			if err != nil || got.UserName != fmt.Sprintf("Person %d", i) || got.ConversationID != "a:"+got.AADObjectID {
				t.Errorf("reference %d: %+v %v", i, got, err)
			}
		}
		if _, err := db.People.ConversationRef(ctx, "quitter"); !domain.IsCode(err, domain.ENotFound) {
			t.Errorf("the reference of a caller that gave up was stored: %v", err)
		}
		// Alone, a reference is stored at once, in its own transaction.
		before = db.RefCommits()
		if w, err := db.People.RememberConversationRef(ctx, ref("p01", "Person 1b")); err != nil || w {
			t.Fatalf("alone: %v %v", w, err)
		}
		if got := db.RefCommits() - before; got != 1 {
			t.Fatalf("alone: %d transactions", got)
		}
	})
}
