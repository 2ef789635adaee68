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
	"github.com/valtuusbotti/valtuusbotti/internal/workflow"
)

// The life of a mandate after its grant (migration 0010), on both dialects.

var _ domain.MandateTx = (*sqlstore.Tx)(nil)

// mandateTx runs fn in a transaction with the mandate-life side of the store.
func mandateTx(ctx context.Context, db *sqlstore.DB, fn func(tx domain.MandateTx) error) error {
	return db.Register.InTx(ctx, func(tx workflow.Tx) error {
		mt, err := domain.MandateTxOf(tx)
		if err != nil {
			return err
		}
		return fn(mt)
	})
}

func newMandate(t *testing.T, db *sqlstore.DB, holder, theme string, from, until time.Time) domain.Mandate {
	t.Helper()
	m := domain.Mandate{HolderID: holder, HolderName: "Holder " + holder, ThemeID: theme, ValidFrom: from,
		ValidUntil: until, State: domain.MandateActive, GrantedBy: "main-user-1"}
	inTx(t, db, func(tx workflow.Tx) error { return tx.CreateMandate(t.Context(), &m) })
	return m
}

func TestMandateLapse(t *testing.T) {
	sqltest.EachDSN(t, func(t *testing.T, dsn string) {
		clk := clock.NewManual(start)
		db := sqltest.OpenDSN(t, dsn, sqlstore.WithNow(clk.Now))
		ctx := t.Context()
		m := newMandate(t, db, "holder-1", "theme-a", day(2025, 1, 1), day(2026, 1, 1))
		if m.Lapsing() || !m.LapseAt.IsZero() {
			t.Fatalf("a new mandate lapses: %+v", m)
		}
		clk.Advance(time.Hour)
		lapse := m
		lapse.LapseBy = "holder-1"
		if err := mandateTx(ctx, db, func(tx domain.MandateTx) error { return tx.SetLapse(ctx, &lapse) }); err != nil {
			t.Fatal(err)
		}
		if want := stored(start.Add(time.Hour)); !lapse.LapseAt.Equal(want) || !lapse.UpdatedAt.Equal(want) {
			t.Errorf("after SetLapse: %+v", lapse)
		}
		got, err := db.Register.Mandate(ctx, m.ID)
		if err != nil || !reflect.DeepEqual(got, lapse) {
			t.Fatalf("Mandate = %+v, %v; want %+v", got, err, lapse)
		}
		// Read the same way by holder and inside a transaction.
		if byHolder, _ := db.Register.MandatesByHolder(ctx, "holder-1"); len(byHolder) != 1 || !reflect.DeepEqual(byHolder[0], lapse) {
			t.Errorf("MandatesByHolder = %+v", byHolder)
		}
		var inside domain.Mandate
		if err := mandateTx(ctx, db, func(tx domain.MandateTx) (err error) { inside, err = tx.Mandate(ctx, m.ID); return err }); err != nil || !reflect.DeepEqual(inside, lapse) {
			t.Errorf("Tx.Mandate = %+v, %v", inside, err)
		}

		// Once: a second choice changes nothing.
		again := got
		again.LapseBy = "supervisor-1"
		if err := mandateTx(ctx, db, func(tx domain.MandateTx) error { return tx.SetLapse(ctx, &again) }); !domain.IsCode(err, domain.EConflict) {
			t.Errorf("second SetLapse = %v, want a conflict", err)
		}
		if got, _ := db.Register.Mandate(ctx, m.ID); got.LapseBy != "holder-1" {
			t.Errorf("after the second choice: %+v", got)
		}
		missing := domain.Mandate{ID: 999999, LapseBy: "x"}
		if err := mandateTx(ctx, db, func(tx domain.MandateTx) error { return tx.SetLapse(ctx, &missing) }); !domain.IsCode(err, domain.ENotFound) {
			t.Errorf("SetLapse of no mandate = %v", err)
		}
		if _, err := db.Register.Mandate(ctx, 999999); !domain.IsCode(err, domain.ENotFound) {
			t.Errorf("Mandate(999999) = %v", err)
		}
		nobody := m
		nobody.LapseBy = ""
		if err := mandateTx(ctx, db, func(tx domain.MandateTx) error { return tx.SetLapse(ctx, &nobody) }); !domain.IsCode(err, domain.EInvalid) {
			t.Errorf("SetLapse without who = %v", err)
		}

		// A revoked mandate does not lapse, and is revoked once.
		other := newMandate(t, db, "holder-1", "theme-b", day(2025, 1, 1), day(2026, 1, 1))
		if err := mandateTx(ctx, db, func(tx domain.MandateTx) error { return tx.RevokeMandate(ctx, &other) }); err != nil {
			t.Fatal(err)
		}
		if other.State != domain.MandateRevoked {
			t.Errorf("after RevokeMandate: %+v", other)
		}
		if err := mandateTx(ctx, db, func(tx domain.MandateTx) error { return tx.RevokeMandate(ctx, &other) }); !domain.IsCode(err, domain.EConflict) {
			t.Errorf("second RevokeMandate = %v", err)
		}
		other.LapseBy = "holder-1"
		if err := mandateTx(ctx, db, func(tx domain.MandateTx) error { return tx.SetLapse(ctx, &other) }); !domain.IsCode(err, domain.EConflict) {
			t.Errorf("SetLapse of a revoked mandate = %v", err)
		}
	})
}

