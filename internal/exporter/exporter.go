// Package exporter writes the register of mandates and the audit trail as CSV or XLSX files, for auditors, managers
// and the main users' own spreadsheets (issue 9.2).
//
// Exports stream: rows go from the database cursor (sqlstore's EachMandate and EachAudit) through the sheet writer
// one at a time, so an export of 100,000 mandates never holds them in memory. The register's columns are the ones
// the importer reads, named in Finnish, Swedish or English, with the theme's name in the same language and an
// open-ended mandate written as "toistaiseksi", "tills vidare" or "until further notice": exporting the register and
// importing the file again changes nothing.
package exporter

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/valtuusbotti/valtuusbotti/internal/catalog"
	"github.com/valtuusbotti/valtuusbotti/internal/directory"
	"github.com/valtuusbotti/valtuusbotti/internal/domain"
	"github.com/valtuusbotti/valtuusbotti/internal/sheet"
	"github.com/valtuusbotti/valtuusbotti/internal/sqlstore"
)

// Store is the register as exports read it (sqlstore.Register).
type Store interface {
	EachMandate(ctx context.Context, f sqlstore.MandateFilter, fn func(domain.Mandate) error) error
	EachAudit(ctx context.Context, f sqlstore.AuditFilter, fn func(domain.AuditEvent) error) error
}

// Exporter writes exports. Now decides which mandates are in force (the State filter and column).
type Exporter struct {
	Store   Store
	Catalog *catalog.Catalog
	Now     func() time.Time
	// Reviews reads the review campaigns for their report (review.go).
	Reviews ReviewStore
}

// Filter selects the mandates of an export; zero fields select everything.
type Filter struct {
	Department   string      // the holder's department, in any case
	Agency       string      // themes whose agency's name (any language) contains this, in any case
	Theme        string      // a theme's id, or its name in any language or a synonym
	State        string      // "active" (in force or starting later), "expired" or "revoked"
	EndingBefore domain.Date // mandates whose end is before this day
	Person       string      // the holder's object id or e-mail address
}

// columns are the register's column names per language; the importer knows each of them.
var columns = map[domain.Lang][]string{
	domain.Finnish: {"Nimi", "Sähköposti", "Entra ID", "Toimiala", "Valtuusasia", "Virasto", "Myönnetty",
		"Voimassa asti", "Mitätöity", "Tila", "Myöntäjä", "Huomautukset", "Tunnus"},
	domain.Swedish: {"Namn", "E-post", "Entra ID", "Avdelning", "Fullmaktsärende", "Myndighet", "Giltig från",
		"Giltig till", "Annullerad", "Status", "Given av", "Anmärkningar", "ID"},
	domain.English: {"Name", "E-mail", "Entra ID", "Department", "Theme", "Agency", "Valid from", "Valid until",
		"Invalidated", "State", "Granted by", "Notes", "ID"},
}

// widths are the XLSX column widths, in characters.
var widths = []float64{24, 32, 38, 28, 48, 32, 12, 14, 14, 12, 24, 32, 8}

// words are the values the export writes in each language: no end, and the three states.
var words = map[domain.Lang][4]string{
	domain.Finnish: {"toistaiseksi", "voimassa", "päättynyt", "mitätöity"},
	domain.Swedish: {"tills vidare", "giltig", "upphört", "annullerad"},
	domain.English: {"until further notice", "active", "expired", "invalidated"},
}

// SheetNames name the export's sheet (XLSX) per language.
var sheetNames = map[domain.Lang][2]string{
	domain.Finnish: {"Valtuudet", "Audit-loki"},
	domain.Swedish: {"Fullmakter", "Granskningslogg"},
	domain.English: {"Mandates", "Audit trail"},
}

// NewWriter opens a sheet writer of the format on w; sheet names the XLSX sheet.
func NewWriter(w io.Writer, format sheet.Format, sheetName string) (sheet.Writer, error) {
	switch format {
	case sheet.CSV:
		return sheet.NewCSV(w)
	case sheet.XLSX:
		return sheet.NewXLSX(w, sheetName, widths)
	}
	return nil, domain.Errorf(domain.EInvalid, "unknown export format %q: use csv or xlsx", format)
}

// Mandates writes the mandates f selects to w, in lang, and returns how many it wrote.
func (x *Exporter) Mandates(ctx context.Context, w io.Writer, format sheet.Format, lang domain.Lang, f Filter) (int, error) {
	lang = known(lang)
	sf, err := x.filter(f)
	if err != nil {
		return 0, err
	}
	sw, err := NewWriter(w, format, sheetNames[lang][0])
	if err != nil {
		return 0, err
	}
	header := make([]any, len(columns[lang]))
	for i, c := range columns[lang] {
		header[i] = c
	}
	n := 0
	err = sw.Row(header...)
	if err == nil {
		err = x.Store.EachMandate(ctx, sf, func(m domain.Mandate) error {
			n++
			return sw.Row(x.mandateRow(m, lang, sf.Today)...)
		})
	}
	if cerr := sw.Close(); err == nil {
		err = cerr
	}
	return n, err
}

