package sqlstore_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/valtuusbotti/valtuusbotti/internal/domain"
	"github.com/valtuusbotti/valtuusbotti/internal/outbox"
	"github.com/valtuusbotti/valtuusbotti/internal/sqlstore"
	"github.com/valtuusbotti/valtuusbotti/internal/sqlstore/sqltest"
	"github.com/valtuusbotti/valtuusbotti/internal/testfakes/clock"
	"github.com/valtuusbotti/valtuusbotti/internal/workflow"
)

// The register of the mandate flow: the contract of workflow.Store and outbox.Store, run on both dialects.

var (
	_ workflow.Store = (*sqlstore.Register)(nil)
	_ workflow.Tx    = (*sqlstore.Tx)(nil)
	_ outbox.Store   = (*sqlstore.Outbox)(nil)
)

// day returns a civil date as the domain keeps it: 00:00 UTC.
func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

func sampleRequest(requester string, themes ...string) domain.Request {
	r := domain.Request{
		RequesterID:         requester,
		RequesterName:       "Maija Meikäläinen",
		RequesterMail:       "maija.meikalainen@porvoo.fi",
		RequesterDepartment: "Talous",
		RequesterJobTitle:   "Palkkasihteeri",
		ApproverID:          "approver-1",
		ApproverName:        "Esko Esihenkilö",
		ApproverBasis:       domain.ApproverManager,
		State:               domain.RequestPending,
		Justification:       "Palkkatiedot tulorekisteriin – ilmoitukset kuukausittain",
		RoleID:              "payroll_clerk",
		TaskIDs:             []string{"payroll", "sick_pay"},
		ValidUntil:          day(2028, 2, 29),
	}
	for _, th := range themes {
		r.Items = append(r.Items, domain.RequestItem{
			ThemeID: th, TaskIDs: []string{"payroll"}, Covered: true, State: domain.ItemPending,
		})
	}
	return r
}

// clone copies r deeply enough that changing the copy's items never changes r.
func clone(r domain.Request) domain.Request {
	r.Items = append([]domain.RequestItem(nil), r.Items...)
	return r
}

func inTx(t testing.TB, db *sqlstore.DB, fn func(tx workflow.Tx) error) {
	t.Helper()
	if err := db.Register.InTx(t.Context(), fn); err != nil {
		t.Fatalf("InTx: %v", err)
	}
}

func createRequest(t testing.TB, db *sqlstore.DB, r *domain.Request) {
	t.Helper()
	inTx(t, db, func(tx workflow.Tx) error { return tx.CreateRequest(t.Context(), r) })
}

func readRequest(t testing.TB, db *sqlstore.DB, id int64) domain.Request {
	t.Helper()
	got, err := db.Register.Request(t.Context(), id)
	if err != nil {
		t.Fatalf("Request(%d): %v", id, err)
	}
	return got
}

func ids[T any](list []T, id func(T) int64) []int64 {
	out := []int64{}
	for _, x := range list {
		out = append(out, id(x))
	}
	return out
}

func requestIDs(rs []domain.Request) []int64 {
	return ids(rs, func(r domain.Request) int64 { return r.ID })
}

func TestRequestRoundTrip(t *testing.T) {
	sqltest.EachDSN(t, func(t *testing.T, dsn string) {
		clk := clock.NewManual(start)
		db := sqltest.OpenDSN(t, dsn, sqlstore.WithNow(clk.Now))
		ctx := t.Context()

		r := sampleRequest("requester-1", "incomes_register_wages", "kela_benefits")
		r.Items[1].Covered = false
		r.Items[1].TaskIDs = nil
		createRequest(t, db, &r)
		if r.ID == 0 || r.Items[0].ID == 0 || r.Items[1].ID == 0 || r.Items[0].ID == r.Items[1].ID {
			t.Fatalf("ids not set: request %d, items %d %d", r.ID, r.Items[0].ID, r.Items[1].ID)
		}
		if r.Version != 1 || !r.CreatedAt.Equal(stored(start)) || r.UpdatedAt != r.CreatedAt {
			t.Errorf("after create: version %d created %v updated %v, want 1 and %v", r.Version, r.CreatedAt, r.UpdatedAt, stored(start))
		}
		if got := readRequest(t, db, r.ID); !reflect.DeepEqual(got, r) {
			t.Errorf("round trip:\n got %+v\nwant %+v", got, r)
		}
		if ref := r.Reference(); ref != fmt.Sprintf("VB-2025-%04d", r.ID) {
			t.Errorf("Reference() = %q", ref)
		}

		// Inside a transaction the same request reads the same.
		inTx(t, db, func(tx workflow.Tx) error {
			got, err := tx.Request(ctx, r.ID)
			if err != nil {
				return err
			}
			if !reflect.DeepEqual(got, r) {
				t.Errorf("read in tx:\n got %+v\nwant %+v", got, r)
			}
			return nil
		})

		// The decision: one item approved, one rejected.
		clk.Advance(time.Hour)
		r.State = domain.RequestApproved
		r.DecidedBy = "approver-1"
		r.DecidedAt = stored(start.Add(59 * time.Minute))
		r.DecisionReason = "Kelan teema ei kuulu tehtäviin"
		r.Items[0].State = domain.ItemApproved
		r.Items[1].State = domain.ItemRejected
		inTx(t, db, func(tx workflow.Tx) error { return tx.UpdateRequest(ctx, &r) })
		if r.Version != 2 || !r.UpdatedAt.Equal(stored(start.Add(time.Hour))) {
			t.Errorf("after update: version %d updated %v", r.Version, r.UpdatedAt)
		}
		if got := readRequest(t, db, r.ID); !reflect.DeepEqual(got, r) {
			t.Errorf("after decision:\n got %+v\nwant %+v", got, r)
		}

		// The grant: a mandate in the register, the item points at it, the request is completed.
		clk.Advance(24 * time.Hour)
		m := domain.Mandate{
			HolderID: r.RequesterID, HolderName: r.RequesterName, Department: r.RequesterDepartment,
			ThemeID: r.Items[0].ThemeID, ValidFrom: day(2026, 3, 16), ValidUntil: day(2028, 2, 29),
			State: domain.MandateActive, RequestID: r.ID, ItemID: r.Items[0].ID, GrantedBy: "main-user-1",
		}
		inTx(t, db, func(tx workflow.Tx) error {
			if err := tx.CreateMandate(ctx, &m); err != nil {
				return err
			}
			r.State = domain.RequestCompleted
			it := &r.Items[0]
			it.State, it.GrantedFrom, it.GrantedUntil = domain.ItemGranted, m.ValidFrom, m.ValidUntil
			it.GrantedBy, it.MandateID = m.GrantedBy, m.ID
			return tx.UpdateRequest(ctx, &r)
		})
		if got := readRequest(t, db, r.ID); !reflect.DeepEqual(got, r) {
			t.Errorf("after grant:\n got %+v\nwant %+v", got, r)
		}
		ms, err := db.Register.MandatesByHolder(ctx, r.RequesterID)
		if err != nil {
			t.Fatal(err)
		}
		if len(ms) != 1 || !reflect.DeepEqual(ms[0], m) {
			t.Errorf("mandates = %+v, want [%+v]", ms, m)
		}
		if got := ms[0].ValidUntil; got.Location() != time.UTC || got.Hour() != 0 || got.Day() != 29 {
			t.Errorf("ValidUntil = %v, want 2028-02-29 00:00 UTC", got)
		}
	})
}

