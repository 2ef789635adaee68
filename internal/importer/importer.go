// Package importer brings the mandates main users keep in their own spreadsheets into the register (issue 9): it
// reads a CSV or XLSX list as people really keep them, matches each row's theme to the catalog and its person to
// the directory, and writes the mandates in one transaction, or nothing, with a report line for every row.
//
// What it takes: column names in Finnish, Swedish or English (and a mapping for others), title rows above the
// header, several sheets, blank rows and section headings; dates as 31.12.2026, 1.3.27, ISO or Excel date cells,
// and "toistaiseksi", "tills vidare" or an empty cell for no end (an open-ended mandate, recorded with Suomi.fi's
// longest validity, see domain.Mandate.OpenEnded); themes by name in any language, in any case and spacing, by the
// catalog's synonyms, or with a typo that the report asks to check; people by e-mail address, by Entra object id, or
// by name when exactly one person has it. A sheet (or a section) of leavers is imported as invalidated mandates.
//
// What it refuses: a row with a personal identity code anywhere in it is not read (refused), and the code reaches no
// log, report, audit row or database field; anything it cannot be sure of is an error for that row, never a guess.
// A real run with any failed row writes nothing. Importing the same file again changes nothing: a mandate whose
// person, theme, dates and state are already in the register is skipped.
package importer

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"time"

	"github.com/valtuusbotti/valtuusbotti/internal/catalog"
	"github.com/valtuusbotti/valtuusbotti/internal/directory"
	"github.com/valtuusbotti/valtuusbotti/internal/domain"
	"github.com/valtuusbotti/valtuusbotti/internal/hetu"
	"github.com/valtuusbotti/valtuusbotti/internal/sheet"
)

// Store is the register as the import writes it (sqlstore.Register).
type Store interface {
	InTx(ctx context.Context, fn func(tx domain.Tx) error) error
}

// Tx is what the import needs of a transaction beyond domain.Tx; sqlstore.Tx has it.
type Tx interface {
	domain.Tx
	MandatesOf(ctx context.Context, holderID, mail, themeID string) ([]domain.Mandate, error)
	UpdateMandate(ctx context.Context, m *domain.Mandate) error
}

// People is the directory as the import asks it: by object id, by e-mail address and by name.
type People interface {
	domain.Directory
	directory.Finder
}

// Importer imports lists into the register. Its fields are required except Logger and Actor.
type Importer struct {
	Store   Store
	Catalog *catalog.Catalog
	People  People
	Now     func() time.Time
	Logger  *slog.Logger
	// Actor is who the audit trail names for the import: a main user's object id, or "system" (the default).
	Actor string
}

// Options are the choices of one run.
type Options struct {
	DryRun  bool    // read, match and report, and write nothing
	Sheet   string  // import only the sheet of this name (any case); "" for every sheet
	Mapping Mapping // column names the import does not know
}

// Result is what a run did, row by row.
type Result struct {
	File   string // the file's base name (any identity code in it redacted)
	SHA256 string // of the file's bytes
	Sheets int    // sheets read
	// Headed is how many of them have a header row: none means no row named the columns in words the import knows
	// (or the mapping gives), so every row was taken for a title and nothing could be read.
	Headed  int
	Lines   []Line
	Counts  map[Outcome]int
	Flagged int      // rows imported, updated or skipped with something to check (in their reason)
	Notes   []string // how the file was read
	Unread  []string // columns no field was read from
	// Mapping is the run's mapping as "column=field" pairs (Mapping.Pairs), for the audit trail; nil without one.
	Mapping []string
	DryRun  bool
	Written bool // the changes were committed (false in a dry run, on any failed row, or when nothing changed)
}

// errRollback ends the transaction of a dry run or of a run with failed rows: the work is done, nothing is kept.
var errRollback = errors.New("importer: roll back")

// Run imports the file name with the content data. A row that fails is an Error or Refused line of the result, not
// an error: Run fails only when the file cannot be read at all, the directory or the register cannot be reached,
// or opt names a sheet the file does not have.
func (imp *Importer) Run(ctx context.Context, name string, data []byte, opt Options) (*Result, error) {
	sum := sha256.Sum256(data)
	res := &Result{File: hetu.Redact(filepath.Base(name)), SHA256: hex.EncodeToString(sum[:]), DryRun: opt.DryRun,
		Counts: map[Outcome]int{}}
	if len(opt.Mapping) > 0 {
		res.Mapping = opt.Mapping.Pairs()
	}
	f, err := sheet.Read(data)
	if err != nil {
		return nil, domain.Errorf(domain.EInvalid, "%s: %s", res.File, hetu.Redact(err.Error()))
	}
	res.Notes = f.Notes
	rd := &reader{imp: imp, res: res, mapping: opt.Mapping, date1904: f.Date1904, today: domain.Today(imp.now())}
	sheets := f.Sheets
	if opt.Sheet != "" {
		sheets = nil
		var names []string
		for _, sh := range f.Sheets {
			names = append(names, hetu.Redact(sh.Name))
			if strings.EqualFold(strings.TrimSpace(sh.Name), strings.TrimSpace(opt.Sheet)) {
				sheets = append(sheets, sh)
			}
		}
		if len(sheets) == 0 {
			return nil, domain.Errorf(domain.EInvalid, "the file has no sheet %q: its sheets are %s",
				hetu.Redact(opt.Sheet), strings.Join(names, ", "))
		}
	}
	for _, sh := range sheets {
		if err := rd.readSheet(ctx, sh, f.Format == sheet.CSV); err != nil {
			return nil, err
		}
	}
	res.Sheets = len(sheets)
	rd.markDuplicates()
	if err := imp.apply(ctx, rd); err != nil {
		return nil, err
	}
	for _, l := range res.Lines {
		res.Counts[l.Outcome]++
	}
	imp.logger().InfoContext(ctx, "import", "file_sha256", res.SHA256, "rows", len(res.Lines), "dry_run", opt.DryRun,
		"written", res.Written, "imported", res.Counts[Imported], "updated", res.Counts[Updated],
		"duplicate", res.Counts[Duplicate], "skipped", res.Counts[Skipped], "error", res.Counts[Error],
		"refused", res.Counts[Refused])
	return res, nil
}

