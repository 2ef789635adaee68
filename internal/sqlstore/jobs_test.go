package sqlstore_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/valtuusbotti/valtuusbotti/internal/domain"
	"github.com/valtuusbotti/valtuusbotti/internal/sqlstore"
	"github.com/valtuusbotti/valtuusbotti/internal/sqlstore/sqltest"
	"github.com/valtuusbotti/valtuusbotti/internal/testfakes/clock"
)

// Scheduled jobs on both dialects: scheduling by key is idempotent, a claim takes only due jobs of the kinds asked
// for, and only the claim a job is held by, while its lease lasts, may renew it or record its outcome.

const reminder = "mandate_expiry"

func job(key string, due time.Time) domain.Job {
	return domain.Job{Kind: reminder, Key: key, DueAt: due, Payload: json.RawMessage(`{"mandate_id":42}`)}
}

func schedule(t *testing.T, db *sqlstore.DB, j domain.Job) domain.Job {
	t.Helper()
	if added, err := db.Jobs.Schedule(t.Context(), j); err != nil || !added {
		t.Fatalf("Schedule(%s) = %v, %v; want added", j.Key, added, err)
	}
	return readJob(t, db, j.Key)
}

func readJob(t *testing.T, db *sqlstore.DB, key string) domain.Job {
	t.Helper()
	j, err := db.Jobs.Job(t.Context(), key)
	if err != nil {
		t.Fatalf("Job(%s): %v", key, err)
	}
	return j
}

func claimJobs(t *testing.T, db *sqlstore.DB, now time.Time, limit int, lease time.Duration, kinds ...string) ([]domain.Job, string) {
	t.Helper()
	if len(kinds) == 0 {
		kinds = []string{reminder}
	}
	got, token, err := db.Jobs.ClaimDue(t.Context(), now, kinds, limit, lease)
	if err != nil {
		t.Fatalf("ClaimDue: %v", err)
	}
	if (len(got) == 0) != (token == "") {
		t.Fatalf("ClaimDue = %d jobs with token %q", len(got), token)
	}
	return got, token
}

func keys(jobs []domain.Job) []string {
	out := []string{}
	for _, j := range jobs {
		out = append(out, j.Key)
	}
	return out
}

func TestJobsScheduleIsIdempotent(t *testing.T) {
	sqltest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx, t0 := t.Context(), stored(start)
		due := t0.Add(14 * 24 * time.Hour)
		got := schedule(t, db, job("mandate_expiry/42/2025-03-18", due))
		want := domain.Job{ID: got.ID, Kind: reminder, Key: "mandate_expiry/42/2025-03-18", DueAt: due, RunAt: due,
			CreatedAt: t0, Payload: json.RawMessage(`{"mandate_id":42}`)}
		if got.ID == 0 || !reflect.DeepEqual(got, want) || !got.Pending() {
			t.Fatalf("scheduled job:\n got %+v\nwant %+v", got, want)
		}
		again := job(want.Key, due.Add(time.Hour))
		again.Payload = json.RawMessage(`{"mandate_id":43}`)
		if added, err := db.Jobs.Schedule(ctx, again); err != nil || added {
			t.Fatalf("Schedule of an existing key = %v, %v; want not added", added, err)
		}
		if j := readJob(t, db, want.Key); !reflect.DeepEqual(j, want) {
			t.Errorf("scheduling the key again changed the job: %+v", j)
		}
		if n, err := db.Jobs.Pending(ctx); err != nil || n != 1 {
			t.Errorf("Pending = %d, %v; want 1", n, err)
		}
		noPayload := schedule(t, db, domain.Job{Kind: reminder, Key: "k2", DueAt: due})
		if noPayload.Payload != nil {
			t.Errorf("empty payload read back as %q", noPayload.Payload)
		}
		for name, bad := range map[string]domain.Job{
			"no kind":      {Key: "k", DueAt: due},
			"no key":       {Kind: reminder, DueAt: due},
			"no due time":  {Kind: reminder, Key: "k"},
			"invalid JSON": {Kind: reminder, Key: "k", DueAt: due, Payload: json.RawMessage(`{`)},
		} {
			if _, err := db.Jobs.Schedule(ctx, bad); !domain.IsCode(err, domain.EInvalid) {
				t.Errorf("Schedule %s = %v, want %s", name, err, domain.EInvalid)
			}
		}
		if _, err := db.Jobs.Job(ctx, "nope"); !domain.IsCode(err, domain.ENotFound) {
			t.Errorf("Job(unknown) = %v, want %s", err, domain.ENotFound)
		}
	}, sqlstore.WithNow(clock.NewManual(start).Now))
}

