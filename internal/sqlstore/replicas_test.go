package sqlstore_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/valtuusbotti/valtuusbotti/internal/domain"
	"github.com/valtuusbotti/valtuusbotti/internal/outbox"
	"github.com/valtuusbotti/valtuusbotti/internal/sqlstore"
	"github.com/valtuusbotti/valtuusbotti/internal/sqlstore/sqltest"
	"github.com/valtuusbotti/valtuusbotti/internal/testfakes/clock"
	"github.com/valtuusbotti/valtuusbotti/internal/wait"
	"github.com/valtuusbotti/valtuusbotti/internal/workflow"
)

// enqueueNotices enqueues n decision notices of one new request and returns the request's id and theirs.
func enqueueNotices(t *testing.T, db *sqlstore.DB, n int) (requestID int64, msgIDs []int64) {
	t.Helper()
	ctx := t.Context()
	r := sampleRequest("requester-1", "theme")
	createRequest(t, db, &r)
	inTx(t, db, func(tx workflow.Tx) error {
		for i := range n {
			m := domain.OutboxMessage{Kind: domain.MsgDecisionNotice, RecipientID: fmt.Sprint("user-", i), RequestID: r.ID}
			if err := tx.Enqueue(ctx, m); err != nil {
				return err
			}
		}
		return nil
	})
	all, err := db.Outbox.ForRequest(ctx, r.ID)
	if err != nil || len(all) != n {
		t.Fatalf("ForRequest = %d messages, %v; want %d", len(all), err, n)
	}
	return r.ID, ids(all, func(m domain.OutboxMessage) int64 { return m.ID })
}

// slowDeliverer takes a fixed time per message, like a Bot Connector that answers slowly, and counts the messages
// it sent (a delivery whose context ends first sends nothing).
type slowDeliverer struct {
	took time.Duration
	mu   sync.Mutex
	sent map[int64]int
}

func (d *slowDeliverer) Deliver(ctx context.Context, m domain.OutboxMessage) error {
	if err := wait.Sleep(ctx, d.took); err != nil {
		return err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	d.sent[m.ID]++
	return nil
}

// Two replicas, each with its own worker and connections, share one database and a Bot Connector three times slower
// than the lease, so a batch takes far longer than its lease (as 20 approval cards at 14 s each outlast a 2-minute
// lease). The second replica starts polling after the first one's lease would have ended, as replicas do, out of
// step. Every message is sent exactly once and ends marked delivered: the claims of a batch outlive its slow
// deliveries (the worker renews them), and a claim that lapses passes to the other replica without the first one
// sending its message too.
func TestOutboxTwoReplicasSlowDeliveryExactlyOnce(t *testing.T) {
	const (
		messages = 24
		batch    = 4
		lease    = 200 * time.Millisecond
		took     = 600 * time.Millisecond
	)
	sqltest.EachDSN(t, func(t *testing.T, dsn string) {
		t.Parallel() // the dialects wait on the slow deliverer, not on each other
		clk := clock.NewRunning(time.Time{})
		dbs := []*sqlstore.DB{sqltest.OpenDSN(t, dsn, sqlstore.WithNow(clk.Now)), sqltest.OpenDSN(t, dsn, sqlstore.WithNow(clk.Now))}
		requestID, msgIDs := enqueueNotices(t, dbs[0], messages)
		d := &slowDeliverer{took: took, sent: map[int64]int{}}
		ctx, cancel := context.WithCancel(t.Context())
		var wg sync.WaitGroup
		for i, db := range dbs {
			w := &outbox.Worker{Store: db.Outbox, Deliverer: d, Now: clk.Now, Lease: lease, Batch: batch,
				PollInterval: 20 * time.Millisecond}
			wg.Go(func() {
				if wait.Sleep(ctx, time.Duration(i)*lease*3/2) == nil {
					w.Run(ctx)
				}
			})
		}
		deadline := time.Now().Add(4 * messages * took) // eight times what two replicas need; the loop ends when done
		for {
			n, err := dbs[0].Outbox.PendingOutbox(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if n == 0 || time.Now().After(deadline) {
				break
			}
			time.Sleep(20 * time.Millisecond)
		}
		cancel()
		wg.Wait()

		d.mu.Lock()
		defer d.mu.Unlock()
		duplicates := 0
		for _, id := range msgIDs {
			if d.sent[id] != 1 {
				t.Errorf("message %d sent %d times, want once", id, d.sent[id])
			}
			duplicates += max(d.sent[id]-1, 0)
		}
		all, err := dbs[0].Outbox.ForRequest(t.Context(), requestID)
		if err != nil {
			t.Fatal(err)
		}
		claims := 0
		for _, m := range all {
			if m.DeliveredAt.IsZero() {
				t.Errorf("message %d not marked delivered (attempts %d, last error %q)", m.ID, m.Attempts, m.LastError)
			}
			claims = max(claims, m.Attempts)
		}
		t.Logf("%d messages, %d duplicate deliveries; at most %d claims of one message", messages, duplicates, claims)
	})
}
