package importer

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/valtuusbotti/valtuusbotti/internal/catalog"
	"github.com/valtuusbotti/valtuusbotti/internal/domain"
	"github.com/valtuusbotti/valtuusbotti/internal/hetu"
	"github.com/valtuusbotti/valtuusbotti/internal/sheet"
)

// Field is what a column of a list holds.
type Field string

// The fields a column can be mapped to. FieldIgnore marks a column that is known and not read.
const (
	FieldName        Field = "name"
	FieldFirstName   Field = "first_name"
	FieldLastName    Field = "last_name"
	FieldEmail       Field = "email"
	FieldEntraID     Field = "entra_id"
	FieldDepartment  Field = "department"
	FieldJobTitle    Field = "job_title"
	FieldTheme       Field = "theme"
	FieldService     Field = "service"
	FieldGranted     Field = "granted"
	FieldValidUntil  Field = "valid_until"
	FieldInvalidated Field = "invalidated"
	FieldGrantedBy   Field = "granted_by"
	FieldNotes       Field = "notes"
	FieldIgnore      Field = "ignore"
)

// Fields lists the fields a mapping may name, for usage messages.
func Fields() []string {
	out := make([]string, 0, len(aliases))
	seen := map[Field]bool{}
	for _, f := range aliases {
		if !seen[f] {
			seen[f] = true
			out = append(out, string(f))
		}
	}
	sort.Strings(out)
	return out
}

// aliases are the column names main users write, in Finnish, Swedish and English, by headerKey; the export writes
// the first Finnish, Swedish or English one of each field (see the exporter), so an export reads back.
var aliases = func() map[string]Field {
	m := map[string]Field{}
	for f, names := range map[Field][]string{
		FieldName: {"nimi", "koko nimi", "henkilö", "henkilön nimi", "valtuutettu", "valtuutetun nimi", "työntekijä",
			"name", "full name", "employee", "person", "holder", "assignee",
			"namn", "fullständigt namn", "fullmaktshavare", "anställd", "arbetstagare"},
		FieldFirstName: {"etunimi", "etunimet", "first name", "given name", "förnamn"},
		FieldLastName:  {"sukunimi", "last name", "surname", "family name", "efternamn"},
		FieldEmail: {"sähköposti", "sähköpostiosoite", "sähköposti-osoite", "s-posti", "email", "e-mail",
			"e-mail address", "email address", "mail", "e-post", "e-postadress", "epost", "epostadress"},
		FieldEntraID: {"entra id", "entra-id", "object id", "objekti-id", "objekt-id", "aad id"},
		FieldDepartment: {"toimiala", "osasto", "yksikkö", "palvelualue", "department", "unit", "division",
			"avdelning", "sektor", "enhet", "verksamhetsområde"},
		FieldJobTitle: {"tehtävänimike", "nimike", "ammattinimike", "virkanimike", "titteli", "job title", "title",
			"position", "befattning", "titel", "tjänstebeteckning"},
		FieldTheme: {"valtuusasia", "valtuus", "valtuuden nimi", "valtuusasian nimi", "asiointivaltuus", "valtuutus",
			"theme", "mandate", "mandate theme", "authorisation", "authorization",
			"fullmaktsärende", "fullmakt", "ärendefullmakt"},
		FieldService: {"palvelu", "asiointipalvelu", "e-palvelu", "verkkopalvelu", "järjestelmä", "service",
			"e-service", "system", "tjänst", "e-tjänst"},
		FieldGranted: {"myönnetty", "myöntöpäivä", "myönnetty pvm", "alkaen", "voimassa alkaen", "alkupäivä",
			"alkamispäivä", "granted", "granted on", "valid from", "start", "start date", "from",
			"beviljad", "beviljad den", "giltig från", "från", "startdatum"},
		FieldValidUntil: {"voimassa asti", "voimassa", "päättyy", "päättymispäivä", "loppupäivä",
			"voimassaolo päättyy", "voimassaolo", "viimeinen voimassaolopäivä", "valid until", "valid to",
			"expires", "expiry", "expiry date", "end", "end date", "until", "giltig till", "till", "upphör",
			"slutdatum"},
		FieldInvalidated: {"mitätöity", "mitätöintipäivä", "mitätöity pvm", "peruttu", "invalidated",
			"invalidated on", "revoked", "annullerad", "annullerad den", "ogiltigförklarad", "återkallad"},
		FieldGrantedBy: {"myöntäjä", "myöntänyt", "granted by", "grantor", "given av", "gavs av", "beviljad av", "beviljare"},
		FieldNotes: {"huomautukset", "huomautus", "huom", "lisätiedot", "kommentit", "kommentti", "muistiinpanot",
			"notes", "note", "comments", "remarks", "anmärkningar", "anmärkning", "kommentarer", "övrigt"},
		// Known and not read: what the export writes beside the fields above, and a state the dates already say.
		FieldIgnore: {"virasto", "viranomainen", "agency", "authority", "myndighet", "tila", "state", "status",
			"tunnus", "id", "nummer"},
	} {
		for _, n := range names {
			m[headerKey(n)] = f
		}
	}
	return m
}()

// headerKey is how column names are compared: as theme names (catalog.MatchKey), without a trailing colon, star or
// full stop, and without a remark in parentheses ("Voimassa asti (pvm)").
func headerKey(s string) string {
	k := catalog.MatchKey(s)
	if i := strings.IndexByte(k, '('); i > 0 {
		k = k[:i]
	}
	return strings.TrimRight(k, " :*.")
}

