package sqlstore_test

import (
	"testing"
	"time"

	"github.com/valtuusbotti/valtuusbotti/internal/domain"
	"github.com/valtuusbotti/valtuusbotti/internal/sqlstore"
	"github.com/valtuusbotti/valtuusbotti/internal/sqlstore/sqltest"
	"github.com/valtuusbotti/valtuusbotti/internal/testfakes/clock"
)

// TaskCards tells the workflow what a main user's grant-task cards look like in the outbox, so that a burst of
// tasks becomes one card and one list updated in place: each step below changes one fact and the message the next
// task would get (domain.GrantMessage).
func TestTaskCardsCoalesceABurst(t *testing.T) {
	clk := clock.NewManual(time.Time{})
	sqltest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		clk.Set(clock.Start) // each database starts at the same moment
		ctx := t.Context()
		r := sampleRequest("requester-1", "theme")
		createRequest(t, db, &r)
		next := func(want string, wantCards domain.TaskCards) {
			t.Helper()
			inTx(t, db, func(tx domain.Tx) error {
				got, err := tx.TaskCards(ctx, "main-user")
				if err != nil {
					return err
				}
				if got != wantCards {
					t.Fatalf("task cards %+v, want %+v", got, wantCards)
				}
				p := domain.GrantMessage(got)
				kind := "nothing"
				if p != nil {
					kind = domain.KindOf(p)
					if err := tx.Enqueue(ctx, domain.Message("main-user", r.ID, p)); err != nil {
						return err
					}
				}
				if kind != want {
					t.Fatalf("next message %s, want %s", kind, want)
				}
				return nil
			})
		}
		// Another person's cards do not count.
		inTx(t, db, func(tx domain.Tx) error {
			return tx.Enqueue(ctx, domain.Message("other-main-user", r.ID, domain.GrantDigest{}))
		})
		next(domain.MsgGrantTask, domain.TaskCards{})                        // quiet: a card of its own
		next(domain.MsgGrantDigest, domain.TaskCards{Recent: true})          // a card waits: the list
		next("nothing", domain.TaskCards{Recent: true, DigestWaiting: true}) // the waiting list will show it
		claimed, token, err := db.Outbox.ClaimOutbox(ctx, clk.Now(), 10, time.Minute)
		if err != nil || len(claimed) != 3 {
			t.Fatalf("claimed %d: %v", len(claimed), err)
		}
		next(domain.MsgGrantDigest, domain.TaskCards{Recent: true}) // the list is being rendered: a new one follows
		claimed2, token2, _ := db.Outbox.ClaimOutbox(ctx, clk.Now(), 10, time.Minute)
		for _, c := range []struct {
			ms    []domain.OutboxMessage
			token string
		}{{claimed, token}, {claimed2, token2}} {
			for _, m := range c.ms {
				if err := db.Outbox.MarkDelivered(ctx, m.ID, c.token, clk.Now()); err != nil {
					t.Fatal(err)
				}
			}
		}
		clk.Advance(domain.CoalesceWindow - time.Second)
		next(domain.MsgGrantDigest, domain.TaskCards{Recent: true}) // delivered a moment ago: still the list
		claimed3, token3, _ := db.Outbox.ClaimOutbox(ctx, clk.Now(), 10, time.Minute)
		if err := db.Outbox.MarkAbandoned(ctx, claimed3[0].ID, token3, clk.Now(), "gone"); err != nil {
			t.Fatal(err)
		}
		clk.Advance(2 * time.Second)
		next(domain.MsgGrantTask, domain.TaskCards{}) // quiet again (an abandoned list does not count)
	}, sqlstore.WithNow(clk.Now))
}