// A job scheduled in a transaction exists if and only if the transaction commits.
func TestJobsScheduleInTx(t *testing.T) {
	sqltest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx, due := t.Context(), stored(start).Add(time.Hour)
		rollback := errors.New("roll back")
		err := db.Register.InTx(ctx, func(tx domain.Tx) error {
			if added, err := tx.(*sqlstore.Tx).Schedule(ctx, job("rolled-back", due)); err != nil || !added {
				t.Errorf("Tx.Schedule = %v, %v", added, err)
			}
			return rollback
		})
		if !errors.Is(err, rollback) {
			t.Fatalf("InTx = %v", err)
		}
		if _, err := db.Jobs.Job(ctx, "rolled-back"); !domain.IsCode(err, domain.ENotFound) {
			t.Errorf("job of a rolled-back transaction: %v, want %s", err, domain.ENotFound)
		}
		inTx(t, db, func(tx domain.Tx) error {
			_, err := tx.(*sqlstore.Tx).Schedule(ctx, job("committed", due))
			return err
		})
		readJob(t, db, "committed")
	})
}

// A claim takes the due jobs of the kinds asked for, earliest first, up to the limit; not the jobs due later, nor
// those it or another claim holds.
func TestJobsClaimDue(t *testing.T) {
	sqltest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx, t0, lease := t.Context(), stored(start), time.Minute
		schedule(t, db, job("on time", t0))
		schedule(t, db, job("late", t0.Add(-time.Hour)))
		schedule(t, db, job("later", t0.Add(time.Second)))
		schedule(t, db, job("much later", t0.Add(24*time.Hour)))
		schedule(t, db, domain.Job{Kind: "leaver_check", Key: "other kind", DueAt: t0.Add(-2 * time.Hour)})

		got, token := claimJobs(t, db, t0, 1, lease)
		if fmt.Sprint(keys(got)) != "[late]" {
			t.Fatalf("claim with limit 1 = %v, want [late]", keys(got))
		}
		got, token2 := claimJobs(t, db, t0, 10, lease)
		if fmt.Sprint(keys(got)) != "[on time]" || token2 == token {
			t.Fatalf("second claim = %v with token %q (first %q), want [on time] and a new token", keys(got), token2, token)
		}
		if j := got[0]; j.Attempts != 1 || !j.RunAt.Equal(t0.Add(lease)) || !j.DueAt.Equal(t0) {
			t.Errorf("claimed job: %+v, want attempt 1, run at the lease end, due unchanged", j)
		}
		if tok, until, err := db.JobClaim(ctx, got[0].ID); err != nil || tok != token2 || !until.Equal(t0.Add(lease)) {
			t.Errorf("stored claim = %q until %v, %v; want %q until %v", tok, until, err, token2, t0.Add(lease))
		}
		if got, _ := claimJobs(t, db, t0, 10, lease); len(got) != 0 {
			t.Errorf("third claim at the same time = %v, want nothing", keys(got))
		}
		if got, _ := claimJobs(t, db, t0.Add(time.Second), 10, lease); fmt.Sprint(keys(got)) != "[later]" {
			t.Errorf("claim a second later = %v, want [later]", keys(got))
		}
		got, _ = claimJobs(t, db, t0, 10, lease, "leaver_check", "unknown")
		if fmt.Sprint(keys(got)) != "[other kind]" {
			t.Errorf("claim of the other kind = %v, want [other kind]", keys(got))
		}
		for name, args := range map[string]struct {
			kinds []string
			limit int
			lease time.Duration
		}{"no kinds": {nil, 1, lease}, "no limit": {[]string{reminder}, 0, lease}, "no lease": {[]string{reminder}, 1, 0}} {
			if _, _, err := db.Jobs.ClaimDue(ctx, t0, args.kinds, args.limit, args.lease); !domain.IsCode(err, domain.EInvalid) {
				t.Errorf("ClaimDue with %s = %v, want %s", name, err, domain.EInvalid)
			}
		}
	})
}

// jobCalls calls every method that acts on a claim once, with token at now, and returns what each returned.
func jobCalls(ctx context.Context, db *sqlstore.DB, id int64, token string, now time.Time) map[string]error {
	return map[string]error{
		"Renew":         db.Jobs.Renew(ctx, id, token, now, time.Hour),
		"MarkDone":      db.Jobs.MarkDone(ctx, id, token, now),
		"MarkRetry":     db.Jobs.MarkRetry(ctx, id, token, now, now.Add(time.Hour), "retry"),
		"MarkAbandoned": db.Jobs.MarkAbandoned(ctx, id, token, now, "abandoned"),
	}
}