func known(lang domain.Lang) domain.Lang {
	if _, ok := columns[lang]; ok {
		return lang
	}
	return domain.Finnish
}

// filter turns f into the store's filter, resolving the theme and the agency through the catalog.
func (x *Exporter) filter(f Filter) (sqlstore.MandateFilter, error) {
	today := domain.Today(x.now()).Time()
	sf := sqlstore.MandateFilter{Department: f.Department, Today: today, EndingBefore: f.EndingBefore.Time(),
		Holder: strings.ToLower(strings.TrimSpace(f.Person))}
	if id, ok := directory.CanonicalID(strings.TrimSpace(f.Person)); ok {
		sf.Holder = id
	}
	switch strings.ToLower(strings.TrimSpace(f.State)) {
	case "", "all":
	case "active":
		sf.State = sqlstore.MandatesActive
	case "expired":
		sf.State = sqlstore.MandatesExpired
	case "revoked", "invalidated":
		sf.State = sqlstore.MandatesRevoked
	default:
		return sf, domain.Errorf(domain.EInvalid, "unknown state %q: use active, expired or revoked", f.State)
	}
	if f.Theme != "" {
		m, ok := x.Catalog.ThemeNamed(f.Theme)
		if !ok || m.How == catalog.MatchSimilar {
			return sf, domain.Errorf(domain.EInvalid, "no theme %q in the catalog", f.Theme)
		}
		sf.ThemeIDs = []string{m.Theme.ID}
	}
	if a := catalog.MatchKey(f.Agency); a != "" {
		var ids []string
		for _, t := range x.Catalog.Themes {
			for _, l := range domain.Langs {
				if strings.Contains(catalog.MatchKey(t.Agency.Exact(l)), a) {
					ids = append(ids, t.ID)
					break
				}
			}
		}
		if len(ids) == 0 {
			return sf, domain.Errorf(domain.EInvalid, "no theme of an agency called %q in the catalog", f.Agency)
		}
		if sf.ThemeIDs != nil && !contains(ids, sf.ThemeIDs[0]) {
			ids = []string{}
		} else if sf.ThemeIDs != nil {
			ids = sf.ThemeIDs
		}
		sf.ThemeIDs = ids
	}
	return sf, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// mandateRow is one mandate in the columns of lang.
func (x *Exporter) mandateRow(m domain.Mandate, lang domain.Lang, today time.Time) []any {
	w := words[lang]
	theme, agency := m.ThemeID, ""
	if t, ok := x.Catalog.Theme(m.ThemeID); ok {
		theme, agency = t.Name.In(lang), t.Agency.In(lang)
	}
	var until any = m.ValidUntil
	if m.OpenEnded {
		until = w[0]
	}
	state, revoked := w[1], time.Time{}
	switch {
	case m.State == domain.MandateRevoked:
		state, revoked = w[3], m.End().Time()
	case m.ValidUntil.Before(today):
		state = w[2]
	}
	entra := ""
	if id, ok := directory.CanonicalID(m.HolderID); ok {
		entra = id
	}
	return []any{m.HolderName, m.HolderMail, entra, m.Department, theme, agency, m.ValidFrom, until, revoked, state,
		m.GrantedBy, m.Notes, m.ID}
}

// AuditFilter selects the audit rows of an export.
type AuditFilter = sqlstore.AuditFilter

var auditColumns = map[domain.Lang][]any{
	domain.Finnish: {"Aika", "Tekijä", "Toiminto", "Pyyntö", "Valtuus", "Ennen", "Jälkeen", "Teams-aktiviteetti"},
	domain.Swedish: {"Tid", "Aktör", "Åtgärd", "Begäran", "Fullmakt", "Före", "Efter", "Teams-aktivitet"},
	domain.English: {"Time", "Actor", "Action", "Request", "Mandate", "Before", "After", "Teams activity"},
}

// Audit writes the audit rows f selects, oldest first, with times in Finnish time, and returns how many.
func (x *Exporter) Audit(ctx context.Context, w io.Writer, format sheet.Format, lang domain.Lang, f AuditFilter) (int, error) {
	lang = known(lang)
	sw, err := NewWriter(w, format, sheetNames[lang][1])
	if err != nil {
		return 0, err
	}
	n := 0
	err = sw.Row(auditColumns[lang]...)
	if err == nil {
		err = x.Store.EachAudit(ctx, f, func(e domain.AuditEvent) error {
			n++
			return sw.Row(e.At.In(domain.OrgLocation).Format(time.RFC3339), e.ActorID, e.Action, ref(e.RequestID),
				ref(e.MandateID), string(e.Before), string(e.After), e.ActivityID)
		})
	}
	if cerr := sw.Close(); err == nil {
		err = cerr
	}
	return n, err
}

func ref(id int64) string {
	if id == 0 {
		return ""
	}
	return fmt.Sprint(id)
}

func (x *Exporter) now() time.Time {
	if x.Now == nil {
		return time.Now()
	}
	return x.Now()
}
