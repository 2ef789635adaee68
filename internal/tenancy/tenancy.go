// Package tenancy reads the organisations file: the Entra tenants one deployment serves, each with its own
// single-tenant bot registration, credential, directory and Teams budget, and the organisations in them (a city,
// its municipal enterprises and joint authorities, neighbouring municipalities), each with its own catalog folder
// (business id, main users, holders of the right to grant, approval and alert settings, digituki channel), its own
// database and the rule on directory attributes that says who belongs to it.
//
// Every organisation runs as its own cell of the service (internal/app): its configuration is the deployment's
// (environment) with the tenant's and the organisation's values laid over it, and checked by the same rules
// (config.FromEnv). Without an organisations file the deployment is the one organisation the environment
// describes (Single).
package tenancy

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/valtuusbotti/valtuusbotti/internal/config"
	"github.com/valtuusbotti/valtuusbotti/internal/domain"
)

// File is the organisations file as written (VALTUUS_ORGANISATIONS_CONFIG).
type File struct {
	Tenants       []Tenant       `yaml:"tenants"`
	Organisations []Organisation `yaml:"organisations"`
}

// Tenant is one Entra tenant: its single-tenant bot registration and what the bot uses there.
type Tenant struct {
	ID       string `yaml:"id"`         // the tenant id (GUID)
	BotAppID string `yaml:"bot_app_id"` // the bot registration's app (client) id in this tenant
	// Credential is secret, certificate or managed-identity (default secret).
	Credential string `yaml:"credential"`
	// The client secret: read from a file (a mounted Key Vault secret) or from an environment variable named here
	// (a Container Apps secret reference); never written in this file.
	ClientSecretFile        string `yaml:"client_secret_file"`
	ClientSecretEnv         string `yaml:"client_secret_env"`
	CertificatePath         string `yaml:"certificate_path"`
	CertificatePasswordFile string `yaml:"certificate_password_file"`
	ManagedIdentityClientID string `yaml:"managed_identity_client_id"`
	// Directory is graph (the tenant's Microsoft Graph) or demo; DirectoryFile a directory YAML (demo only).
	Directory     string `yaml:"directory"`
	DirectoryFile string `yaml:"directory_file"`
	GraphBaseURL  string `yaml:"graph_base_url"`
	// TeamsTenantRPS is the bot's Bot Connector budget in this tenant (default: the deployment's
	// VALTUUS_TEAMS_TENANT_RPS); the organisations of one tenant share it.
	TeamsTenantRPS    *int   `yaml:"teams_tenant_rps"`
	TeamsCatalogAppID string `yaml:"teams_catalog_app_id"`
	TabAppID          string `yaml:"tab_app_id"`
}

// Organisation is one organisation the deployment serves.
type Organisation struct {
	// ID is the organisation's business id (Y-tunnus); its catalog's organisation.yaml must say the same.
	ID     string `yaml:"id"`
	Tenant string `yaml:"tenant"` // the tenant id it is served from
	// CatalogDir is its catalog folder (themes, tasks, roles, organisation.yaml, faq); empty: the embedded one.
	CatalogDir string `yaml:"catalog_dir"`
	// Its database, written here (SQLite), or read from a file or an environment variable (PostgreSQL with a
	// password). No two organisations may share a database.
	DatabaseURL     string `yaml:"database_url"`
	DatabaseURLFile string `yaml:"database_url_file"`
	DatabaseURLEnv  string `yaml:"database_url_env"`
	// Members is who belongs to it; an empty rule: everyone in the tenant.
	Members Rule `yaml:"members"`
}

// Rule is a rule on directory attributes: a person matches when, for every attribute the rule lists, their value
// is one of the listed ones (compared without case and surrounding spaces). An empty rule matches everyone.
type Rule struct {
	CompanyNames []string `yaml:"company_names"` // Entra companyName
	Departments  []string `yaml:"departments"`   // Entra department
	MailDomains  []string `yaml:"mail_domains"`  // the domain of the mail (or user principal name)
}

