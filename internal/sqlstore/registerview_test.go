package sqlstore_test

import (
	"context"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/valtuusbotti/valtuusbotti/internal/domain"
	"github.com/valtuusbotti/valtuusbotti/internal/sqlstore"
	"github.com/valtuusbotti/valtuusbotti/internal/sqlstore/sqltest"
	"github.com/valtuusbotti/valtuusbotti/internal/testfakes/clock"
	"github.com/valtuusbotti/valtuusbotti/internal/workflow"
)

// The dashboard tab's reads of the register (migration 0017), on both dialects.

var viewToday = time.Date(2026, 12, 3, 0, 0, 0, 0, time.UTC)

func viewDay(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// viewMandate records one mandate for the tab's tests.
func viewMandate(t *testing.T, db *sqlstore.DB, holder, name, dept, theme string, from, until time.Time, state domain.MandateState) domain.Mandate {
	t.Helper()
	m := domain.Mandate{HolderID: holder, HolderName: name, Department: dept, ThemeID: theme, ValidFrom: from,
		ValidUntil: until, State: state, GrantedBy: "main-1"}
	if err := db.Register.InTx(t.Context(), func(tx workflow.Tx) error { return tx.CreateMandate(t.Context(), &m) }); err != nil {
		t.Fatal(err)
	}
	return m
}

func pageNames(ms []domain.Mandate) []string {
	out := []string{}
	for _, m := range ms {
		out = append(out, fmt.Sprintf("%s/%s", m.HolderName, m.ThemeID))
	}
	return out
}

func TestRegisterView(t *testing.T) {
	sqltest.EachDSN(t, func(t *testing.T, dsn string) {
		clk := clock.NewManual(time.Date(2026, 12, 3, 8, 0, 0, 0, time.UTC))
		db := sqltest.OpenDSN(t, dsn, sqlstore.WithNow(clk.Now))
		ctx := t.Context()
		inForce := func(until time.Time) (time.Time, time.Time) { return viewDay(2026, 1, 1), until }
		f, u := inForce(viewDay(2027, 1, 15))
		aino := viewMandate(t, db, "p-aino", "Aino Aalto", "Talous", "tulorekisteri", f, u, domain.MandateActive)
		f, u = inForce(viewDay(2026, 12, 20))
		viewMandate(t, db, "p-aino", "Aino Aalto", "Talous", "omavero", f, u, domain.MandateActive)
		f, u = inForce(viewDay(2027, 6, 1))
		viewMandate(t, db, "p-ake", "Åke Åberg", "Sivistys", "kela-etuus", f, u, domain.MandateActive)
		viewMandate(t, db, "p-bo", "Bo Berg", "Talous", "omavero", viewDay(2025, 1, 1), viewDay(2026, 6, 30), domain.MandateActive)
		viewMandate(t, db, "p-cecilia", "Cecilia Chen", "Sosiaali", "kela-etuus", viewDay(2027, 1, 1), viewDay(2027, 12, 31), domain.MandateActive)
		viewMandate(t, db, "p-dan", "Dan 100% Dahl", "Sosiaali", "omavero", viewDay(2025, 1, 1), viewDay(2027, 3, 1), domain.MandateRevoked)

		// The whole register, two at a time by name: every mandate once, in order.
		var all []domain.Mandate
		var after sqlstore.RegisterCursor
		for pages := 0; ; pages++ {
			page, next, err := db.Register.RegisterPage(ctx, sqlstore.RegisterQuery{Limit: 2, After: after})
			if err != nil {
				t.Fatal(err)
			}
			all = append(all, page...)
			if next.IsZero() {
				break
			}
			if pages > 5 {
				t.Fatal("the pages never end")
			}
			after = next
		}
		want := []string{"Aino Aalto/tulorekisteri", "Aino Aalto/omavero", "Bo Berg/omavero", "Cecilia Chen/kela-etuus",
			"Dan 100% Dahl/omavero", "Åke Åberg/kela-etuus"}
		if db.Dialect() == sqlstore.DialectPostgres {
			// The database's collation decides where Å sorts; the pages only have to agree with it.
			want = nil
			rows, _, err := db.Register.RegisterPage(ctx, sqlstore.RegisterQuery{Limit: 200})
			if err != nil {
				t.Fatal(err)
			}
			want = pageNames(rows)
		}
		if got := pageNames(all); !reflect.DeepEqual(got, want) || len(got) != 6 {
			t.Errorf("paged register = %q, want %q", got, want)
		}

		for name, tc := range map[string]struct {
			q    sqlstore.RegisterQuery
			want []string
		}{
			"department":          {sqlstore.RegisterQuery{Department: "Talous"}, []string{"Aino Aalto/tulorekisteri", "Aino Aalto/omavero", "Bo Berg/omavero"}},
			"themes":              {sqlstore.RegisterQuery{ThemeIDs: []string{"kela-etuus"}}, []string{"Cecilia Chen/kela-etuus", "Åke Åberg/kela-etuus"}},
			"two themes":          {sqlstore.RegisterQuery{ThemeIDs: []string{"omavero", "tulorekisteri"}}, []string{"Aino Aalto/tulorekisteri", "Aino Aalto/omavero", "Bo Berg/omavero", "Dan 100% Dahl/omavero"}},
			"two themes, a state": {sqlstore.RegisterQuery{ThemeIDs: []string{"omavero", "kela-etuus"}, State: sqlstore.MandatesExpired, Today: viewToday}, []string{"Bo Berg/omavero"}},
			"no themes":           {sqlstore.RegisterQuery{ThemeIDs: []string{}}, []string{}},
			"active":              {sqlstore.RegisterQuery{State: sqlstore.MandatesActive, Today: viewToday, Department: "Talous"}, []string{"Aino Aalto/tulorekisteri", "Aino Aalto/omavero"}},
			"upcoming":            {sqlstore.RegisterQuery{State: sqlstore.MandatesUpcoming, Today: viewToday}, []string{"Cecilia Chen/kela-etuus"}},
			"expired":             {sqlstore.RegisterQuery{State: sqlstore.MandatesExpired, Today: viewToday}, []string{"Bo Berg/omavero"}},
			"revoked":             {sqlstore.RegisterQuery{State: sqlstore.MandatesRevoked}, []string{"Dan 100% Dahl/omavero"}},
			"ending before":       {sqlstore.RegisterQuery{EndingBefore: viewDay(2027, 1, 1), State: sqlstore.MandatesActive, Today: viewToday}, []string{"Aino Aalto/omavero"}},
			"name any case":       {sqlstore.RegisterQuery{Name: "aALTO"}, []string{"Aino Aalto/tulorekisteri", "Aino Aalto/omavero"}},
			"name with Å":         {sqlstore.RegisterQuery{Name: "åberg"}, []string{"Åke Åberg/kela-etuus"}},
			"name with %":         {sqlstore.RegisterQuery{Name: "100%"}, []string{"Dan 100% Dahl/omavero"}},
			"% is no joker":       {sqlstore.RegisterQuery{Name: "a%o"}, []string{}},
			"scope":               {sqlstore.RegisterQuery{Scope: sqlstore.ViewScope{Holders: []string{"p-bo", "p-ake"}}}, []string{"Bo Berg/omavero", "Åke Åberg/kela-etuus"}},
			"empty scope":         {sqlstore.RegisterQuery{Scope: sqlstore.ViewScope{Holders: []string{}}}, []string{}},
		} {
			got, next, err := db.Register.RegisterPage(ctx, tc.q)
			if err != nil || !next.IsZero() || !reflect.DeepEqual(pageNames(got), tc.want) {
				t.Errorf("%s: RegisterPage = %q, %+v, %v; want %q", name, pageNames(got), next, err, tc.want)
			}
		}
		// Two themes, a page at a time: the pages of each theme merge in name order.
		q := sqlstore.RegisterQuery{ThemeIDs: []string{"omavero", "tulorekisteri"}, Limit: 2}
		first, next, err := db.Register.RegisterPage(ctx, q)
		q.After = next
		second, last, err2 := db.Register.RegisterPage(ctx, q)
		if err != nil || err2 != nil || !reflect.DeepEqual(pageNames(first), []string{"Aino Aalto/tulorekisteri", "Aino Aalto/omavero"}) ||
			!reflect.DeepEqual(pageNames(second), []string{"Bo Berg/omavero", "Dan 100% Dahl/omavero"}) || !last.IsZero() {
			t.Errorf("two themes by pages = %q then %q (%+v), %v %v", pageNames(first), pageNames(second), last, err, err2)
		}
		if _, _, err := db.Register.RegisterPage(ctx, sqlstore.RegisterQuery{State: sqlstore.MandatesActive}); !domain.IsCode(err, domain.EInvalid) {
			t.Errorf("a state filter without today = %v, want EInvalid", err)
		}
		if _, _, err := db.Register.RegisterPage(ctx, sqlstore.RegisterQuery{State: "lost", Today: viewToday}); !domain.IsCode(err, domain.EInvalid) {
			t.Errorf("an unknown state = %v, want EInvalid", err)
		}

		counts, err := db.Register.CountsByState(ctx, sqlstore.ViewScope{}, viewToday)
		if want := (sqlstore.StateCounts{Active: 4, Upcoming: 1, Expired: 1, Revoked: 1, EndingWithin90: 2}); err != nil || counts != want {
			t.Errorf("CountsByState = %+v, %v; want %+v", counts, err, want)
		}
		counts, err = db.Register.CountsByState(ctx, sqlstore.ViewScope{Holders: []string{"p-aino"}}, viewToday)
		if want := (sqlstore.StateCounts{Active: 2, EndingWithin90: 2}); err != nil || counts != want {
			t.Errorf("CountsByState(aino) = %+v, %v; want %+v", counts, err, want)
		}

		months, err := db.Register.EndingByMonth(ctx, sqlstore.ViewScope{}, viewToday, 13)
		if err != nil || len(months) != 13 {
			t.Fatalf("EndingByMonth = %+v, %v", months, err)
		}
		got := map[string]int{}
		for _, m := range months {
			if m.N > 0 {
				got[m.Month] = m.N
			}
		}
		if want := map[string]int{"2026-12": 1, "2027-01": 1, "2027-06": 1, "2027-12": 1}; months[0].Month != "2026-12" ||
			months[12].Month != "2027-12" || !reflect.DeepEqual(got, want) {
			t.Errorf("EndingByMonth = %+v, want %v", months, want)
		}
		if _, err := db.Register.EndingByMonth(ctx, sqlstore.ViewScope{}, viewToday, 0); !domain.IsCode(err, domain.EInvalid) {
			t.Errorf("EndingByMonth(0) = %v", err)
		}

		depts, err := db.Register.CountsByDepartment(ctx, sqlstore.ViewScope{}, viewToday)
		if want := []sqlstore.GroupCount{{Key: "Talous", N: 2}, {Key: "Sivistys", N: 1}}; err != nil || !reflect.DeepEqual(depts, want) {
			t.Errorf("CountsByDepartment = %+v, %v; want %+v", depts, err, want)
		}
		themes, err := db.Register.CountsByTheme(ctx, sqlstore.ViewScope{Holders: []string{"p-aino", "p-ake"}}, viewToday)
		if want := []sqlstore.GroupCount{{Key: "kela-etuus", N: 1}, {Key: "omavero", N: 1}, {Key: "tulorekisteri", N: 1}}; err != nil || !reflect.DeepEqual(themes, want) {
			t.Errorf("CountsByTheme = %+v, %v; want %+v", themes, err, want)
		}
		names, err := db.Register.DepartmentsInRegister(ctx, sqlstore.ViewScope{})
		if want := []string{"Sivistys", "Sosiaali", "Talous"}; err != nil || !reflect.DeepEqual(names, want) {
			t.Errorf("DepartmentsInRegister = %q, %v", names, err)
		}

		// Open tasks: Bo's request waits for approval, Cecilia's approved theme for its grant, Aino's mandate for
		// its invalidation; oldest first.
		pending := domain.Request{RequesterID: "p-bo", RequesterName: "Bo Berg", State: domain.RequestPending,
			Items: []domain.RequestItem{{ThemeID: "omavero", State: domain.ItemPending}}}
		viewTx(t, db, func(tx workflow.Tx) error { return tx.CreateRequest(ctx, &pending) })
		clk.Advance(time.Hour)
		approved := domain.Request{RequesterID: "p-cecilia", RequesterName: "Cecilia Chen", State: domain.RequestApproved,
			DecidedBy: "boss", DecidedAt: clk.Now(), Items: []domain.RequestItem{{ThemeID: "kela-etuus", State: domain.ItemApproved}}}
		viewTx(t, db, func(tx workflow.Tx) error { return tx.CreateRequest(ctx, &approved) })
		clk.Advance(time.Hour)
		inv := domain.Invalidation{MandateID: aino.ID, RequestedBy: "main-1", RequestedRole: domain.InvalidationByMainUser, Reason: "Vaihtoi tehtävää"}
		if err := mandateTx(ctx, db, func(tx domain.MandateTx) error { return tx.OpenInvalidation(ctx, &inv) }); err != nil {
			t.Fatal(err)
		}
		tasks, err := db.Register.OpenTasks(ctx, sqlstore.ViewScope{}, 10)
		if err != nil || len(tasks) != 3 {
			t.Fatalf("OpenTasks = %+v, %v", tasks, err)
		}
		if tasks[0].Kind != sqlstore.TaskApproval || tasks[0].RequestID != pending.ID || tasks[0].PersonName != "Bo Berg" ||
			tasks[1].Kind != sqlstore.TaskGrant || tasks[1].RequestID != approved.ID || tasks[1].ThemeID != "kela-etuus" ||
			tasks[2].Kind != sqlstore.TaskInvalidation || tasks[2].MandateID != aino.ID || tasks[2].PersonID != "p-aino" ||
			!tasks[0].Since.Before(tasks[1].Since) || !tasks[1].Since.Before(tasks[2].Since) {
			t.Errorf("OpenTasks = %+v", tasks)
		}
		tasks, err = db.Register.OpenTasks(ctx, sqlstore.ViewScope{Holders: []string{"p-aino"}}, 10)
		if err != nil || len(tasks) != 1 || tasks[0].Kind != sqlstore.TaskInvalidation {
			t.Errorf("OpenTasks(aino) = %+v, %v", tasks, err)
		}

		// A person's history: their requests' and mandates' audit events, newest first, nobody else's.
		viewTx(t, db, func(tx workflow.Tx) error {
			for _, e := range []domain.AuditEvent{
				{ActorID: "p-bo", Action: "request.submitted", RequestID: pending.ID},
				{ActorID: "main-1", Action: "mandate.granted", MandateID: aino.ID},
				{ActorID: "p-cecilia", Action: "request.submitted", RequestID: approved.ID},
			} {
				clk.Advance(time.Minute)
				if err := tx.AppendAudit(ctx, e); err != nil {
					return err
				}
			}
			return nil
		})
		hist, err := db.Register.PersonHistory(ctx, "p-aino", 10)
		if err != nil || len(hist) != 1 || hist[0].Action != "mandate.granted" || hist[0].MandateID != aino.ID {
			t.Errorf("PersonHistory(aino) = %+v, %v", hist, err)
		}
		hist, err = db.Register.PersonHistory(ctx, "p-bo", 10)
		if err != nil || len(hist) != 1 || hist[0].RequestID != pending.ID {
			t.Errorf("PersonHistory(bo) = %+v, %v", hist, err)
		}
	})
}

func viewTx(t *testing.T, db *sqlstore.DB, fn func(tx workflow.Tx) error) {
	t.Helper()
	if err := db.Register.InTx(context.Background(), fn); err != nil {
		t.Fatal(err)
	}
}
