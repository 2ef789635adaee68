package importer

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/valtuusbotti/valtuusbotti/internal/catalog"
	"github.com/valtuusbotti/valtuusbotti/internal/directory"
	"github.com/valtuusbotti/valtuusbotti/internal/domain"
)

// rowError is a reason a data row cannot be imported.
type rowError struct{ reason string }

func (e rowError) Error() string { return e.reason }

func failf(format string, args ...any) error { return rowError{fmt.Sprintf(format, args...)} }

// readRow reads one data row into an entry, or an Error line. Only a directory that cannot be asked fails the run.
func (rd *reader) readRow(ctx context.Context, l Line, c columns, cells []string, leaver bool) error {
	e := &entry{sheet: l.Sheet, row: l.Row}
	l.Person = firstNonEmpty(c.get(cells, FieldEmail), rowName(c, cells))
	l.Theme = firstNonEmpty(c.get(cells, FieldTheme), c.get(cells, FieldService))
	err := rd.readMandate(ctx, e, c, cells, leaver)
	var re rowError
	switch {
	case err == nil:
		l.Person = firstNonEmpty(e.m.HolderMail, e.m.HolderName)
		if th, ok := rd.imp.Catalog.Theme(e.m.ThemeID); ok {
			l.Theme = th.Name.FI
		}
		l.ValidUntil = e.describeUntil()
		e.line = rd.line(l)
		rd.entries = append(rd.entries, e)
		return nil
	case errors.As(err, &re):
		l.Outcome, l.Reason = Error, re.reason
		rd.line(l)
		return nil
	}
	return err
}

// readMandate fills e.m from the row: theme, person, dates and state.
func (rd *reader) readMandate(ctx context.Context, e *entry, c columns, cells []string, leaver bool) error {
	if err := rd.readTheme(e, c, cells); err != nil {
		return err
	}
	if err := rd.readPerson(ctx, e, c, cells); err != nil {
		return err
	}
	if err := rd.readDates(e, c, cells, leaver); err != nil {
		return err
	}
	e.m.GrantedBy = c.get(cells, FieldGrantedBy)
	e.m.Notes = c.get(cells, FieldNotes)
	if e.m.Department == "" {
		e.m.Department = c.get(cells, FieldDepartment)
	}
	e.key = e.m.HolderID + "\x00" + e.m.ThemeID
	return nil
}

func (rd *reader) readTheme(e *entry, c columns, cells []string) error {
	name := c.get(cells, FieldTheme)
	if name == "" {
		name = c.get(cells, FieldService) // a list that names the e-service only, e.g. "Kelmu"
	}
	if name == "" {
		return failf("no theme")
	}
	m, ok := rd.imp.Catalog.ThemeNamed(name)
	if !ok {
		return failf("unknown theme %q: not a name, Swedish name or synonym of a theme in the catalog (add it to the theme's synonyms if it is one)", name)
	}
	e.m.ThemeID = m.Theme.ID
	if m.How == catalog.MatchSimilar {
		e.checks = append(e.checks, fmt.Sprintf("theme matched by similarity: check (\"%s\" read as \"%s\")",
			strings.Join(strings.Fields(name), " "), m.Name))
	}
	return nil
}

// rowName is the person's name as the row writes it: the name column, else first and last name.
func rowName(c columns, cells []string) string {
	if n := c.get(cells, FieldName); n != "" {
		return strings.Join(strings.Fields(n), " ")
	}
	return strings.TrimSpace(c.get(cells, FieldFirstName) + " " + c.get(cells, FieldLastName))
}

// readPerson finds the row's person: by Entra object id, by e-mail address (a person the directory does not know
// is imported against the address), else by name when exactly one person has it.
func (rd *reader) readPerson(ctx context.Context, e *entry, c columns, cells []string) error {
	name := rowName(c, cells)
	if id, ok := directory.CanonicalID(c.get(cells, FieldEntraID)); ok {
		u, err := rd.imp.People.User(ctx, id)
		switch {
		case err == nil:
			rd.holder(e, u, name)
			return nil
		case !domain.IsCode(err, domain.ENotFound):
			return fmt.Errorf("the directory: %w", err)
		}
	}
	if cell := c.get(cells, FieldEmail); cell != "" {
		addr, written, err := parseMail(cell)
		if err != nil {
			return failf("%s", err.Error())
		}
		if name == "" {
			name = written
		}
		u, err := rd.imp.People.UserByMail(ctx, addr)
		switch {
		case err == nil:
			rd.holder(e, u, name)
		case domain.IsCode(err, domain.ENotFound):
			e.m.HolderID, e.m.HolderMail, e.m.HolderName = addr, addr, name
			e.checks = append(e.checks, "person not found in the directory: imported against the e-mail address")
		case domain.IsCode(err, domain.EConflict):
			return failf("more than one person in the directory has the e-mail address %s", addr)
		default:
			return fmt.Errorf("the directory: %w", err)
		}
		return nil
	}
	if name == "" {
		return failf("no e-mail address or name")
	}
	found, err := rd.byName(ctx, name)
	if err != nil {
		return err
	}
	switch len(found) {
	case 0:
		return failf("nobody called %q in the directory: give the e-mail address", name)
	case 1:
		rd.holder(e, found[0], name)
		e.checks = append(e.checks, "person matched by name only")
		return nil
	}
	return failf("%d people in the directory are called %q: give the e-mail address", len(found), name)
}