func TestInvalidationTasks(t *testing.T) {
	sqltest.EachDSN(t, func(t *testing.T, dsn string) {
		clk := clock.NewManual(start)
		db := sqltest.OpenDSN(t, dsn, sqlstore.WithNow(clk.Now))
		ctx := t.Context()
		a := newMandate(t, db, "holder-1", "theme-a", day(2025, 1, 1), day(2026, 1, 1))
		b := newMandate(t, db, "holder-2", "theme-a", day(2025, 1, 1), day(2026, 1, 1))

		if _, err := db.Register.Invalidation(ctx, a.ID); !domain.IsCode(err, domain.ENotFound) {
			t.Fatalf("Invalidation before any = %v", err)
		}
		open := func(inv *domain.Invalidation) error {
			return mandateTx(ctx, db, func(tx domain.MandateTx) error { return tx.OpenInvalidation(ctx, inv) })
		}
		invA := domain.Invalidation{MandateID: a.ID, RequestedBy: "main-user-1", RequestedRole: domain.InvalidationByMainUser, Reason: "Siirtyi toiseen tehtävään"}
		if err := open(&invA); err != nil {
			t.Fatal(err)
		}
		if !invA.RequestedAt.Equal(stored(start)) {
			t.Errorf("RequestedAt = %v", invA.RequestedAt)
		}
		clk.Advance(time.Minute)
		invB := domain.Invalidation{MandateID: b.ID, RequestedBy: "supervisor-2", RequestedRole: domain.InvalidationBySupervisor, Reason: "Ei enää tarpeen"}
		if err := open(&invB); err != nil {
			t.Fatal(err)
		}
		// One task per mandate: a second (a double tap, or another main user) is a conflict.
		dup := domain.Invalidation{MandateID: a.ID, RequestedBy: "main-user-2", RequestedRole: domain.InvalidationByMainUser, Reason: "x"}
		if err := open(&dup); !domain.IsCode(err, domain.EConflict) || domain.ErrorMessage(err) != "err.invalidation_exists" {
			t.Errorf("second task = %v", err)
		}
		for name, bad := range map[string]domain.Invalidation{
			"no reason":    {MandateID: a.ID, RequestedBy: "m", RequestedRole: domain.InvalidationByMainUser},
			"no requester": {MandateID: a.ID, RequestedRole: domain.InvalidationByMainUser, Reason: "x"},
			"no mandate":   {RequestedBy: "m", RequestedRole: domain.InvalidationByMainUser, Reason: "x"},
			"bad role":     {MandateID: a.ID, RequestedBy: "m", RequestedRole: "holder", Reason: "x"},
		} {
			if err := open(&bad); !domain.IsCode(err, domain.EInvalid) {
				t.Errorf("%s: OpenInvalidation = %v", name, err)
			}
		}
		if got, err := db.Register.Invalidation(ctx, a.ID); err != nil || !reflect.DeepEqual(got, invA) {
			t.Errorf("Invalidation = %+v, %v; want %+v", got, err, invA)
		}
		waiting, err := db.Register.OpenInvalidations(ctx)
		if err != nil || !reflect.DeepEqual(waiting, []domain.Invalidation{invA, invB}) {
			t.Fatalf("OpenInvalidations = %+v, %v", waiting, err)
		}

		// Confirmed once; the second confirmation records nothing.
		clk.Advance(time.Hour)
		conf := invA
		conf.ConfirmedBy, conf.InvalidatedOn = "main-user-1", domain.NewDate(2025, 3, 4)
		confirm := func(inv *domain.Invalidation) error {
			return mandateTx(ctx, db, func(tx domain.MandateTx) error { return tx.ConfirmInvalidation(ctx, inv) })
		}
		if err := confirm(&conf); err != nil {
			t.Fatal(err)
		}
		if conf.Open() || !conf.ConfirmedAt.Equal(stored(start.Add(time.Minute+time.Hour))) {
			t.Errorf("after confirming: %+v", conf)
		}
		late := invA
		late.ConfirmedBy, late.InvalidatedOn = "main-user-2", domain.NewDate(2025, 3, 5)
		if err := confirm(&late); !domain.IsCode(err, domain.EConflict) {
			t.Errorf("second confirmation = %v", err)
		}
		if got, _ := db.Register.Invalidation(ctx, a.ID); !reflect.DeepEqual(got, conf) {
			t.Errorf("after the second confirmation: %+v, want %+v", got, conf)
		}
		none := domain.Invalidation{MandateID: 999999, ConfirmedBy: "m", InvalidatedOn: domain.NewDate(2025, 3, 4)}
		if err := confirm(&none); !domain.IsCode(err, domain.ENotFound) {
			t.Errorf("confirming no task = %v", err)
		}
		if err := confirm(&domain.Invalidation{MandateID: b.ID}); !domain.IsCode(err, domain.EInvalid) {
			t.Errorf("confirming without who and when = %v", err)
		}
		if waiting, _ := db.Register.OpenInvalidations(ctx); !reflect.DeepEqual(waiting, []domain.Invalidation{invB}) {
			t.Errorf("OpenInvalidations after one confirmed = %+v", waiting)
		}
	})
}

