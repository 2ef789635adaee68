package sqlstore_test

import (
	"context"
	"fmt"
	"reflect"
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

// The fence of outbox claims, on both dialects: only the claim a message is held by, while its lease lasts, may
// renew it or record what happened to the message; and the worker on top of it, as two replicas.

// outboxRow is everything about an outbox message that renewing or marking could change.
type outboxRow struct {
	Message     domain.OutboxMessage
	AbandonedAt time.Time
	Token       string
	Until       time.Time
}

func readOutboxRow(t *testing.T, db *sqlstore.DB, requestID, id int64) outboxRow {
	t.Helper()
	ctx := t.Context()
	all, err := db.Outbox.ForRequest(ctx, requestID)
	if err != nil {
		t.Fatal(err)
	}
	var r outboxRow
	for _, m := range all {
		if m.ID == id {
			r.Message = m
		}
	}
	if r.Message.ID != id {
		t.Fatalf("outbox message %d not found", id)
	}
	if r.AbandonedAt, err = db.OutboxAbandonedAt(ctx, id); err != nil {
		t.Fatal(err)
	}
	if r.Token, r.Until, err = db.OutboxClaim(ctx, id); err != nil {
		t.Fatal(err)
	}
	return r
}

// claimCalls calls every method that acts on a claim once, with token at now, and returns what each returned.
func claimCalls(ctx context.Context, db *sqlstore.DB, id int64, token string, now time.Time) map[string]error {
	return map[string]error{
		"RenewClaim":    db.Outbox.RenewClaim(ctx, id, token, now, time.Hour),
		"MarkDelivered": db.Outbox.MarkDelivered(ctx, id, token, now),
		"MarkRetry":     db.Outbox.MarkRetry(ctx, id, token, now, now.Add(time.Hour), "retry"),
		"MarkAbandoned": db.Outbox.MarkAbandoned(ctx, id, token, now, "abandoned"),
		"MarkWaiting":   db.Outbox.MarkWaiting(ctx, id, token, now, now.Add(time.Hour), "waiting"),
	}
}

// requireRefused checks that every call on the claim is refused as a lost claim and leaves the row as it was.
func requireRefused(t *testing.T, db *sqlstore.DB, requestID, id int64, token string, now time.Time, what string) {
	t.Helper()
	before := readOutboxRow(t, db, requestID, id)
	for name, err := range claimCalls(t.Context(), db, id, token, now) {
		if !domain.IsCode(err, domain.EConflict) {
			t.Errorf("%s with %s = %v, want %s", name, what, err, domain.EConflict)
		}
	}
	if after := readOutboxRow(t, db, requestID, id); !reflect.DeepEqual(after, before) {
		t.Errorf("refused calls with %s changed the message:\n got %+v\nwant %+v", what, after, before)
	}
}

func claimOne(t *testing.T, db *sqlstore.DB, now time.Time, lease time.Duration) (domain.OutboxMessage, string) {
	t.Helper()
	got, token, err := db.Outbox.ClaimOutbox(t.Context(), now, 10, lease)
	if err != nil || len(got) != 1 || token == "" {
		t.Fatalf("ClaimOutbox = %+v, %q, %v; want one message and a token", got, token, err)
	}
	return got[0], token
}

func requireNothingClaimable(t *testing.T, db *sqlstore.DB, now time.Time, why string) {
	t.Helper()
	if got, _, err := db.Outbox.ClaimOutbox(t.Context(), now, 10, time.Minute); err != nil || len(got) != 0 {
		t.Fatalf("ClaimOutbox %s = %+v, %v; want nothing", why, got, err)
	}
}

// claimedNotice opens the database at dsn, its clock at start, with one outbox message claimed at start for a minute.
func claimedNotice(t *testing.T, dsn string) (db *sqlstore.DB, requestID, id int64, token string) {
	t.Helper()
	db = sqltest.OpenDSN(t, dsn, sqlstore.WithNow(clock.NewManual(start).Now))
	requestID, msgIDs := enqueueNotices(t, db, 1)
	_, token = claimOne(t, db, stored(start), time.Minute)
	return db, requestID, msgIDs[0], token
}

// A wrong token, or the right one once its lease has ended, changes nothing; the live claim then still works.
func TestOutboxMarksNeedTheLiveClaim(t *testing.T) {
	sqltest.EachDSN(t, func(t *testing.T, dsn string) {
		db, requestID, id, token := claimedNotice(t, dsn)
		ctx, t0, lease := t.Context(), stored(start), time.Minute
		if r := readOutboxRow(t, db, requestID, id); r.Token != token || !r.Until.Equal(t0.Add(lease)) {
			t.Fatalf("claim stored as %q until %v, want %q until %v", r.Token, r.Until, token, t0.Add(lease))
		}
		requireRefused(t, db, requestID, id, "not-"+token, t0.Add(time.Second), "a wrong token")
		requireRefused(t, db, requestID, id, "", t0.Add(time.Second), "no token")
		requireRefused(t, db, requestID, id, token, t0.Add(lease), "the token as its lease ends")
		requireRefused(t, db, requestID, id, token, t0.Add(lease+time.Second), "the token after its lease")

		at := t0.Add(lease - time.Microsecond)
		if err := db.Outbox.MarkDelivered(ctx, id, token, at); err != nil {
			t.Fatalf("MarkDelivered with the live claim: %v", err)
		}
		r := readOutboxRow(t, db, requestID, id)
		if !r.Message.DeliveredAt.Equal(at) || r.Token != "" || !r.Until.IsZero() {
			t.Errorf("delivered message: %+v, want delivered at %v and no claim", r, at)
		}
		// Its claim ended with the mark: the token no longer holds the message.
		requireRefused(t, db, requestID, id, token, at, "the token of a delivered message")
	})
}

// Renewing moves the end of the lease: the message stays held, and markable, after the first lease has ended.
func TestOutboxRenewedClaimOutlivesItsFirstLease(t *testing.T) {
	sqltest.EachDSN(t, func(t *testing.T, dsn string) {
		db, requestID, id, token := claimedNotice(t, dsn)
		ctx, t0, lease := t.Context(), stored(start), time.Minute
		if err := db.Outbox.RenewClaim(ctx, id, token, t0.Add(40*time.Second), lease); err != nil {
			t.Fatalf("RenewClaim: %v", err)
		}
		r := readOutboxRow(t, db, requestID, id)
		if want := t0.Add(100 * time.Second); !r.Until.Equal(want) || !r.Message.NextAttempt.Equal(want) || r.Token != token {
			t.Errorf("renewed claim: %+v, want held by %q until %v", r, token, want)
		}
		requireNothingClaimable(t, db, t0.Add(70*time.Second), "after the first lease, within the renewed one")
		if err := db.Outbox.RenewClaim(ctx, id, token, t0.Add(90*time.Second), lease); err != nil {
			t.Fatalf("RenewClaim again: %v", err)
		}
		next := t0.Add(10 * time.Minute)
		if err := db.Outbox.MarkRetry(ctx, id, token, t0.Add(140*time.Second), next, "502 Bad Gateway"); err != nil {
			t.Fatalf("MarkRetry within the renewed lease: %v", err)
		}
		r = readOutboxRow(t, db, requestID, id)
		if !r.Message.NextAttempt.Equal(next) || r.Message.LastError != "502 Bad Gateway" || r.Token != "" || !r.Until.IsZero() {
			t.Errorf("retried message: %+v, want due at %v and no claim", r, next)
		}
	})
}

// A second replica cannot take a message while its claim lives, but takes it once the lease has ended; from then on
// the first claim's token is refused, even at a time the first replica still thinks within its lease.
func TestOutboxExpiredClaimPassesToTheNextClaimer(t *testing.T) {
	sqltest.EachDSN(t, func(t *testing.T, dsn string) {
		clk := clock.NewManual(start)
		first, second := sqltest.OpenDSN(t, dsn, sqlstore.WithNow(clk.Now)), sqltest.OpenDSN(t, dsn, sqlstore.WithNow(clk.Now))
		ctx, t0, lease := t.Context(), stored(start), time.Minute
		requestID, msgIDs := enqueueNotices(t, first, 1)
		id := msgIDs[0]
		_, firstToken := claimOne(t, first, t0, lease)
		requireNothingClaimable(t, second, t0.Add(30*time.Second), "during the first lease")
		requireNothingClaimable(t, second, t0.Add(lease-time.Microsecond), "just before the first lease ends")

		m, secondToken := claimOne(t, second, t0.Add(lease), lease)
		if m.ID != id || m.Attempts != 2 || secondToken == firstToken {
			t.Fatalf("second claim: %+v with token %q (first %q)", m, secondToken, firstToken)
		}
		requireRefused(t, first, requestID, id, firstToken, t0.Add(30*time.Second), "the first token within its old lease")
		requireRefused(t, first, requestID, id, firstToken, t0.Add(lease+time.Second), "the first token after the second claim")

		at := t0.Add(lease + 30*time.Second)
		if err := second.Outbox.MarkDelivered(ctx, id, secondToken, at); err != nil {
			t.Fatalf("MarkDelivered by the second claimer: %v", err)
		}
		if r := readOutboxRow(t, first, requestID, id); !r.Message.DeliveredAt.Equal(at) {
			t.Errorf("delivered at %v, want %v", r.Message.DeliveredAt, at)
		}
		requireNothingClaimable(t, first, t0.Add(time.Hour), "after delivery")
	})
}

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
		lease    = 300 * time.Millisecond
		took     = 900 * time.Millisecond
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
		deadline := time.Now().Add(2 * messages * took) // four times what two replicas need; the loop ends when done
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