// Empty reports whether the rule lists nothing (everyone matches).
func (r Rule) Empty() bool {
	return len(r.CompanyNames) == 0 && len(r.Departments) == 0 && len(r.MailDomains) == 0
}

// Matches reports whether u belongs by the rule.
func (r Rule) Matches(u domain.User) bool {
	in := func(list []string, v string) bool {
		v = strings.TrimSpace(v)
		return slices.ContainsFunc(list, func(s string) bool { return strings.EqualFold(strings.TrimSpace(s), v) })
	}
	if len(r.CompanyNames) > 0 && !in(r.CompanyNames, u.CompanyName) {
		return false
	}
	if len(r.Departments) > 0 && !in(r.Departments, u.Department) {
		return false
	}
	if len(r.MailDomains) > 0 {
		_, domainPart, ok := strings.Cut(u.Mail, "@")
		if !ok || !in(r.MailDomains, domainPart) {
			return false
		}
	}
	return true
}

// Org is one organisation ready to run: its id, tenant, membership rule and its own service configuration.
type Org struct {
	ID      string // business id
	Tenant  string
	Members Rule
	Config  *config.Config
}

// Member is the organisation's membership rule as a predicate.
func (o *Org) Member(u domain.User) bool { return o.Members.Matches(u) }

// Set is the organisations one deployment serves, in file order.
type Set struct {
	Orgs []*Org
	// Sum is the organisations file's SHA-256 (empty for Single): a reload compares it.
	Sum [32]byte
	// FromFile is whether the set came from an organisations file.
	FromFile bool
}

// Single is the deployment of one organisation that the environment describes: everyone in its tenant belongs to
// it. Its id is "" until the catalog names the business id (the app fills it in).
func Single(base *config.Config) *Set {
	return &Set{Orgs: []*Org{{Tenant: base.TenantID, Config: base}}}
}

// Org returns the organisation with business id id, or nil.
func (s *Set) Org(id string) *Org {
	for _, o := range s.Orgs {
		if o.ID == id {
			return o
		}
	}
	return nil
}

// Pick returns the organisation a command works on: the one named by id, or the only one when id is empty.
func (s *Set) Pick(id string) (*Org, error) {
	if id == "" {
		if len(s.Orgs) == 1 {
			return s.Orgs[0], nil
		}
		return nil, fmt.Errorf("this deployment serves %d organisations: name one with -org (%s)", len(s.Orgs), strings.Join(s.IDs(), ", "))
	}
	if o := s.Org(id); o != nil {
		return o, nil
	}
	if len(s.Orgs) == 1 && s.Orgs[0].ID == "" {
		return s.Orgs[0], nil // Single: the catalog's business id is checked by the caller
	}
	return nil, fmt.Errorf("-org %s: no such organisation (this deployment serves %s)", id, strings.Join(s.IDs(), ", "))
}

// IDs lists the organisations' business ids in file order.
func (s *Set) IDs() []string {
	ids := make([]string, len(s.Orgs))
	for i, o := range s.Orgs {
		ids[i] = o.ID
	}
	return ids
}

// Tenants lists the tenant ids, each once, in file order.
func (s *Set) Tenants() []string {
	var out []string
	for _, o := range s.Orgs {
		if !slices.Contains(out, o.Tenant) {
			out = append(out, o.Tenant)
		}
	}
	return out
}

// For returns the organisations of tenant that u belongs to, in file order.
func (s *Set) For(tenant string, u domain.User) []*Org {
	var out []*Org
	for _, o := range s.Orgs {
		if strings.EqualFold(o.Tenant, tenant) && o.Member(u) {
			out = append(out, o)
		}
	}
	return out
}

// FromEnv is the deployment the environment describes: the organisations file VALTUUS_ORGANISATIONS_CONFIG when it
// is set, else Single.
func FromEnv(base *config.Config, getenv config.Getenv) (*Set, error) {
	if getenv == nil {
		getenv = os.LookupEnv
	}
	if base.OrganisationsFile == "" {
		return Single(base), nil
	}
	return Load(base.OrganisationsFile, getenv)
}

