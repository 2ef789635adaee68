package importer

import (
	"fmt"
	"net/mail"
	"strconv"
	"strings"
	"time"

	"github.com/valtuusbotti/valtuusbotti/internal/catalog"
	"github.com/valtuusbotti/valtuusbotti/internal/domain"
	"github.com/valtuusbotti/valtuusbotti/internal/sheet"
)

// openWords say that a mandate has no end date, in the languages lists are kept in.
var openWords = map[string]bool{
	"toistaiseksi": true, "toistaiseksi voimassa": true, "toistaiseksi voimassa oleva": true, "ei päättymispäivää": true,
	"tills vidare": true, "tillsvidare": true, "tills vidare gällande": true,
	"until further notice": true, "indefinitely": true, "indefinite": true, "open-ended": true, "no end date": true,
}

// errNotDate is a cell that is no date; the message says which forms are.
func errNotDate(cell string) error {
	return fmt.Errorf("%q is not a date: write 31.12.2026, 1.3.27 or 2026-12-31", cell)
}

// parseDate reads a date as lists write them: Finnish d.m.yyyy and d.m.yy (20yy), ISO yyyy-mm-dd (a time after it is
// dropped), and Excel's date serials (a real date cell). Forms that could be read two ways (1/3/2027) and anything
// else are errors: a wrong date in the register is worse than a row to fix.
func parseDate(cell string, date1904 bool) (domain.Date, error) {
	s := strings.TrimSuffix(strings.TrimSpace(cell), ".")
	if d, ok := sheet.ExcelDate(s, date1904); ok {
		return domain.DateOf(d), nil
	}
	if strings.ContainsRune(s, '/') {
		return domain.Date{}, fmt.Errorf("%q could be read as day/month or month/day: write 1.3.2027 or 2027-03-01", cell)
	}
	if len(s) >= 10 && s[4] == '-' && s[7] == '-' {
		if t, err := time.Parse(time.DateOnly, s[:10]); err == nil && (len(s) == 10 || s[10] == 'T' || s[10] == ' ') {
			return domain.DateOf(t), nil
		}
		return domain.Date{}, errNotDate(cell)
	}
	parts := strings.Split(s, ".")
	if len(parts) != 3 {
		return domain.Date{}, errNotDate(cell)
	}
	var n [3]int
	for i, p := range parts {
		v, err := strconv.Atoi(strings.TrimSpace(p))
		if err != nil || v < 0 || strings.TrimSpace(p) == "" {
			return domain.Date{}, errNotDate(cell)
		}
		n[i] = v
	}
	year := n[2]
	switch y := strings.TrimSpace(parts[2]); len(y) {
	case 2:
		year += 2000
	case 4:
	default:
		return domain.Date{}, errNotDate(cell)
	}
	t := time.Date(year, time.Month(n[1]), n[0], 0, 0, 0, 0, time.UTC)
	if t.Day() != n[0] || int(t.Month()) != n[1] || t.Year() != year {
		return domain.Date{}, fmt.Errorf("%q is not a day of the calendar", cell)
	}
	return domain.DateOf(t), nil
}

// parseEnd reads an end date: open reports "no end" (an empty cell, "toistaiseksi", "tills vidare").
func parseEnd(cell string, date1904 bool) (d domain.Date, open bool, err error) {
	if k := catalog.MatchKey(cell); k == "" || openWords[k] {
		return domain.Date{}, true, nil
	}
	d, err = parseDate(cell, date1904)
	return d, false, err
}

// parseMail reads an e-mail address written in any case, with spaces, as "Name <address>" or as a mailto: link. It
// returns the address in lower case and the name when one was written around it.
func parseMail(cell string) (address, name string, err error) {
	s := strings.TrimSpace(cell)
	if a, err := mail.ParseAddress(s); err == nil {
		s, name = a.Address, a.Name
	} else if i, j := strings.LastIndexByte(s, '<'), strings.LastIndexByte(s, '>'); i >= 0 && j > i {
		name, s = strings.Trim(strings.TrimSpace(s[:i]), `"`), s[i+1:j]
	}
	s = strings.TrimPrefix(strings.ToLower(strings.Join(strings.Fields(s), "")), "mailto:")
	local, domainPart, ok := strings.Cut(s, "@")
	if !ok || local == "" || !strings.Contains(domainPart, ".") || strings.ContainsAny(domainPart, "@<>,;\"") ||
		strings.ContainsAny(local, "<>,;\"") {
		return "", "", fmt.Errorf("%q is not an e-mail address", cell)
	}
	return s, strings.TrimSpace(name), nil
}
