package cards

import (
	"strconv"

	"github.com/valtuusbotti/valtuusbotti/internal/i18n"
)

// The verbs of an import from a file a main user sent in the 1:1 chat (issue 9.1). Both carry ImportFileData.
const (
	VerbImportFileRun    = "importFileRun"    // import the file the dry run was made of
	VerbImportFileCancel = "importFileCancel" // forget the file
	// VerbImportFileMap makes the dry run of the same file again with the columns mapped as the card's
	// ImportMapInputPrefix inputs say.
	VerbImportFileMap = "importFileMap"
)

// ImportMapInputPrefix + i is the Input.ChoiceSet of the i-th column the dry run offers to map
// (ImportSummary.Columns): its value is a field of the importer, "ignore", or empty for none.
const ImportMapInputPrefix = "map_"

// ImportFileData names the file of a dry run by the SHA-256 of its bytes: the bot imports only the very bytes the
// dry run read, and refuses a checksum it does not hold for the person tapping.
type ImportFileData struct {
	SHA256 string `json:"sha256"`
	// Mapping is the mapping the dry run used, as "column=field" pairs (on Import only): the bot imports only when
	// it is the mapping it holds for the file.
	Mapping []string `json:"mapping,omitempty"`
}

// ImportColumn is a column of the file no known name gives a field, and the field the mapping gives it, if any.
type ImportColumn struct {
	Name  string
	Field string `json:",omitempty"`
}

// ImportIssueRows is how many failed or flagged rows the dry run card names; the report file has them all.
const ImportIssueRows = 5

// ImportIssue is one row of the file the main user should look at.
type ImportIssue struct {
	Sheet   string
	Row     int
	Outcome string // "error", "refused" or a flagged outcome
	Reason  string // the importer's reason (English, from the report)
}

// ImportSummary is what a run of the importer did, as the cards show it. Counts are by outcome: imported, updated,
// duplicate, skipped, error, refused.
type ImportSummary struct {
	File    string // the file's name, any identity code redacted
	SHA256  string
	Rows    int
	Counts  map[string]int
	Flagged int           // rows to check (matched by similarity, leavers still valid in Suomi.fi...)
	Issues  []ImportIssue // the first failed rows, else the first flagged ones
	Unread  []string      // columns nothing was read from
	Written bool          // the real run committed its changes
	// NoHeader says that no row of the file named its columns, so nothing in it could be read.
	NoHeader bool `json:",omitempty"`
	// Columns are the file's columns that a mapping may give a field, and Fields the fields it may give (with
	// "ignore"); Mapping is the mapping of the run, as "column=field" pairs.
	Columns []ImportColumn `json:",omitempty"`
	Fields  []string       `json:",omitempty"`
	Mapping []string       `json:",omitempty"`
}

// importOutcomes is the order the cards list outcomes in, as the report does.
var importOutcomes = []string{"imported", "updated", "duplicate", "skipped", "error", "refused"}

// Failed is the number of rows that stop a real run.
func (s ImportSummary) Failed() int { return s.Counts["error"] + s.Counts["refused"] }

// Changes is the number of rows a real run writes.
func (s ImportSummary) Changes() int { return s.Counts["imported"] + s.Counts["updated"] }

// ImportDryRun is the answer to a file a main user sent: what an import would do, row counts by outcome and the
// first rows to look at, and Import / Cancel when the import can run (no failed row, something to change). The
// report file comes as a separate file card.
func ImportDryRun(p i18n.Printer, s ImportSummary) *Card {
	c := New(string(p.Lang))
	c.FallbackText = p.Format("importfile.dryrun.title", "file", s.File)
	c.Body = []Element{Heading(p.Format("importfile.dryrun.title", "file", escapeMarkdown(s.File))),
		subtle(p.Format("importfile.checksum", "sha256", s.SHA256))}
	c.Body = append(c.Body, importCounts(p, s)...)
	switch {
	case s.NoHeader:
		c.Body = append(c.Body, Container{Type: "Container", Style: "attention", Items: []Element{
			Text(p.Get("importfile.no_header")),
		}})
	case s.Failed() > 0:
		c.Body = append(c.Body, Container{Type: "Container", Style: "attention", Items: []Element{
			TextBlock{Type: "TextBlock", Text: plural(p, "importfile.failed", s.Failed()), Weight: "Bolder", Wrap: true},
			Text(p.Get("importfile.failed.fix")),
		}})
	case s.Changes() == 0:
		c.Body = append(c.Body, Container{Type: "Container", Style: "good", Items: []Element{
			Text(p.Get("importfile.nothing")),
		}})
	default:
		c.Body = append(c.Body, Text(plural(p, "importfile.ready", s.Changes())))
	}
	c.Body = append(c.Body, importIssues(p, s)...)
	c.Body = append(c.Body, importMapping(p, s)...)
	c.Body = append(c.Body, subtle(p.Get("importfile.report_hint")))
	d := ImportFileData{SHA256: s.SHA256}
	if s.Failed() == 0 && s.Changes() > 0 {
		run := Execute(p.Get("importfile.run"), VerbImportFileRun, ImportFileData{SHA256: s.SHA256, Mapping: s.Mapping})
		run.Style = "positive"
		c.Actions = []Action{run}
	}
	if len(s.Columns) > 0 {
		c.Actions = append(c.Actions, Execute(p.Get("importfile.map.try"), VerbImportFileMap, d))
	}
	if len(c.Actions) > 0 {
		c.Actions = append(c.Actions, Execute(p.Get("importfile.cancel"), VerbImportFileCancel, d))
	}
	return c
}