func TestCivilDates(t *testing.T) {
	sqltest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		// A civil date is the calendar day of the value in its own location; it reads back at 00:00 UTC. Zero is NULL.
		eet := time.FixedZone("EET", 2*60*60)
		for _, tt := range []struct{ in, want time.Time }{
			{time.Date(2027, 1, 1, 0, 0, 0, 0, eet), day(2027, 1, 1)}, // 2026-12-31 22:00 UTC, but 1 January in Finland
			{day(2028, 2, 29), day(2028, 2, 29)},
			{day(2051, 12, 31), day(2051, 12, 31)},
			{time.Time{}, time.Time{}},
		} {
			r := sampleRequest("dates", "theme-"+tt.want.String()) // one open request per person and theme
			r.ValidUntil = tt.in
			createRequest(t, db, &r)
			if got := readRequest(t, db, r.ID).ValidUntil; got != tt.want {
				t.Errorf("ValidUntil %v read back as %v, want %v", tt.in, got, tt.want)
			}
		}
	})
}

func TestCreateRequestInvalid(t *testing.T) {
	sqltest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := t.Context()
		for name, mutate := range map[string]func(r *domain.Request){
			"no requester":       func(r *domain.Request) { r.RequesterID = "" },
			"no state":           func(r *domain.Request) { r.State = "" },
			"unknown state":      func(r *domain.Request) { r.State = "approved_maybe" },
			"no items":           func(r *domain.Request) { r.Items = nil },
			"item without theme": func(r *domain.Request) { r.Items[0].ThemeID = "" },
			"item state":         func(r *domain.Request) { r.Items[0].State = "lost" },
			"unknown basis":      func(r *domain.Request) { r.ApproverBasis = "friend" },
			"grant ends before it starts": func(r *domain.Request) {
				r.Items[0].GrantedFrom, r.Items[0].GrantedUntil = day(2026, 5, 2), day(2026, 5, 1)
			},
			"unknown mandate": func(r *domain.Request) { r.Items[0].MandateID = 999999 },
		} {
			r := sampleRequest("invalid", "theme")
			mutate(&r)
			err := db.Register.InTx(ctx, func(tx workflow.Tx) error { return tx.CreateRequest(ctx, &r) })
			if !domain.IsCode(err, domain.EInvalid) {
				t.Errorf("%s: CreateRequest = %v, want %s", name, err, domain.EInvalid)
			}
			if r.ID != 0 {
				t.Errorf("%s: failed CreateRequest set the id %d", name, r.ID)
			}
		}
		if rs, err := db.Register.RequestsByRequester(ctx, "invalid", 0); err != nil || len(rs) != 0 {
			t.Errorf("invalid requests were stored: %v, %v", requestIDs(rs), err)
		}
	})
}

func TestRequestNotFound(t *testing.T) {
	sqltest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := t.Context()
		if _, err := db.Register.Request(ctx, 424242); !domain.IsCode(err, domain.ENotFound) {
			t.Errorf("Request(missing) = %v, want %s", err, domain.ENotFound)
		}
		err := db.Register.InTx(ctx, func(tx workflow.Tx) error {
			if _, err := tx.Request(ctx, 424242); !domain.IsCode(err, domain.ENotFound) {
				t.Errorf("tx.Request(missing) = %v, want %s", err, domain.ENotFound)
			}
			r := sampleRequest("nobody", "theme")
			r.ID, r.Version = 424242, 1
			return tx.UpdateRequest(ctx, &r)
		})
		if !domain.IsCode(err, domain.ENotFound) {
			t.Errorf("UpdateRequest(missing) = %v, want %s", err, domain.ENotFound)
		}
	})
}

func TestUpdateRequestVersionConflict(t *testing.T) {
	sqltest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := t.Context()
		r := sampleRequest("requester-1", "theme-a", "theme-b")
		createRequest(t, db, &r)
		base := readRequest(t, db, r.ID)

		// The approver approves...
		a := clone(base)
		a.State, a.DecidedBy = domain.RequestApproved, "approver-1"
		a.Items[0].State, a.Items[1].State = domain.ItemApproved, domain.ItemApproved
		inTx(t, db, func(tx workflow.Tx) error {
			if err := tx.AppendAudit(ctx, domain.AuditEvent{ActorID: "approver-1", Action: "request.approved", RequestID: a.ID}); err != nil {
				return err
			}
			return tx.UpdateRequest(ctx, &a)
		})
		want := readRequest(t, db, r.ID)

		// ...while the requester, who read the same version, cancels: conflict, and nothing of it is written.
		b := clone(base)
		b.State = domain.RequestCancelled
		b.Items[0].State, b.Items[1].State = domain.ItemCancelled, domain.ItemCancelled
		err := db.Register.InTx(ctx, func(tx workflow.Tx) error {
			if err := tx.AppendAudit(ctx, domain.AuditEvent{ActorID: "requester-1", Action: "request.cancelled", RequestID: b.ID}); err != nil {
				return err
			}
			if err := tx.Enqueue(ctx, domain.OutboxMessage{Kind: domain.MsgCancelledNotice, RecipientID: "approver-1", RequestID: b.ID}); err != nil {
				return err
			}
			return tx.UpdateRequest(ctx, &b)
		})
		if !domain.IsCode(err, domain.EConflict) {
			t.Fatalf("second update from the same version = %v, want %s", err, domain.EConflict)
		}
		t.Logf("conflict: %v", err)
		if b.Version != base.Version || !b.UpdatedAt.Equal(base.UpdatedAt) {
			t.Errorf("failed update changed the caller's request: version %d updated %v", b.Version, b.UpdatedAt)
		}
		if got := readRequest(t, db, r.ID); !reflect.DeepEqual(got, want) || got.Version != 2 {
			t.Errorf("after the conflict:\n got %+v\nwant %+v", got, want)
		}
		audit, err := db.Register.AuditForRequest(ctx, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(audit) != 1 || audit[0].Action != "request.approved" {
			t.Errorf("audit after the conflict = %+v, want only request.approved", audit)
		}
		if out, err := db.Outbox.ForRequest(ctx, r.ID); err != nil || len(out) != 0 {
			t.Errorf("outbox after the conflict = %+v, %v; want none", out, err)
		}

		// An item that belongs to another request is refused, and the request update rolls back with it.
		other := sampleRequest("requester-2", "theme-c")
		createRequest(t, db, &other)
		c := readRequest(t, db, r.ID)
		c.State = domain.RequestCompleted
		c.Items = append(c.Items, other.Items[0])
		c.Items[2].State = domain.ItemGranted
		err = db.Register.InTx(ctx, func(tx workflow.Tx) error { return tx.UpdateRequest(ctx, &c) })
		if !domain.IsCode(err, domain.EInvalid) {
			t.Errorf("update with a foreign item = %v, want %s", err, domain.EInvalid)
		}
		if got := readRequest(t, db, r.ID); !reflect.DeepEqual(got, want) {
			t.Errorf("after a refused update:\n got %+v\nwant %+v", got, want)
		}
		if got := readRequest(t, db, other.ID); got.Items[0].State != domain.ItemPending {
			t.Errorf("the other request's item was changed: %+v", got.Items[0])
		}
	})
}

