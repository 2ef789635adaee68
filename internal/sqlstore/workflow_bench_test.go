package sqlstore_test

import (
	"testing"
	"time"

	"github.com/valtuusbotti/valtuusbotti/internal/domain"
	"github.com/valtuusbotti/valtuusbotti/internal/sqlstore"
	"github.com/valtuusbotti/valtuusbotti/internal/sqlstore/sqltest"
	"github.com/valtuusbotti/valtuusbotti/internal/workflow"
)

var benchDialects = []struct {
	name string
	open func(testing.TB, ...sqlstore.Option) *sqlstore.DB
}{
	{sqlstore.DialectSQLite, sqltest.Open},
	{sqlstore.DialectPostgres, sqltest.OpenPostgres},
}

// BenchmarkSubmitRequest measures the transaction of a submitted request: the request with three items, its
// audit row and the approval card in the outbox, committed together.
func BenchmarkSubmitRequest(b *testing.B) {
	for _, dialect := range benchDialects {
		b.Run(dialect.name, func(b *testing.B) {
			db := dialect.open(b)
			ctx := b.Context()
			for b.Loop() {
				r := sampleRequest("bench", "theme-a", "theme-b", "theme-c")
				err := db.Register.InTx(ctx, func(tx workflow.Tx) error {
					if err := tx.CreateRequest(ctx, &r); err != nil {
						return err
					}
					if err := tx.AppendAudit(ctx, domain.AuditEvent{ActorID: r.RequesterID, Action: "request.submitted", RequestID: r.ID}); err != nil {
						return err
					}
					return tx.Enqueue(ctx, domain.OutboxMessage{Kind: domain.MsgApprovalRequest, RecipientID: r.ApproverID, RequestID: r.ID})
				})
				if err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkClaimOutbox measures one claim of a batch of 20 from an outbox of 1000 pending messages. Each round's
// clock is past the previous lease, so the same oldest messages are due again.
func BenchmarkClaimOutbox(b *testing.B) {
	for _, dialect := range benchDialects {
		b.Run(dialect.name, func(b *testing.B) {
			db := dialect.open(b)
			ctx := b.Context()
			inTx(b, db, func(tx workflow.Tx) error {
				for range 1000 {
					if err := tx.Enqueue(ctx, domain.OutboxMessage{Kind: domain.MsgDecisionNotice, RecipientID: "someone"}); err != nil {
						return err
					}
				}
				return nil
			})
			const lease = time.Minute
			now := time.Now()
			for b.Loop() {
				now = now.Add(lease + time.Second)
				got, _, err := db.Outbox.ClaimOutbox(ctx, now, 20, lease)
				if err != nil {
					b.Fatal(err)
				}
				if len(got) != 20 {
					b.Fatalf("claimed %d, want 20", len(got))
				}
			}
		})
	}
}
