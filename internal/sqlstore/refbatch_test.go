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

// On SQLite, conversation references stored while another commit runs are committed together, in one transaction,
// and if that transaction fails each is stored on its own, so a bad reference fails alone; on PostgreSQL each is
// its own statement, side by side. Either way each caller learns whether messages wait for its person, and a
// caller that gives up before its turn stores nothing.
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
		sqlite := db.Dialect() == sqlstore.DialectSQLite
		badName := "Bad\x00Name" // PostgreSQL refuses a NUL in text
		if sqlite {              // SQLite takes the NUL: a trigger refuses the bad name instead
			badName = "Bad Name"
			if err := db.ExecWrite(ctx, `CREATE TRIGGER refuse_bad_ref BEFORE INSERT ON conversation_refs
WHEN NEW.user_name = 'Bad Name' BEGIN SELECT RAISE(ABORT, 'bad reference'); END`); err != nil {
				t.Fatal(err)
			}
		}
		gone, cancel := context.WithCancel(ctx)
		cancel()
		if _, err := db.People.RememberConversationRef(gone, ref("quitter", "Q")); !errors.Is(err, context.Canceled) {
			t.Fatalf("a caller that gave up: %v", err)
		}
		if sqlite { // one that gives up while queued behind a commit leaves the queue
			release := db.HoldRefCommits()
			queued, cancel := context.WithCancel(ctx)
			done := make(chan error, 1)
			go func() { _, err := db.People.RememberConversationRef(queued, ref("quitter", "Q")); done <- err }()
			for db.PendingRefs() < 1 {
				time.Sleep(time.Millisecond)
			}
			cancel()
			if err := <-done; !errors.Is(err, context.Canceled) || db.PendingRefs() != 0 {
				t.Fatalf("a queued caller that gave up: %v, %d queued", err, db.PendingRefs())
			}
			release()
		}
		if _, err := db.People.ConversationRef(ctx, "quitter"); !domain.IsCode(err, domain.ENotFound) {
			t.Errorf("the reference of a caller that gave up was stored: %v", err)
		}

		// round stores n references at once (on SQLite queued behind a held commit), the bad-th with the bad name
		// (none when bad < 0), checks each outcome and returns how many transactions stored them.
		const n = 20
		round := func(prefix string, bad int) int64 {
			t.Helper()
			release := func() {}
			if sqlite {
				release = db.HoldRefCommits()
			}
			waiting := make([]bool, n)
			errs := make([]error, n)
			var wg sync.WaitGroup
			for i := range n {
				name := fmt.Sprintf("Person %d", i)
				if i == bad {
					name = badName
				}
				wg.Go(func() {
					waiting[i], errs[i] = db.People.RememberConversationRef(ctx, ref(fmt.Sprintf("%s%02d", prefix, i), name))
				})
			}
			before := db.RefCommits()
			if sqlite {
				for db.PendingRefs() < n {
					time.Sleep(time.Millisecond)
				}
			}
			release()
			wg.Wait()
			for i := range n {
				id := fmt.Sprintf("%s%02d", prefix, i)
				if (errs[i] != nil) != (i == bad) {
					t.Fatalf("reference %s: %v", id, errs[i])
				}
				if waiting[i] != (id == "p03") {
					t.Errorf("reference %s: waiting %v", id, waiting[i])
				}
				got, err := db.People.ConversationRef(ctx, id)
				if i == bad {
					if !domain.IsCode(err, domain.ENotFound) {
						t.Errorf("the bad reference was stored: %+v %v", got, err)
					}
					continue
				}
				if err != nil || got.UserName != fmt.Sprintf("Person %d", i) || got.ConversationID != "a:"+id {
					t.Errorf("reference %s: %+v %v", id, got, err)
				}
			}
			return db.RefCommits() - before
		}
		if got := round("p", -1); sqlite && got != 1 {
			t.Fatalf("%d transactions stored %d queued references, want 1", got, n)
		}
		if got := round("q", 7); sqlite && got != n-1 { // the batch failed: each on its own, the bad one refused
			t.Fatalf("%d transactions stored the references after the batch failed, want %d", got, n-1)
		}
		// Alone, a reference is stored at once, in its own transaction.
		before := db.RefCommits()
		if w, err := db.People.RememberConversationRef(ctx, ref("p01", "Person 1b")); err != nil || w {
			t.Fatalf("alone: %v %v", w, err)
		}
		if got := db.RefCommits() - before; sqlite && got != 1 {
			t.Fatalf("alone: %d transactions", got)
		}
	})
}