func TestUpdateRequestRace(t *testing.T) {
	sqltest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := t.Context()
		r := sampleRequest("requester-1", "theme-a")
		createRequest(t, db, &r)
		base := readRequest(t, db, r.ID)

		const racers = 20
		gate := make(chan struct{})
		errs := make([]error, racers)
		var wg sync.WaitGroup
		for i := range racers {
			wg.Go(func() {
				mine := clone(base)
				mine.State = domain.RequestApproved
				mine.DecidedBy = fmt.Sprintf("approver-%d", i)
				mine.Items[0].State = domain.ItemApproved
				<-gate
				errs[i] = db.Register.InTx(ctx, func(tx workflow.Tx) error {
					if err := tx.AppendAudit(ctx, domain.AuditEvent{ActorID: mine.DecidedBy, Action: "request.approved", RequestID: mine.ID}); err != nil {
						return err
					}
					if err := tx.Enqueue(ctx, domain.OutboxMessage{Kind: domain.MsgDecisionNotice, RecipientID: mine.RequesterID, RequestID: mine.ID}); err != nil {
						return err
					}
					return tx.UpdateRequest(ctx, &mine)
				})
			})
		}
		close(gate)
		wg.Wait()

		winner := -1
		for i, err := range errs {
			switch {
			case err == nil && winner >= 0:
				t.Errorf("racers %d and %d both won", winner, i)
			case err == nil:
				winner = i
			case !domain.IsCode(err, domain.EConflict):
				t.Errorf("racer %d: %v, want success or %s", i, err, domain.EConflict)
			}
		}
		if winner < 0 {
			t.Fatal("no racer won")
		}
		got := readRequest(t, db, r.ID)
		if got.Version != 2 || got.DecidedBy != fmt.Sprintf("approver-%d", winner) {
			t.Errorf("after the race: version %d decided by %q, want 2 and approver-%d", got.Version, got.DecidedBy, winner)
		}
		audit, err := db.Register.AuditForRequest(ctx, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(audit) != 1 || audit[0].ActorID != got.DecidedBy {
			t.Errorf("audit after the race = %+v, want one row by the winner", audit)
		}
		if n, err := db.Outbox.PendingOutbox(ctx); err != nil || n != 1 {
			t.Errorf("pending outbox after the race = %d, %v; want 1", n, err)
		}
	})
}

func TestInTxRollsBack(t *testing.T) {
	sqltest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := t.Context()
		errBoom := errors.New("boom")
		var created []int64
		writeAll := func(tx workflow.Tx) {
			r := sampleRequest("rollback", "theme")
			if err := tx.CreateRequest(ctx, &r); err != nil {
				t.Fatal(err)
			}
			created = append(created, r.ID)
			if err := tx.AppendAudit(ctx, domain.AuditEvent{ActorID: "rollback", Action: "request.submitted", RequestID: r.ID}); err != nil {
				t.Fatal(err)
			}
			if err := tx.Enqueue(ctx, domain.OutboxMessage{Kind: domain.MsgApprovalRequest, RecipientID: r.ApproverID, RequestID: r.ID}); err != nil {
				t.Fatal(err)
			}
			// The transaction sees its own writes.
			if _, err := tx.Request(ctx, r.ID); err != nil {
				t.Fatalf("read own write: %v", err)
			}
		}

		err := db.Register.InTx(ctx, func(tx workflow.Tx) error { writeAll(tx); return fmt.Errorf("later step: %w", errBoom) })
		if !errors.Is(err, errBoom) {
			t.Fatalf("InTx = %v, want fn's error", err)
		}
		func() {
			defer func() {
				if p := recover(); p != "panic in fn" {
					t.Errorf("recovered %v, want fn's panic", p)
				}
			}()
			_ = db.Register.InTx(ctx, func(tx workflow.Tx) error { writeAll(tx); panic("panic in fn") })
		}()

		for _, id := range created {
			if _, err := db.Register.Request(ctx, id); !domain.IsCode(err, domain.ENotFound) {
				t.Errorf("request %d after rollback: %v, want %s", id, err, domain.ENotFound)
			}
			if audit, err := db.Register.AuditForRequest(ctx, id); err != nil || len(audit) != 0 {
				t.Errorf("audit of %d after rollback: %+v, %v", id, audit, err)
			}
			if out, err := db.Outbox.ForRequest(ctx, id); err != nil || len(out) != 0 {
				t.Errorf("outbox of %d after rollback: %+v, %v", id, out, err)
			}
		}
		if n, err := db.Outbox.PendingOutbox(ctx); err != nil || n != 0 {
			t.Errorf("pending outbox after rollback = %d, %v", n, err)
		}
		if rs, err := db.Register.RequestsByRequester(ctx, "rollback", 0); err != nil || len(rs) != 0 {
			t.Errorf("requests after rollback = %v, %v", requestIDs(rs), err)
		}
		// The writer is free again.
		r := sampleRequest("rollback", "theme")
		createRequest(t, db, &r)
	})
}

func TestInTxRetriesSerializationFailures(t *testing.T) {
	sqltest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := t.Context()
		postgres := db.Dialect() == sqlstore.DialectPostgres

		// A serialization failure in the first attempt: PostgreSQL runs fn again in a new transaction; SQLite, which
		// never reports one, passes the error through.
		calls := 0
		err := db.Register.InTx(ctx, func(tx workflow.Tx) error {
			calls++
			r := sampleRequest("retry", "theme")
			if err := tx.CreateRequest(ctx, &r); err != nil {
				return err
			}
			if calls == 1 {
				return fmt.Errorf("simulated: %w", &pgconn.PgError{Code: "40001", Message: "could not serialize access"})
			}
			return nil
		})
		rs, lerr := db.Register.RequestsByRequester(ctx, "retry", 0)
		if lerr != nil {
			t.Fatal(lerr)
		}
		if postgres {
			if err != nil || calls != 2 || len(rs) != 1 {
				t.Errorf("retry after 40001: err %v, calls %d, requests %d; want nil, 2, 1", err, calls, len(rs))
			}
		} else if err == nil || calls != 1 || len(rs) != 0 {
			t.Errorf("SQLite with a 40001 error: err %v, calls %d, requests %d; want the error, 1, 0", err, calls, len(rs))
		}

		// A deadlock every time: PostgreSQL gives up after MaxTxAttempts and returns the last error.
		calls = 0
		err = db.Register.InTx(ctx, func(tx workflow.Tx) error {
			calls++
			return &pgconn.PgError{Code: "40P01", Message: "deadlock detected"}
		})
		var pgErr *pgconn.PgError
		wantCalls := 1
		if postgres {
			wantCalls = sqlstore.MaxTxAttempts
		}
		if !errors.As(err, &pgErr) || calls != wantCalls {
			t.Errorf("persistent deadlock: err %v after %d calls, want the error after %d", err, calls, wantCalls)
		}
		// Other errors are never retried.
		calls = 0
		_ = db.Register.InTx(ctx, func(tx workflow.Tx) error { calls++; return domain.Errorf(domain.EConflict, "stale") })
		if calls != 1 {
			t.Errorf("a domain conflict ran fn %d times, want 1", calls)
		}
	})
}

