package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/valtuusbotti/valtuusbotti/internal/app"
	"github.com/valtuusbotti/valtuusbotti/internal/config"
	"github.com/valtuusbotti/valtuusbotti/internal/domain"
	"github.com/valtuusbotti/valtuusbotti/internal/testfakes/clock"
)

// `valtuusbotti import` and `export` on a SQLite register: a list with a failed row writes nothing and says so, a
// clean list goes in once, and the register exported as CSV or XLSX imports back without a change.
func TestImportAndExportCommands(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	dbPath := filepath.Join(dir, "register.db")
	t.Setenv("VALTUUS_DATABASE_URL", "sqlite:"+dbPath)
	cfg, err := config.FromEnv(nil)
	if err != nil {
		t.Fatal(err)
	}
	opt := app.Options{Now: clock.NewManual(time.Date(2026, 12, 3, 8, 0, 0, 0, time.UTC)).Now}
	file := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	header := "Nimi;Sähköposti;Valtuusasia;Myönnetty;Voimassa asti\r\n"
	good := "Elina Lindholm;elina.lindholm@porvoo.example;Veroasiat;1.1.2026;31.12.2027\r\n" +
		"Sami Virtanen;sami.virtanen@porvoo.example;Kelmu;1.2.2026;toistaiseksi\r\n"
	bad := file("huono.csv", header+good+"Oskar Berg;oskar.berg@porvoo.example;Veroasiat 131052-308T;1.1.2026;31.12.2027\r\n")
	report := filepath.Join(dir, "raportti.csv")

	var out bytes.Buffer
	err = importFile(ctx, &out, cfg, opt, importArgs{file: bad, report: report})
	if err == nil || !strings.Contains(err.Error(), "nothing was imported: 1 row(s) failed") {
		t.Fatalf("a failed row: %v", err)
	}
	rep, _ := os.ReadFile(report)
	if !strings.Contains(string(rep), "sheet,row,outcome,reason,person,theme,valid_until\n") ||
		!strings.Contains(string(rep), "huono.csv,4,refused,") || !strings.Contains(out.String(), "nothing was written") {
		t.Errorf("report:\n%s\nsummary:\n%s", rep, out.String())
	}
	out.Reset()
	if err := importFile(ctx, &out, cfg, opt, importArgs{file: bad, dryRun: true}); err != nil ||
		!strings.Contains(out.String(), "dry run: nothing was written") || !strings.Contains(out.String(), "huono.csv,2,imported,") {
		t.Fatalf("dry run: %v\n%s", err, out.String())
	}
	for _, text := range []string{string(rep), out.String()} {
		if strings.Contains(text, "131052") {
			t.Errorf("the code is in the output:\n%s", text)
		}
	}

	// Columns the import does not know: no header row, and the run says so instead of "nothing to change".
	unknown := file("oma.csv", "Kuka;Oikeus;Loppuu\r\nelina.lindholm@porvoo.example;Veroasiat;31.12.2027\r\n")
	out.Reset()
	if err := importFile(ctx, &out, cfg, opt, importArgs{file: unknown}); err == nil ||
		!strings.Contains(err.Error(), "no header row found") || !strings.Contains(out.String(), "no header row found") ||
		strings.Contains(out.String(), "nothing to change") {
		t.Fatalf("no header: %v\n%s", err, out.String())
	}
	out.Reset()
	if err := importFile(ctx, &out, cfg, opt, importArgs{file: unknown, mapping: []string{"Kuka=email", "Oikeus=theme", "Loppuu=valid_until"},
		dryRun: true}); err != nil || !strings.Contains(out.String(), "oma.csv,2,imported,") {
		t.Fatalf("mapped: %v\n%s", err, out.String())
	}

	clean := file("puhdas.csv", "\xEF\xBB\xBF"+header+good)
	out.Reset()
	if err := importFile(ctx, &out, cfg, opt, importArgs{file: clean}); err != nil || !strings.Contains(out.String(), "imported 2,") {
		t.Fatalf("clean: %v\n%s", err, out.String())
	}
	out.Reset()
	if err := importFile(ctx, &out, cfg, opt, importArgs{file: clean}); err != nil || !strings.Contains(out.String(), "nothing to change") {
		t.Fatalf("again: %v\n%s", err, out.String())
	}

	for _, name := range []string{"vienti.csv", "vienti.xlsx"} {
		path := filepath.Join(dir, name)
		out.Reset()
		if err := exportTo(ctx, &out, &bytes.Buffer{}, cfg, opt, exportArgs{out: path, lang: "sv"}); err != nil ||
			out.String() != "2 mandates exported to "+path+"\n" {
			t.Fatalf("export %s: %v %q", name, err, out.String())
		}
		out.Reset()
		if err := importFile(ctx, &out, cfg, opt, importArgs{file: path}); err != nil ||
			!strings.Contains(out.String(), "imported 0, updated 0, duplicate 0, skipped 3, error 0, refused 0") ||
			!strings.Contains(out.String(), "nothing to change") {
			t.Fatalf("re-import %s: %v\n%s", name, err, out.String())
		}
	}
	out.Reset()
	var errOut bytes.Buffer
	if err := exportTo(ctx, &out, &errOut, cfg, opt, exportArgs{audit: true, from: "2026-12-03", until: "2026-12-03"}); err != nil ||
		strings.Count(out.String(), "mandate.imported") != 2 || strings.Count(out.String(), "import.file") != 1 ||
		errOut.String() != "3 audit rows exported\n" {
		t.Fatalf("audit export: %v %q\n%s", err, errOut.String(), out.String())
	}
	out.Reset()
	if err := exportTo(ctx, &out, &errOut, cfg, opt, exportArgs{audit: true, from: "2026-12-04"}); err != nil ||
		strings.Count(out.String(), "\n") != 1 {
		t.Fatalf("audit export from tomorrow: %v\n%s", err, out.String())
	}

	// No review campaign has run: the review export says so.
	if err := exportTo(ctx, &out, &errOut, cfg, opt, exportArgs{review: true}); !domain.IsCode(err, domain.ENotFound) {
		t.Errorf("review export without a campaign: %v", err)
	}

	for _, args := range [][]string{
		{"import"}, {"import", "a.csv", "b.csv"}, {"import", "-map", "nothing", clean},
		{"export", "-format", "pdf"}, {"export", "-format", "xlsx"}, {"export", "-ending-before", "31.12.2026"}, {"export", "-lang", "de"},
		{"export", "-audit", "-review"},
	} {
		if err := run(ctx, args, &out, &errOut); !errors.Is(err, errUsage) {
			t.Errorf("%q: %v, want a usage error", args, err)
		}
	}
	raw, err := os.ReadFile(dbPath)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(raw, []byte("131052")) {
		t.Error("the database file holds the code")
	}
}
