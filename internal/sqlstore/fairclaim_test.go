package sqlstore_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/valtuusbotti/valtuusbotti/internal/domain"
	"github.com/valtuusbotti/valtuusbotti/internal/sqlstore"
	"github.com/valtuusbotti/valtuusbotti/internal/sqlstore/sqltest"
)

// A claim is fair between conversations: a main user with a hundred grant tasks waiting gets two of them into a
// claim, and the approver's one card goes in the same claim instead of waiting behind them.
func TestClaimIsFairBetweenRecipients(t *testing.T) {
	sqltest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := t.Context()
		r := sampleRequest("requester-1", "theme")
		createRequest(t, db, &r)
		inTx(t, db, func(tx domain.Tx) error {
			for range 100 {
				if err := tx.Enqueue(ctx, domain.Message("busy-main-user", r.ID, domain.GrantTask{})); err != nil {
					return err
				}
			}
			for _, m := range []domain.OutboxMessage{domain.Message("approver", r.ID, domain.ApprovalRequest{}),
				domain.Message("", r.ID, domain.RefreshCards{})} {
				if err := tx.Enqueue(ctx, m); err != nil {
					return err
				}
			}
			return nil
		})
		got, _, err := db.Outbox.ClaimOutbox(ctx, stored(time.Now()).Add(time.Hour), 20, time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		per := map[string]int{}
		for _, m := range got {
			per[m.RecipientID]++
		}
		if fmt.Sprint(per) != "map[:1 approver:1 busy-main-user:2]" {
			t.Fatalf("claimed %v", per)
		}
	})
}