// TestInTxRetriesRealDeadlock provokes a deadlock on PostgreSQL: two transactions update two requests in opposite
// orders. The server aborts one of them (40P01); InTx runs it again and both commit.
func TestInTxRetriesRealDeadlock(t *testing.T) {
	db := sqltest.OpenPostgres(t)
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute) // guards against a hang, not a time limit on success
	defer cancel()
	a, b := sampleRequest("deadlock", "theme-a"), sampleRequest("deadlock", "theme-b")
	createRequest(t, db, &a)
	createRequest(t, db, &b)

	locked := [2]chan struct{}{make(chan struct{}), make(chan struct{})} // worker i holds its first row
	done := [2]chan struct{}{make(chan struct{}), make(chan struct{})}   // worker i has committed
	var calls [2]int
	var errs [2]error
	var wg sync.WaitGroup
	for i, order := range [2][2]int64{{a.ID, b.ID}, {b.ID, a.ID}} {
		wg.Go(func() {
			defer close(done[i])
			errs[i] = db.Register.InTx(ctx, func(tx workflow.Tx) error {
				calls[i]++
				if calls[i] > 1 {
					// The retry of the aborted worker: let the other one commit first, so the versions read now stay
					// current.
					select {
					case <-done[1-i]:
					case <-ctx.Done():
						return ctx.Err()
					}
				}
				for step, id := range order {
					r, err := tx.Request(ctx, id)
					if err != nil {
						return err
					}
					r.DecisionReason = fmt.Sprintf("worker %d", i)
					if err := tx.UpdateRequest(ctx, &r); err != nil {
						return err
					}
					if step == 0 && calls[i] == 1 {
						close(locked[i])
						select {
						case <-locked[1-i]:
						case <-ctx.Done():
							return ctx.Err()
						}
					}
				}
				return nil
			})
		})
	}
	wg.Wait()
	for i := range 2 {
		if errs[i] != nil {
			t.Errorf("worker %d: %v", i, errs[i])
		}
	}
	if calls[0]+calls[1] != 3 {
		t.Errorf("fn calls = %v, want one worker retried once", calls)
	}
	for _, id := range []int64{a.ID, b.ID} {
		if got := readRequest(t, db, id); got.Version != 3 {
			t.Errorf("request %d version %d, want 3 (both workers committed)", id, got.Version)
		}
	}
}

func TestAudit(t *testing.T) {
	sqltest.EachDSN(t, func(t *testing.T, dsn string) {
		clk := clock.NewManual(start)
		db := sqltest.OpenDSN(t, dsn, sqlstore.WithNow(clk.Now))
		ctx := t.Context()
		r := sampleRequest("requester-1", "theme")
		createRequest(t, db, &r)
		var m domain.Mandate
		events := []domain.AuditEvent{
			{ActorID: "requester-1", Action: "request.submitted", RequestID: r.ID,
				After: json.RawMessage(`{"state":"pending",  "items": [1]}`), ActivityID: "1712345678901"},
			{At: start.Add(-time.Hour), ActorID: "approver-1", Action: "request.approved", RequestID: r.ID,
				Before: json.RawMessage(`{"state":"pending"}`), After: json.RawMessage(`{"state":"approved","note":"ä ✓"}`)},
			{ActorID: "main-user-1", Action: "mandate.granted", RequestID: r.ID, After: json.RawMessage(`null`)},
		}
		inTx(t, db, func(tx workflow.Tx) error {
			m = domain.Mandate{HolderID: "requester-1", ThemeID: "theme", ValidFrom: day(2026, 1, 1),
				ValidUntil: day(2026, 12, 31), State: domain.MandateActive}
			if err := tx.CreateMandate(ctx, &m); err != nil {
				return err
			}
			events[2].MandateID = m.ID
			for _, e := range events {
				if err := tx.AppendAudit(ctx, e); err != nil {
					return err
				}
			}
			return nil
		})
		got, err := db.Register.AuditForRequest(ctx, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		// Oldest first: the back-dated approval comes before the submission; JSON comes back exactly as written.
		want := []domain.AuditEvent{events[1], events[0], events[2]}
		want[0].At, want[1].At, want[2].At = stored(start.Add(-time.Hour)), stored(start), stored(start)
		for i := range got {
			want[i].ID = got[i].ID
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("audit:\n got %+v\nwant %+v", got, want)
		}
		if len(got) == 3 && !(got[1].ID < got[2].ID) {
			t.Errorf("events with the same time are not in the order written: %v", ids(got, func(e domain.AuditEvent) int64 { return e.ID }))
		}

		for name, e := range map[string]domain.AuditEvent{
			"no actor":     {Action: "x", RequestID: r.ID},
			"no action":    {ActorID: "x", RequestID: r.ID},
			"bad before":   {ActorID: "x", Action: "x", Before: json.RawMessage(`{"state":`)},
			"bad after":    {ActorID: "x", Action: "x", After: json.RawMessage(`pending`)},
			"unknown req":  {ActorID: "x", Action: "x", RequestID: 999999},
			"unknown mand": {ActorID: "x", Action: "x", MandateID: 999999},
		} {
			err := db.Register.InTx(ctx, func(tx workflow.Tx) error { return tx.AppendAudit(ctx, e) })
			if !domain.IsCode(err, domain.EInvalid) {
				t.Errorf("%s: AppendAudit = %v, want %s", name, err, domain.EInvalid)
			}
		}
	})
}

func TestAuditIsAppendOnlyInTheDatabase(t *testing.T) {
	sqltest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := t.Context()
		r := sampleRequest("requester-1", "theme")
		createRequest(t, db, &r)
		inTx(t, db, func(tx workflow.Tx) error {
			for _, action := range []string{"request.submitted", "request.approved"} {
				if err := tx.AppendAudit(ctx, domain.AuditEvent{ActorID: "someone", Action: action, RequestID: r.ID,
					After: json.RawMessage(`{"ok":true}`)}); err != nil {
					return err
				}
			}
			return nil
		})
		before, err := db.Register.AuditForRequest(ctx, r.ID)
		if err != nil || len(before) != 2 {
			t.Fatalf("audit = %+v, %v", before, err)
		}
		tamper := []string{
			`UPDATE audit_log SET action = 'request.rejected'`,
			`UPDATE audit_log SET after = NULL WHERE id = ` + fmt.Sprint(before[0].ID),
			`DELETE FROM audit_log WHERE id = ` + fmt.Sprint(before[1].ID),
			`DELETE FROM audit_log`,
		}
		if db.Dialect() == sqlstore.DialectPostgres {
			tamper = append(tamper, `TRUNCATE audit_log`)
		}
		for _, q := range tamper {
			err := db.ExecWrite(ctx, q)
			if err == nil || !strings.Contains(err.Error(), "append-only") {
				t.Errorf("%s: %v, want refused as append-only", q, err)
			}
		}
		after, err := db.Register.AuditForRequest(ctx, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(after, before) {
			t.Errorf("audit changed:\nbefore %+v\nafter  %+v", before, after)
		}
	})
}