var (
	guidRE = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)
	bidRE  = regexp.MustCompile(`^[0-9]{7}-[0-9]$`)
)

// Load reads and checks the organisations file at path; getenv is the deployment's environment, which each
// organisation's configuration starts from. All problems are reported together, each naming its entry.
func Load(path string, getenv config.Getenv) (*Set, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("VALTUUS_ORGANISATIONS_CONFIG: %w", err)
	}
	return Parse(raw, getenv)
}

// Parse is Load on the file's bytes.
func Parse(raw []byte, getenv config.Getenv) (*Set, error) {
	var f File
	dec := yaml.NewDecoder(bytes.NewReader(raw))
	dec.KnownFields(true) // a misspelt key is an error, not a silently ignored setting
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("organisations file: %w", err)
	}
	var errs []error
	fail := func(where, format string, args ...any) {
		errs = append(errs, fmt.Errorf("organisations file: %s: %s", where, fmt.Sprintf(format, args...)))
	}
	tenants := map[string]*Tenant{}
	for i := range f.Tenants {
		t := &f.Tenants[i]
		where := fmt.Sprintf("tenants[%d]", i)
		switch {
		case !guidRE.MatchString(t.ID):
			fail(where, "id: want the Entra tenant id (a GUID), not %q", t.ID)
		case tenants[strings.ToLower(t.ID)] != nil:
			fail(where, "tenant %s is listed twice", t.ID)
		default:
			tenants[strings.ToLower(t.ID)] = t
		}
		if t.BotAppID == "" && len(f.Tenants) > 1 {
			fail(where, "bot_app_id: every tenant of a deployment with several needs its own bot registration")
		}
		if t.ClientSecretEnv != "" && t.ClientSecretFile != "" {
			fail(where, "set client_secret_file or client_secret_env, not both")
		}
	}
	if len(f.Organisations) == 0 {
		fail("organisations", "none listed")
	}
	set := &Set{Sum: sha256.Sum256(raw), FromFile: true}
	databases := map[string]string{}
	for i, o := range f.Organisations {
		where := fmt.Sprintf("organisations[%d] (%s)", i, o.ID)
		if !bidRE.MatchString(o.ID) {
			fail(where, "id: want the organisation's business id (Y-tunnus, 1234567-8)")
			continue
		}
		if set.Org(o.ID) != nil {
			fail(where, "business id %s is listed twice", o.ID)
			continue
		}
		t := tenants[strings.ToLower(o.Tenant)]
		if t == nil {
			fail(where, "tenant %q is not among tenants", o.Tenant)
			continue
		}
		overlay, err := overlayFor(t, o, getenv)
		if err != nil {
			fail(where, "%v", err)
			continue
		}
		cfg, err := config.FromEnv(func(k string) (string, bool) {
			if v, ok := overlay[k]; ok {
				return v, true
			}
			return getenv(k)
		})
		if err != nil {
			fail(where, "%v", strings.ReplaceAll(err.Error(), "\n", "; "))
			continue
		}
		if other, ok := databases[cfg.DatabaseURL]; ok {
			fail(where, "shares its database with %s: every organisation needs its own", other)
			continue
		}
		databases[cfg.DatabaseURL] = o.ID
		set.Orgs = append(set.Orgs, &Org{ID: o.ID, Tenant: strings.ToLower(t.ID), Members: o.Members, Config: cfg})
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return set, nil
}