// requireJobRefused checks that every call on the claim is refused with code and leaves the job as it was.
func requireJobRefused(t *testing.T, db *sqlstore.DB, j domain.Job, token string, now time.Time, code, what string) {
	t.Helper()
	before := readJob(t, db, j.Key)
	tok, until, _ := db.JobClaim(t.Context(), j.ID)
	for name, err := range jobCalls(t.Context(), db, j.ID, token, now) {
		if !domain.IsCode(err, code) {
			t.Errorf("%s with %s = %v, want %s", name, what, err, code)
		}
	}
	after := readJob(t, db, j.Key)
	tok2, until2, _ := db.JobClaim(t.Context(), j.ID)
	if !reflect.DeepEqual(after, before) || tok2 != tok || !until2.Equal(until) {
		t.Errorf("refused calls with %s changed the job:\n got %+v\nwant %+v", what, after, before)
	}
}

// A wrong token, or the right one once its lease has ended, changes nothing; the live claim then still works, and
// its mark ends it.
func TestJobsMarksNeedTheLiveClaim(t *testing.T) {
	sqltest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx, t0, lease := t.Context(), stored(start), time.Minute
		schedule(t, db, job("k", t0))
		got, token := claimJobs(t, db, t0, 10, lease)
		j := got[0]
		requireJobRefused(t, db, j, "not-"+token, t0.Add(time.Second), domain.EConflict, "a wrong token")
		requireJobRefused(t, db, j, "", t0.Add(time.Second), domain.EConflict, "no token")
		requireJobRefused(t, db, j, token, t0.Add(lease), domain.EConflict, "the token as its lease ends")
		requireJobRefused(t, db, j, token, t0.Add(lease+time.Second), domain.EConflict, "the token after its lease")
		requireJobRefused(t, db, domain.Job{ID: j.ID + 1000, Key: j.Key}, token, t0, domain.ENotFound, "an unknown id")

		at := t0.Add(lease - time.Microsecond)
		if err := db.Jobs.MarkDone(ctx, j.ID, token, at); err != nil {
			t.Fatalf("MarkDone with the live claim: %v", err)
		}
		done := readJob(t, db, j.Key)
		if !done.DoneAt.Equal(at) || done.Pending() {
			t.Errorf("done job: %+v, want done at %v", done, at)
		}
		if tok, until, _ := db.JobClaim(ctx, j.ID); tok != "" || !until.IsZero() {
			t.Errorf("done job still claimed by %q until %v", tok, until)
		}
		requireJobRefused(t, db, j, token, at, domain.EConflict, "the token of a done job")
		if got, _ := claimJobs(t, db, t0.Add(time.Hour), 10, lease); len(got) != 0 {
			t.Errorf("a done job was claimed again: %v", keys(got))
		}
		if n, err := db.Jobs.Pending(ctx); err != nil || n != 0 {
			t.Errorf("Pending = %d, %v; want 0", n, err)
		}
	})
}

// Renewing moves the end of the lease: the job stays held, and markable, after the first lease has ended. A retry
// ends the claim and makes the job due again at the time given; an abandoned job never runs again.
func TestJobsRenewRetryAbandon(t *testing.T) {
	sqltest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx, t0, lease := t.Context(), stored(start), time.Minute
		schedule(t, db, job("k", t0))
		got, token := claimJobs(t, db, t0, 10, lease)
		id := got[0].ID
		if err := db.Jobs.Renew(ctx, id, token, t0.Add(40*time.Second), lease); err != nil {
			t.Fatalf("Renew: %v", err)
		}
		if j := readJob(t, db, "k"); !j.RunAt.Equal(t0.Add(100 * time.Second)) {
			t.Errorf("renewed job runs at %v, want %v", j.RunAt, t0.Add(100*time.Second))
		}
		if got, _ := claimJobs(t, db, t0.Add(70*time.Second), 10, lease); len(got) != 0 {
			t.Fatalf("claimed within the renewed lease: %v", keys(got))
		}
		if err := db.Jobs.Renew(ctx, id, token, t0, 0); !domain.IsCode(err, domain.EInvalid) {
			t.Errorf("Renew without a lease = %v, want %s", err, domain.EInvalid)
		}
		next := t0.Add(10 * time.Minute)
		if err := db.Jobs.MarkRetry(ctx, id, token, t0.Add(90*time.Second), next, "directory unavailable"); err != nil {
			t.Fatalf("MarkRetry within the renewed lease: %v", err)
		}
		if j := readJob(t, db, "k"); !j.RunAt.Equal(next) || j.LastError != "directory unavailable" || !j.Pending() {
			t.Errorf("retried job: %+v, want due again at %v", j, next)
		}
		if got, _ := claimJobs(t, db, next.Add(-time.Microsecond), 10, lease); len(got) != 0 {
			t.Fatalf("claimed before its retry time: %v", keys(got))
		}
		got, token = claimJobs(t, db, next, 10, lease)
		if len(got) != 1 || got[0].Attempts != 2 {
			t.Fatalf("claim at the retry time = %+v, want the job at attempt 2", got)
		}
		if err := db.Jobs.MarkAbandoned(ctx, id, token, next, "gave up"); err != nil {
			t.Fatalf("MarkAbandoned: %v", err)
		}
		if j := readJob(t, db, "k"); !j.AbandonedAt.Equal(next) || j.LastError != "gave up" || j.Pending() {
			t.Errorf("abandoned job: %+v", j)
		}
		if got, _ := claimJobs(t, db, next.Add(24*time.Hour), 10, lease); len(got) != 0 {
			t.Errorf("an abandoned job was claimed: %v", keys(got))
		}
	})
}

