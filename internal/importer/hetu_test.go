package importer_test

import (
	"bytes"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/valtuusbotti/valtuusbotti/internal/importer"
	"github.com/valtuusbotti/valtuusbotti/internal/sqlstore"
	"github.com/valtuusbotti/valtuusbotti/internal/sqlstore/sqltest"
	"github.com/valtuusbotti/valtuusbotti/internal/testfakes/clock"
)

// codeTraces are what must be found nowhere: the digits and the check part of 131052-308T in any width.
var codeTraces = []string{"131052", "１３１０５２", "308T", "308t", "３０８Ｔ"}

// A personal identity code anywhere in a list (any cell, any form, the sheet's name, the file's name) refuses its
// row, and afterwards no byte of the database, no log line, no report and no summary holds it.
func TestIdentityCodeFoundNowhere(t *testing.T) {
	dsn := sqltest.SQLiteDSN(t)
	dbPath := strings.TrimPrefix(dsn, "sqlite:")
	db := sqltest.OpenDSN(t, dsn, sqlstore.WithNow(clock.NewManual(now).Now))
	var logs bytes.Buffer
	imp := newImporter(t, db, func(imp *importer.Importer) {
		imp.Logger = slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	})
	ctx := t.Context()

	// Something real in the register first, so that the database checked is not empty.
	good := csvFile("Nimi;Sähköposti;Valtuusasia;Myönnetty;Voimassa asti",
		"Elina Lindholm;elina.lindholm@porvoo.example;Veroasiat;1.1.2026;31.12.2027")
	if res, err := imp.Run(ctx, "hyvä.csv", good, importer.Options{}); err != nil || !res.Written {
		t.Fatalf("%v %+v", err, res)
	}

	forms := []string{"131052-308T", "131052–308T", "131052\u2011308T", "１３１０５２－３０８Ｔ", "1310\u200b52-308T", "131052-308t", "131052Y308T"}
	var outputs bytes.Buffer
	run := func(name string, data []byte, opt importer.Options) *importer.Result {
		t.Helper()
		res, err := imp.Run(ctx, name, data, opt)
		if err != nil {
			outputs.WriteString(err.Error())
			t.Fatalf("%s: %v", name, err)
		}
		outputs.WriteString(res.Summary())
		outputs.WriteString(report(t, res))
		return res
	}
	for i, code := range forms {
		cells := []string{"Sami Virtanen", "sami.virtanen@porvoo.example", "Veroasiat", "1.1.2026", "31.12.2027", "x"}
		cells[i%len(cells)] = strings.Replace(cells[i%len(cells)], cells[i%len(cells)], cells[i%len(cells)]+" "+code, 1)
		data := csvFile("Nimi;Sähköposti;Valtuusasia;Myönnetty;Voimassa asti;Huom", strings.Join(cells, ";"))
		for _, dry := range []bool{true, false} {
			res := run("lista "+code+".csv", data, importer.Options{DryRun: dry})
			if res.Counts[importer.Refused] != 1 || res.Written {
				t.Errorf("%q in column %d: %v written %v", code, i%len(cells), res.Counts, res.Written)
			}
		}
	}
	x := excelize.NewFile()
	_ = x.SetSheetName("Sheet1", "Hetu 131052-308T")
	_ = x.SetSheetRow("Hetu 131052-308T", "A1", &[]any{"Nimi", "Sähköposti", "Valtuusasia", "Voimassa asti"})
	_ = x.SetSheetRow("Hetu 131052-308T", "A2", &[]any{"Sami Virtanen", "sami.virtanen@porvoo.example", "Veroasiat 131052-308T", "31.12.2027"})
	_ = x.SetSheetRow("Hetu 131052-308T", "A3", &[]any{"Sami Virtanen", "sami.virtanen@porvoo.example", "Kelmu", "31.12.2027"})
	var buf bytes.Buffer
	if err := x.Write(&buf); err != nil {
		t.Fatal(err)
	}
	res := run("131052-308T.xlsx", buf.Bytes(), importer.Options{})
	if res.Counts[importer.Refused] != 1 || res.Counts[importer.Imported] != 1 || res.Written {
		t.Errorf("xlsx: %v", res.Counts)
	}
	if _, err := imp.Run(ctx, "x.xlsx", buf.Bytes(), importer.Options{Sheet: "Muu 131052-308T"}); err == nil {
		t.Error("an unknown sheet was accepted")
	} else {
		outputs.WriteString(err.Error())
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(dbPath)
	if err != nil || len(raw) == 0 {
		t.Fatalf("database file: %v", err)
	}
	checkNoTrace(t, filepath.Base(dbPath), string(raw))
	if wal, err := os.ReadFile(dbPath + "-wal"); err == nil {
		checkNoTrace(t, "WAL", string(wal))
	}
	if logs.Len() == 0 {
		t.Fatal("nothing was logged: the log check checks nothing")
	}
	checkNoTrace(t, "log", logs.String())
	checkNoTrace(t, "reports and summaries", outputs.String())
	if !strings.Contains(outputs.String(), "henkilötunnus") || !strings.Contains(outputs.String(), "Hetu ***,2,refused") {
		t.Errorf("the refusals were not reported as expected:\n%s", outputs.String())
	}
}

func checkNoTrace(t *testing.T, where, text string) {
	t.Helper()
	for _, tr := range codeTraces {
		if i := strings.Index(text, tr); i >= 0 {
			lo, hi := max(0, i-60), min(len(text), i+60)
			t.Errorf("%s holds %q: …%q…", where, tr, text[lo:hi])
		}
	}
}