// byName asks the directory for the name as written and, for "Lindholm Elina", in the other order.
func (rd *reader) byName(ctx context.Context, name string) ([]domain.User, error) {
	seen := map[string]bool{}
	var out []domain.User
	tries := []string{name}
	if parts := strings.Fields(name); len(parts) == 2 {
		tries = append(tries, parts[1]+" "+parts[0])
	}
	for _, n := range tries {
		us, err := rd.imp.People.UsersByName(ctx, n)
		if err != nil {
			return nil, fmt.Errorf("the directory: %w", err)
		}
		for _, u := range us {
			if !seen[u.ID] {
				seen[u.ID] = true
				out = append(out, u)
			}
		}
	}
	return out, nil
}

// holder takes the person as the directory knows them.
func (rd *reader) holder(e *entry, u domain.User, name string) {
	e.m.HolderID, e.m.HolderName, e.m.Department = u.ID, firstNonEmpty(u.DisplayName, name), u.Department
	e.m.HolderMail = strings.ToLower(strings.TrimSpace(u.Mail))
	e.closed = !u.AccountEnabled || (u.LeaveDate != nil && !domain.DateOf(*u.LeaveDate).After(rd.today))
}

// readDates reads the start, the end and the invalidation of the mandate, and checks them against each other and
// Suomi.fi's 25 years. A missing start is the import's day (or the end, when that is earlier) and is not compared
// when the file is imported again.
func (rd *reader) readDates(e *entry, c columns, cells []string, leaver bool) error {
	var from domain.Date
	if cell := c.get(cells, FieldGranted); cell != "" {
		d, err := parseDate(cell, rd.date1904)
		if err != nil {
			return failf("start date: %s", err.Error())
		}
		from, e.fromKnown = d, true
	}
	until, open, err := parseEnd(c.get(cells, FieldValidUntil), rd.date1904)
	if err != nil {
		return failf("end date: %s", err.Error())
	}
	var revoked domain.Date
	if cell := c.get(cells, FieldInvalidated); cell != "" {
		if revoked, err = parseDate(cell, rd.date1904); err != nil {
			return failf("invalidation date: %s", err.Error())
		}
	}
	if !e.fromKnown {
		from = rd.today
		for _, d := range []domain.Date{until, revoked} {
			if !d.IsZero() && d.Before(from) {
				from = d
			}
		}
	}
	if open {
		until = domain.OpenEndedUntil(from)
	}
	switch {
	case until.Before(from):
		return failf("ends (%s) before it starts (%s)", until, from)
	case until.After(domain.OpenEndedUntil(from)):
		return failf("ends (%s) more than %d years after it starts (%s): Suomi.fi grants no longer mandates",
			until, domain.MaxMandateYears, from)
	case !revoked.IsZero() && revoked.Before(from):
		return failf("invalidated (%s) before it starts (%s)", revoked, from)
	}
	e.m.ValidFrom, e.m.ValidUntil, e.m.OpenEnded, e.m.State = from.Time(), until.Time(), open, domain.MandateActive
	if !revoked.IsZero() {
		e.m.State, e.m.RevokedOn = domain.MandateRevoked, revoked.Time()
	} else if leaver {
		if until.Before(rd.today) {
			e.checks = append(e.checks, fmt.Sprintf("leaver: the mandate ended on %s", until))
		} else {
			e.checks = append(e.checks, "leaver without an invalidation date: still valid in Suomi.fi: invalidate")
		}
	} else if e.closed && !until.Before(rd.today) {
		e.checks = append(e.checks, "the person's account is closed or they have left: still valid in Suomi.fi: invalidate?")
	}
	return nil
}

func firstNonEmpty(s ...string) string {
	for _, x := range s {
		if strings.TrimSpace(x) != "" {
			return strings.TrimSpace(x)
		}
	}
	return ""
}