// A second instance cannot take a job while its claim lives, but takes it once the lease has ended; from then on
// the first claim's token is refused, even at a time the first instance still thinks within its lease.
func TestJobsExpiredClaimPassesToTheNextClaimer(t *testing.T) {
	sqltest.EachDSN(t, func(t *testing.T, dsn string) {
		clk := clock.NewManual(start)
		first, second := sqltest.OpenDSN(t, dsn, sqlstore.WithNow(clk.Now)), sqltest.OpenDSN(t, dsn, sqlstore.WithNow(clk.Now))
		ctx, t0, lease := t.Context(), stored(start), time.Minute
		schedule(t, first, job("k", t0))
		_, firstToken := claimJobs(t, first, t0, 10, lease)
		if got, _ := claimJobs(t, second, t0.Add(lease-time.Microsecond), 10, lease); len(got) != 0 {
			t.Fatalf("claimed during the first lease: %v", keys(got))
		}
		got, secondToken := claimJobs(t, second, t0.Add(lease), 10, lease)
		if len(got) != 1 || got[0].Attempts != 2 || secondToken == firstToken {
			t.Fatalf("second claim: %+v with token %q (first %q)", got, secondToken, firstToken)
		}
		requireJobRefused(t, first, got[0], firstToken, t0.Add(30*time.Second), domain.EConflict, "the first token within its old lease")
		if err := second.Jobs.MarkDone(ctx, got[0].ID, secondToken, t0.Add(lease+time.Second)); err != nil {
			t.Fatalf("MarkDone by the second claimer: %v", err)
		}
	})
}

// Cancelling stops a job that has not finished, once; it ends a claim on it, and its key stays taken.
func TestJobsCancel(t *testing.T) {
	sqltest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx, t0, lease := t.Context(), stored(start), time.Minute
		schedule(t, db, job("pending", t0.Add(time.Hour)))
		running := schedule(t, db, job("running", t0))
		schedule(t, db, job("done", t0))
		got, token := claimJobs(t, db, t0, 10, lease)
		if fmt.Sprint(keys(got)) != "[running done]" {
			t.Fatalf("claimed %v", keys(got))
		}
		if err := db.Jobs.MarkDone(ctx, got[1].ID, token, t0); err != nil {
			t.Fatal(err)
		}
		for _, tt := range []struct {
			key  string
			want bool
		}{{"pending", true}, {"pending", false}, {"running", true}, {"done", false}, {"unknown", false}} {
			if ok, err := db.Jobs.Cancel(ctx, tt.key, t0.Add(time.Second)); err != nil || ok != tt.want {
				t.Errorf("Cancel(%s) = %v, %v; want %v", tt.key, ok, err, tt.want)
			}
		}
		if j := readJob(t, db, "pending"); !j.CancelledAt.Equal(t0.Add(time.Second)) || j.Pending() {
			t.Errorf("cancelled job: %+v", j)
		}
		if j := readJob(t, db, "done"); !j.CancelledAt.IsZero() {
			t.Errorf("a done job was cancelled: %+v", j)
		}
		requireJobRefused(t, db, running, token, t0.Add(2*time.Second), domain.EConflict, "the claim of a cancelled job")
		if added, err := db.Jobs.Schedule(ctx, job("pending", t0.Add(2*time.Hour))); err != nil || added {
			t.Errorf("Schedule of a cancelled key = %v, %v; want not added", added, err)
		}
		if got, _ := claimJobs(t, db, t0.Add(24*time.Hour), 10, lease); len(got) != 0 {
			t.Errorf("cancelled jobs were claimed: %v", keys(got))
		}
	})
}