func TestMandates(t *testing.T) {
	sqltest.EachDSN(t, func(t *testing.T, dsn string) {
		clk := clock.NewManual(start)
		db := sqltest.OpenDSN(t, dsn, sqlstore.WithNow(clk.Now))
		ctx := t.Context()
		r := sampleRequest("holder-1", "theme-a", "theme-b")
		createRequest(t, db, &r)

		mk := func(holder, theme string, from, until time.Time, state domain.MandateState, itemID int64) domain.Mandate {
			m := domain.Mandate{HolderID: holder, HolderName: "Holder " + holder, Department: "Talous", ThemeID: theme,
				ValidFrom: from, ValidUntil: until, State: state, GrantedBy: "main-user-1"}
			if itemID != 0 {
				m.RequestID, m.ItemID = r.ID, itemID
			}
			return m
		}
		// Written out of order; read back by ValidUntil.
		ms := []domain.Mandate{
			mk("holder-1", "theme-a", day(2026, 1, 1), day(2027, 6, 30), domain.MandateActive, r.Items[0].ID),
			mk("holder-1", "theme-c", day(2024, 1, 1), day(2025, 1, 1), domain.MandateRevoked, 0), // imported: no request
			mk("holder-2", "theme-a", day(2026, 1, 1), day(2026, 1, 1), domain.MandateActive, 0),
			mk("holder-1", "theme-b", day(2026, 1, 1), day(2026, 6, 30), domain.MandateActive, r.Items[1].ID),
		}
		inTx(t, db, func(tx workflow.Tx) error {
			for i := range ms {
				clk.Advance(time.Second)
				if err := tx.CreateMandate(ctx, &ms[i]); err != nil {
					return err
				}
			}
			return nil
		})
		for i, m := range ms {
			if m.ID == 0 || !m.CreatedAt.Equal(stored(start.Add(time.Duration(i+1)*time.Second))) || m.UpdatedAt != m.CreatedAt {
				t.Errorf("mandate %d after create: %+v", i, m)
			}
		}
		got, err := db.Register.MandatesByHolder(ctx, "holder-1")
		if err != nil {
			t.Fatal(err)
		}
		if want := []domain.Mandate{ms[1], ms[3], ms[0]}; !reflect.DeepEqual(got, want) {
			t.Errorf("MandatesByHolder:\n got %+v\nwant %+v", got, want)
		}
		if got, err := db.Register.MandatesByHolder(ctx, "nobody"); err != nil || len(got) != 0 {
			t.Errorf("MandatesByHolder(nobody) = %+v, %v", got, err)
		}

		// Granting the same item twice is a conflict; malformed mandates are invalid. Nothing is written.
		twice := mk("holder-1", "theme-a", day(2026, 2, 1), day(2027, 6, 30), domain.MandateActive, r.Items[0].ID)
		if err := db.Register.InTx(ctx, func(tx workflow.Tx) error { return tx.CreateMandate(ctx, &twice) }); !domain.IsCode(err, domain.EConflict) {
			t.Errorf("second mandate for one item = %v, want %s", err, domain.EConflict)
		}
		for name, m := range map[string]domain.Mandate{
			"ends before it starts": mk("holder-1", "x", day(2026, 2, 2), day(2026, 2, 1), domain.MandateActive, 0),
			"no start":              mk("holder-1", "x", time.Time{}, day(2026, 2, 1), domain.MandateActive, 0),
			"no end":                mk("holder-1", "x", day(2026, 2, 1), time.Time{}, domain.MandateActive, 0),
			"no holder":             mk("", "x", day(2026, 2, 1), day(2026, 3, 1), domain.MandateActive, 0),
			"no theme":              mk("holder-1", "", day(2026, 2, 1), day(2026, 3, 1), domain.MandateActive, 0),
			"unknown state":         mk("holder-1", "x", day(2026, 2, 1), day(2026, 3, 1), "expired", 0),
			"unknown request":       {HolderID: "holder-1", ThemeID: "x", ValidFrom: day(2026, 2, 1), ValidUntil: day(2026, 3, 1), State: domain.MandateActive, RequestID: 999999},
		} {
			if err := db.Register.InTx(ctx, func(tx workflow.Tx) error { return tx.CreateMandate(ctx, &m) }); !domain.IsCode(err, domain.EInvalid) {
				t.Errorf("%s: CreateMandate = %v, want %s", name, err, domain.EInvalid)
			}
		}
		if got, err := db.Register.MandatesByHolder(ctx, "holder-1"); err != nil || len(got) != 3 {
			t.Errorf("after refused mandates: %d mandates, %v; want 3", len(got), err)
		}
	})
}

func TestRequestQueries(t *testing.T) {
	sqltest.EachDSN(t, func(t *testing.T, dsn string) {
		clk := clock.NewManual(start)
		db := sqltest.OpenDSN(t, dsn, sqlstore.WithNow(clk.Now))
		ctx := t.Context()

		type spec struct {
			requester, approver string
			state               domain.RequestState
			items               []domain.ItemState
		}
		specs := []spec{
			0: {"alice", "boss-1", domain.RequestPending, []domain.ItemState{domain.ItemPending, domain.ItemPending}},
			1: {"bob", "boss-1", domain.RequestPending, []domain.ItemState{domain.ItemPending}},
			2: {"alice", "boss-1", domain.RequestApproved, []domain.ItemState{domain.ItemApproved, domain.ItemRejected}},
			3: {"alice", "boss-2", domain.RequestPending, []domain.ItemState{domain.ItemPending}},
			4: {"bob", "boss-1", domain.RequestApproved, []domain.ItemState{domain.ItemGranted, domain.ItemNotGranted}}, // all done
			5: {"carol", "boss-1", domain.RequestCancelled, []domain.ItemState{domain.ItemCancelled}},
			6: {"alice", "boss-1", domain.RequestPending, []domain.ItemState{domain.ItemPending}},
			7: {"bob", "boss-2", domain.RequestApproved, []domain.ItemState{domain.ItemGranted, domain.ItemApproved}},
			8: {"carol", "boss-2", domain.RequestCompleted, []domain.ItemState{domain.ItemGranted}},
		}
		reqs := make([]domain.Request, len(specs))
		for i, s := range specs {
			clk.Advance(time.Minute)
			r := sampleRequest(s.requester)
			r.ApproverID, r.State = s.approver, s.state
			for j, st := range s.items {
				r.Items = append(r.Items, domain.RequestItem{ThemeID: fmt.Sprintf("theme-%d-%d", i, j), State: st})
			}
			createRequest(t, db, &r)
			reqs[i] = r
		}
		pick := func(idx ...int) []domain.Request {
			out := []domain.Request{}
			for _, i := range idx {
				out = append(out, reqs[i])
			}
			return out
		}
		check := func(name string, got []domain.Request, err error, want []domain.Request) {
			t.Helper()
			if err != nil {
				t.Errorf("%s: %v", name, err)
				return
			}
			if got == nil {
				got = []domain.Request{}
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("%s = requests %v, want %v (or contents differ)", name, requestIDs(got), requestIDs(want))
			}
		}

		got, err := db.Register.RequestsByRequester(ctx, "alice", 0)
		check("RequestsByRequester(alice, all)", got, err, pick(6, 3, 2, 0))
		got, err = db.Register.RequestsByRequester(ctx, "alice", 2)
		check("RequestsByRequester(alice, 2)", got, err, pick(6, 3))
		got, err = db.Register.RequestsByRequester(ctx, "nobody", 5)
		check("RequestsByRequester(nobody)", got, err, pick())
		got, err = db.Register.RequestsAwaitingApprover(ctx, "boss-1")
		check("RequestsAwaitingApprover(boss-1)", got, err, pick(0, 1, 6))
		got, err = db.Register.RequestsAwaitingApprover(ctx, "boss-2")
		check("RequestsAwaitingApprover(boss-2)", got, err, pick(3))
		for _, who := range []string{"boss-1", "boss-2", "boss-3", "alice", "nobody"} { // the welcome card's question
			list, err := db.Register.RequestsAwaitingApprover(ctx, who)
			has, herr := db.Register.HasRequestsAwaitingApprover(ctx, who)
			if err != nil || herr != nil || has != (len(list) > 0) {
				t.Errorf("HasRequestsAwaitingApprover(%s) = %v, %v; %d requests wait", who, has, herr, len(list))
			}
		}
		got, err = db.Register.RequestsAwaitingGrant(ctx)
		check("RequestsAwaitingGrant", got, err, pick(2, 7))

		// Same creation time: the id breaks the tie, in the same direction as the time.
		twins := []domain.Request{sampleRequest("dave", "t1"), sampleRequest("dave", "t2")}
		createRequest(t, db, &twins[0])
		createRequest(t, db, &twins[1])
		got, err = db.Register.RequestsByRequester(ctx, "dave", 0)
		check("RequestsByRequester(dave)", got, err, []domain.Request{twins[1], twins[0]})
	})
}

