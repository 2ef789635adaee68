package exporter_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/valtuusbotti/valtuusbotti/internal/catalog"
	"github.com/valtuusbotti/valtuusbotti/internal/directory"
	"github.com/valtuusbotti/valtuusbotti/internal/domain"
	"github.com/valtuusbotti/valtuusbotti/internal/exporter"
	"github.com/valtuusbotti/valtuusbotti/internal/importer"
	"github.com/valtuusbotti/valtuusbotti/internal/sheet"
	"github.com/valtuusbotti/valtuusbotti/internal/sqlstore"
	"github.com/valtuusbotti/valtuusbotti/internal/sqlstore/sqltest"
	"github.com/valtuusbotti/valtuusbotti/internal/testfakes/clock"
)

var now = time.Date(2026, 12, 3, 8, 0, 0, 0, time.UTC)

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

const (
	elina = "7c1e4a52-0000-4000-8000-000000000001"
	sami  = "7c1e4a52-0000-4000-8000-000000000002"
	pekka = "7c1e4a52-0000-4000-8000-000000000008"
)

type fixture struct {
	db  *sqlstore.DB
	cat *catalog.Catalog
	exp *exporter.Exporter
	imp *importer.Importer
}

func newFixture(t testing.TB, db *sqlstore.DB) *fixture {
	t.Helper()
	cat, err := catalog.Default()
	if err != nil {
		t.Fatal(err)
	}
	dir, err := directory.LoadDemo()
	if err != nil {
		t.Fatal(err)
	}
	clk := clock.NewManual(now)
	return &fixture{db: db, cat: cat,
		exp: &exporter.Exporter{Store: db.Register, Catalog: cat, Now: clk.Now},
		imp: &importer.Importer{Store: db.Register, Catalog: cat, People: dir, Now: clk.Now}}
}

