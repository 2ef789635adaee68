package importer_test

import (
	"strings"
	"testing"

	"github.com/valtuusbotti/valtuusbotti/internal/importer"
	"github.com/valtuusbotti/valtuusbotti/internal/sqlstore"
	"github.com/valtuusbotti/valtuusbotti/internal/sqlstore/sqltest"
	"github.com/valtuusbotti/valtuusbotti/internal/testfakes/clock"
)

// Every form of end date the issue names, one row each: the Finnish forms, ISO, an Excel serial written as text,
// "toistaiseksi", "tills vidare" and an empty cell (no end date), and the forms that are an error, never a guess.
// The report's valid_until column says how each was read.
func TestEndDateForms(t *testing.T) {
	db := openDB(t)
	imp := newImporter(t, db)
	for _, tt := range []struct {
		cell, until string // until: the report's valid_until, or the error's words
		outcome     importer.Outcome
	}{
		{"31.12.2026", "2026-12-31", importer.Imported},
		{"1.3.27", "2027-03-01", importer.Imported},
		{"01.03.2027", "2027-03-01", importer.Imported},
		{"1.3.2027.", "2027-03-01", importer.Imported},
		{"2027-03-01", "2027-03-01", importer.Imported},
		{"2027-03-01 00:00:00", "2027-03-01", importer.Imported},
		{"46447", "2027-03-01", importer.Imported}, // Excel's serial of 1.3.2027, as a CSV export writes a date cell
		{"toistaiseksi", "open-ended", importer.Imported},
		{"Toistaiseksi voimassa", "open-ended", importer.Imported},
		{"tills vidare", "open-ended", importer.Imported},
		{"Tillsvidare", "open-ended", importer.Imported},
		{"", "open-ended", importer.Imported},
		{" \u00a0", "open-ended", importer.Imported},
		{"1/3/2027", "could be read as day/month or month/day", importer.Error},
		{"3/1/2027", "could be read as day/month or month/day", importer.Error},
		{"29.2.2027", "not a day of the calendar", importer.Error},
		{"1.3.027", "is not a date", importer.Error},
		{"maaliskuu 2027", "is not a date", importer.Error},
		{"2027-3-1", "is not a date", importer.Error},
		{"kevät", "is not a date", importer.Error},
	} {
		data := csvFile("Nimi;Sähköposti;Valtuusasia;Myönnetty;Voimassa asti",
			"Elina Lindholm;elina.lindholm@porvoo.example;Veroasiat;1.1.2026;"+tt.cell)
		res, err := imp.Run(t.Context(), "päivät.csv", data, importer.Options{DryRun: true})
		if err != nil {
			t.Fatal(err)
		}
		l := res.Lines[len(res.Lines)-1]
		switch {
		case l.Row != 2 || l.Outcome != tt.outcome:
			t.Errorf("%q: row %d %s %q, want %s", tt.cell, l.Row, l.Outcome, l.Reason, tt.outcome)
		case tt.outcome == importer.Imported && l.ValidUntil != tt.until:
			t.Errorf("%q: read as %q, want %q", tt.cell, l.ValidUntil, tt.until)
		case tt.outcome == importer.Error && (!strings.Contains(l.Reason, tt.until) || !strings.HasPrefix(l.Reason, "end date: ")):
			t.Errorf("%q: reason %q, want %q", tt.cell, l.Reason, tt.until)
		}
	}
}

// An e-mail address finds its person however it is written: in any case, with spaces around or inside it, as
// "Name <address>" or as a mailto: link; an address the directory does not know is imported against the address and
// reported as not found.
func TestEmailForms(t *testing.T) {
	sqltest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		imp := newImporter(t, db)
		for _, tt := range []struct{ cell, person, check string }{
			{"elina.lindholm@porvoo.example", "elina.lindholm@porvoo.example", ""},
			{"  ELINA.Lindholm@PORVOO.example  ", "elina.lindholm@porvoo.example", ""},
			{"elina.lindholm @ porvoo.example", "elina.lindholm@porvoo.example", ""},
			{"Elina Lindholm <Elina.Lindholm@Porvoo.Example>", "elina.lindholm@porvoo.example", ""},
			{`"Lindholm, Elina" <elina.lindholm@porvoo.example>`, "elina.lindholm@porvoo.example", ""},
			{"Elina Lindholm < elina.lindholm@porvoo.example >", "elina.lindholm@porvoo.example", ""},
			{"mailto:elina.lindholm@porvoo.example", "elina.lindholm@porvoo.example", ""},
			{"Vuokko Sijainen <Vuokko.Sijainen@Porvoo.example>", "vuokko.sijainen@porvoo.example",
				"person not found in the directory: imported against the e-mail address"},
		} {
			data := csvFile("Sähköposti,Valtuusasia,Voimassa asti", `"`+strings.ReplaceAll(tt.cell, `"`, `""`)+`",Kelmu,31.12.2027`)
			res, err := imp.Run(t.Context(), "osoitteet.csv", data, importer.Options{DryRun: true})
			if err != nil {
				t.Fatal(err)
			}
			l := res.Lines[len(res.Lines)-1]
			found := !strings.Contains(l.Reason, "not found")
			if l.Outcome != importer.Imported || l.Person != tt.person || found != (tt.check == "") || !strings.Contains(l.Reason, tt.check) {
				t.Errorf("%q: %s %q person %q, want %q %q", tt.cell, l.Outcome, l.Reason, l.Person, tt.person, tt.check)
			}
		}
	}, sqlstore.WithNow(clock.NewManual(now).Now))
}
