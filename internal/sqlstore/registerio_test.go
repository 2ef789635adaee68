package sqlstore_test

import (
	"encoding/json"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/valtuusbotti/valtuusbotti/internal/domain"
	"github.com/valtuusbotti/valtuusbotti/internal/sqlstore"
	"github.com/valtuusbotti/valtuusbotti/internal/sqlstore/sqltest"
	"github.com/valtuusbotti/valtuusbotti/internal/testfakes/clock"
	"github.com/valtuusbotti/valtuusbotti/internal/workflow"
)

// importedMandates are the register of the import and export tests: a person found in the directory, one known
// only by e-mail, an open-ended and a revoked mandate.
func importedMandates() []domain.Mandate {
	return []domain.Mandate{
		{HolderID: "holder-1", HolderName: "Elina Lindholm", HolderMail: "elina@example.fi", Department: "Talous",
			ThemeID: "theme-a", ValidFrom: day(2025, 1, 1), ValidUntil: day(2026, 12, 31), State: domain.MandateActive,
			GrantedBy: "Mikael", Notes: "palkat"},
		{HolderID: "left@example.fi", HolderName: "Pekka Lahti", HolderMail: "left@example.fi", Department: "Sivistys",
			ThemeID: "theme-b", ValidFrom: day(2024, 5, 1), ValidUntil: day(2049, 5, 1), OpenEnded: true,
			State: domain.MandateActive},
		{HolderID: "holder-1", HolderName: "Elina Lindholm", HolderMail: "elina@example.fi", Department: "Talous",
			ThemeID: "theme-b", ValidFrom: day(2024, 1, 1), ValidUntil: day(2027, 1, 1), State: domain.MandateRevoked,
			RevokedOn: day(2025, 6, 30)},
		{HolderID: "holder-2", HolderName: "Ämmä Åberg", Department: "TALOUS", ThemeID: "theme-a",
			ValidFrom: day(2025, 1, 1), ValidUntil: day(2025, 6, 30), State: domain.MandateActive},
	}
}

func createMandates(t *testing.T, db *sqlstore.DB, ms []domain.Mandate) {
	t.Helper()
	inTx(t, db, func(tx workflow.Tx) error {
		for i := range ms {
			if err := tx.CreateMandate(t.Context(), &ms[i]); err != nil {
				return err
			}
		}
		return nil
	})
}

// The columns of migration 0012 are written and read back, and an import finds a person's mandate of a theme by
// object id or by e-mail address and updates it.
func TestImportedMandatesRoundTrip(t *testing.T) {
	sqltest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := t.Context()
		ms := importedMandates()
		createMandates(t, db, ms)
		got, err := db.Register.MandatesByHolder(ctx, "left@example.fi")
		if err != nil || len(got) != 1 || !reflect.DeepEqual(got[0], ms[1]) {
			t.Fatalf("MandatesByHolder = %+v, %v; want %+v", got, err, ms[1])
		}
		var byID, byMail, none []domain.Mandate
		inTx(t, db, func(tx workflow.Tx) error {
			st := tx.(*sqlstore.Tx)
			byID, err = st.MandatesOf(ctx, "holder-1", "", "theme-b")
			if err != nil {
				return err
			}
			byMail, err = st.MandatesOf(ctx, "", " LEFT@example.fi ", "theme-b")
			if err != nil {
				return err
			}
			none, err = st.MandatesOf(ctx, "", "", "theme-b")
			return err
		})
		if len(byID) != 1 || byID[0].ID != ms[2].ID || !reflect.DeepEqual(byID[0], ms[2]) {
			t.Errorf("MandatesOf(holder-1, theme-b) = %+v", byID)
		}
		if len(byMail) != 1 || byMail[0].ID != ms[1].ID || len(none) != 0 {
			t.Errorf("MandatesOf by mail = %+v, with no key = %+v", byMail, none)
		}

		// The person is now found in the directory: the mandate moves to their object id, and ends.
		m := byMail[0]
		m.HolderID, m.OpenEnded, m.ValidUntil = "holder-3", false, day(2026, 12, 31)
		m.State, m.RevokedOn, m.Notes = domain.MandateRevoked, day(2025, 12, 1), "lähti"
		inTx(t, db, func(tx workflow.Tx) error { return tx.(*sqlstore.Tx).UpdateMandate(ctx, &m) })
		got, _ = db.Register.MandatesByHolder(ctx, "holder-3")
		if len(got) != 1 || !reflect.DeepEqual(got[0], m) {
			t.Errorf("after UpdateMandate: %+v, want %+v", got, m)
		}
		missing := m
		missing.ID = 999999
		err = db.Register.InTx(ctx, func(tx domain.Tx) error { return tx.(*sqlstore.Tx).UpdateMandate(ctx, &missing) })
		if !domain.IsCode(err, domain.ENotFound) {
			t.Errorf("UpdateMandate(missing) = %v", err)
		}
		bad := m
		bad.ValidUntil = bad.ValidFrom.AddDate(0, 0, -1)
		if err := db.Register.InTx(ctx, func(tx domain.Tx) error { return tx.(*sqlstore.Tx).UpdateMandate(ctx, &bad) }); err == nil {
			t.Error("UpdateMandate accepted an end before the start")
		}
	})
}

