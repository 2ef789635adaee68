package importer_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/valtuusbotti/valtuusbotti/internal/catalog"
	"github.com/valtuusbotti/valtuusbotti/internal/directory"
	"github.com/valtuusbotti/valtuusbotti/internal/domain"
	"github.com/valtuusbotti/valtuusbotti/internal/importer"
	"github.com/valtuusbotti/valtuusbotti/internal/sqlstore"
	"github.com/valtuusbotti/valtuusbotti/internal/sqlstore/sqltest"
	"github.com/valtuusbotti/valtuusbotti/internal/testfakes/clock"
)

// now is the day of every import here: 3.12.2026 in Helsinki.
var now = time.Date(2026, 12, 3, 8, 0, 0, 0, time.UTC)

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

const (
	elina  = "7c1e4a52-0000-4000-8000-000000000001"
	sami   = "7c1e4a52-0000-4000-8000-000000000002"
	helena = "7c1e4a52-0000-4000-8000-000000000003"
	oskar  = "7c1e4a52-0000-4000-8000-000000000006"
	pekka  = "7c1e4a52-0000-4000-8000-000000000008"
)

// people is the demo directory and two people called Anna Virta.
func people(t testing.TB) *directory.File {
	t.Helper()
	demo, err := os.ReadFile("../directory/demo.yaml")
	if err != nil {
		t.Fatal(err)
	}
	extra := `
- {id: 7c1e4a52-0000-4000-8000-0000000000a1, display_name: Anna Virta, mail: anna.virta@porvoo.example, department: Sivistyspalvelut}
- {id: 7c1e4a52-0000-4000-8000-0000000000a2, display_name: Anna Virta, mail: anna.virta2@porvoo.example, department: Tietohallinto}
`
	path := filepath.Join(t.TempDir(), "people.yaml")
	if err := os.WriteFile(path, append(demo, extra...), 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := directory.LoadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func newImporter(t testing.TB, db *sqlstore.DB, opts ...func(*importer.Importer)) *importer.Importer {
	t.Helper()
	cat, err := catalog.Default()
	if err != nil {
		t.Fatal(err)
	}
	imp := &importer.Importer{Store: db.Register, Catalog: cat, People: people(t), Now: clock.NewManual(now).Now}
	for _, o := range opts {
		o(imp)
	}
	return imp
}

func openDB(t testing.TB) *sqlstore.DB {
	return sqltest.Open(t, sqlstore.WithNow(clock.NewManual(now).Now))
}

// csvFile joins lines with CRLF after a byte order mark, as Excel saves "CSV UTF-8".
func csvFile(lines ...string) []byte {
	return []byte("\xEF\xBB\xBF" + strings.Join(lines, "\r\n") + "\r\n")
}

// want is the expected report line of one row: its outcome, and words its reason must contain.
type want struct {
	row     int
	outcome importer.Outcome
	reason  string
}

func checkLines(t *testing.T, res *importer.Result, sheet string, wants []want) {
	t.Helper()
	byRow := map[int]importer.Line{}
	for _, l := range res.Lines {
		if l.Sheet == sheet {
			if _, dup := byRow[l.Row]; dup {
				t.Errorf("%s row %d reported twice", sheet, l.Row)
			}
			byRow[l.Row] = l
		}
	}
	if len(byRow) != len(wants) {
		t.Errorf("%s: %d rows reported, want %d", sheet, len(byRow), len(wants))
	}
	for _, w := range wants {
		l, ok := byRow[w.row]
		switch {
		case !ok:
			t.Errorf("%s row %d: not reported", sheet, w.row)
		case l.Outcome != w.outcome || !strings.Contains(l.Reason, w.reason):
			t.Errorf("%s row %d: %s %q, want %s %q", sheet, w.row, l.Outcome, l.Reason, w.outcome, w.reason)
		}
	}
}

// messyCSV is a main user's list as kept by hand: titles, a section heading, a blank row, every date form, themes
// by Swedish name, synonym and typo, people by e-mail in any form, by name, unknown and ambiguous, duplicates, a
// leavers' section, and rows that cannot be imported.
var messyCSV = []string{
	/* 1 */ "Porvoon kaupunki – Suomi.fi-valtuudet;;;;;;;",
	/* 2 */ "Päivitetty 1.12.2026 / MN;;;;;;;",
	/* 3 */ "",
	/* 4 */ "Nimi;Sähköposti;Toimiala;Valtuusasia;Myönnetty;Voimassa asti;Mitätöity;Huomautukset",
	/* 5 */ "Talous- ja henkilöstöpalvelut;;;;;;;",
	/* 6 */ "Elina Lindholm;elina.lindholm@porvoo.example;Talous;Palkkatietojen ilmoittaminen;1.1.2025;31.12.2026;;",
	/* 7 */ "Elina Lindholm; ELINA.Lindholm@PORVOO.example ;Talous; kelmu ;01.03.2025;1.3.27;;",
	/* 8 */ "Sami Virtanen;Sami Virtanen <sami.virtanen@porvoo.example>;;Anmälan om löneuppgifter;2025-01-15;toistaiseksi;;",
	/* 9 */ ";;;;;;;",
	/* 10 */ "Helena Åberg;;;Palkkatietojen\u00a0 ilmoitaminen;;tills vidare;;",
	/* 11 */ "Ville Väliaikainen;ville.valiaikainen@porvoo.example;Sivistys;Veroasiat;1.6.2025;46387;;sijainen",
	/* 12 */ "Oskar Berg;oskar.berg@porvoo.example;;Kahvinkeitto;1.1.2026;31.12.2026;;",
	/* 13 */ "Oskar Berg;oskar.berg@porvoo.example;;Veroilmoittaminen;1/3/2026;31.12.2026;;",
	/* 14 */ "Oskar Berg;oskar.berg@porvoo.example;;Veroilmoittaminen;1.3.2026;31.02.2027;;",
	/* 15 */ "Oskar Berg;oskar.berg@porvoo.example;;Veroilmoittaminen;1.3.2026;ensi vuonna;;",
	/* 16 */ "Oskar Berg;oskar.berg@porvoo.example;;Veroilmoittaminen;1.3.2026;31.12.2027;;hetu 131052-308T",
	/* 17 */ "Anna Virta;;;Veroilmoittaminen;1.1.2026;31.12.2026;;",
	/* 18 */ "Nobody Known;;;Veroilmoittaminen;1.1.2026;31.12.2026;;",
	/* 19 */ "Elina Lindholm;elina.lindholm@porvoo.example;;Palkkatietojen ilmoittaminen;1.1.2025;31.12.2026;;",
	/* 20 */ "Elina Lindholm;elina.lindholm@porvoo.example;;Kelmu;1.3.2025;31.12.2027;;",
	/* 21 */ "Sami Virtanen;sami.virtanen@porvoo.example;;Veroasiat;2027-01-01;2026-01-01;;",
	/* 22 */ "Sami Virtanen;sami.virtanen@porvoo.example;;Veroasiat;1.1.2026;1.1.2052;;",
	/* 23 */ "Sami Virtanen;not an address;;Veroasiat;1.1.2026;1.1.2027;;",
	/* 24 */ ";sami.virtanen@porvoo.example;;;1.1.2026;1.1.2027;;",
	/* 25 */ "Lindholm Elina;;;Palkkatietojen katselu;1.1.2026;31.12.2027;;",
	/* 26 */ "Poistuneet;;;;;;;",
	/* 27 */ "Pekka Lahti;pekka.lahti@porvoo.example;Sivistys;Veroasioiden hoitaminen;1.1.2024;31.12.2027;31.10.2026;lähti",
	/* 28 */ "Oskar Berg;oskar.berg@porvoo.example;Sivistys;Palkkatietojen katselu;1.1.2025;31.12.2027;;",
	/* 29 */ "Pekka Lahti;pekka.lahti@porvoo.example;;Palkkatietojen katselu;1.1.2023;31.1.2024;;",
	/* 30 */ "Ｌｅｏ １３１０５２－３０８Ｔ;leo.sundqvist@porvoo.example;;Veroilmoittaminen;1.3.2026;31.12.2027;;",
}

var messyCSVWants = []want{
	{1, importer.Skipped, "above the header"},
	{2, importer.Skipped, "above the header"},
	{4, importer.Skipped, "header row"},
	{5, importer.Skipped, "section heading"},
	{6, importer.Imported, ""},
	{7, importer.Duplicate, "same person and theme as row 20, whose end date is later"},
	{8, importer.Imported, ""},
	{9, importer.Skipped, "blank row"},
	{10, importer.Imported, "theme matched by similarity: check"},
	{11, importer.Imported, "person not found in the directory: imported against the e-mail address"},
	{12, importer.Error, `unknown theme "Kahvinkeitto"`},
	{13, importer.Error, "could be read as day/month or month/day"},
	{14, importer.Error, "not a day of the calendar"},
	{15, importer.Error, `"ensi vuonna" is not a date`},
	{16, importer.Refused, `henkilötunnus (personal identity code) in column "Huomautukset"`},
	{17, importer.Error, `2 people in the directory are called "Anna Virta"`},
	{18, importer.Error, `nobody called "Nobody Known"`},
	{19, importer.Duplicate, "same as row 6"},
	{20, importer.Imported, ""},
	{21, importer.Error, "ends (2026-01-01) before it starts (2027-01-01)"},
	{22, importer.Error, "more than 25 years"},
	{23, importer.Error, `"not an address" is not an e-mail address`},
	{24, importer.Error, "no theme"},
	{25, importer.Imported, "person matched by name only"},
	{26, importer.Skipped, "leavers from here on"},
	{27, importer.Imported, ""},
	{28, importer.Imported, "still valid in Suomi.fi: invalidate"},
	{29, importer.Imported, "leaver: the mandate ended on 2024-01-31"},
	{30, importer.Refused, `column "Nimi"`},
}

// Every row of the messy list has its outcome; the real run with failed rows writes nothing at all.
func TestMessyCSV(t *testing.T) {
	sqltest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := t.Context()
		imp := newImporter(t, db)
		data := csvFile(messyCSV...)
		for _, dry := range []bool{true, false} {
			res, err := imp.Run(ctx, "valtuudet.csv", data, importer.Options{DryRun: dry})
			if err != nil {
				t.Fatal(err)
			}
			checkLines(t, res, "valtuudet.csv", messyCSVWants)
			if res.Written || res.Counts[importer.Imported] != 9 || res.Counts[importer.Error] != 10 || res.Counts[importer.Refused] != 2 {
				t.Errorf("dry run %v: written %v, counts %v", dry, res.Written, res.Counts)
			}
			if !strings.Contains(res.Summary(), "utf-8 with a byte order mark") && !strings.Contains(res.Summary(), "UTF-8 with a byte order mark") {
				t.Errorf("summary: %s", res.Summary())
			}
		}
		if n := countMandates(t, db); n != 0 {
			t.Errorf("a run with failed rows wrote %d mandates", n)
		}
		if n := countAudit(t, db); n != 0 {
			t.Errorf("a run with failed rows wrote %d audit rows", n)
		}
	}, sqlstore.WithNow(clock.NewManual(now).Now))
}