func TestOverview(t *testing.T) {
	sqltest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := t.Context()
		today := day(2026, 3, 15)
		in := func(days int) time.Time { return today.AddDate(0, 0, days) }
		long := day(2025, 1, 1)
		mandates := []domain.Mandate{
			{Department: "Talous", ValidFrom: long, ValidUntil: today, State: domain.MandateActive},                  // ends today: 30, 90
			{Department: "Talous", ValidFrom: long, ValidUntil: in(30), State: domain.MandateActive},                 // 30, 90
			{Department: "Talous", ValidFrom: long, ValidUntil: in(31), State: domain.MandateActive},                 // 90
			{Department: "Sivistys", ValidFrom: long, ValidUntil: in(90), State: domain.MandateActive},               // 90
			{Department: "Sivistys", ValidFrom: long, ValidUntil: in(91), State: domain.MandateActive},               // active only
			{Department: "Hyvinvointi", ValidFrom: long, ValidUntil: day(2030, 12, 31), State: domain.MandateActive}, // active only
			{Department: "Hyvinvointi", ValidFrom: long, ValidUntil: in(-1), State: domain.MandateActive},            // expired
			{Department: "Hyvinvointi", ValidFrom: long, ValidUntil: in(10), State: domain.MandateRevoked},           // revoked
			{Department: "Hyvinvointi", ValidFrom: in(1), ValidUntil: in(20), State: domain.MandateActive},           // not yet
			{Department: "Kaupunkikehitys", ValidFrom: today, ValidUntil: in(365), State: domain.MandateActive},      // starts today
			{Department: "Konserni", ValidFrom: long, ValidUntil: in(400), State: domain.MandateActive},
			{Department: "Ymparisto", ValidFrom: long, ValidUntil: in(400), State: domain.MandateActive}, // sixth: cut
		}
		requests := []struct {
			state domain.RequestState
			items []domain.ItemState
		}{
			{domain.RequestPending, []domain.ItemState{domain.ItemPending}},
			{domain.RequestPending, []domain.ItemState{domain.ItemPending, domain.ItemPending}},
			{domain.RequestApproved, []domain.ItemState{domain.ItemApproved, domain.ItemApproved, domain.ItemGranted}},
			{domain.RequestApproved, []domain.ItemState{domain.ItemRejected, domain.ItemApproved}},
			{domain.RequestCompleted, []domain.ItemState{domain.ItemGranted, domain.ItemNotGranted}},
			{domain.RequestRejected, []domain.ItemState{domain.ItemRejected}},
		}
		inTx(t, db, func(tx workflow.Tx) error {
			for i, m := range mandates {
				m.HolderID, m.ThemeID = fmt.Sprintf("holder-%d", i), "theme"
				if err := tx.CreateMandate(ctx, &m); err != nil {
					return err
				}
			}
			for i, spec := range requests {
				r := sampleRequest("requester")
				r.State = spec.state
				for j, st := range spec.items {
					r.Items = append(r.Items, domain.RequestItem{ThemeID: fmt.Sprintf("theme-%d-%d", i, j), State: st})
				}
				if err := tx.CreateRequest(ctx, &r); err != nil {
					return err
				}
			}
			return nil
		})
		want := domain.Overview{
			RequestsByState: map[domain.RequestState]int{
				domain.RequestPending: 2, domain.RequestApproved: 2, domain.RequestRejected: 1,
				domain.RequestCancelled: 0, domain.RequestCompleted: 1,
			},
			ActiveMandates: 9,
			EndingWithin30: 2,
			EndingWithin90: 4,
			OpenGrantTasks: 3,
			TopDepartments: []domain.DepartmentCount{
				{Department: "Talous", Mandates: 3}, {Department: "Sivistys", Mandates: 2},
				{Department: "Hyvinvointi", Mandates: 1}, {Department: "Kaupunkikehitys", Mandates: 1},
				{Department: "Konserni", Mandates: 1},
			},
		}
		// today is a civil date: the time of day and the zone's offset do not matter, only the calendar day.
		for _, when := range []time.Time{today, time.Date(2026, 3, 15, 23, 59, 0, 0, time.FixedZone("EET", 2*3600))} {
			got, err := db.Register.Overview(ctx, when)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("Overview(%v):\n got %+v\nwant %+v", when, got, want)
			}
		}
		// A year later everything but the long ones has ended.
		got, err := db.Register.Overview(ctx, in(365))
		if err != nil {
			t.Fatal(err)
		}
		if got.ActiveMandates != 4 || got.EndingWithin30 != 1 || got.EndingWithin90 != 3 {
			t.Errorf("Overview a year later: active %d, 30 %d, 90 %d; want 4, 1, 3", got.ActiveMandates, got.EndingWithin30, got.EndingWithin90)
		}
	})
}

