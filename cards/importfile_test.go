package cards

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/valtuusbotti/valtuusbotti/internal/domain"
	"github.com/valtuusbotti/valtuusbotti/internal/i18n"
)

func init() { goldenSets = append(goldenSets, importFileGolden) }

const listSHA = "3f2a9c0d7be14e5a8c1d2e3f4a5b6c7d8e9f00112233445566778899aabbccdd"

// cleanDryRun is a main user's list of 40 rows that can be imported: two rows to check.
func cleanDryRun() ImportSummary {
	return ImportSummary{File: "Valtuudet 2026 (Talous).xlsx", SHA256: listSHA, Rows: 40,
		Counts:  map[string]int{"imported": 31, "updated": 2, "duplicate": 1, "skipped": 6},
		Flagged: 2,
		Issues: []ImportIssue{
			{Sheet: "Voimassa", Row: 7, Outcome: "imported", Reason: `theme "Tulorekisteri / palkkatieto" matched by similarity: check`},
			{Sheet: "Poistuneet", Row: 3, Outcome: "imported", Reason: "still valid in Suomi.fi: invalidate"},
		}}
}

// failingDryRun has an error and a refused row: no Import button.
func failingDryRun() ImportSummary {
	return ImportSummary{File: "lista.csv", SHA256: listSHA, Rows: 12,
		Counts: map[string]int{"imported": 8, "skipped": 2, "error": 1, "refused": 1},
		Unread: []string{`"Puhelin" (lista.csv)`},
		Issues: []ImportIssue{
			{Sheet: "lista.csv", Row: 5, Outcome: "error", Reason: `valid until "31.13.2026": not a date`},
			{Sheet: "lista.csv", Row: 9, Outcome: "refused", Reason: "a henkilötunnus (personal identity code) in column Huom: the row was not read; remove the code from the list"},
		}}
}

// noHeaderDryRun is a list whose columns the import does not know: every row was taken for a title.
func noHeaderDryRun() ImportSummary {
	return ImportSummary{File: "oma lista.csv", SHA256: listSHA, Rows: 3, Counts: map[string]int{"skipped": 3}, NoHeader: true}
}

// mappingDryRun is a list with a column the import does not know, offered for mapping: one column mapped already.
func mappingDryRun() ImportSummary {
	s := noHeaderDryRun()
	s.Columns = []ImportColumn{{Name: "Valtuutettu henkilö"}, {Name: "Loppuu", Field: "valid_until"}}
	s.Fields = []string{"email", "ignore", "name", "theme", "valid_until"}
	s.Mapping = []string{"loppuu=valid_until"}
	return s
}

func importFileGolden() map[string]func(p i18n.Printer) *Card {
	done := cleanDryRun()
	done.Written = true
	return map[string]func(p i18n.Printer) *Card{
		"importfile-dryrun":          func(p i18n.Printer) *Card { return ImportDryRun(p, cleanDryRun()) },
		"importfile-dryrun-failing":  func(p i18n.Printer) *Card { return ImportDryRun(p, failingDryRun()) },
		"importfile-dryrun-noheader": func(p i18n.Printer) *Card { return ImportDryRun(p, noHeaderDryRun()) },
		"importfile-dryrun-mapping":  func(p i18n.Printer) *Card { return ImportDryRun(p, mappingDryRun()) },
		"importfile-done":            func(p i18n.Printer) *Card { return ImportDone(p, done) },
		"importfile-cancelled":       func(p i18n.Printer) *Card { return ImportCancelled(p, "lista.csv") },
	}
}