// The good rows of the list go in, in one transaction, as the rows say; a second run of the same file changes
// nothing.
func TestCleanCSVImportsAndIsIdempotent(t *testing.T) {
	sqltest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := t.Context()
		imp := newImporter(t, db)
		var lines []string
		for i, l := range messyCSV {
			if !failing(i + 1) {
				lines = append(lines, l)
			}
		}
		data := csvFile(lines...)
		res, err := imp.Run(ctx, "puhdas.csv", data, importer.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if !res.Written || res.Counts[importer.Imported] != 9 || res.Counts[importer.Error]+res.Counts[importer.Refused] != 0 {
			t.Fatalf("written %v counts %v\n%s", res.Written, res.Counts, report(t, res))
		}
		ms := allMandates(t, db)
		if len(ms) != 9 {
			t.Fatalf("%d mandates", len(ms))
		}
		get := func(holder, theme string) domain.Mandate {
			t.Helper()
			for _, m := range ms {
				if m.HolderID == holder && m.ThemeID == theme {
					return m
				}
			}
			t.Fatalf("no mandate of %s %s in %+v", holder, theme, ms)
			return domain.Mandate{}
		}
		checkMandate(t, get(elina, "tulorekisteri-palkkatiedot-ilmoittaminen"), day(2025, 1, 1), day(2026, 12, 31), false, domain.MandateActive)
		checkMandate(t, get(elina, "kela-etuustiedot-maksuvaatimukset"), day(2025, 3, 1), day(2027, 12, 31), false, domain.MandateActive)
		checkMandate(t, get(sami, "tulorekisteri-palkkatiedot-ilmoittaminen"), day(2025, 1, 15), day(2050, 1, 15), true, domain.MandateActive)
		checkMandate(t, get(helena, "tulorekisteri-palkkatiedot-ilmoittaminen"), day(2026, 12, 3), day(2051, 12, 3), true, domain.MandateActive)
		checkMandate(t, get(elina, "tulorekisteri-palkkatiedot-katselu"), day(2026, 1, 1), day(2027, 12, 31), false, domain.MandateActive)
		checkMandate(t, get(oskar, "tulorekisteri-palkkatiedot-katselu"), day(2025, 1, 1), day(2027, 12, 31), false, domain.MandateActive)
		checkMandate(t, get(pekka, "tulorekisteri-palkkatiedot-katselu"), day(2023, 1, 1), day(2024, 1, 31), false, domain.MandateActive)
		pv := get(pekka, "vero-veroasiat")
		checkMandate(t, pv, day(2024, 1, 1), day(2027, 12, 31), false, domain.MandateRevoked)
		if !pv.RevokedOn.Equal(day(2026, 10, 31)) || pv.Notes != "lähti" || pv.HolderMail != "pekka.lahti@porvoo.example" {
			t.Errorf("revoked mandate %+v", pv)
		}
		ville := get("ville.valiaikainen@porvoo.example", "vero-veroasiat") // not in the directory; an Excel serial in CSV
		checkMandate(t, ville, day(2025, 6, 1), day(2026, 12, 31), false, domain.MandateActive)
		if ville.HolderMail != ville.HolderID || ville.HolderName != "Ville Väliaikainen" || ville.Department != "Sivistys" || ville.Notes != "sijainen" {
			t.Errorf("unknown person's mandate: %+v", ville)
		}
		s := get(sami, "tulorekisteri-palkkatiedot-ilmoittaminen")
		if s.HolderName != "Sami Virtanen" || s.Department != "Talous- ja henkilöstöpalvelut" {
			t.Errorf("holder from the directory: %+v", s)
		}
		audit := countAudit(t, db)
		if audit != 10 { // nine mandates and the file
			t.Errorf("%d audit rows, want 10", audit)
		}
		again, err := imp.Run(ctx, "puhdas.csv", data, importer.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if again.Written || again.Counts[importer.Imported]+again.Counts[importer.Updated] != 0 || again.Counts[importer.Skipped] != res.Counts[importer.Skipped]+9 {
			t.Errorf("second run: written %v counts %v\n%s", again.Written, again.Counts, report(t, again))
		}
		if after := allMandates(t, db); fmt.Sprint(after) != fmt.Sprint(ms) {
			t.Errorf("the second run changed the register")
		}
		if n := countAudit(t, db); n != audit {
			t.Errorf("the second run wrote %d audit rows", n-audit)
		}
	}, sqlstore.WithNow(clock.NewManual(now).Now))
}

