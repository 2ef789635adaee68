package sheet

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"io"
	"time"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
)

// Writer writes a table one row at a time. A cell is a string, a civil date (time.Time at 00:00 UTC; the zero time
// is an empty cell) or an int64. Close writes what remains and must be called once, whether or not rows failed.
type Writer interface {
	Row(cells ...any) error
	Close() error
}

// maxXLSXCell is the most characters an Excel cell holds.
const maxXLSXCell = 32767

// NewCSV writes CSV as Excel in Finland reads it: UTF-8 with a byte order mark, ';' between fields, CRLF; dates as
// YYYY-MM-DD. Text that a spreadsheet would run as a formula gets a leading apostrophe (Read removes it).
func NewCSV(w io.Writer) (Writer, error) {
	bw := bufio.NewWriter(w)
	if _, err := bw.WriteString("\xEF\xBB\xBF"); err != nil {
		return nil, err
	}
	cw := csv.NewWriter(bw)
	cw.Comma, cw.UseCRLF = ';', true
	return &csvWriter{bw: bw, cw: cw}, nil
}

type csvWriter struct {
	bw  *bufio.Writer
	cw  *csv.Writer
	rec []string
}

func (c *csvWriter) Row(cells ...any) error {
	c.rec = c.rec[:0]
	for _, v := range cells {
		switch v := v.(type) {
		case string:
			c.rec = append(c.rec, escapeFormula(v))
		case time.Time:
			if v.IsZero() {
				c.rec = append(c.rec, "")
			} else {
				c.rec = append(c.rec, v.Format(time.DateOnly))
			}
		case int64:
			c.rec = append(c.rec, fmt.Sprint(v))
		default:
			return fmt.Errorf("sheet: cannot write a %T", v)
		}
	}
	return c.cw.Write(c.rec)
}

func (c *csvWriter) Close() error {
	c.cw.Flush()
	if err := c.cw.Error(); err != nil {
		return err
	}
	return c.bw.Flush()
}

// NewXLSX writes a workbook of one sheet named sheetName through excelize's StreamWriter: the header row bold and
// frozen, columns widths as given (in characters; missing ones default), dates as real date cells shown in the
// reader's own short date format. Nothing reaches w before Close.
func NewXLSX(w io.Writer, sheetName string, widths []float64) (Writer, error) {
	f := excelize.NewFile()
	fail := func(err error) (Writer, error) {
		_ = f.Close()
		return nil, err
	}
	if err := f.SetSheetName(f.GetSheetName(0), sheetName); err != nil {
		return fail(err)
	}
	sw, err := f.NewStreamWriter(sheetName)
	if err != nil {
		return fail(err)
	}
	x := &xlsxWriter{w: w, f: f, sw: sw}
	if x.dateStyle, err = f.NewStyle(&excelize.Style{NumFmt: 14}); err != nil {
		return fail(err)
	}
	if x.headStyle, err = f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}}); err != nil {
		return fail(err)
	}
	for i, width := range widths {
		if err := sw.SetColWidth(i+1, i+1, width); err != nil {
			return fail(err)
		}
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return fail(err)
	}
	return x, nil
}

type xlsxWriter struct {
	w                    io.Writer
	f                    *excelize.File
	sw                   *excelize.StreamWriter
	row                  int
	dateStyle, headStyle int
	vals                 []any
}

func (x *xlsxWriter) Row(cells ...any) error {
	x.row++
	x.vals = x.vals[:0]
	for _, v := range cells {
		switch v := v.(type) {
		case string:
			if utf8.RuneCountInString(v) > maxXLSXCell {
				v = string([]rune(v)[:maxXLSXCell-20]) + "… (truncated)"
			}
			if x.row == 1 {
				x.vals = append(x.vals, excelize.Cell{StyleID: x.headStyle, Value: v})
			} else {
				x.vals = append(x.vals, v)
			}
		case time.Time:
			if v.IsZero() {
				x.vals = append(x.vals, nil)
			} else {
				x.vals = append(x.vals, excelize.Cell{StyleID: x.dateStyle, Value: v})
			}
		case int64:
			x.vals = append(x.vals, v)
		default:
			return fmt.Errorf("sheet: cannot write a %T", v)
		}
	}
	cell, err := excelize.CoordinatesToCellName(1, x.row)
	if err != nil {
		return err
	}
	return x.sw.SetRow(cell, x.vals)
}

func (x *xlsxWriter) Close() error {
	defer x.f.Close()
	if err := x.sw.Flush(); err != nil {
		return err
	}
	return x.f.Write(x.w)
}
