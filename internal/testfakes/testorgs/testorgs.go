// Package testorgs holds the organisations of the tests of several organisations in one deployment: their
// directory files and catalog folders (the embedded catalog with each organisation's own organisation.yaml).
package testorgs

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/valtuusbotti/valtuusbotti/internal/catalog"
)

// Tenant1Directory is a directory file of one tenant with two organisations: the city (company Porvoon kaupunki)
// and its water utility (department Vesihuolto), a person in both and a contractor in neither.
const Tenant1Directory = `
- {id: 7c1e4a52-0000-4000-8000-000000000001, display_name: Elina Lindholm, mail: elina.lindholm@porvoo.example, company_name: Porvoon kaupunki, department: Talous- ja henkilöstöpalvelut, job_title: Palkkasihteeri, manager: 7c1e4a52-0000-4000-8000-000000000002}
- {id: 7c1e4a52-0000-4000-8000-000000000002, display_name: Sami Virtanen, mail: sami.virtanen@porvoo.example, company_name: Porvoon kaupunki, department: Talous- ja henkilöstöpalvelut, job_title: Palkkahallinnon esihenkilö, manager: 7c1e4a52-0000-4000-8000-000000000003}
- {id: 7c1e4a52-0000-4000-8000-000000000003, display_name: Helena Åberg, mail: helena.aberg@porvoo.example, company_name: Porvoon kaupunki, department: Talous- ja henkilöstöpalvelut, job_title: Talous- ja henkilöstöjohtaja}
- {id: 7c1e4a52-0000-4000-8000-000000000004, display_name: Mikael Nordström, mail: mikael.nordstrom@porvoo.example, company_name: Porvoon kaupunki, department: Tietohallinto, job_title: Tietohallintopäällikkö, manager: 7c1e4a52-0000-4000-8000-000000000003}
- {id: 7c1e4a52-0000-4000-8000-0000000000b1, display_name: Ville Vesi, mail: ville.vesi@porvoonvesi.example, company_name: Porvoon Vesi, department: Vesihuolto, job_title: Talouspäällikkö}
- {id: 7c1e4a52-0000-4000-8000-0000000000b2, display_name: Veera Virta, mail: veera.virta@porvoonvesi.example, company_name: Porvoon Vesi, department: Vesihuolto, job_title: Palkkasihteeri, manager: 7c1e4a52-0000-4000-8000-0000000000b1}
- {id: 7c1e4a52-0000-4000-8000-0000000000b3, display_name: Kalle Kaksi, mail: kalle.kaksi@porvoo.example, company_name: Porvoon kaupunki, department: Vesihuolto, job_title: Palkkasihteeri, manager: 7c1e4a52-0000-4000-8000-0000000000b1}
- {id: 7c1e4a52-0000-4000-8000-0000000000b4, display_name: Olli Ulko, mail: olli.ulko@urakoitsija.example, company_name: Urakoitsija Oy, department: Rakentaminen, job_title: Työnjohtaja}
`

// Tenant2Directory is the directory file of a second tenant, the town of Loviisa.
const Tenant2Directory = `
- {id: 7c1e4a52-0000-4000-8000-0000000000c1, display_name: Liisa Loviisa, mail: liisa@loviisa.example, company_name: Loviisan kaupunki, department: Hallinto, job_title: Hallintojohtaja}
- {id: 7c1e4a52-0000-4000-8000-0000000000c3, display_name: Leo Loviisa, mail: leo@loviisa.example, company_name: Loviisan kaupunki, department: Hallinto, job_title: Palkkasihteeri, manager: 7c1e4a52-0000-4000-8000-0000000000c1}
`

// Catalog writes a catalog folder: the embedded one with the organisation's own organisation.yaml.
func Catalog(t testing.TB, dir, name, businessID, mainUser, channel string) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	err := fs.WalkDir(catalog.DefaultFS(), ".", func(p string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() || p == "organisation.yaml" {
			return err
		}
		b, err := fs.ReadFile(catalog.DefaultFS(), p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dir, filepath.Base(p)), b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	org := fmt.Sprintf(`name: {fi: %[1]s, sv: %[1]s, en: %[1]s}
business_id: %[2]s
default_language: fi
main_users: [%[3]s]
grant:
  path: valtuuspyynto
  direct_fallback: false
support: {fi: "%[1]s, digituki", sv: "%[1]s, digistöd", en: "%[1]s, digital support"}
digituki: {team_id: "%[4]s", channel_id: "%[4]s"}
granting_right_holders:
  - id: %[3]s
    until: 2030-12-31
    themes: [vero-veroasiat, tulorekisteri-palkkatiedot-ilmoittaminen, tulorekisteri-palkkatiedot-katselu]
`, name, businessID, mainUser, channel)
	if err := os.WriteFile(filepath.Join(dir, "organisation.yaml"), []byte(org), 0o644); err != nil {
		t.Fatal(err)
	}
}
