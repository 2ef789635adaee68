package flows

import (
	"testing"

	"github.com/valtuusbotti/valtuusbotti/internal/domain"
	"github.com/valtuusbotti/valtuusbotti/internal/sheet"
)

func TestParseExport(t *testing.T) {
	for text, want := range map[string]struct {
		f    exportFilter
		lang domain.Lang
		bad  string
	}{
		"vie rekisteri":       {exportFilter{Format: sheet.XLSX}, domain.Finnish, ""},
		"vie valtuusluettelo": {exportFilter{Format: sheet.XLSX}, domain.Finnish, ""},
		"vie rekisteri csv toimiala=talous- ja henkilöstöpalvelut tila=voimassa päättyy=30.6.2027": {
			exportFilter{Format: sheet.CSV, Department: "talous- ja henkilöstöpalvelut", State: "active", EndingBefore: "2027-06-30"}, domain.Finnish, ""},
		"exportera registret myndighet=kela status=annullerad": {
			exportFilter{Format: sheet.XLSX, Agency: "kela", State: "revoked"}, domain.Swedish, ""},
		"export register theme=kelmu person=elina.lindholm@porvoo.example": {
			exportFilter{Format: sheet.XLSX, Theme: "kelmu", Person: "elina.lindholm@porvoo.example"}, domain.English, ""},
		"export audit trail csv from=2026-11-01 until=2026-11-30": {
			exportFilter{Format: sheet.CSV, From: "2026-11-01", Until: "2026-11-30", audit: true}, domain.English, ""},
		"vie audit-loki henkilö=mikael.nordstrom@porvoo.example": {
			exportFilter{Format: sheet.XLSX, Person: "mikael.nordstrom@porvoo.example", audit: true}, domain.Finnish, ""},
		"vie rekisteri tila=outo":               {exportFilter{}, domain.Finnish, "state=outo"},
		"vie rekisteri päättyy=huomenna":        {exportFilter{}, domain.Finnish, "ending=huomenna"},
		"vie rekisteri väri=punainen":           {exportFilter{}, domain.Finnish, "väri=punainen"},
		"vie rekisteri pian":                    {exportFilter{}, domain.Finnish, "pian"},
		"vie audit-loki toimiala=tietohallinto": {exportFilter{}, domain.Finnish, "toimiala=tietohallinto"},
		"vie rekisteri alkaen=2026-01-01":       {exportFilter{}, domain.Finnish, "alkaen=2026-01-01"},
		"vie katselmointiraportti":              {exportFilter{Format: sheet.XLSX, review: true}, domain.Finnish, ""},
		"exportera granskningsrapporten csv":    {exportFilter{Format: sheet.CSV, review: true}, domain.Swedish, ""},
		"export review report":                  {exportFilter{Format: sheet.XLSX, review: true}, domain.English, ""},
		"vie katselmointiraportti toimiala=x":   {exportFilter{}, domain.Finnish, "toimiala=x"},
	} {
		f, lang, bad, ok := parseExport(text)
		if !ok || lang != want.lang || bad != want.bad || (bad == "" && f != want.f) {
			t.Errorf("%q: %+v %s %q %v, want %+v %s %q", text, f, lang, bad, ok, want.f, want.lang, want.bad)
		}
	}
	for _, text := range []string{"vie", "rekisteri", "vie rekisterit", "export", "yleiskuva", "export registers"} {
		if _, _, _, ok := parseExport(text); ok {
			t.Errorf("%q read as an export command", text)
		}
	}
}
