// Package sheet reads and writes the spreadsheets main users keep, as rows of text cells: CSV and XLSX.
//
// Reading takes files as people save them: CSV in UTF-8 with or without a byte order mark (or, when the bytes are
// not UTF-8, Windows-1252, what Excel on Windows writes as "CSV"), with ';', ',' or tab between fields and CRLF or LF
// line ends; XLSX with several sheets, each read as its rows are numbered in Excel, empty rows included. Cells come
// as text: an XLSX number is its raw value, so a real date cell is its serial number (the reader of a date column
// decides, see ExcelDate), and formulas give their last computed value.
//
// Writing streams: NewCSV and NewXLSX write one row at a time, the XLSX through excelize's StreamWriter, so a writer
// never holds more than the row it is given (excelize spills large sheets to a temporary file).
package sheet

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/charmap"
)

// Format is a file format.
type Format string

// The formats Read and the writers know.
const (
	CSV  Format = "csv"
	XLSX Format = "xlsx"
)

// File is a spreadsheet read into memory.
type File struct {
	Format Format
	Sheets []Sheet // in workbook order; a CSV file is one sheet without a name
	// Notes say how the file was read, for the person importing it: the CSV encoding and delimiter.
	Notes []string
	// Date1904 is the workbook's date system: serials count from 1904 (old Mac Excel) instead of 1900.
	Date1904 bool
}

// Sheet is one sheet of a workbook.
type Sheet struct {
	Name string
	Rows []Row
}

// Row is one row: its number as the file numbers it (the row in Excel; in a CSV file the physical line the record
// starts on, counting from 1 with the byte order mark) and its cells from the first column on. Lines of a CSV file
// that hold nothing at all are not rows.
type Row struct {
	Num   int
	Cells []string
}

// MaxSize is the largest file Read accepts: the lists main users keep are small, and this bounds what one import
// can make the process hold.
const MaxSize = 32 << 20

// Read reads a CSV or XLSX file; the format is taken from its content (an XLSX file is a zip archive), not its name.
// Errors name what is wrong in words a person can act on and never quote the file's content.
func Read(data []byte) (*File, error) {
	if len(data) > MaxSize {
		return nil, fmt.Errorf("the file is larger than %d MB", MaxSize>>20)
	}
	if bytes.HasPrefix(data, []byte("PK\x03\x04")) {
		return readXLSX(data)
	}
	if bytes.HasPrefix(data, []byte{0xD0, 0xCF, 0x11, 0xE0}) {
		return nil, errors.New("this is an old Excel file (.xls): save it as .xlsx or CSV and try again")
	}
	return readCSV(data)
}

func readXLSX(data []byte) (*File, error) {
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{UnzipSizeLimit: 4 * MaxSize})
	if err != nil {
		return nil, fmt.Errorf("cannot read the file as an Excel workbook (.xlsx): %w", err)
	}
	defer f.Close()
	out := &File{Format: XLSX}
	if props, err := f.GetWorkbookProps(); err == nil && props.Date1904 != nil {
		out.Date1904 = *props.Date1904
	}
	for _, name := range f.GetSheetList() {
		rows, err := f.GetRows(name, excelize.Options{RawCellValue: true})
		if err != nil {
			return nil, fmt.Errorf("cannot read sheet %q: %w", name, err)
		}
		sh := Sheet{Name: name}
		for i, cells := range rows {
			if len(cells) > 0 {
				sh.Rows = append(sh.Rows, Row{Num: i + 1, Cells: cells})
			}
		}
		out.Sheets = append(out.Sheets, sh)
	}
	return out, nil
}

func readCSV(data []byte) (*File, error) {
	out := &File{Format: CSV}
	text := data
	switch {
	case bytes.HasPrefix(text, []byte("\xEF\xBB\xBF")):
		text = text[3:]
		out.Notes = append(out.Notes, "UTF-8 with a byte order mark")
	case utf8.Valid(text):
		out.Notes = append(out.Notes, "UTF-8")
	default:
		dec, err := charmap.Windows1252.NewDecoder().Bytes(text)
		if err != nil {
			return nil, errors.New("the file is neither UTF-8 nor Windows-1252 text: save it as CSV UTF-8")
		}
		text = dec
		out.Notes = append(out.Notes, "not UTF-8: read as Windows-1252")
	}
	if bytes.IndexByte(text, 0) >= 0 {
		return nil, errors.New("the file is not text: save it as .xlsx or CSV")
	}
	comma := delimiter(text)
	out.Notes = append(out.Notes, fmt.Sprintf("fields separated by %q", comma))
	r := csv.NewReader(bytes.NewReader(text))
	r.Comma, r.FieldsPerRecord, r.LazyQuotes = comma, -1, true
	sh := Sheet{}
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return nil, fmt.Errorf("line %d of the CSV file cannot be read: %v", pe.StartLine, pe.Err)
			}
			return nil, err
		}
		line, _ := r.FieldPos(0)
		for i, c := range rec {
			rec[i] = unescapeFormula(c)
		}
		sh.Rows = append(sh.Rows, Row{Num: line, Cells: rec})
	}
	out.Sheets = []Sheet{sh}
	return out, nil
}

// delimiter guesses the field separator from the first lines: the one of ';', ',' and tab found most often outside
// quotes; ';' (what Excel writes where the decimal separator is a comma, as in Finland) on a tie.
func delimiter(text []byte) rune {
	counts := map[rune]int{}
	quoted, lines := false, 0
	for _, r := range string(text) {
		switch {
		case r == '"':
			quoted = !quoted
		case r == '\n' && !quoted:
			lines++
		case !quoted && (r == ';' || r == ',' || r == '\t'):
			counts[r]++
		}
		if lines >= 50 {
			break
		}
	}
	best := ';'
	for _, r := range []rune{',', '\t'} {
		if counts[r] > counts[best] {
			best = r
		}
	}
	return best
}

// formulaStart are the characters that make a spreadsheet program read a CSV cell as a formula.
const formulaStart = "=+-@\t\r"

// escapeFormula keeps text from being run as a formula when a CSV file is opened in a spreadsheet program (CSV
// injection): a cell starting with = + - @ gets a leading apostrophe, which unescapeFormula removes again.
func escapeFormula(s string) string {
	if s != "" && strings.ContainsRune(formulaStart, rune(s[0])) {
		return "'" + s
	}
	return s
}

func unescapeFormula(s string) string {
	if len(s) >= 2 && s[0] == '\'' && strings.ContainsRune(formulaStart, rune(s[1])) {
		return s[1:]
	}
	return s
}

// ExcelDate converts an Excel date serial (the raw value of a date cell) to the civil date it shows, in the given
// date system; ok is false for anything that is not a number of days between 1.1.1990 and 31.12.2199 (a number
// outside them is not a mandate's date, and an error is better than a guess). A time of day is dropped.
func ExcelDate(raw string, date1904 bool) (day time.Time, ok bool) {
	raw = strings.TrimSpace(raw)
	whole, frac, dot := strings.Cut(raw, ".")
	if whole == "" || (dot && frac == "") || len(whole) > 6 || strings.Trim(whole, "0123456789") != "" || strings.Trim(frac, "0123456789") != "" {
		return time.Time{}, false
	}
	days, err := strconv.Atoi(whole)
	if err != nil {
		return time.Time{}, false
	}
	epoch := time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC) // serial 60 is Lotus's 29.2.1900; real dates are later
	if date1904 {
		epoch = time.Date(1904, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	day = epoch.AddDate(0, 0, days)
	if day.Year() < 1990 || day.Year() > 2199 {
		return time.Time{}, false
	}
	return day, true
}