func (imp *Importer) now() time.Time {
	if imp.Now == nil {
		return time.Now()
	}
	return imp.Now()
}

func (imp *Importer) logger() *slog.Logger {
	if imp.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return imp.Logger
}

func (imp *Importer) actor() string {
	if imp.Actor == "" {
		return "system"
	}
	return imp.Actor
}

// entry is a data row read and matched: the mandate it asks for, and what is uncertain about it.
type entry struct {
	line      int // index of its Line in the result
	sheet     string
	row       int
	m         domain.Mandate // the mandate the row describes (no id)
	fromKnown bool           // the row gave a start date; else ValidFrom is a stand-in and is not compared
	key       string         // holder and theme: one mandate per key
	checks    []string       // what a person should check, for the reason column
	closed    bool           // the directory says the person's account is closed or they have left
}

func (e *entry) describeUntil() string {
	if e.m.OpenEnded {
		return "open-ended"
	}
	return domain.DateOf(e.m.ValidUntil).String()
}

// reader reads the rows of a file into report lines and entries.
type reader struct {
	imp      *Importer
	res      *Result
	mapping  Mapping
	date1904 bool
	today    domain.Date
	entries  []*entry
}

func (rd *reader) line(l Line) int {
	rd.res.Lines = append(rd.res.Lines, l)
	return len(rd.res.Lines) - 1
}

// readSheet reads one sheet: rows above the header are titles, then header, headings and data rows.
func (rd *reader) readSheet(ctx context.Context, sh sheet.Sheet, isCSV bool) error {
	sheetName := hetu.Redact(sh.Name)
	if isCSV {
		sheetName = rd.res.File
	}
	leaverSheet := mentions(sh.Name, leaverWords)
	leavers := leaverSheet
	var cols *columns
	for _, row := range sh.Rows {
		l := Line{Sheet: sheetName, Row: row.Num}
		if at := codeAt(row.Cells); at >= 0 {
			where := columnLetter(at)
			if cols != nil {
				where = cols.columnName(at)
			}
			l.Outcome, l.Reason = Refused, "a henkilötunnus (personal identity code) in column "+hetu.Redact(where)+
				": the row was not read; remove the code from the list"
			rd.line(l)
			continue
		}
		filled := nonEmpty(row.Cells)
		switch {
		case filled == 0:
			l.Outcome, l.Reason = Skipped, "blank row"
		case cols == nil || filled > 1:
			if c, ok := header(row.Cells, rd.mapping); ok {
				if cols == nil {
					rd.noteColumns(sheetName, c)
					rd.res.Headed++
				}
				cols = &c
				l.Outcome, l.Reason = Skipped, "header row"
			} else if cols == nil {
				l.Outcome, l.Reason = Skipped, "above the header row (a title)"
			}
		default: // one cell: a section heading
			l.Outcome, l.Reason = Skipped, "section heading"
			text := strings.Join(row.Cells, " ")
			switch {
			case mentions(text, leaverWords):
				leavers, l.Reason = true, "section heading: leavers from here on"
			case mentions(text, activeWords):
				leavers = leaverSheet
			}
		}
		if l.Outcome != "" {
			rd.line(l)
			continue
		}
		if err := rd.readRow(ctx, l, *cols, row.Cells, leavers); err != nil {
			return err
		}
	}
	return nil
}

func (rd *reader) noteColumns(sheetName string, c columns) {
	for _, u := range c.unread {
		rd.res.Unread = append(rd.res.Unread, fmt.Sprintf("%q (%s)", hetu.Redact(u), sheetName))
	}
	for _, d := range c.doubled {
		rd.res.Unread = append(rd.res.Unread, fmt.Sprintf("%q (%s: an earlier column has the same field)", hetu.Redact(d), sheetName))
	}
}

// codeAt is the first column holding a personal identity code, or -1.
func codeAt(cells []string) int {
	for i, c := range cells {
		if hetu.Contains(c) {
			return i
		}
	}
	return -1
}

func nonEmpty(cells []string) int {
	n := 0
	for _, c := range cells {
		if strings.TrimSpace(c) != "" {
			n++
		}
	}
	return n
}