func TestOutboxLifecycle(t *testing.T) {
	sqltest.EachDSN(t, func(t *testing.T, dsn string) {
		clk := clock.NewManual(start)
		db := sqltest.OpenDSN(t, dsn, sqlstore.WithNow(clk.Now))
		ctx := t.Context()
		t0 := stored(start)
		r := sampleRequest("requester-1", "theme")
		createRequest(t, db, &r)
		msgs := []domain.OutboxMessage{
			{Kind: domain.MsgApprovalRequest, RecipientID: "approver-1", RequestID: r.ID},
			{Kind: domain.MsgGrantTask, RecipientID: "main-user-1", RequestID: r.ID, Payload: json.RawMessage(`{"item_id": 7}`)},
			{Kind: domain.MsgDecisionNotice, RecipientID: "requester-1", RequestID: r.ID}, // same priority as the grant task: oldest first
		}
		inTx(t, db, func(tx workflow.Tx) error {
			for _, m := range msgs {
				if err := tx.Enqueue(ctx, m); err != nil {
					return err
				}
			}
			return nil
		})
		all, err := db.Outbox.ForRequest(ctx, r.ID)
		if err != nil || len(all) != 3 {
			t.Fatalf("Outbox = %+v, %v", all, err)
		}
		for i, m := range all {
			want := msgs[i]
			want.ID, want.CreatedAt, want.NextAttempt = m.ID, t0, t0
			if !reflect.DeepEqual(m, want) {
				t.Errorf("enqueued %d:\n got %+v\nwant %+v", i, m, want)
			}
		}
		id1, id2, id3 := all[0].ID, all[1].ID, all[2].ID
		pending := func(want int) {
			t.Helper()
			if n, err := db.Outbox.PendingOutbox(ctx); err != nil || n != want {
				t.Errorf("PendingOutbox = %d, %v; want %d", n, err, want)
			}
		}
		claim := func(now time.Time, limit int, lease time.Duration, wantIDs ...int64) ([]domain.OutboxMessage, string) {
			t.Helper()
			got, token, err := db.Outbox.ClaimOutbox(ctx, now, limit, lease)
			if err != nil {
				t.Fatalf("ClaimOutbox: %v", err)
			}
			if gotIDs := ids(got, func(m domain.OutboxMessage) int64 { return m.ID }); fmt.Sprint(gotIDs) != fmt.Sprint(append([]int64{}, wantIDs...)) {
				t.Fatalf("ClaimOutbox(%v, %d) = %v, want %v", now.Sub(t0), limit, gotIDs, wantIDs)
			}
			for _, m := range got {
				if !m.NextAttempt.Equal(stored(now.Add(lease))) {
					t.Errorf("claimed %d: NextAttempt %v, want now+lease %v", m.ID, m.NextAttempt, stored(now.Add(lease)))
				}
			}
			if len(got) > 0 && token == "" {
				t.Errorf("claimed %v without a token", wantIDs)
			}
			return got, token
		}
		pending(3)
		lease := time.Minute

		// Nothing is due before it was enqueued; then the oldest first, limit respected, each claimed once per lease.
		claim(t0.Add(-time.Second), 10, lease)
		got, tok12 := claim(t0, 2, lease, id1, id2)
		if got[0].Attempts != 1 || got[1].Attempts != 1 || string(got[1].Payload) != `{"item_id": 7}` || got[0].Kind != domain.MsgApprovalRequest {
			t.Errorf("claimed: %+v", got)
		}
		_, tok3 := claim(t0, 10, lease, id3)
		claim(t0.Add(59*time.Second), 10, lease)
		if tok3 == tok12 {
			t.Errorf("two claims share the token %q", tok3)
		}

		// 1 delivered, 2 retried in 30 s, 3 left to its lease.
		if err := db.Outbox.MarkDelivered(ctx, id1, tok12, t0.Add(10*time.Second)); err != nil {
			t.Fatal(err)
		}
		if err := db.Outbox.MarkRetry(ctx, id2, tok12, t0.Add(10*time.Second), t0.Add(30*time.Second), "502 Bad Gateway"); err != nil {
			t.Fatal(err)
		}
		pending(2)
		got, tok2 := claim(t0.Add(30*time.Second), 10, lease, id2)
		if got[0].Attempts != 2 || got[0].LastError != "502 Bad Gateway" {
			t.Errorf("retried message: %+v", got[0])
		}
		// The lease of 3 ended (t0+60s): it comes back, its attempt counted.
		got, _ = claim(t0.Add(61*time.Second), 10, lease, id3)
		if got[0].Attempts != 2 {
			t.Errorf("re-claimed message: %+v", got[0])
		}

		// 2 abandoned: never claimed again, not pending, kept for the record.
		if err := db.Outbox.MarkAbandoned(ctx, id2, tok2, t0.Add(62*time.Second), "403 Forbidden: bot blocked"); err != nil {
			t.Fatal(err)
		}
		_, tok3 = claim(t0.Add(24*time.Hour), 10, lease, id3)
		pending(1)
		if err := db.Outbox.MarkDelivered(ctx, id3, tok3, t0.Add(24*time.Hour+30*time.Second)); err != nil {
			t.Fatal(err)
		}
		// Marking again fails (the claim ended) and keeps the first delivery time.
		if err := db.Outbox.MarkDelivered(ctx, id3, tok3, t0.Add(24*time.Hour+40*time.Second)); !domain.IsCode(err, domain.EConflict) {
			t.Errorf("MarkDelivered again = %v, want %s", err, domain.EConflict)
		}
		pending(0)
		claim(t0.Add(48*time.Hour), 10, lease)

		all, err = db.Outbox.ForRequest(ctx, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		if d := all[0].DeliveredAt; !d.Equal(t0.Add(10 * time.Second)) {
			t.Errorf("message 1 delivered at %v", d)
		}
		if all[1].DeliveredAt != (time.Time{}) || all[1].LastError != "403 Forbidden: bot blocked" || all[1].Attempts != 2 {
			t.Errorf("abandoned message: %+v", all[1])
		}
		if at, err := db.OutboxAbandonedAt(ctx, id2); err != nil || !at.Equal(t0.Add(62*time.Second)) {
			t.Errorf("abandoned at %v, %v", at, err)
		}
		if d := all[2].DeliveredAt; !d.Equal(t0.Add(24*time.Hour+30*time.Second)) || all[2].Attempts != 3 {
			t.Errorf("message 3: %+v", all[2])
		}

		for name, err := range map[string]error{
			"MarkDelivered":       db.Outbox.MarkDelivered(ctx, 999999, tok3, t0),
			"MarkRetry":           db.Outbox.MarkRetry(ctx, 999999, tok3, t0, t0, "x"),
			"MarkAbandoned":       db.Outbox.MarkAbandoned(ctx, 999999, tok3, t0, "x"),
			"MarkWaiting":         db.Outbox.MarkWaiting(ctx, 999999, tok3, t0, t0, "x"),
			"RenewClaim":          db.Outbox.RenewClaim(ctx, 999999, tok3, t0, lease),
			"ClaimOutbox limit 0": claimErr(db.Outbox.ClaimOutbox(ctx, t0, 0, lease)),
			"ClaimOutbox lease 0": claimErr(db.Outbox.ClaimOutbox(ctx, t0, 1, 0)),
			"RenewClaim lease 0":  db.Outbox.RenewClaim(ctx, id3, tok3, t0, 0),
			"Enqueue no kind": db.Register.InTx(ctx, func(tx workflow.Tx) error {
				return tx.Enqueue(ctx, domain.OutboxMessage{RecipientID: "x"})
			}),
			"Enqueue bad payload": db.Register.InTx(ctx, func(tx workflow.Tx) error {
				return tx.Enqueue(ctx, domain.OutboxMessage{Kind: "x", Payload: json.RawMessage(`{`)})
			}),
		} {
			want := domain.EInvalid
			if strings.HasPrefix(name, "Mark") || name == "RenewClaim" {
				want = domain.ENotFound
			}
			if !domain.IsCode(err, want) {
				t.Errorf("%s = %v, want %s", name, err, want)
			}
		}
		pending(0)
	})
}

func claimErr(_ []domain.OutboxMessage, _ string, err error) error { return err }

func TestOutboxConcurrentClaimers(t *testing.T) {
	sqltest.EachDSN(t, func(t *testing.T, dsn string) {
		// Two handles (two replicas), two claimers each, one clock: every message is claimed exactly once.
		dbs := []*sqlstore.DB{sqltest.OpenDSN(t, dsn), sqltest.OpenDSN(t, dsn)}
		ctx := t.Context()
		const total = 200
		inTx(t, dbs[0], func(tx workflow.Tx) error {
			for i := range total {
				if err := tx.Enqueue(ctx, domain.OutboxMessage{Kind: domain.MsgDecisionNotice, RecipientID: fmt.Sprint("user-", i)}); err != nil {
					return err
				}
			}
			return nil
		})
		now := time.Now().Add(time.Hour) // everything is due; the lease outlasts the test
		claimed := make([][]int64, 4)
		errs := make([]error, 4)
		var wg sync.WaitGroup
		for w := range 4 {
			wg.Go(func() {
				for {
					got, _, err := dbs[w%2].Outbox.ClaimOutbox(ctx, now, 7, time.Hour)
					if err != nil {
						errs[w] = err
						return
					}
					if len(got) == 0 {
						return
					}
					for _, m := range got {
						claimed[w] = append(claimed[w], m.ID)
					}
				}
			})
		}
		wg.Wait()
		seen := map[int64]int{}
		for w := range 4 {
			if errs[w] != nil {
				t.Errorf("claimer %d: %v", w, errs[w])
			}
			for _, id := range claimed[w] {
				seen[id]++
				if seen[id] > 1 {
					t.Errorf("message %d claimed twice", id)
				}
			}
		}
		if len(seen) != total {
			t.Errorf("%d messages claimed, want %d", len(seen), total)
		}
		if rest, _, err := dbs[0].Outbox.ClaimOutbox(ctx, now, total, time.Hour); err != nil || len(rest) != 0 {
			t.Errorf("left after the claimers: %d, %v", len(rest), err)
		}
	})
}

// fakeDeliverer fails by kind.
type fakeDeliverer struct{ fail map[string]error }

func (d fakeDeliverer) Deliver(_ context.Context, m domain.OutboxMessage) error {
	return d.fail[m.Kind]
}

func TestOutboxWorkerOnTheStore(t *testing.T) {
	sqltest.EachDSN(t, func(t *testing.T, dsn string) {
		clk := clock.NewManual(start)
		db := sqltest.OpenDSN(t, dsn, sqlstore.WithNow(clk.Now))
		ctx := t.Context()
		r := sampleRequest("requester-1", "theme")
		createRequest(t, db, &r)
		inTx(t, db, func(tx workflow.Tx) error {
			for i, kind := range []string{domain.MsgApprovalRequest, domain.MsgDecisionNotice, domain.MsgGrantTask} {
				// Three recipients: a claim takes at most two messages of one person (fair delivery).
				if err := tx.Enqueue(ctx, domain.OutboxMessage{Kind: kind, RecipientID: fmt.Sprint("someone-", i), RequestID: r.ID}); err != nil {
					return err
				}
			}
			return nil
		})
		w := &outbox.Worker{Store: db.Outbox, Now: clk.Now, Deliverer: fakeDeliverer{fail: map[string]error{
			domain.MsgDecisionNotice: errors.New("connector: 502"),
			domain.MsgGrantTask:      fmt.Errorf("connector: 403: %w", outbox.ErrPermanent),
		}}}
		n, err := w.RunOnce(ctx)
		if err != nil || n != 3 {
			t.Fatalf("RunOnce = %d, %v", n, err)
		}
		all, err := db.Outbox.ForRequest(ctx, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		if all[0].DeliveredAt.IsZero() || all[0].Attempts != 1 {
			t.Errorf("delivered message: %+v", all[0])
		}
		if !all[1].DeliveredAt.IsZero() || all[1].LastError != "connector: 502" || !all[1].NextAttempt.After(stored(start)) {
			t.Errorf("retried message: %+v", all[1])
		}
		if at, err := db.OutboxAbandonedAt(ctx, all[2].ID); err != nil || at.IsZero() {
			t.Errorf("permanent failure not abandoned: %v, %v", at, err)
		}
		if n, err := db.Outbox.PendingOutbox(ctx); err != nil || n != 1 {
			t.Errorf("PendingOutbox = %d, %v; want 1 (the retry)", n, err)
		}
	})
}

func TestCardRefs(t *testing.T) {
	sqltest.EachDSN(t, func(t *testing.T, dsn string) {
		clk := clock.NewManual(start)
		db := sqltest.OpenDSN(t, dsn, sqlstore.WithNow(clk.Now))
		ctx := t.Context()
		r, other := sampleRequest("requester-1", "theme"), sampleRequest("requester-2", "theme")
		createRequest(t, db, &r)
		createRequest(t, db, &other)

		approval := domain.CardRef{RequestID: r.ID, RecipientID: "approver-1", Kind: domain.MsgApprovalRequest,
			ConversationID: "a:1approver", ServiceURL: "https://smba.trafficmanager.net/emea/", ActivityID: "1712000000001",
			UpdatedAt: start.Add(-time.Hour)} // ignored
		grantA := domain.CardRef{RequestID: r.ID, RecipientID: "main-user-a", Kind: domain.MsgGrantTask,
			ConversationID: "a:1main-a", ServiceURL: "https://smba.trafficmanager.net/emea/", ActivityID: "1712000000002"}
		grantB := grantA
		grantB.RecipientID, grantB.ConversationID, grantB.ActivityID = "main-user-b", "a:1main-b", "1712000000003"
		for _, ref := range []domain.CardRef{grantB, approval, grantA,
			{RequestID: other.ID, RecipientID: "approver-1", Kind: domain.MsgApprovalRequest, ConversationID: "c", ActivityID: "a"}} {
			if err := db.People.SaveCardRef(ctx, ref); err != nil {
				t.Fatal(err)
			}
		}
		// Re-posted approval card: the same key, a new activity, later.
		clk.Advance(time.Hour)
		approval.ActivityID, approval.ServiceURL = "1712000000099", "https://smba.trafficmanager.net/fi/"
		if err := db.People.SaveCardRef(ctx, approval); err != nil {
			t.Fatal(err)
		}
		got, err := db.People.CardRefs(ctx, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		approval.UpdatedAt = stored(start.Add(time.Hour))
		grantA.UpdatedAt, grantB.UpdatedAt = stored(start), stored(start)
		if want := []domain.CardRef{approval, grantA, grantB}; !reflect.DeepEqual(got, want) {
			t.Errorf("CardRefs:\n got %+v\nwant %+v", got, want)
		}
		if got, err := db.People.CardRefs(ctx, 999999); err != nil || len(got) != 0 {
			t.Errorf("CardRefs(unknown) = %+v, %v", got, err)
		}
		for name, ref := range map[string]domain.CardRef{
			"no request":      {RecipientID: "x", Kind: "k", ConversationID: "c", ActivityID: "a"},
			"no kind":         {RequestID: r.ID, RecipientID: "x", ConversationID: "c", ActivityID: "a"},
			"no conversation": {RequestID: r.ID, RecipientID: "x", Kind: "k", ActivityID: "a"},
			"no activity":     {RequestID: r.ID, RecipientID: "x", Kind: "k", ConversationID: "c"},
			"unknown request": {RequestID: 999999, RecipientID: "x", Kind: "k", ConversationID: "c", ActivityID: "a"},
		} {
			if err := db.People.SaveCardRef(ctx, ref); !domain.IsCode(err, domain.EInvalid) {
				t.Errorf("%s: SaveCardRef = %v, want %s", name, err, domain.EInvalid)
			}
		}
	})
}

func TestSQLiteInMemoryWorkflow(t *testing.T) {
	// One connection serves everything: transactions, snapshot reads and claims must not wait for each other.
	db := sqltest.OpenDSN(t, "sqlite::memory:")
	ctx := t.Context()
	r := sampleRequest("requester-1", "theme")
	inTx(t, db, func(tx workflow.Tx) error {
		if err := tx.CreateRequest(ctx, &r); err != nil {
			return err
		}
		return tx.Enqueue(ctx, domain.OutboxMessage{Kind: domain.MsgApprovalRequest, RecipientID: "approver-1", RequestID: r.ID})
	})
	if ov, err := db.Register.Overview(ctx, day(2026, 1, 1)); err != nil || ov.RequestsByState[domain.RequestPending] != 1 {
		t.Errorf("Overview = %+v, %v", ov, err)
	}
	if got, _, err := db.Outbox.ClaimOutbox(ctx, time.Now().Add(time.Hour), 10, time.Minute); err != nil || len(got) != 1 {
		t.Errorf("ClaimOutbox = %+v, %v", got, err)
	}
	if got := readRequest(t, db, r.ID); got.ID != r.ID || len(got.Items) != 1 {
		t.Errorf("Request = %+v", got)
	}
}