// importMapping is the mapping of the columns the import does not know: a choice of field for each.
func importMapping(p i18n.Printer, s ImportSummary) []Element {
	if len(s.Columns) == 0 {
		return nil
	}
	choices := make([]Choice, 0, len(s.Fields))
	for _, f := range s.Fields {
		choices = append(choices, Choice{Title: p.Get("importfile.field." + f), Value: f})
	}
	out := []Element{sectionHeading(p.Get("importfile.map.title")), Text(p.Get("importfile.map.help"))}
	for i, col := range s.Columns {
		// The column's name comes from the file: it shows escaped in a text block, not as the input's label.
		out = append(out, TextBlock{Type: "TextBlock", Text: escapeMarkdown(col.Name), Weight: "Bolder", Wrap: true},
			Input{Type: "Input.ChoiceSet", ID: ImportMapInputPrefix + strconv.Itoa(i), Style: "compact",
				Label: p.Get("importfile.map.choose"), Value: col.Field, Choices: choices})
	}
	return out
}

// ImportDone is the card after the real run: written, or why nothing was.
func ImportDone(p i18n.Printer, s ImportSummary) *Card {
	c := New(string(p.Lang))
	c.FallbackText = p.Format("importfile.done.title", "file", s.File)
	c.Body = []Element{Heading(p.Format("importfile.done.title", "file", escapeMarkdown(s.File))),
		subtle(p.Format("importfile.checksum", "sha256", s.SHA256))}
	c.Body = append(c.Body, importCounts(p, s)...)
	switch {
	case s.Written:
		c.Body = append(c.Body, Container{Type: "Container", Style: "good", Items: []Element{
			Text(plural(p, "importfile.written", s.Changes())),
		}})
	case s.Failed() > 0:
		c.Body = append(c.Body, Container{Type: "Container", Style: "attention", Items: []Element{
			Text(plural(p, "importfile.not_written", s.Failed())),
		}})
	default:
		c.Body = append(c.Body, Text(p.Get("importfile.nothing")))
	}
	c.Body = append(c.Body, importIssues(p, s)...)
	return c
}

// ImportCancelled replaces the dry run card when the main user cancels.
func ImportCancelled(p i18n.Printer, file string) *Card {
	c := New(string(p.Lang))
	c.FallbackText = p.Format("importfile.cancelled", "file", file)
	c.Body = []Element{Text(p.Format("importfile.cancelled", "file", escapeMarkdown(file)))}
	return c
}

func importCounts(p i18n.Printer, s ImportSummary) []Element {
	facts := make([]Fact, 0, len(importOutcomes)+1)
	facts = append(facts, Fact{Title: p.Get("importfile.rows"), Value: strconv.Itoa(s.Rows)})
	for _, o := range importOutcomes {
		facts = append(facts, Fact{Title: p.Get("importfile.outcome." + o), Value: strconv.Itoa(s.Counts[o])})
	}
	out := []Element{FactSet{Type: "FactSet", Facts: facts}}
	if s.Flagged > 0 {
		out = append(out, Container{Type: "Container", Style: "warning", Items: []Element{
			Text(plural(p, "importfile.flagged", s.Flagged)),
		}})
	}
	if len(s.Unread) > 0 {
		out = append(out, subtle(p.Format("importfile.unread", "columns", escapeMarkdown(joinNames(s.Unread)))))
	}
	return out
}

func importIssues(p i18n.Printer, s ImportSummary) []Element {
	if len(s.Issues) == 0 {
		return nil
	}
	out := []Element{sectionHeading(p.Get("importfile.issues"))}
	facts := make([]Fact, 0, len(s.Issues))
	for _, is := range s.Issues {
		facts = append(facts, Fact{
			Title: p.Format("importfile.issue.where", "sheet", escapeMarkdown(is.Sheet), "row", strconv.Itoa(is.Row)),
			Value: p.Get("importfile.outcome."+is.Outcome) + ": " + escapeMarkdown(is.Reason)})
	}
	return append(out, FactSet{Type: "FactSet", Facts: facts})
}