// The Import button is offered only when the real run would write: no failed row and something to change; it
// carries the file's checksum and nothing else.
func TestImportButtonOnlyWhenTheImportCanRun(t *testing.T) {
	p := bundle.Printer(domain.Finnish)
	nothing := cleanDryRun()
	nothing.Counts = map[string]int{"skipped": 40}
	for name, tc := range map[string]struct {
		s    ImportSummary
		want bool
	}{"clean": {cleanDryRun(), true}, "failing": {failingDryRun(), false}, "nothing to change": {nothing, false},
		"no header": {noHeaderDryRun(), false}} {
		c := ImportDryRun(p, tc.s)
		var verbs []string
		for _, a := range c.Actions {
			verbs = append(verbs, a.Verb)
			if d, ok := a.Data.(ImportFileData); !ok || d.SHA256 != listSHA {
				t.Errorf("%s: action data %#v", name, a.Data)
			}
		}
		if got := len(verbs) == 2 && verbs[0] == VerbImportFileRun && verbs[1] == VerbImportFileCancel; got != tc.want {
			t.Errorf("%s: actions %v, want Import/Cancel %v", name, verbs, tc.want)
		}
	}
}

func TestFileConsentAndInfoAttachments(t *testing.T) {
	a := FileConsent("text", "valtuusluettelo.xlsx", "desc", 1234, "abc")
	raw, _ := json.Marshal(a.Attachments)
	want := `[{"contentType":"application/vnd.microsoft.teams.card.file.consent","content":{"description":"desc","sizeInBytes":1234,` +
		`"acceptContext":{"file":"abc"},"declineContext":{"file":"abc"}},"name":"valtuusluettelo.xlsx"}]`
	if string(raw) != want {
		t.Errorf("consent card\n got %s\nwant %s", raw, want)
	}
	i := FileInfo("here", "valtuusluettelo.xlsx", "https://x.sharepoint.com/f", "ID-1", "xlsx")
	raw, _ = json.Marshal(i.Attachments)
	if s := string(raw); !strings.Contains(s, `"contentType":"application/vnd.microsoft.teams.card.file.info"`) ||
		!strings.Contains(s, `"contentUrl":"https://x.sharepoint.com/f"`) || !strings.Contains(s, `"content":{"uniqueId":"ID-1","fileType":"xlsx"}`) {
		t.Errorf("file info card %s", s)
	}
}

func init() { evilSets = append(evilSets, importFileEvil) }

// A file name, a sheet name and a column name come from the main user's file: they show literally.
func importFileEvil() map[string]evilCard {
	s := failingDryRun()
	s.File = evil("file")
	s.Unread = []string{evil("column")}
	s.Issues[0].Sheet = evil("sheet")
	s.Issues[0].Reason = evil("reason")
	return map[string]evilCard{
		"importfile-dryrun": {"ImportDryRun", []string{"file", "column", "sheet", "reason"}, func(p i18n.Printer) *Card { return ImportDryRun(p, s) }},
		"importfile-dryrun-mapping": {"ImportDryRun", []string{"column"}, func(p i18n.Printer) *Card {
			m := mappingDryRun()
			m.Columns[0].Name = evil("column")
			return ImportDryRun(p, m)
		}},
		"importfile-done":      {"ImportDone", []string{"file", "column", "sheet", "reason"}, func(p i18n.Printer) *Card { return ImportDone(p, s) }},
		"importfile-cancelled": {"ImportCancelled", []string{"file"}, func(p i18n.Printer) *Card { return ImportCancelled(p, evil("file")) }},
	}
}

// A list with no header row says so, and not that the register already has what the file has.
func TestImportDryRunWithoutHeader(t *testing.T) {
	eachLang(t, func(t *testing.T, p i18n.Printer) {
		raw, _ := json.Marshal(ImportDryRun(p, noHeaderDryRun()))
		if got := string(raw); !strings.Contains(got, jsonText(p.Get("importfile.no_header"))) || strings.Contains(got, jsonText(p.Get("importfile.nothing"))) {
			t.Errorf("card: %s", got)
		}
	})
}

// jsonText is s as it appears inside a JSON string.
func jsonText(s string) string {
	raw, _ := json.Marshal(s)
	return strings.Trim(string(raw), `"`)
}
