package sqlstore_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/valtuusbotti/valtuusbotti/internal/domain"
	"github.com/valtuusbotti/valtuusbotti/internal/sqlstore"
	"github.com/valtuusbotti/valtuusbotti/internal/sqlstore/sqltest"
	"github.com/valtuusbotti/valtuusbotti/internal/testfakes/clock"
)

// The fence of outbox claims, on both dialects: only the claim a message is held by, while its lease lasts, may
// renew it or record what happened to the message.

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

// A wrong token, or the right one once its lease has ended, changes nothing; the live claim then still works.
func TestOutboxMarksNeedTheLiveClaim(t *testing.T) {
	sqltest.EachDSN(t, func(t *testing.T, dsn string) {
		db := sqltest.OpenDSN(t, dsn, sqlstore.WithNow(clock.NewManual(start).Now))
		ctx, t0, lease := t.Context(), stored(start), time.Minute
		requestID, msgIDs := enqueueNotices(t, db, 1)
		id := msgIDs[0]
		_, token := claimOne(t, db, t0, lease)
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
		db := sqltest.OpenDSN(t, dsn, sqlstore.WithNow(clock.NewManual(start).Now))
		ctx, t0, lease := t.Context(), stored(start), time.Minute
		requestID, msgIDs := enqueueNotices(t, db, 1)
		id := msgIDs[0]
		_, token := claimOne(t, db, t0, lease)
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