// failing are the rows of messyCSV that fail (errors and refusals).
func failing(row int) bool {
	for _, w := range messyCSVWants {
		if w.row == row {
			return w.outcome == importer.Error || w.outcome == importer.Refused
		}
	}
	return false
}

func checkMandate(t *testing.T, m domain.Mandate, from, until time.Time, open bool, st domain.MandateState) {
	t.Helper()
	if !m.ValidFrom.Equal(from) || !m.ValidUntil.Equal(until) || m.OpenEnded != open || m.State != st || m.RequestID != 0 {
		t.Errorf("mandate %s %s: %s–%s open %v %s, want %s–%s open %v %s", m.HolderID, m.ThemeID,
			m.ValidFrom.Format(time.DateOnly), m.ValidUntil.Format(time.DateOnly), m.OpenEnded, m.State,
			from.Format(time.DateOnly), until.Format(time.DateOnly), open, st)
	}
}

func allMandates(t testing.TB, db *sqlstore.DB) []domain.Mandate {
	t.Helper()
	var out []domain.Mandate
	if err := db.Register.EachMandate(context.Background(), sqlstore.MandateFilter{}, func(m domain.Mandate) error {
		out = append(out, m)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

func countMandates(t testing.TB, db *sqlstore.DB) int { return len(allMandates(t, db)) }

func countAudit(t testing.TB, db *sqlstore.DB) int {
	t.Helper()
	n := 0
	if err := db.Register.EachAudit(context.Background(), sqlstore.AuditFilter{}, func(domain.AuditEvent) error { n++; return nil }); err != nil {
		t.Fatal(err)
	}
	return n
}

func report(t testing.TB, res *importer.Result) string {
	var b bytes.Buffer
	if err := res.WriteReport(&b); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// messyXLSX is a workbook as main users keep one: an instructions sheet, the mandates under a title with Swedish
// and English column names, real date cells, serials and text dates, and a leavers' sheet.
func messyXLSX(t testing.TB) []byte {
	t.Helper()
	x := excelize.NewFile()
	defer x.Close()
	must := func(err error) {
		if err != nil {
			t.Helper()
			t.Fatal(err)
		}
	}
	must(x.SetSheetName("Sheet1", "Ohje"))
	must(x.SetSheetRow("Ohje", "A1", &[]any{"Täytä valtuudet välilehdelle Valtuudet."}))
	must(x.SetSheetRow("Ohje", "A2", &[]any{"Päivitä kerran kuussa.", "MN"}))
	_, err := x.NewSheet("Valtuudet")
	must(err)
	must(x.SetSheetRow("Valtuudet", "A1", &[]any{"Fullmakter 2026"}))
	must(x.MergeCell("Valtuudet", "A1", "F1"))
	must(x.SetSheetRow("Valtuudet", "A3", &[]any{"Namn", "E-post", "Fullmaktsärende", "Giltig från", "Valid until", "Remarks", "Telefon"}))
	must(x.SetSheetRow("Valtuudet", "A4", &[]any{"Elina Lindholm", "mailto:Elina.Lindholm@porvoo.example", "Granskning av löneuppgifter", day(2025, 2, 1), day(2027, 1, 31), "", "040 123"}))
	must(x.SetSheetRow("Valtuudet", "A5", &[]any{"Sami Virtanen", "sami.virtanen@porvoo.example", "Tulorekisteri / palkkatiedot", "1.2.2025", "31.1.27"}))
	must(x.SetSheetRow("Valtuudet", "A7", &[]any{"Oskar Berg", "oskar.berg@porvoo.example", "VEROASIOIDEN\u00a0HOITAMINEN", 45658, "Tills vidare"}))
	must(x.SetSheetRow("Valtuudet", "A8", &[]any{"Oskar Berg", "oskar.berg@porvoo.example", "Veroilmoittaminen", day(2026, 1, 1), "31.12.2026 klo 16"}))
	must(x.SetSheetRow("Valtuudet", "A9", &[]any{"Tiina Mäkelä", "tiina.makela@porvoo.example", "Kelmu", day(2026, 1, 1), day(2025, 1, 1)}))
	must(x.SetSheetRow("Valtuudet", "A10", &[]any{"Sami Virtanen", "sami.virtanen@porvoo.example", "tulorekisteri/palkkatiedot", "1.2.2025", "31.1.27"}))
	_, err = x.NewSheet("Poistuneet")
	must(err)
	must(x.SetSheetRow("Poistuneet", "A1", &[]any{"Nimi", "Sähköposti", "Valtuusasia", "Myönnetty", "Voimassa asti", "Mitätöity"}))
	must(x.SetSheetRow("Poistuneet", "A2", &[]any{"Pekka Lahti", "pekka.lahti@porvoo.example", "Veroasiat", day(2024, 1, 1), day(2027, 12, 31), day(2026, 10, 31)}))
	must(x.SetSheetRow("Poistuneet", "A3", &[]any{"Pekka Lahti", "pekka.lahti@porvoo.example", "Palkkatietojen katselu", day(2024, 1, 1), "toistaiseksi", ""}))
	var buf bytes.Buffer
	must(x.Write(&buf))
	return buf.Bytes()
}

func TestMessyXLSX(t *testing.T) {
	db := openDB(t)
	ctx := t.Context()
	imp := newImporter(t, db)
	data := messyXLSX(t)
	res, err := imp.Run(ctx, "Valtuudet 2026.xlsx", data, importer.Options{DryRun: true})
	if err != nil {
		t.Fatal(err)
	}
	checkLines(t, res, "Ohje", []want{{1, importer.Skipped, "above the header"}, {2, importer.Skipped, "above the header"}})
	checkLines(t, res, "Valtuudet", []want{
		{1, importer.Skipped, "above the header"},
		{3, importer.Skipped, "header row"},
		{4, importer.Imported, ""},
		{5, importer.Imported, ""},
		{7, importer.Imported, ""},
		{8, importer.Error, `"31.12.2026 klo 16" is not a date`},
		{9, importer.Error, "ends (2025-01-01) before it starts (2026-01-01)"},
		{10, importer.Duplicate, "same as row 5"},
	})
	checkLines(t, res, "Poistuneet", []want{
		{1, importer.Skipped, "header row"},
		{2, importer.Imported, ""},
		{3, importer.Imported, "leaver without an invalidation date: still valid in Suomi.fi: invalidate"},
	})
	if !strings.Contains(res.Summary(), `column not read: "Telefon" (Valtuudet)`) || !strings.Contains(res.Summary(), "dry run") ||
		res.Sheets != 3 || res.Headed != 2 || strings.Contains(res.Summary(), "no header row") {
		t.Errorf("%d sheets, %d with a header; summary:\n%s", res.Sheets, res.Headed, res.Summary())
	}
	if countMandates(t, db) != 0 {
		t.Error("the dry run wrote")
	}

	// Only the leavers' sheet, for real: it has no failed row, so it is written.
	res, err = imp.Run(ctx, "Valtuudet 2026.xlsx", data, importer.Options{Sheet: "poistuneet"})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Written || res.Sheets != 1 || res.Counts[importer.Imported] != 2 {
		t.Fatalf("leavers only: %v %v\n%s", res.Written, res.Counts, report(t, res))
	}
	ms := allMandates(t, db)
	if len(ms) != 2 || ms[0].State != domain.MandateActive || !ms[0].OpenEnded || ms[1].State != domain.MandateRevoked ||
		!ms[1].RevokedOn.Equal(day(2026, 10, 31)) {
		t.Errorf("leavers: %+v", ms)
	}
	if _, err := imp.Run(ctx, "Valtuudet 2026.xlsx", data, importer.Options{Sheet: "Nope"}); err == nil ||
		!strings.Contains(err.Error(), "Ohje, Valtuudet, Poistuneet") {
		t.Errorf("unknown sheet: %v", err)
	}
}

// A list with columns of its own names is read through a mapping; a second import of a changed list updates the
// mandates it changes, and a mandate granted through the bot is never changed by an import.
func TestMappingAndUpdates(t *testing.T) {
	db := openDB(t)
	ctx := t.Context()
	imp := newImporter(t, db)
	mapping, err := importer.ParseMapping([]string{"Oikeus=theme", "Loppuu=valid_until", "Kuka=email"})
	if err != nil {
		t.Fatal(err)
	}
	first := csvFile("Kuka,Oikeus,Loppuu", "elina.lindholm@porvoo.example,Veroasiat,31.12.2026",
		"ville@porvoo.example,Veroasiat,31.12.2026")
	res, err := imp.Run(ctx, "oma.csv", first, importer.Options{Mapping: mapping})
	if err != nil || !res.Written || res.Counts[importer.Imported] != 2 {
		t.Fatalf("%v %+v", err, res)
	}
	if res.Headed != 1 {
		t.Errorf("with the mapping: %d sheets with a header", res.Headed)
	}
	// Without the mapping no header is found and every row is a title: the summary says so, not "nothing to change".
	res, err = imp.Run(ctx, "oma.csv", first, importer.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if sum := res.Summary(); res.Headed != 0 || res.Written || res.Counts[importer.Skipped] != 3 ||
		!strings.Contains(sum, "no header row found") || strings.Contains(sum, "nothing to change") {
		t.Errorf("without the mapping: headed %d, written %v, %v\n%s", res.Headed, res.Written, res.Counts, sum)
	}
	second := csvFile("Kuka,Oikeus,Loppuu,Mitätöity", "elina.lindholm@porvoo.example,Veroasiat,toistaiseksi,",
		"ville@porvoo.example,Veroasiat,31.12.2026,1.12.2026")
	res, err = imp.Run(ctx, "oma.csv", second, importer.Options{Mapping: mapping})
	if err != nil {
		t.Fatal(err)
	}
	checkLines(t, res, "oma.csv", []want{
		{1, importer.Skipped, "header row"},
		{2, importer.Updated, "end 2026-12-31 → open-ended"},
		{3, importer.Updated, "state active → revoked, invalidated on 2026-12-01"},
	})

	// A mandate granted through the bot is the register's own: an import with other dates reports it and leaves it.
	err = db.Register.InTx(ctx, func(tx domain.Tx) error {
		r := domain.Request{RequesterID: sami, State: domain.RequestCompleted,
			Items: []domain.RequestItem{{ThemeID: "vero-veroasiat", State: domain.ItemGranted}}}
		if err := tx.CreateRequest(ctx, &r); err != nil {
			return err
		}
		m := domain.Mandate{HolderID: sami, HolderMail: "sami.virtanen@porvoo.example", ThemeID: "vero-veroasiat",
			ValidFrom: day(2026, 1, 1), ValidUntil: day(2027, 12, 31), State: domain.MandateActive, RequestID: r.ID, ItemID: r.Items[0].ID}
		return tx.CreateMandate(ctx, &m)
	})
	if err != nil {
		t.Fatal(err)
	}
	res, err = imp.Run(ctx, "oma.csv", csvFile("Kuka,Oikeus,Loppuu", "SAMI.virtanen@porvoo.example,Veroasiat,31.12.2028",
		"sami.virtanen@porvoo.example,Veroasioiden hoitaminen,31.12.2027"), importer.Options{Mapping: mapping})
	if err != nil {
		t.Fatal(err)
	}
	checkLines(t, res, "oma.csv", []want{
		{1, importer.Skipped, "header row"},
		{2, importer.Skipped, "the register has this mandate from request 1 with other dates (2026-01-01–2027-12-31): the import does not change it; check"},
		{3, importer.Duplicate, "same person and theme as row 2, whose end date is later"},
	})
	if res.Written {
		t.Error("nothing changed, yet something was written")
	}

	if _, err := importer.ParseMapping([]string{"Oikeus"}); err == nil {
		t.Error("a mapping without a field was accepted")
	}
	if _, err := importer.ParseMapping([]string{"Oikeus=oikeus"}); err == nil {
		t.Error("an unknown field was accepted")
	}
}

// Unknown offers the columns of a file no known name gives a field, also when no header row was found.
func TestUnknownColumns(t *testing.T) {
	data := []byte("Valtuusasia;Valtuutettu henkilö;Loppuu\r\nVeroasiat;a@b.example;31.12.2027\r\n")
	got, err := importer.Unknown(data, nil)
	if err != nil || strings.Join(got, "|") != "Valtuutettu henkilö|Loppuu" {
		t.Fatalf("unknown columns: %q, %v", got, err)
	}
	m, _ := importer.ParseMapping([]string{"Valtuutettu henkilö=email"})
	if got, _ := importer.Unknown(data, m); strings.Join(got, "|") != "Loppuu" {
		t.Fatalf("unknown columns with a mapping: %q", got)
	}
	if m.Pairs()[0] != "valtuutettu henkilö=email" {
		t.Fatalf("pairs: %q", m.Pairs())
	}
}