// tenantKeys are the variables a tenant decides: a value the deployment's environment sets for them is not
// inherited (one tenant's secret never reaches another's credential).
var tenantKeys = []string{"VALTUUS_BOT_APP_ID", "VALTUUS_BOT_TENANT_ID", "VALTUUS_CREDENTIAL", "VALTUUS_CLIENT_SECRET",
	"VALTUUS_CLIENT_SECRET_FILE", "VALTUUS_CLIENT_CERTIFICATE_PATH", "VALTUUS_CLIENT_CERTIFICATE_PASSWORD",
	"VALTUUS_CLIENT_CERTIFICATE_PASSWORD_FILE", "VALTUUS_MANAGED_IDENTITY_CLIENT_ID", "VALTUUS_DIRECTORY",
	"VALTUUS_DIRECTORY_FILE", "VALTUUS_TEAMS_CATALOG_APP_ID", "VALTUUS_TAB_APP_ID", "VALTUUS_DATABASE_URL",
	"VALTUUS_DATABASE_URL_FILE", "VALTUUS_CATALOG_DIR", "VALTUUS_ORGANISATIONS_CONFIG"}

// overlayFor is the environment an organisation's configuration reads on top of the deployment's.
func overlayFor(t *Tenant, o Organisation, getenv config.Getenv) (map[string]string, error) {
	ov := make(map[string]string, len(tenantKeys)+4)
	for _, k := range tenantKeys {
		ov[k] = ""
	}
	ov["VALTUUS_BOT_APP_ID"] = t.BotAppID
	ov["VALTUUS_BOT_TENANT_ID"] = t.ID
	ov["VALTUUS_CREDENTIAL"] = t.Credential
	ov["VALTUUS_CLIENT_SECRET_FILE"] = t.ClientSecretFile
	if err := fromEnv(ov, "VALTUUS_CLIENT_SECRET", "client_secret_env", t.ClientSecretEnv, getenv); err != nil {
		return nil, err
	}
	ov["VALTUUS_CLIENT_CERTIFICATE_PATH"] = t.CertificatePath
	ov["VALTUUS_CLIENT_CERTIFICATE_PASSWORD_FILE"] = t.CertificatePasswordFile
	ov["VALTUUS_MANAGED_IDENTITY_CLIENT_ID"] = t.ManagedIdentityClientID
	ov["VALTUUS_DIRECTORY"] = t.Directory
	ov["VALTUUS_DIRECTORY_FILE"] = t.DirectoryFile
	if t.GraphBaseURL != "" {
		ov["VALTUUS_GRAPH_BASE_URL"] = t.GraphBaseURL
	}
	if t.TeamsTenantRPS != nil {
		ov["VALTUUS_TEAMS_TENANT_RPS"] = strconv.Itoa(*t.TeamsTenantRPS)
	}
	ov["VALTUUS_TEAMS_CATALOG_APP_ID"] = t.TeamsCatalogAppID
	ov["VALTUUS_TAB_APP_ID"] = t.TabAppID
	ov["VALTUUS_CATALOG_DIR"] = o.CatalogDir
	n := 0
	for _, s := range []string{o.DatabaseURL, o.DatabaseURLFile, o.DatabaseURLEnv} {
		if s != "" {
			n++
		}
	}
	if n != 1 {
		return nil, errors.New("give its database once: database_url, database_url_file or database_url_env")
	}
	ov["VALTUUS_DATABASE_URL"] = o.DatabaseURL
	ov["VALTUUS_DATABASE_URL_FILE"] = o.DatabaseURLFile
	if err := fromEnv(ov, "VALTUUS_DATABASE_URL", "database_url_env", o.DatabaseURLEnv, getenv); err != nil {
		return nil, err
	}
	// Each organisation's ephemeral state under its own prefix; the Teams budget is the tenant's (internal/app).
	prefix, _ := getenv("VALTUUS_REDIS_PREFIX")
	if strings.TrimSpace(prefix) == "" {
		prefix = "valtuusbotti:"
	}
	ov["VALTUUS_REDIS_PREFIX"] = strings.TrimSpace(prefix) + o.ID + ":"
	return ov, nil
}

// fromEnv sets ov[key] to the environment variable name names (the file's field), when it names one.
func fromEnv(ov map[string]string, key, field, name string, getenv config.Getenv) error {
	if name == "" {
		return nil
	}
	v, _ := getenv(name)
	if strings.TrimSpace(v) == "" {
		return fmt.Errorf("%s: %s is not set", field, name)
	}
	ov[key] = v
	return nil
}
