package tenancy

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/valtuusbotti/valtuusbotti/internal/domain"
)

const (
	t1   = "11111111-1111-4111-8111-111111111111"
	t2   = "33333333-3333-4333-8333-333333333333"
	app1 = "22222222-2222-4222-8222-222222222222"
	app2 = "44444444-4444-4444-8444-444444444444"
)

func env(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

func file(t *testing.T, extra string) []byte {
	t.Helper()
	secret := filepath.Join(t.TempDir(), "secret")
	if err := os.WriteFile(secret, []byte("s3cret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return []byte(`
tenants:
  - id: ` + t1 + `
    bot_app_id: ` + app1 + `
    client_secret_file: ` + secret + `
  - id: ` + t2 + `
    bot_app_id: ` + app2 + `
    client_secret_env: LOVIISA_SECRET
    teams_tenant_rps: 20
organisations:
  - id: 1061512-1
    tenant: ` + t1 + `
    database_url: sqlite:/data/porvoo.db
    members: {company_names: [Porvoon kaupunki]}
  - id: 2345678-0
    tenant: ` + t1 + `
    database_url_env: VESI_DB
    members: {departments: [Vesihuolto], mail_domains: [porvoonvesi.fi]}
  - id: 1234567-1
    tenant: ` + t2 + `
    database_url: sqlite:/data/loviisa.db
` + extra)
}

// Each organisation's configuration is the environment's with its tenant's and its own values over it; what a
// tenant decides (its secret, its database) is never inherited from the environment or from another tenant.
func TestParse(t *testing.T) {
	e := env(map[string]string{"VALTUUS_CLIENT_SECRET": "single-org-secret", "VALTUUS_DATABASE_URL": "sqlite:/data/single.db",
		"LOVIISA_SECRET": "loviisa-secret", "VESI_DB": "postgres://vesi@db/vesi", "VALTUUS_REDIS_PREFIX": "vb:",
		"VALTUUS_TEAMS_TENANT_RPS": "40"})
	set, err := Parse(file(t, ""), e)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(set.IDs(), ","); got != "1061512-1,2345678-0,1234567-1" {
		t.Fatalf("ids %s", got)
	}
	a, b, c := set.Orgs[0].Config, set.Orgs[1].Config, set.Orgs[2].Config
	if a.AppID != app1 || a.TenantID != t1 || a.ClientSecret != "s3cret" || a.DatabaseURL != "sqlite:/data/porvoo.db" {
		t.Errorf("A: %+v", a)
	}
	if b.DatabaseURL != "postgres://vesi@db/vesi" || b.ClientSecret != "s3cret" || b.RedisPrefix != "vb:2345678-0:" {
		t.Errorf("B: db %q secret %q prefix %q", b.DatabaseURL, b.ClientSecret, b.RedisPrefix)
	}
	if c.AppID != app2 || c.ClientSecret != "loviisa-secret" || c.TeamsTenantRPS != 20 || a.TeamsTenantRPS != 40 {
		t.Errorf("C: app %s secret %q rps %d (A %d)", c.AppID, c.ClientSecret, c.TeamsTenantRPS, a.TeamsTenantRPS)
	}
	if o, err := set.Pick(""); err == nil {
		t.Errorf("Pick without an id among three: %v", o.ID)
	}
	if o, err := set.Pick("2345678-0"); err != nil || o.Config != b {
		t.Errorf("Pick B: %v", err)
	}
	if _, err := set.Pick("9999999-9"); err == nil {
		t.Error("Pick of an unknown organisation")
	}
	if got := set.Tenants(); len(got) != 2 {
		t.Errorf("tenants %v", got)
	}
}

// Every problem of the file is reported, naming its entry; nothing half-applies.
func TestParseRefuses(t *testing.T) {
	e := env(map[string]string{"LOVIISA_SECRET": "x", "VESI_DB": "sqlite:/data/porvoo.db"})
	for name, tc := range map[string]struct {
		raw  []byte
		want string
	}{
		"shared database": {file(t, ""), "shares its database with 1061512-1"},
		"unknown tenant": {file(t, "  - {id: 0201256-6, tenant: "+strings.Replace(t1, "1111", "9999", 1)+", database_url: sqlite:/x.db}\n"),
			"is not among tenants"},
		"bad business id": {file(t, "  - {id: porvoo, tenant: "+t1+", database_url: sqlite:/y.db}\n"), "business id"},
		"misspelt key":    {[]byte("tenants: []\norganisations:\n  - id: 1061512-1\n    tennant: x\n"), "tennant"},
		"missing env":     {file(t, ""), "VESI_DB is not set"},
		"no database":     {file(t, "  - {id: 0201256-6, tenant: "+t1+"}\n"), "give its database once"},
	} {
		t.Run(name, func(t *testing.T) {
			ee := e
			if name == "missing env" {
				ee = env(map[string]string{"LOVIISA_SECRET": "x"})
			}
			_, err := Parse(tc.raw, ee)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want it to say %q", err, tc.want)
			}
		})
	}
}

func TestRule(t *testing.T) {
	u := domain.User{CompanyName: " Porvoon Vesi ", Department: "Vesihuolto", Mail: "veera@PorvoonVesi.fi"}
	for _, tc := range []struct {
		r    Rule
		want bool
	}{
		{Rule{}, true},
		{Rule{CompanyNames: []string{"porvoon vesi"}}, true},
		{Rule{CompanyNames: []string{"Porvoon kaupunki"}}, false},
		{Rule{Departments: []string{"Vesihuolto"}, MailDomains: []string{"porvoonvesi.fi"}}, true},
		{Rule{Departments: []string{"Vesihuolto"}, MailDomains: []string{"porvoo.fi"}}, false},
		{Rule{MailDomains: []string{"porvoonvesi.fi"}}, true},
	} {
		if got := tc.r.Matches(u); got != tc.want {
			t.Errorf("%+v matches: %v, want %v", tc.r, got, tc.want)
		}
	}
	if (Rule{MailDomains: []string{"x.fi"}}).Matches(domain.User{}) {
		t.Error("no mail matched a mail-domain rule")
	}
}