// The overview counts the invalidation tasks waiting for a main user and names the oldest with their mandates:
// oldest first (the mandate's id breaking a tie), confirmed ones never.
func TestOverviewInvalidationTasks(t *testing.T) {
	sqltest.EachDSN(t, func(t *testing.T, dsn string) {
		clk := clock.NewManual(start)
		db := sqltest.OpenDSN(t, dsn, sqlstore.WithNow(clk.Now))
		ctx := t.Context()
		today := day(2025, 3, 4)
		if ov, err := db.Register.Overview(ctx, today); err != nil || ov.OpenInvalidations != 0 {
			t.Fatalf("Overview with no tasks: %d, %v", ov.OpenInvalidations, err)
		}
		if got, err := db.Register.OldestInvalidations(ctx, 5); err != nil || len(got) != 0 {
			t.Fatalf("OldestInvalidations with no tasks = %+v, %v", got, err)
		}
		var ms []domain.Mandate
		for _, h := range []string{"holder-1", "holder-2", "holder-3", "holder-4", "holder-5"} {
			ms = append(ms, newMandate(t, db, h, "theme-a", day(2025, 1, 1), day(2026, 1, 1)))
		}
		open := func(m domain.Mandate) domain.Invalidation {
			inv := domain.Invalidation{MandateID: m.ID, RequestedBy: "main-user-1", RequestedRole: domain.InvalidationByMainUser, Reason: "Lähti"}
			if err := mandateTx(ctx, db, func(tx domain.MandateTx) error { return tx.OpenInvalidation(ctx, &inv) }); err != nil {
				t.Fatal(err)
			}
			return inv
		}
		// Opened in another order than the mandates were made: the fifth and the fourth at the same moment, the
		// first last; the second is confirmed.
		third := open(ms[2])
		clk.Advance(time.Hour)
		second := open(ms[1])
		clk.Advance(time.Hour)
		fifth, fourth := open(ms[4]), open(ms[3])
		clk.Advance(time.Hour)
		first := open(ms[0])
		conf := second
		conf.ConfirmedBy, conf.InvalidatedOn = "main-user-1", domain.NewDate(2025, 3, 4)
		if err := mandateTx(ctx, db, func(tx domain.MandateTx) error { return tx.ConfirmInvalidation(ctx, &conf) }); err != nil {
			t.Fatal(err)
		}

		ov, err := db.Register.Overview(ctx, today)
		if err != nil || ov.OpenInvalidations != 4 {
			t.Errorf("Overview counts %d open invalidation tasks (%v), want 4", ov.OpenInvalidations, err)
		}
		for limit, want := range map[int][]domain.Invalidation{
			0: nil, 2: {third, fourth}, 3: {third, fourth, fifth}, 5: {third, fourth, fifth, first},
		} {
			got, err := db.Register.OldestInvalidations(ctx, limit)
			if err != nil || len(got) != len(want) {
				t.Fatalf("OldestInvalidations(%d) = %+v, %v; want %d", limit, got, err, len(want))
			}
			for i, l := range got {
				m, err := db.Register.Mandate(ctx, want[i].MandateID)
				if err != nil || !reflect.DeepEqual(l.Invalidation, want[i]) || !reflect.DeepEqual(l.Mandate, m) {
					t.Errorf("OldestInvalidations(%d)[%d] = %+v\nwant %+v with %+v", limit, i, l, want[i], m)
				}
			}
		}
	})
}

