package sheet

import (
	"bytes"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/charmap"
)

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

type row struct {
	num   int
	cells string // joined by |
}

func rowsOf(sh Sheet) []row {
	var out []row
	for _, r := range sh.Rows {
		out = append(out, row{r.Num, strings.Join(r.Cells, "|")})
	}
	return out
}

// CSV as people save it: a byte order mark, ';' or ',' or tabs, CRLF, a quoted field over two lines (the next
// record's number is its physical line), blank lines (not rows), and Windows-1252 from an old Excel.
func TestReadCSV(t *testing.T) {
	for name, tt := range map[string]struct {
		data  string
		notes string
		want  []row
	}{
		"semicolons, BOM, CRLF": {
			"\xEF\xBB\xBFNimi;Sähköposti\r\n\r\nElina;\"elina@x.fi\"\r\n\"Sami\r\nVirtanen\";s@x.fi\r\nÅsa;a@x.fi\r\n",
			"UTF-8 with a byte order mark; fields separated by ';'",
			[]row{{1, "Nimi|Sähköposti"}, {3, "Elina|elina@x.fi"}, {4, "Sami\nVirtanen|s@x.fi"}, {6, "Åsa|a@x.fi"}},
		},
		"commas without BOM, LF, ragged rows": {
			"Name,E-mail,Theme\nElina,e@x.fi,\"Veroasiat, kaikki\"\nOtsikko\n",
			"UTF-8; fields separated by ','",
			[]row{{1, "Name|E-mail|Theme"}, {2, "Elina|e@x.fi|Veroasiat, kaikki"}, {3, "Otsikko"}},
		},
		"tabs": {"a\tb\n1\t2\n", "UTF-8; fields separated by '\\t'", []row{{1, "a|b"}, {2, "1|2"}}},
		"semicolons in a comma file's quotes": {
			"a,b\n\"x;y;z\",1\n", "UTF-8; fields separated by ','", []row{{1, "a|b"}, {2, "x;y;z|1"}},
		},
		"formula escape removed": {"'=SUM(A1);'-5;'x\n", "UTF-8; fields separated by ';'", []row{{1, "=SUM(A1)|-5|'x"}}},
	} {
		f, err := Read([]byte(tt.data))
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if f.Format != CSV || len(f.Sheets) != 1 || strings.Join(f.Notes, "; ") != tt.notes {
			t.Errorf("%s: format %s, %d sheets, notes %q", name, f.Format, len(f.Sheets), f.Notes)
		}
		if got := rowsOf(f.Sheets[0]); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: rows\n got %+v\nwant %+v", name, got, tt.want)
		}
	}
	cp, _ := charmap.Windows1252.NewEncoder().String("Helena Åberg;Mäkelä\r\n")
	f, err := Read([]byte(cp))
	if err != nil || f.Sheets[0].Rows[0].Cells[0] != "Helena Åberg" || f.Notes[0] != "not UTF-8: read as Windows-1252" {
		t.Errorf("Windows-1252: %+v %v", f, err)
	}
	for name, data := range map[string][]byte{
		"old xls":  {0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1},
		"binary":   []byte("a;b\x00c"),
		"too big":  bytes.Repeat([]byte("a"), MaxSize+1),
		"bad xlsx": []byte("PK\x03\x04 not really"),
	} {
		if _, err := Read(data); err == nil {
			t.Errorf("%s: read without error", name)
		}
	}
}