// EachMandate streams the register in a stable order, with every filter; fn's error stops it.
func TestEachMandateFilters(t *testing.T) {
	sqltest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := t.Context()
		ms := importedMandates()
		createMandates(t, db, ms)
		today := day(2026, 1, 1)
		ids := func(f sqlstore.MandateFilter) []int64 {
			t.Helper()
			out := []int64{}
			if err := db.Register.EachMandate(ctx, f, func(m domain.Mandate) error {
				out = append(out, m.ID)
				return nil
			}); err != nil {
				t.Fatalf("EachMandate(%+v): %v", f, err)
			}
			return out
		}
		for name, tt := range map[string]struct {
			f    sqlstore.MandateFilter
			want []int64
		}{
			"all, by holder name and theme": {sqlstore.MandateFilter{}, []int64{ms[0].ID, ms[2].ID, ms[1].ID, ms[3].ID}},
			"department in any case":        {sqlstore.MandateFilter{Department: "talous"}, []int64{ms[0].ID, ms[2].ID, ms[3].ID}},
			"themes":                        {sqlstore.MandateFilter{ThemeIDs: []string{"theme-b", "theme-x"}}, []int64{ms[2].ID, ms[1].ID}},
			"no theme":                      {sqlstore.MandateFilter{ThemeIDs: []string{}}, []int64{}},
			"active":                        {sqlstore.MandateFilter{State: sqlstore.MandatesActive, Today: today}, []int64{ms[0].ID, ms[1].ID}},
			"expired":                       {sqlstore.MandateFilter{State: sqlstore.MandatesExpired, Today: today}, []int64{ms[3].ID}},
			"revoked":                       {sqlstore.MandateFilter{State: sqlstore.MandatesRevoked}, []int64{ms[2].ID}},
			"ending before":                 {sqlstore.MandateFilter{EndingBefore: day(2026, 12, 31)}, []int64{ms[3].ID}},
			"holder by id":                  {sqlstore.MandateFilter{Holder: "holder-1"}, []int64{ms[0].ID, ms[2].ID}},
			"holder by mail":                {sqlstore.MandateFilter{Holder: "Left@Example.fi"}, []int64{ms[1].ID}},
			"together": {sqlstore.MandateFilter{Department: "Talous", ThemeIDs: []string{"theme-a"},
				State: sqlstore.MandatesActive, Today: today, EndingBefore: day(2027, 1, 1), Holder: "holder-1"}, []int64{ms[0].ID}},
		} {
			if got := ids(tt.f); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("%s: %v, want %v", name, got, tt.want)
			}
		}
		if err := db.Register.EachMandate(ctx, sqlstore.MandateFilter{State: sqlstore.MandatesActive}, func(domain.Mandate) error { return nil }); !domain.IsCode(err, domain.EInvalid) {
			t.Errorf("active without today = %v", err)
		}
		stop := errors.New("stop")
		n := 0
		if err := db.Register.EachMandate(ctx, sqlstore.MandateFilter{}, func(domain.Mandate) error { n++; return stop }); err != stop || n != 1 {
			t.Errorf("fn's error: %v after %d", err, n)
		}
	})
}

// EachAudit streams the audit trail oldest first, by person and time.
func TestEachAuditFilters(t *testing.T) {
	clk := clock.NewManual(time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC))
	sqltest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := t.Context()
		ms := importedMandates()
		createMandates(t, db, ms)
		r := sampleRequest("holder-9", "theme-z")
		createRequest(t, db, &r)
		events := []domain.AuditEvent{
			{At: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC), ActorID: "system", Action: "import.file", After: json.RawMessage(`{"file":"a.xlsx"}`)},
			{At: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC), ActorID: "system", Action: "mandate.imported", MandateID: ms[1].ID},
			{At: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC), ActorID: "holder-1", Action: "request.approved", RequestID: r.ID},
			{At: time.Date(2026, 3, 3, 9, 0, 0, 0, time.UTC), ActorID: "main", Action: "request.granted", RequestID: r.ID},
		}
		inTx(t, db, func(tx workflow.Tx) error {
			for _, e := range events {
				if err := tx.AppendAudit(ctx, e); err != nil {
					return err
				}
			}
			return nil
		})
		actions := func(f sqlstore.AuditFilter) []string {
			t.Helper()
			out := []string{}
			if err := db.Register.EachAudit(ctx, f, func(e domain.AuditEvent) error {
				out = append(out, e.Action)
				return nil
			}); err != nil {
				t.Fatal(err)
			}
			return out
		}
		for name, tt := range map[string]struct {
			f    sqlstore.AuditFilter
			want []string
		}{
			"all":                  {sqlstore.AuditFilter{}, []string{"import.file", "mandate.imported", "request.approved", "request.granted"}},
			"actor":                {sqlstore.AuditFilter{Person: "holder-1"}, []string{"request.approved"}},
			"holder by mail":       {sqlstore.AuditFilter{Person: "LEFT@example.fi"}, []string{"mandate.imported"}},
			"requester":            {sqlstore.AuditFilter{Person: "holder-9"}, []string{"request.approved", "request.granted"}},
			"from and until":       {sqlstore.AuditFilter{From: time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC), Until: time.Date(2026, 3, 3, 0, 0, 0, 0, time.UTC)}, []string{"request.approved"}},
			"person and from date": {sqlstore.AuditFilter{Person: "holder-9", From: time.Date(2026, 3, 3, 0, 0, 0, 0, time.UTC)}, []string{"request.granted"}},
		} {
			if got := actions(tt.f); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("%s: %v, want %v", name, got, tt.want)
			}
		}
	}, sqlstore.WithNow(clk.Now))
}