// Mapping maps column names (as headerKey compares them) to fields; it adds to, and wins over, the names known.
type Mapping map[string]Field

// ParseMapping reads "Column name=field" pairs, e.g. "Oma sarake=theme"; the field is one of Fields().
func ParseMapping(pairs []string) (Mapping, error) {
	known := map[string]bool{}
	for _, f := range Fields() {
		known[f] = true
	}
	m := Mapping{}
	for _, p := range pairs {
		col, field, ok := strings.Cut(p, "=")
		col, field = strings.TrimSpace(col), strings.ToLower(strings.TrimSpace(field))
		if !ok || headerKey(col) == "" || !known[field] {
			return nil, fmt.Errorf("mapping %q: want \"column name=field\" with a field among %s", p, strings.Join(Fields(), ", "))
		}
		m[headerKey(col)] = Field(field)
	}
	return m, nil
}

// columns is a header row read: the column of each field, and the names of the columns not read.
type columns struct {
	at      map[Field]int
	names   []string // the header's cells as written, by column
	unread  []string // non-empty column names that map to nothing
	doubled []string // columns whose field an earlier column has
}

// header reads cells as a header row; ok when it names a theme (or service) column and a way to tell the person
// (e-mail, name, first and last name, or Entra id), so that a data row never passes for a header.
func header(cells []string, mapping Mapping) (c columns, ok bool) {
	c = columns{at: map[Field]int{}, names: cells}
	for i, cell := range cells {
		k := headerKey(cell)
		if k == "" {
			continue
		}
		f, known := mapping[k]
		if !known {
			f, known = aliases[k]
		}
		switch {
		case !known:
			c.unread = append(c.unread, strings.TrimSpace(cell))
		case f == FieldIgnore:
		case hasField(c.at, f):
			c.doubled = append(c.doubled, strings.TrimSpace(cell))
		default:
			c.at[f] = i
		}
	}
	person := hasField(c.at, FieldEmail) || hasField(c.at, FieldName) || hasField(c.at, FieldEntraID) ||
		(hasField(c.at, FieldFirstName) && hasField(c.at, FieldLastName))
	return c, person && (hasField(c.at, FieldTheme) || hasField(c.at, FieldService))
}

func hasField(at map[Field]int, f Field) bool { _, ok := at[f]; return ok }

// get returns the row's cell of field f, trimmed; "" when the header has no such column or the row is shorter.
func (c columns) get(cells []string, f Field) string {
	i, ok := c.at[f]
	if !ok || i >= len(cells) {
		return ""
	}
	return strings.TrimSpace(cells[i])
}

// columnName names column i for a message: its header, or its letter.
func (c columns) columnName(i int) string {
	if i < len(c.names) && strings.TrimSpace(c.names[i]) != "" {
		return fmt.Sprintf("%q", strings.TrimSpace(c.names[i]))
	}
	return columnLetter(i)
}

// columnLetter is Excel's name of the 0-based column i: A, B, … Z, AA, AB…
func columnLetter(i int) string {
	s := ""
	for i++; i > 0; i = (i - 1) / 26 {
		s = string(rune('A'+(i-1)%26)) + s
	}
	return s
}

// leaverWords mark a sheet or section heading of people who have left; activeWords one of current holders.
var (
	leaverWords = []string{"poistu", "lähte", "lähtene", "lopettane", "entiset", "eronne", "avgå", "avgång", "slutat",
		"leaver", "former", "left"}
	activeWords = []string{"voimassa", "nykyiset", "aktiiviset", "giltiga", "nuvarande", "aktiva", "active", "current"}
)

func mentions(s string, words []string) bool {
	k := headerKey(s)
	for _, w := range words {
		if strings.Contains(k, w) {
			return true
		}
	}
	return false
}

// Pairs is the mapping as "column=field" pairs, sorted: what ParseMapping reads back, for the audit trail and
// for a card to carry.
func (m Mapping) Pairs() []string {
	out := make([]string, 0, len(m))
	for k, f := range m {
		out = append(out, k+"="+string(f))
	}
	sort.Strings(out)
	return out
}

// IsField says whether f is a field a mapping may name (FieldIgnore among them).
func IsField(f string) bool { return slices.Contains(Fields(), f) }

// Unknown lists the file's columns no known name (nor the mapping) gives a field, as written and once each: those
// of each sheet's header row, or, in a sheet without one, of the row that most likely names the columns (the first
// with a known column name in it, else the first with two cells or more). A row with a personal identity code in
// it is never offered. It is what a mapping may name, for a person who cannot rename the columns.
func Unknown(data []byte, mapping Mapping) ([]string, error) {
	f, err := sheet.Read(data)
	if err != nil {
		return nil, domain.Errorf(domain.EInvalid, "%s", hetu.Redact(err.Error()))
	}
	var out []string
	seen := map[string]bool{}
	for _, sh := range f.Sheets {
		var first, known []string
		for _, row := range sh.Rows {
			if codeAt(row.Cells) >= 0 || nonEmpty(row.Cells) < 2 {
				continue
			}
			c, ok := header(row.Cells, mapping)
			if ok {
				known = c.unread
				break
			}
			if first == nil {
				first = c.unread
			}
			if known == nil && len(c.at) > 0 {
				known = c.unread
			}
		}
		if known == nil {
			known = first
		}
		for _, u := range known {
			if k := headerKey(u); !seen[k] {
				seen[k] = true
				out = append(out, u)
			}
		}
	}
	return out, nil
}

// Set maps the column named column (as written) to f.
func (m Mapping) Set(column string, f Field) { m[headerKey(column)] = f }
