package importer

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/valtuusbotti/valtuusbotti/internal/hetu"
)

// Outcome is what became of one row of the list.
type Outcome string

// The outcomes, in the order a summary lists them.
const (
	Imported  Outcome = "imported"  // a new mandate in the register
	Updated   Outcome = "updated"   // a mandate in the register changed to what the row says
	Duplicate Outcome = "duplicate" // another row of the list says the same, or wins (the latest end date)
	Skipped   Outcome = "skipped"   // nothing to import (blank, a heading, the header), or already in the register
	Error     Outcome = "error"     // the row cannot be imported as it is: fix it and import again
	Refused   Outcome = "refused"   // the row holds a personal identity code: it is not read at all
)

// Outcomes lists every outcome in summary order.
var Outcomes = []Outcome{Imported, Updated, Duplicate, Skipped, Error, Refused}

// Line is one line of the report: one row of the list.
type Line struct {
	Sheet      string
	Row        int
	Outcome    Outcome
	Reason     string
	Person     string // the e-mail address, else the name
	Theme      string // the catalog's name of the theme, else what the row wrote
	ValidUntil string // YYYY-MM-DD, or "open-ended"
}

// ReportHeader is the report's first line.
var ReportHeader = []string{"sheet", "row", "outcome", "reason", "person", "theme", "valid_until"}

// WriteReport writes the report as CSV: the header, then one line per row of the list in the list's order. Every
// field passes hetu.Redact on the way out, whatever checked it before.
func (r *Result) WriteReport(w io.Writer) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(ReportHeader); err != nil {
		return err
	}
	for _, l := range r.Lines {
		rec := []string{l.Sheet, strconv.Itoa(l.Row), string(l.Outcome), l.Reason, l.Person, l.Theme, l.ValidUntil}
		for i := range rec {
			rec[i] = hetu.Redact(rec[i])
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// Summary describes the run in a few lines for the person who ran it.
func (r *Result) Summary() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s (SHA-256 %s): %d rows in %d sheet(s)", r.File, r.SHA256, len(r.Lines), r.Sheets)
	if len(r.Notes) > 0 {
		fmt.Fprintf(&b, "; %s", strings.Join(r.Notes, "; "))
	}
	b.WriteString("\n")
	var counts []string
	for _, o := range Outcomes {
		counts = append(counts, fmt.Sprintf("%s %d", o, r.Counts[o]))
	}
	fmt.Fprintf(&b, "  %s\n", strings.Join(counts, ", "))
	if r.Flagged > 0 {
		fmt.Fprintf(&b, "  %d row(s) to check: see the reason column of the report\n", r.Flagged)
	}
	if r.Headed == 0 {
		b.WriteString("  no header row found: no row names the theme and the person (e-mail address or name) in words the " +
			"import knows; name the columns (e.g. Nimi, Sähköposti, Valtuusasia, Voimassa asti) or map them with " +
			"-map \"Column=field\"\n")
	}
	switch {
	case r.DryRun:
		b.WriteString("  dry run: nothing was written\n")
	case r.Written:
		b.WriteString("  written to the register in one transaction, with the file's name and checksum in the audit trail\n")
	case r.Counts[Error]+r.Counts[Refused] > 0:
		fmt.Fprintf(&b, "  nothing was written: %d row(s) failed; fix them (or remove them) and import again\n",
			r.Counts[Error]+r.Counts[Refused])
	case r.Headed == 0:
		b.WriteString("  nothing was written\n")
	default:
		b.WriteString("  nothing to change: the register already says what the file says\n")
	}
	for _, u := range r.Unread {
		fmt.Fprintf(&b, "  column not read: %s (map it with -map \"name=field\" if it matters)\n", u)
	}
	return hetu.Redact(b.String())
}