// seed fills the register with every kind of mandate: granted through the bot, imported for a person of the
// directory and for one it does not know, open-ended, invalidated, expired, and one person's two mandates of a theme.
func (f *fixture) seed(t testing.TB) {
	t.Helper()
	ctx := context.Background()
	list := "\xEF\xBB\xBFNimi;Sähköposti;Toimiala;Valtuusasia;Myönnetty;Voimassa asti;Mitätöity;Huomautukset\r\n" +
		"Elina Lindholm;elina.lindholm@porvoo.example;;Palkkatietojen ilmoittaminen;1.1.2025;31.12.2026;;=palkat\r\n" +
		"Elina Lindholm;elina.lindholm@porvoo.example;;Kelmu;1.3.2025;toistaiseksi;;\r\n" +
		"Ville Väliaikainen;ville@porvoo.example;Sivistys;Veroasiat;1.6.2025;31.12.2026;;sijainen; 2 kk\r\n" +
		"Pekka Lahti;pekka.lahti@porvoo.example;;Veroasiat;1.1.2024;31.12.2027;31.10.2026;lähti\r\n" +
		"Pekka Lahti;pekka.lahti@porvoo.example;;Palkkatietojen katselu;1.1.2023;31.1.2024;;\r\n" +
		"Helena Åberg;helena.aberg@porvoo.example;;Veroilmoittaminen;;tills vidare;;\r\n"
	res, err := f.imp.Run(ctx, "seed.csv", []byte(list), importer.Options{})
	if err != nil || !res.Written {
		t.Fatalf("seed: %v %+v", err, res)
	}
	err = f.db.Register.InTx(ctx, func(tx domain.Tx) error {
		r := domain.Request{RequesterID: sami, RequesterName: "Sami Virtanen", RequesterMail: "Sami.Virtanen@porvoo.example",
			State: domain.RequestCompleted, Items: []domain.RequestItem{{ThemeID: "vero-veroasiat", State: domain.ItemGranted},
				{ThemeID: "vero-veroilmoittaminen", State: domain.ItemGranted}}}
		if err := tx.CreateRequest(ctx, &r); err != nil {
			return err
		}
		for i, it := range r.Items {
			it.GrantedFrom, it.GrantedUntil, it.GrantedBy = day(2026, 1, 1), day(2027, 12, 31), "7c1e4a52-0000-4000-8000-000000000004"
			if i == 1 {
				it.GrantedFrom, it.GrantedUntil = day(2024, 1, 1), day(2025, 12, 31) // an older one: expired
			}
			m := r.MandateFor(&it)
			m.Department = "Talous- ja henkilöstöpalvelut"
			if err := tx.CreateMandate(ctx, &m); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func mandates(t testing.TB, db *sqlstore.DB) string {
	t.Helper()
	var b strings.Builder
	if err := db.Register.EachMandate(context.Background(), sqlstore.MandateFilter{}, func(m domain.Mandate) error {
		fmt.Fprintf(&b, "%+v\n", m)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func auditCount(t testing.TB, db *sqlstore.DB) int {
	n := 0
	if err := db.Register.EachAudit(context.Background(), sqlstore.AuditFilter{}, func(domain.AuditEvent) error { n++; return nil }); err != nil {
		t.Fatal(err)
	}
	return n
}

// Export → import changes nothing: in both formats and all three languages, every mandate is read back as already
// in the register (or as a duplicate of one), and no mandate or audit row changes.
func TestExportImportRoundTrip(t *testing.T) {
	sqltest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := t.Context()
		f := newFixture(t, db)
		f.seed(t)
		before, audit := mandates(t, db), auditCount(t, db)
		for _, format := range []sheet.Format{sheet.CSV, sheet.XLSX} {
			for _, lang := range domain.Langs {
				var buf bytes.Buffer
				n, err := f.exp.Mandates(ctx, &buf, format, lang, exporter.Filter{})
				if err != nil || n != 8 {
					t.Fatalf("%s %s: exported %d, %v", format, lang, n, err)
				}
				res, err := f.imp.Run(ctx, "vienti."+string(format), buf.Bytes(), importer.Options{})
				if err != nil {
					t.Fatal(err)
				}
				c := res.Counts
				if res.Written || c[importer.Imported]+c[importer.Updated]+c[importer.Error]+c[importer.Refused] != 0 ||
					c[importer.Skipped] != 1+8 || len(res.Unread) != 0 {
					var rep bytes.Buffer
					_ = res.WriteReport(&rep)
					t.Errorf("%s %s: %v unread %v\n%s", format, lang, c, res.Unread, rep.String())
				}
			}
		}
		if after := mandates(t, db); after != before {
			t.Errorf("the round trip changed the register:\n%s\nwas\n%s", after, before)
		}
		if n := auditCount(t, db); n != audit {
			t.Errorf("the round trip wrote %d audit rows", n-audit)
		}
	}, sqlstore.WithNow(clock.NewManual(now).Now))
}

// What an export writes: the columns and values of each kind of mandate, and every filter.
func TestExportMandates(t *testing.T) {
	db := sqltest.Open(t, sqlstore.WithNow(clock.NewManual(now).Now))
	ctx := t.Context()
	f := newFixture(t, db)
	f.seed(t)
	var buf bytes.Buffer
	if _, err := f.exp.Mandates(ctx, &buf, sheet.CSV, domain.Finnish, exporter.Filter{}); err != nil {
		t.Fatal(err)
	}
	got := strings.ReplaceAll(strings.TrimPrefix(buf.String(), "\xEF\xBB\xBF"), "\r\n", "\n")
	for _, want := range []string{
		"Nimi;Sähköposti;Entra ID;Toimiala;Valtuusasia;Virasto;Myönnetty;Voimassa asti;Mitätöity;Tila;Myöntäjä;Huomautukset;Tunnus\n",
		"Elina Lindholm;elina.lindholm@porvoo.example;" + elina + ";Talous- ja henkilöstöpalvelut;Etuustietojen katselu ja maksuvaatimusten rekisteröinti;",
		";2025-03-01;toistaiseksi;;voimassa;;;",
		";'=palkat;",
		"Pekka Lahti;pekka.lahti@porvoo.example;" + pekka + ";Sivistyspalvelut;Veroasioiden hoitaminen;",
		";2024-01-01;2027-12-31;2026-10-31;mitätöity;;lähti;",
		";2023-01-01;2024-01-31;;päättynyt;",
		"Ville Väliaikainen;ville@porvoo.example;;Sivistys;Veroasioiden hoitaminen;",
		"Sami Virtanen;sami.virtanen@porvoo.example;" + sami + ";Talous- ja henkilöstöpalvelut;Veroilmoittaminen;",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("the export lacks %q:\n%s", want, got)
		}
	}
	for name, tt := range map[string]struct {
		f    exporter.Filter
		want int
	}{
		"all":                {exporter.Filter{}, 8},
		"department":         {exporter.Filter{Department: "sivistys"}, 1},
		"agency":             {exporter.Filter{Agency: "verohallinto"}, 7},
		"agency, Swedish":    {exporter.Filter{Agency: "Skatteförvaltningen"}, 7},
		"agency and theme":   {exporter.Filter{Agency: "Kela", Theme: "Kelmu"}, 1},
		"theme by synonym":   {exporter.Filter{Theme: "veroasiat"}, 3},
		"active":             {exporter.Filter{State: "active"}, 5},
		"expired":            {exporter.Filter{State: "expired"}, 2},
		"revoked":            {exporter.Filter{State: "revoked"}, 1},
		"ending before":      {exporter.Filter{EndingBefore: domain.NewDate(2027, 1, 1)}, 4},
		"person by mail":     {exporter.Filter{Person: "Ville@porvoo.example"}, 1},
		"person by id":       {exporter.Filter{Person: strings.ToUpper(sami)}, 2},
		"theme not agency's": {exporter.Filter{Agency: "Kela", Theme: "Veroasiat"}, 0},
	} {
		n, err := f.exp.Mandates(ctx, &bytes.Buffer{}, sheet.XLSX, domain.English, tt.f)
		if err != nil || n != tt.want {
			t.Errorf("%s: %d mandates, %v; want %d", name, n, err, tt.want)
		}
	}
	for name, flt := range map[string]exporter.Filter{
		"unknown theme": {Theme: "Kahvinkeitto"}, "a typo": {Theme: "Veroasiatt"}, "unknown agency": {Agency: "Nobody"},
		"unknown state": {State: "pending"},
	} {
		if _, err := f.exp.Mandates(ctx, &bytes.Buffer{}, sheet.CSV, domain.Finnish, flt); !domain.IsCode(err, domain.EInvalid) {
			t.Errorf("%s: %v", name, err)
		}
	}
	if _, err := f.exp.Mandates(ctx, &bytes.Buffer{}, "pdf", domain.Finnish, exporter.Filter{}); err == nil {
		t.Error("an unknown format was accepted")
	}
}

// The audit trail exports with its rows oldest first, by person, in both formats.
func TestExportAudit(t *testing.T) {
	db := sqltest.Open(t, sqlstore.WithNow(clock.NewManual(now).Now))
	ctx := t.Context()
	f := newFixture(t, db)
	f.seed(t)
	var buf bytes.Buffer
	n, err := f.exp.Audit(ctx, &buf, sheet.CSV, domain.English, exporter.AuditFilter{})
	if err != nil || n != 7 { // six imported mandates and the file
		t.Fatalf("%d rows, %v", n, err)
	}
	got := buf.String()
	for _, want := range []string{"Time;Actor;Action;Request;Mandate;Before;After;Teams activity", "2026-12-03T10:00:00+02:00;system;mandate.imported;;1;null;",
		"import.file", `""sha256"":""`} {
		if !strings.Contains(got, want) {
			t.Errorf("the audit export lacks %q:\n%s", want, got)
		}
	}
	if n, err := f.exp.Audit(ctx, &bytes.Buffer{}, sheet.XLSX, domain.Finnish, exporter.AuditFilter{Person: "ville@porvoo.example"}); err != nil || n != 1 {
		t.Errorf("by person: %d, %v", n, err)
	}
}

// BenchmarkExport100k exports a register of 100,000 mandates; peak-heap-MB is the largest live heap seen while it
// ran, which stays flat however many rows there are (streaming). The PostgreSQL run needs VALTUUS_TEST_POSTGRES_DSN.
//
//	go test ./internal/exporter -run '^$' -bench Export100k -benchtime 3x
func BenchmarkExport100k(b *testing.B) {
	for _, dialect := range []string{sqlstore.DialectSQLite, sqlstore.DialectPostgres} {
		b.Run(dialect, func(b *testing.B) {
			if dialect == sqlstore.DialectPostgres && os.Getenv(sqltest.EnvPostgresDSN) == "" {
				b.Skip("no PostgreSQL")
			}
			dsn := sqltest.SQLiteDSN(b)
			if dialect == sqlstore.DialectPostgres {
				dsn = sqltest.PostgresDSN(b)
			}
			db := sqltest.OpenDSN(b, dsn, sqlstore.WithNow(clock.NewManual(now).Now))
			f := newFixture(b, db)
			seed100k(b, db)
			for _, format := range []sheet.Format{sheet.CSV, sheet.XLSX} {
				b.Run(string(format), func(b *testing.B) {
					var size int64
					peak := watchHeap()
					for b.Loop() {
						w := &countingWriter{}
						n, err := f.exp.Mandates(b.Context(), w, format, domain.Finnish, exporter.Filter{})
						if err != nil || n != 100000 {
							b.Fatalf("%d, %v", n, err)
						}
						size = w.n
					}
					b.ReportMetric(float64(peak()>>20), "peak-heap-MB")
					b.ReportMetric(float64(size>>20), "file-MB")
				})
			}
		})
	}
}

// The export's column names and values are the glossary's terms (internal/i18n/glossary.json) in each language:
// none of the variants it forbids, and an invalidated mandate is "mitätöity", "annullerad" or "invalidated".
func TestExportUsesTheGlossary(t *testing.T) {
	raw, err := os.ReadFile("../i18n/glossary.json")
	if err != nil {
		t.Fatal(err)
	}
	var g struct {
		Concepts []map[string]json.RawMessage `json:"concepts"`
	}
	if err := json.Unmarshal(raw, &g); err != nil || len(g.Concepts) == 0 {
		t.Fatalf("glossary: %v", err)
	}
	db := sqltest.Open(t, sqlstore.WithNow(clock.NewManual(now).Now))
	f := newFixture(t, db)
	f.seed(t)
	invalidated := map[domain.Lang]string{domain.Finnish: "mitätöity", domain.Swedish: "annullerad", domain.English: "invalidated"}
	for _, lang := range domain.Langs {
		var buf bytes.Buffer
		if _, err := f.exp.Mandates(t.Context(), &buf, sheet.CSV, lang, exporter.Filter{State: "revoked"}); err != nil {
			t.Fatal(err)
		}
		// The header and the words the export writes (the state; no theme, person or note is the export's own).
		r := csv.NewReader(strings.NewReader(strings.TrimPrefix(buf.String(), "\xEF\xBB\xBF")))
		r.Comma = ';'
		recs, err := r.ReadAll()
		if err != nil || len(recs) != 2 {
			t.Fatalf("%s: %d records, %v", lang, len(recs), err)
		}
		own := strings.ToLower(strings.Join(recs[0], " ") + " " + recs[1][9])
		if recs[1][9] != invalidated[lang] || !strings.HasPrefix(strings.ToLower(recs[0][8]), invalidated[lang]) {
			t.Errorf("%s: invalidated written as column %q, state %q", lang, recs[0][8], recs[1][9])
		}
		for _, c := range g.Concepts {
			var e struct {
				Forbidden []string `json:"forbidden"`
			}
			_ = json.Unmarshal(c[string(lang)], &e)
			for _, bad := range e.Forbidden {
				if strings.Contains(own, strings.ToLower(bad)) {
					t.Errorf("%s: the export writes %q, which the glossary forbids: %q", lang, bad, own)
				}
			}
		}
	}
}
