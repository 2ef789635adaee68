package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/valtuusbotti/valtuusbotti/internal/testfakes/testorgs"
)

// With an organisations file the register commands work on the organisation -org names, and only on it: the
// import matches people among its members, the export and the handbook show its data and configuration alone, and
// migrate prepares every organisation's database.
func TestCommandsPerOrganisation(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	write("people.yaml", testorgs.Tenant1Directory)
	testorgs.Catalog(t, filepath.Join(dir, "vesi"), "Porvoon Vesi", "2345678-0", "7c1e4a52-0000-4000-8000-0000000000b1", "19:vesi@thread.tacv2")
	orgs := write("organisations.yaml", `
tenants:
  - id: d3b0c0de-0000-4000-8000-000000000000
    directory: demo
    directory_file: `+dir+`/people.yaml
organisations:
  - id: 1061512-1
    tenant: d3b0c0de-0000-4000-8000-000000000000
    database_url: sqlite:`+dir+`/porvoo.db
    members: {company_names: [Porvoon kaupunki]}
  - id: 2345678-0
    tenant: d3b0c0de-0000-4000-8000-000000000000
    catalog_dir: `+dir+`/vesi
    database_url: sqlite:`+dir+`/vesi.db
    members: {departments: [Vesihuolto]}
`)
	t.Setenv("VALTUUS_ORGANISATIONS_CONFIG", orgs)
	do := func(args ...string) (string, error) {
		var out, errb bytes.Buffer
		err := run(ctx, args, &out, &errb)
		return out.String() + errb.String(), err
	}
	if out, err := do("migrate"); err != nil || !strings.Contains(out, "organisation 2345678-0") {
		t.Fatalf("migrate: %v\n%s", err, out)
	}
	list := write("lista.csv", "Nimi;Sähköposti;Valtuusasia;Voimassa asti\n"+
		"Elina Lindholm;elina.lindholm@porvoo.example;Veroasiat;toistaiseksi\n"+
		"Veera Virta;veera.virta@porvoonvesi.example;Tulorekisteri / palkkatiedot;toistaiseksi\n")
	if out, err := do("import", list); err == nil || !strings.Contains(err.Error(), "-org") {
		t.Errorf("import without -org among two: %v\n%s", err, out)
	}
	if _, err := do("import", "-org", "1061512-1", list); err != nil {
		t.Fatal(err)
	}
	if _, err := do("import", "-org", "2345678-0", list); err != nil {
		t.Fatal(err)
	}
	exportA, err := do("export", "-org", "1061512-1")
	if err != nil {
		t.Fatal(err)
	}
	exportB, err := do("export", "-org", "2345678-0")
	if err != nil {
		t.Fatal(err)
	}
	// Each import matched only its own members: Veera is the city's only as an address not in its directory.
	if !strings.Contains(exportA, "Elina Lindholm") || strings.Contains(exportA, "7c1e4a52-0000-4000-8000-0000000000b2") {
		t.Errorf("the city's export:\n%s", exportA)
	}
	if !strings.Contains(exportB, "7c1e4a52-0000-4000-8000-0000000000b2") || strings.Contains(exportB, "7c1e4a52-0000-4000-8000-000000000001") {
		t.Errorf("the water utility's export:\n%s", exportB)
	}
	hb, err := do("handbook", "-org", "2345678-0", "-lang", "fi")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(hb, "Porvoon Vesi") || !strings.Contains(hb, "2345678-0") || strings.Contains(hb, "1061512-1") {
		t.Errorf("the water utility's handbook names another organisation:\n%.600s", hb)
	}
	if _, err := do("export", "-org", "9999999-9"); err == nil || !strings.Contains(err.Error(), "no such organisation") {
		t.Errorf("an unknown -org: %v", err)
	}
}