func TestRenewalRequests(t *testing.T) {
	sqltest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := t.Context()
		old := newMandate(t, db, "holder-1", "theme-a", day(2025, 1, 1), day(2026, 1, 31))
		if _, ok, err := db.Register.Renewal(ctx, old.ID); ok || err != nil {
			t.Fatalf("Renewal before any = %v, %v", ok, err)
		}
		r := sampleRequest("holder-1", "theme-a")
		r.ValidFrom, r.RenewsMandateID = day(2026, 1, 31), old.ID
		createRequest(t, db, &r)
		got := readRequest(t, db, r.ID)
		if !got.ValidFrom.Equal(day(2026, 1, 31)) || got.RenewsMandateID != old.ID {
			t.Errorf("renewal read back: from %v renews %d", got.ValidFrom, got.RenewsMandateID)
		}
		var renewal domain.Request
		var ok bool
		if err := mandateTx(ctx, db, func(tx domain.MandateTx) (err error) { renewal, ok, err = tx.Renewal(ctx, old.ID); return err }); err != nil || !ok || renewal.ID != r.ID {
			t.Errorf("Renewal = %d, %v, %v", renewal.ID, ok, err)
		}
		plain := sampleRequest("holder-2", "theme-a")
		createRequest(t, db, &plain)
		if got := readRequest(t, db, plain.ID); !got.ValidFrom.IsZero() || got.RenewsMandateID != 0 {
			t.Errorf("a new request reads as a renewal: %+v", got)
		}
		// The newest renewal, in any state.
		r.State = domain.RequestCancelled
		for i := range r.Items {
			r.Items[i].State = domain.ItemCancelled
		}
		inTx(t, db, func(tx workflow.Tx) error { return tx.UpdateRequest(ctx, &r) })
		again := sampleRequest("holder-1", "theme-a")
		again.RenewsMandateID = old.ID
		createRequest(t, db, &again)
		if got, ok, err := db.Register.Renewal(ctx, old.ID); !ok || err != nil || got.ID != again.ID || got.State != domain.RequestPending {
			t.Errorf("Renewal after a second one = %+v, %v, %v", got, ok, err)
		}
		if _, ok, err := db.Register.Renewal(ctx, plain.ID); ok || err != nil {
			t.Errorf("Renewal of a mandate nobody renews = %v, %v", ok, err)
		}
		// A renewal must name a mandate that exists.
		bad := sampleRequest("holder-3", "theme-a")
		bad.RenewsMandateID = 999999
		if err := db.Register.InTx(ctx, func(tx workflow.Tx) error { return tx.CreateRequest(ctx, &bad) }); err == nil {
			t.Error("a renewal of no mandate was stored")
		}
	})
}

func TestCurrentMandates(t *testing.T) {
	sqltest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := t.Context()
		ended := newMandate(t, db, "a", "theme-a", day(2025, 1, 1), day(2025, 2, 28))
		lastDay := newMandate(t, db, "b", "theme-a", day(2025, 1, 1), day(2025, 3, 1))
		later := newMandate(t, db, "a", "theme-b", day(2025, 4, 1), day(2026, 3, 1))
		revoked := newMandate(t, db, "c", "theme-a", day(2025, 1, 1), day(2026, 3, 1))
		if err := mandateTx(ctx, db, func(tx domain.MandateTx) error { return tx.RevokeMandate(ctx, &revoked) }); err != nil {
			t.Fatal(err)
		}
		got, err := db.Register.CurrentMandates(ctx, time.Date(2025, 3, 1, 23, 0, 0, 0, time.UTC))
		if err != nil {
			t.Fatal(err)
		}
		if ids := ids(got, func(m domain.Mandate) int64 { return m.ID }); !reflect.DeepEqual(ids, []int64{later.ID, lastDay.ID}) {
			t.Errorf("CurrentMandates = %v (ended %d, last day %d, later %d, revoked %d)", ids, ended.ID, lastDay.ID, later.ID, revoked.ID)
		}
	})
}

func TestNextRun(t *testing.T) {
	sqltest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := t.Context()
		if _, ok, err := db.Jobs.NextRun(ctx); ok || err != nil {
			t.Fatalf("NextRun of no jobs = %v, %v", ok, err)
		}
		at := func(h int) time.Time { return time.Date(2027, 1, 7, h, 0, 0, 0, time.UTC) }
		for key, due := range map[string]time.Time{"a": at(9), "b": at(7), "c": at(8)} {
			if _, err := db.Jobs.Schedule(ctx, domain.Job{Kind: "k", Key: key, DueAt: due}); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := db.Jobs.Cancel(ctx, "b", at(6)); err != nil {
			t.Fatal(err)
		}
		if next, ok, err := db.Jobs.NextRun(ctx); !ok || err != nil || !next.Equal(at(8)) {
			t.Errorf("NextRun = %v, %v, %v; want the pending job at 08:00", next, ok, err)
		}
	})
}