// A workbook as main users keep it: several sheets, a title row above the header, an empty row, real date cells
// and text dates; rows keep Excel's numbers and dates come as serials.
func TestReadXLSX(t *testing.T) {
	x := excelize.NewFile()
	_ = x.SetSheetName("Sheet1", "Valtuudet")
	_ = x.SetSheetRow("Valtuudet", "A1", &[]any{"Porvoon kaupungin valtuudet 2026"})
	_ = x.SetSheetRow("Valtuudet", "A3", &[]any{"Nimi", "Voimassa"})
	_ = x.SetSheetRow("Valtuudet", "A4", &[]any{"Elina", day(2026, 12, 31)})
	_ = x.SetSheetRow("Valtuudet", "A6", &[]any{"Sami", "1.3.27"})
	_, _ = x.NewSheet("Poistuneet")
	_ = x.SetSheetRow("Poistuneet", "B2", &[]any{"Pekka", 45658})
	var buf bytes.Buffer
	if err := x.Write(&buf); err != nil {
		t.Fatal(err)
	}
	f, err := Read(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if f.Format != XLSX || len(f.Sheets) != 2 || f.Sheets[0].Name != "Valtuudet" || f.Sheets[1].Name != "Poistuneet" || f.Date1904 {
		t.Fatalf("read %+v", f)
	}
	want := []row{{1, "Porvoon kaupungin valtuudet 2026"}, {3, "Nimi|Voimassa"}, {4, "Elina|46387"}, {6, "Sami|1.3.27"}}
	if got := rowsOf(f.Sheets[0]); !reflect.DeepEqual(got, want) {
		t.Errorf("rows\n got %+v\nwant %+v", got, want)
	}
	if got := rowsOf(f.Sheets[1]); !reflect.DeepEqual(got, []row{{2, "|Pekka|45658"}}) {
		t.Errorf("second sheet %+v", got)
	}
	if d, ok := ExcelDate("46387", false); !ok || !d.Equal(day(2026, 12, 31)) {
		t.Errorf("ExcelDate(46387) = %v %v", d, ok)
	}
}

func TestExcelDate(t *testing.T) {
	for raw, want := range map[string]time.Time{
		"45658": day(2025, 1, 1), " 45658 ": day(2025, 1, 1), "45658.75": day(2025, 1, 1), "32874": day(1990, 1, 1),
	} {
		if d, ok := ExcelDate(raw, false); !ok || !d.Equal(want) {
			t.Errorf("ExcelDate(%q) = %v %v, want %v", raw, d, ok, want)
		}
	}
	if d, ok := ExcelDate("44196", true); !ok || !d.Equal(day(2025, 1, 1)) {
		t.Errorf("1904 system: %v %v", d, ok)
	}
	for _, raw := range []string{"", "2026", "32873", "1e5", "-45658", "45658.", "0x10", "NaN", "Inf", "45658,5", "1.3.27", "2026-12-31", "99999999"} {
		if d, ok := ExcelDate(raw, false); ok {
			t.Errorf("ExcelDate(%q) = %v, want no date", raw, d)
		}
	}
}

// What the writers write, Read reads back: text (formula-like text too), dates and numbers, in both formats.
func TestWritersRoundTrip(t *testing.T) {
	rows := [][]any{
		{"Nimi", "Päivä", "Numero"},
		{"=cmd|' /C calc'!A0", day(2026, 12, 31), int64(42)},
		{"Åsa; \"lainaus\"\nrivi", time.Time{}, int64(-1)},
	}
	for _, format := range []Format{CSV, XLSX} {
		var buf bytes.Buffer
		var w Writer
		var err error
		if format == CSV {
			w, err = NewCSV(&buf)
		} else {
			w, err = NewXLSX(&buf, "Valtuudet", []float64{30, 12})
		}
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rows {
			if err := w.Row(r...); err != nil {
				t.Fatal(err)
			}
		}
		if err := w.Row(3.5); err == nil {
			t.Errorf("%s: a float was written", format)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		if format == CSV && !bytes.Contains(buf.Bytes(), []byte("'=cmd")) {
			t.Errorf("CSV: the formula was not escaped: %q", buf.String())
		}
		f, err := Read(buf.Bytes())
		if err != nil {
			t.Fatalf("%s: %v", format, err)
		}
		got := f.Sheets[0].Rows
		if len(got) != 3 || got[1].Cells[0] != "=cmd|' /C calc'!A0" || got[2].Cells[0] != "Åsa; \"lainaus\"\nrivi" ||
			got[1].Cells[2] != "42" || got[2].Cells[2] != "-1" {
			t.Fatalf("%s: read back %+v", format, got)
		}
		date := got[1].Cells[1]
		if d, ok := ExcelDate(date, false); format == XLSX && (!ok || !d.Equal(day(2026, 12, 31))) {
			t.Errorf("XLSX date cell = %q", date)
		} else if format == CSV && date != "2026-12-31" {
			t.Errorf("CSV date = %q", date)
		}
		if format == XLSX && f.Sheets[0].Name != "Valtuudet" {
			t.Errorf("sheet name %q", f.Sheets[0].Name)
		}
	}
}
