package sqlstore_test

import (
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/valtuusbotti/valtuusbotti/internal/domain"
	"github.com/valtuusbotti/valtuusbotti/internal/sqlstore"
	"github.com/valtuusbotti/valtuusbotti/internal/sqlstore/sqltest"
)

// EachMandate reads the register a page at a time: across pages every mandate comes exactly once, in the export's
// order, also where whole pages share a holder, a theme and an end date (only the id tells them apart), with a
// filter that drops rows inside the pages, and fn's error stops the reading on any page.
func TestEachMandatePagesKeepOrderAndCount(t *testing.T) {
	sqltest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		var ms []domain.Mandate
		for i := range 1234 {
			// 700 rows of one holder, theme and end (more than a page), then names that sort before and after it.
			name, holder, until := "Maija", "holder-m", day(2027, 1, 1)
			if i >= 700 {
				name, holder, until = fmt.Sprintf("Henkilö %03d", i%97), fmt.Sprintf("holder-%03d", i%97), day(2027, 1, 1+i%5)
			}
			dept := "Talous"
			if i%3 == 0 {
				dept = "Sivistys"
			}
			ms = append(ms, domain.Mandate{HolderID: holder, HolderName: name, Department: dept, ThemeID: "theme-a",
				ValidFrom: day(2025, 1, 1), ValidUntil: until, State: domain.MandateActive})
		}
		createMandates(t, db, ms)
		read := func(f sqlstore.MandateFilter) []domain.Mandate {
			var got []domain.Mandate
			if err := db.Register.EachMandate(t.Context(), f, func(m domain.Mandate) error {
				got = append(got, m)
				return nil
			}); err != nil {
				t.Fatal(err)
			}
			return got
		}
		all := read(sqlstore.MandateFilter{})
		if len(all) != len(ms) {
			t.Fatalf("%d mandates read, want %d", len(all), len(ms))
		}
		seen := map[int64]bool{}
		for i, m := range all {
			if seen[m.ID] {
				t.Fatalf("mandate %d read twice", m.ID)
			}
			seen[m.ID] = true
			if i > 0 && compareExport(all[i-1], m) >= 0 {
				t.Fatalf("row %d out of order: %+v after %+v", i, m, all[i-1])
			}
		}
		talous := read(sqlstore.MandateFilter{Department: "talous"})
		want := 0
		for _, m := range ms {
			if m.Department == "Talous" {
				want++
			}
		}
		if len(talous) != want {
			t.Fatalf("%d of Talous read, want %d", len(talous), want)
		}
		stop := errors.New("stop")
		n := 0
		err := db.Register.EachMandate(t.Context(), sqlstore.MandateFilter{}, func(domain.Mandate) error {
			if n++; n == 777 {
				return stop
			}
			return nil
		})
		if !errors.Is(err, stop) || n != 777 {
			t.Fatalf("stopped after %d with %v", n, err)
		}
	})
}

// compareExport orders mandates as an export does (SQLite's and the test server's collation agree on these names).
func compareExport(a, b domain.Mandate) int {
	if c := slices.Compare([]string{a.HolderName, a.HolderID, a.ThemeID}, []string{b.HolderName, b.HolderID, b.ThemeID}); c != 0 {
		return c
	}
	if c := a.ValidUntil.Compare(b.ValidUntil); c != 0 {
		return c
	}
	return int(a.ID - b.ID)
}
