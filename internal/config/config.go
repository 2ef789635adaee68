// Package config reads Valtuusbotti's settings from the environment into one validated struct.
//
// Every setting has a documented default that runs the service locally on embedded parts (SQLite, in-memory state,
// the demo directory and catalog, anonymous Bot Framework traffic on loopback). Secrets may also come from a file
// named by the variable with a _FILE suffix (Kubernetes and Azure Container Apps mount secrets that way), and are
// masked whenever the configuration is printed or logged. A bad value stops start-up with an error naming the
// variable.
package config

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Credential kinds for the bot's outbound calls (Bot Connector, Microsoft Graph).
const (
	CredentialNone             = "none"              // local anonymous mode only
	CredentialSecret           = "secret"            // app registration client secret
	CredentialCertificate      = "certificate"       // app registration certificate (PEM or PKCS#12 file)
	CredentialManagedIdentity  = "managed_identity"  // user-assigned managed identity (Azure Bot "UserAssignedMSI")
	CredentialWorkloadIdentity = "workload_identity" // AKS workload identity federation
)

// Directory sources.
const (
	DirectoryDemo  = "demo"  // the embedded demo organisation, or DirectoryFile when set
	DirectoryGraph = "graph" // Microsoft Graph (Entra ID)
)

// Clouds VALTUUS_CLOUD selects.
const (
	CloudPublic = "public" // Microsoft's global cloud
	CloudUSGov  = "usgov"  // Azure Government / Microsoft 365 GCC High (Graph L4)
	CloudChina  = "china"  // Azure and Microsoft 365 operated by 21Vianet
)

// Cloud is what one cloud's endpoints are: where the bot's tokens come from (the Entra ID authority), the scope of
// its Bot Connector tokens, the issuer and OpenID metadata of the tokens channels send it, and Microsoft Graph.
// Values from Microsoft's Bot Framework cloud documentation (GovernmentAuthenticationConstants, "Configure a bot
// in Microsoft Azure operated by 21Vianet") and "Microsoft Graph national cloud deployments".
type Cloud struct {
	Name              string
	AuthorityHost     string // Entra ID, e.g. https://login.microsoftonline.com/
	BotScope          string // Bot Connector token scope
	BotIssuer         string // "iss" of the tokens channels send to the bot
	OpenIDMetadataURL string // where the keys of those tokens are published
	GraphBaseURL      string // Microsoft Graph v1.0; its token scope is its host's /.default
}

// Clouds are the clouds by VALTUUS_CLOUD name.
func Clouds() map[string]Cloud {
	return map[string]Cloud{
		CloudPublic: {Name: CloudPublic, AuthorityHost: "https://login.microsoftonline.com/",
			BotScope: "https://api.botframework.com/.default", BotIssuer: "https://api.botframework.com",
			OpenIDMetadataURL: DefaultOpenIDMetadataURL, GraphBaseURL: DefaultGraphBaseURL},
		CloudUSGov: {Name: CloudUSGov, AuthorityHost: "https://login.microsoftonline.us/",
			BotScope: "https://api.botframework.us/.default", BotIssuer: "https://api.botframework.us",
			OpenIDMetadataURL: "https://login.botframework.azure.us/v1/.well-known/openidconfiguration",
			GraphBaseURL:      "https://graph.microsoft.us/v1.0"},
		CloudChina: {Name: CloudChina, AuthorityHost: "https://login.chinacloudapi.cn/",
			BotScope: "https://api.botframework.azure.cn/.default", BotIssuer: "https://api.botframework.azure.cn",
			OpenIDMetadataURL: "https://login.botframework.azure.cn/v1/.well-known/openidconfiguration",
			GraphBaseURL:      "https://microsoftgraph.chinacloudapi.cn/v1.0"},
	}
}

// DefaultOpenIDMetadataURL is where Bot Framework publishes the keys that sign the tokens channels send to bots.
const DefaultOpenIDMetadataURL = "https://login.botframework.com/v1/.well-known/openidconfiguration"

// DefaultGraphBaseURL is Microsoft Graph's v1.0 endpoint in the global cloud.
const DefaultGraphBaseURL = "https://graph.microsoft.com/v1.0"

// Config is the whole configuration of the service.
type Config struct {
	ListenAddr string // VALTUUS_LISTEN_ADDR

	AppID    string // VALTUUS_BOT_APP_ID: the bot's Entra app (client) id; empty = local anonymous mode
	TenantID string // VALTUUS_BOT_TENANT_ID: the city's tenant, for single-tenant bots and Graph

	Credential            string // VALTUUS_CREDENTIAL
	ClientSecret          string // VALTUUS_CLIENT_SECRET (or _FILE)
	CertificatePath       string // VALTUUS_CLIENT_CERTIFICATE_PATH
	CertificatePassword   string // VALTUUS_CLIENT_CERTIFICATE_PASSWORD (or _FILE)
	ManagedIdentityClient string // VALTUUS_MANAGED_IDENTITY_CLIENT_ID

	// Cloud is the cloud's endpoints (VALTUUS_CLOUD, default public); the two below and AuthorityHost default to
	// its values.
	Cloud             Cloud
	OpenIDMetadataURL string // VALTUUS_OPENID_METADATA_URL
	GraphBaseURL      string // VALTUUS_GRAPH_BASE_URL
	// TabHost is the public host name the dashboard tab is served from (the manifest's tab URL and SSO resource
	// api://<host>/botid-<app id>); empty accepts only tokens whose audience is the app id itself.
	TabHost string // VALTUUS_TAB_HOST
	// TabAppID is the Entra app registration the tab's SSO tokens are for when it is not the bot's (a bot whose
	// identity is a managed identity cannot expose an API); empty means the bot's app id.
	TabAppID string // VALTUUS_TAB_APP_ID
	// EntraMetadataURL is where the tab's Entra token signing keys are published; default the tenant's v2.0 OpenID
	// configuration at login.microsoftonline.com.
	EntraMetadataURL string // VALTUUS_ENTRA_METADATA_URL
	// AuthorityHost is the Entra ID authority the credential gets tokens from (AZURE_AUTHORITY_HOST, as azidentity
	// reads it; default the cloud's), e.g. a private authority or a test rig's.
	AuthorityHost string
	// DisableInstanceDiscovery skips Entra ID's instance discovery, which a private authority or a test rig does
	// not answer (VALTUUS_DISABLE_INSTANCE_DISCOVERY).
	DisableInstanceDiscovery bool

	DatabaseURL string // VALTUUS_DATABASE_URL (or _FILE)
	RedisURL    string // VALTUUS_REDIS_URL (or _FILE, as it may carry a password); empty = in-memory state
	// RedisPrefix starts every key the service writes to Redis, so that several deployments (organisations, test
	// runs) can share one Redis without seeing each other's state.
	RedisPrefix string // VALTUUS_REDIS_PREFIX, default "valtuusbotti:"
	// AlertInterval is how often the alert scheduler looks for due alerts (herätteet).
	AlertInterval time.Duration // VALTUUS_ALERT_INTERVAL, default 1m
	// ClockOffset moves the service's clock forward, to show in a local trial what happens days later (reminders,
	// expiry notices). Only in local anonymous mode.
	ClockOffset time.Duration // VALTUUS_CLOCK_OFFSET, default 0

	// TeamsCatalogAppID is the app's id in the organisation's Teams app catalog; with the graph directory it lets
	// the bot install itself for people it must message but has never heard from.
	TeamsCatalogAppID string // VALTUUS_TEAMS_CATALOG_APP_ID

	Directory     string // VALTUUS_DIRECTORY: demo | graph
	DirectoryFile string // VALTUUS_DIRECTORY_FILE: a demo directory YAML instead of the embedded one
	// DirectorySyncInterval is how often the directory sync looks for joiners, movers and leavers (the demo file
	// is also checked for changes every 2 s).
	DirectorySyncInterval time.Duration // VALTUUS_DIRECTORY_SYNC_INTERVAL, default 15m
	CatalogDir            string        // VALTUUS_CATALOG_DIR: a catalog folder instead of the embedded one
	// OrganisationsFile lists the tenants and organisations one deployment serves (internal/tenancy); empty: the
	// one organisation this environment describes.
	OrganisationsFile string // VALTUUS_ORGANISATIONS_CONFIG

	LogLevel  slog.Level // VALTUUS_LOG_LEVEL
	LogFormat string     // VALTUUS_LOG_FORMAT: text | json

	// TeamsTenantRPS is the app's budget of Bot Connector requests a second in one tenant, shared by all replicas
	// through Redis when Redis is configured; 0 lifts the client-side limit (a test rig; a warning is logged).
	TeamsTenantRPS int // VALTUUS_TEAMS_TENANT_RPS, default 50
	// TeamsConversationLimits are Teams' limits per conversation, as "count/period" pairs.
	TeamsConversationLimits []RateWindow // VALTUUS_TEAMS_CONVERSATION_LIMITS, default 7/1s,8/2s,60/30s,1800/1h
	// TeamsReplyWait is how long a turn's reply waits for a send slot before it is handed to the outbox and the
	// turn is answered at once.
	TeamsReplyWait time.Duration // VALTUUS_TEAMS_REPLY_WAIT, default 50ms

	// PprofAddr is a loopback host:port serving Go's profiler (net/http/pprof) apart from the service's listener;
	// empty: off.
	PprofAddr string // VALTUUS_PPROF_ADDR

	MaxBodyBytes    int64         // VALTUUS_MAX_BODY_BYTES
	Migrate         bool          // VALTUUS_MIGRATE: serve applies migrations first (false: it only checks the schema)
	ShutdownTimeout time.Duration // VALTUUS_SHUTDOWN_TIMEOUT
}

// RateWindow is one sliding-window limit: at most Limit requests in any period Per.
type RateWindow struct {
	Limit int
	Per   time.Duration
}

// DefaultConversationLimits are Teams' published limits per bot and conversation.
func DefaultConversationLimits() []RateWindow {
	return []RateWindow{{7, time.Second}, {8, 2 * time.Second}, {60, 30 * time.Second}, {1800, time.Hour}}
}

// parseWindows reads "7/1s,8/2s": count/period pairs, each count ≥ 1 and period > 0.
func parseWindows(v string) ([]RateWindow, error) {
	var out []RateWindow
	for part := range strings.SplitSeq(v, ",") {
		n, per, ok := strings.Cut(strings.TrimSpace(part), "/")
		if !ok {
			return nil, errors.New("no /")
		}
		limit, err := strconv.Atoi(n)
		if err != nil || limit < 1 {
			return nil, errors.New("bad count")
		}
		d, err := time.ParseDuration(per)
		if err != nil || d <= 0 {
			return nil, errors.New("bad period")
		}
		out = append(out, RateWindow{Limit: limit, Per: d})
	}
	return out, nil
}

// FormatWindows writes windows as VALTUUS_TEAMS_CONVERSATION_LIMITS reads them.
func FormatWindows(ws []RateWindow) string {
	parts := make([]string, len(ws))
	for i, w := range ws {
		parts[i] = fmt.Sprintf("%d/%s", w.Limit, w.Per)
	}
	return strings.Join(parts, ",")
}

// Anonymous reports whether inbound tokens are not checked: the local mode for the Agents Playground.
func (c *Config) Anonymous() bool { return c.AppID == "" }

// Getenv looks a variable up; os.LookupEnv in production, a map in tests.
type Getenv func(key string) (string, bool)

var guidRE = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// Names lists the environment variables the configuration reads, sorted (a secret's _FILE twin included).
func Names() []string {
	seen := map[string]bool{}
	_, _ = FromEnv(func(k string) (string, bool) { seen[k] = true; return "", false })
	names := make([]string, 0, len(seen))
	for k := range seen {
		names = append(names, k)
	}
	slices.Sort(names)
	return names
}

// FromEnv reads and validates the configuration. All problems are reported together, each naming its variable.
func FromEnv(getenv Getenv) (*Config, error) {
	if getenv == nil {
		getenv = os.LookupEnv
	}
	r := reader{getenv: getenv}
	c := &Config{
		ListenAddr:               r.str("VALTUUS_LISTEN_ADDR", "127.0.0.1:3978"),
		AppID:                    r.str("VALTUUS_BOT_APP_ID", ""),
		TenantID:                 r.str("VALTUUS_BOT_TENANT_ID", ""),
		Credential:               r.str("VALTUUS_CREDENTIAL", ""),
		ClientSecret:             r.secret("VALTUUS_CLIENT_SECRET"),
		CertificatePath:          r.str("VALTUUS_CLIENT_CERTIFICATE_PATH", ""),
		CertificatePassword:      r.secret("VALTUUS_CLIENT_CERTIFICATE_PASSWORD"),
		ManagedIdentityClient:    r.str("VALTUUS_MANAGED_IDENTITY_CLIENT_ID", ""),
		DisableInstanceDiscovery: r.bool("VALTUUS_DISABLE_INSTANCE_DISCOVERY", false),
		DatabaseURL:              r.secret("VALTUUS_DATABASE_URL"), // a PostgreSQL URL usually carries a password
		RedisURL:                 r.secret("VALTUUS_REDIS_URL"),
		RedisPrefix:              r.str("VALTUUS_REDIS_PREFIX", "valtuusbotti:"),
		AlertInterval:            r.duration("VALTUUS_ALERT_INTERVAL", time.Minute),
		ClockOffset:              r.duration("VALTUUS_CLOCK_OFFSET", 0),
		Directory:                r.str("VALTUUS_DIRECTORY", DirectoryDemo),
		TeamsCatalogAppID:        r.str("VALTUUS_TEAMS_CATALOG_APP_ID", ""),
		DirectoryFile:            r.str("VALTUUS_DIRECTORY_FILE", ""),
		DirectorySyncInterval:    r.duration("VALTUUS_DIRECTORY_SYNC_INTERVAL", 15*time.Minute),
		TabHost:                  strings.ToLower(r.str("VALTUUS_TAB_HOST", "")),
		TabAppID:                 strings.ToLower(r.str("VALTUUS_TAB_APP_ID", "")),
		EntraMetadataURL:         r.str("VALTUUS_ENTRA_METADATA_URL", ""),
		CatalogDir:               r.str("VALTUUS_CATALOG_DIR", ""),
		OrganisationsFile:        r.str("VALTUUS_ORGANISATIONS_CONFIG", ""),
		PprofAddr:                r.str("VALTUUS_PPROF_ADDR", ""),
		LogFormat:                r.str("VALTUUS_LOG_FORMAT", ""),
		TeamsTenantRPS:           int(r.int64("VALTUUS_TEAMS_TENANT_RPS", 50)),
		TeamsConversationLimits: parsed(&r, "VALTUUS_TEAMS_CONVERSATION_LIMITS", DefaultConversationLimits(),
			"count/period pairs such as 7/1s,8/2s,60/30s,1800/1h", parseWindows),
		TeamsReplyWait:  r.duration("VALTUUS_TEAMS_REPLY_WAIT", 50*time.Millisecond),
		MaxBodyBytes:    r.int64("VALTUUS_MAX_BODY_BYTES", 256<<10),
		Migrate:         r.bool("VALTUUS_MIGRATE", true),
		ShutdownTimeout: r.duration("VALTUUS_SHUTDOWN_TIMEOUT", 20*time.Second),
	}
	cloudName := strings.ToLower(r.str("VALTUUS_CLOUD", CloudPublic))
	cloud, ok := Clouds()[cloudName]
	if !ok {
		r.fail("VALTUUS_CLOUD", "unknown %q: want public, usgov or china", cloudName)
		cloud = Clouds()[CloudPublic]
	}
	c.Cloud = cloud
	c.OpenIDMetadataURL = r.str("VALTUUS_OPENID_METADATA_URL", cloud.OpenIDMetadataURL)
	c.GraphBaseURL = r.str("VALTUUS_GRAPH_BASE_URL", cloud.GraphBaseURL)
	c.AuthorityHost = r.str("AZURE_AUTHORITY_HOST", cloud.AuthorityHost)
	if c.Credential == CredentialManagedIdentity && c.ManagedIdentityClient == "" {
		// The bot's identity is the user-assigned managed identity whose client id is the bot's app id.
		c.ManagedIdentityClient = c.AppID
	}
	if c.DatabaseURL == "" {
		c.DatabaseURL = "sqlite:./data/valtuusbotti.db"
	}
	c.LogLevel = r.level("VALTUUS_LOG_LEVEL", slog.LevelInfo)
	if c.Credential == "" {
		c.Credential = CredentialNone
		if c.AppID != "" {
			c.Credential = CredentialSecret
		}
	}
	if c.LogFormat == "" {
		// People read the local console; machines read production logs.
		c.LogFormat = "json"
		if c.Anonymous() {
			c.LogFormat = "text"
		}
	}
	c.validate(&r)
	if len(r.errs) > 0 {
		return nil, errors.Join(r.errs...)
	}
	return c, nil
}

func (c *Config) validate(r *reader) {
	host, _, err := net.SplitHostPort(c.ListenAddr)
	if err != nil {
		r.fail("VALTUUS_LISTEN_ADDR", "want host:port, e.g. 127.0.0.1:3978: %v", err)
	}
	if c.AppID != "" && !guidRE.MatchString(c.AppID) {
		r.fail("VALTUUS_BOT_APP_ID", "want the app registration's client id (a GUID)")
	}
	if c.TenantID != "" && !guidRE.MatchString(c.TenantID) {
		r.fail("VALTUUS_BOT_TENANT_ID", "want the Entra tenant id (a GUID)")
	}
	if c.PprofAddr != "" {
		if h, _, err := net.SplitHostPort(c.PprofAddr); err != nil || !IsLoopback(h) {
			r.fail("VALTUUS_PPROF_ADDR", "want a loopback host:port such as 127.0.0.1:6060: the profiler must not be reachable from outside")
		}
	}
	if c.ClockOffset != 0 && (c.AppID != "" || c.ClockOffset < 0) {
		r.fail("VALTUUS_CLOCK_OFFSET", "moves the clock forward for a local trial: only without VALTUUS_BOT_APP_ID, and not backwards")
	}
	if c.AppID == "" {
		// Local anonymous mode: nobody checks who sends activities, so only the local machine may reach us.
		if err == nil && !IsLoopback(host) {
			r.fail("VALTUUS_LISTEN_ADDR", "without VALTUUS_BOT_APP_ID the bot runs unauthenticated and may only listen on loopback (127.0.0.1, ::1 or localhost), not %q", host)
		}
		if c.Credential != CredentialNone {
			r.fail("VALTUUS_CREDENTIAL", "%q needs VALTUUS_BOT_APP_ID", c.Credential)
		}
		if c.Directory == DirectoryGraph {
			r.fail("VALTUUS_DIRECTORY", "graph needs VALTUUS_BOT_APP_ID and a credential")
		}
	} else {
		if c.TenantID == "" {
			r.fail("VALTUUS_BOT_TENANT_ID", "required with VALTUUS_BOT_APP_ID (single-tenant bots get tokens from the city's tenant)")
		}
		switch c.Credential {
		case CredentialSecret:
			if c.ClientSecret == "" {
				r.fail("VALTUUS_CLIENT_SECRET", "required with VALTUUS_CREDENTIAL=secret (or VALTUUS_CLIENT_SECRET_FILE)")
			}
		case CredentialCertificate:
			if c.CertificatePath == "" {
				r.fail("VALTUUS_CLIENT_CERTIFICATE_PATH", "required with VALTUUS_CREDENTIAL=certificate")
			} else if _, err := os.Stat(c.CertificatePath); err != nil {
				r.fail("VALTUUS_CLIENT_CERTIFICATE_PATH", "cannot read the certificate: %v", err)
			}
		case CredentialManagedIdentity, CredentialWorkloadIdentity:
		case CredentialNone:
			r.fail("VALTUUS_CREDENTIAL", "none is only for local anonymous mode; with an app id choose secret, certificate, managed_identity or workload_identity")
		default:
			r.fail("VALTUUS_CREDENTIAL", "unknown %q: want secret, certificate, managed_identity or workload_identity", c.Credential)
		}
	}
	if u, err := url.Parse(c.AuthorityHost); err != nil || u.Scheme != "https" || u.Host == "" {
		r.fail("AZURE_AUTHORITY_HOST", "want an https URL such as https://login.microsoftonline.com/ (azidentity refuses plain http)")
	}
	checkURL(r, "VALTUUS_OPENID_METADATA_URL", c.OpenIDMetadataURL)
	checkURL(r, "VALTUUS_GRAPH_BASE_URL", c.GraphBaseURL)
	if c.EntraMetadataURL == "" && c.TenantID != "" {
		c.EntraMetadataURL = "https://login.microsoftonline.com/" + strings.ToLower(c.TenantID) + "/v2.0/.well-known/openid-configuration"
	}
	if c.EntraMetadataURL != "" {
		checkURL(r, "VALTUUS_ENTRA_METADATA_URL", c.EntraMetadataURL)
	}
	if c.TabAppID != "" && !guidRE.MatchString(c.TabAppID) {
		r.fail("VALTUUS_TAB_APP_ID", "want the tab's app registration's client id (a GUID)")
	}
	if c.TabHost != "" && (strings.ContainsAny(c.TabHost, "/:@ ") || !strings.Contains(c.TabHost, ".")) {
		r.fail("VALTUUS_TAB_HOST", "want the tab's public host name, e.g. valtuusbotti.porvoo.fi (no scheme, port or path)")
	}
	if !strings.HasPrefix(c.DatabaseURL, "sqlite:") && !strings.HasPrefix(c.DatabaseURL, "postgres://") && !strings.HasPrefix(c.DatabaseURL, "postgresql://") {
		r.fail("VALTUUS_DATABASE_URL", "want sqlite:<path> or postgres://…")
	}
	if c.RedisURL != "" {
		if u, err := url.Parse(c.RedisURL); err != nil || (u.Scheme != "redis" && u.Scheme != "rediss") {
			r.fail("VALTUUS_REDIS_URL", "want redis://host:port/db or rediss://…")
		}
	}
	if c.RedisPrefix == "" || strings.ContainsAny(c.RedisPrefix, " \t\r\n") {
		r.fail("VALTUUS_REDIS_PREFIX", "want a non-empty prefix without spaces, e.g. valtuusbotti:")
	}
	switch c.Directory {
	case DirectoryDemo, DirectoryGraph:
	default:
		r.fail("VALTUUS_DIRECTORY", "unknown %q: want demo or graph", c.Directory)
	}
	if c.TeamsCatalogAppID != "" && !guidRE.MatchString(c.TeamsCatalogAppID) {
		r.fail("VALTUUS_TEAMS_CATALOG_APP_ID", "want the app's id in the Teams app catalog (a GUID)")
	}
	if c.TeamsCatalogAppID != "" && c.Directory != DirectoryGraph {
		r.fail("VALTUUS_TEAMS_CATALOG_APP_ID", "installing the app for people needs VALTUUS_DIRECTORY=graph")
	}
	if c.DirectoryFile != "" && c.Directory != DirectoryDemo {
		r.fail("VALTUUS_DIRECTORY_FILE", "only used with VALTUUS_DIRECTORY=demo")
	}
	switch c.LogFormat {
	case "text", "json":
	default:
		r.fail("VALTUUS_LOG_FORMAT", "unknown %q: want text or json", c.LogFormat)
	}
	if c.TeamsTenantRPS < 0 {
		r.fail("VALTUUS_TEAMS_TENANT_RPS", "want 0 (no client-side limit) or more")
	}
	if c.MaxBodyBytes < 4<<10 || c.MaxBodyBytes > 16<<20 {
		r.fail("VALTUUS_MAX_BODY_BYTES", "want between 4096 and 16777216")
	}
}

func checkURL(r *reader, key, v string) {
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		r.fail(key, "want an absolute http(s) URL")
		return
	}
	if u.Scheme == "http" && !IsLoopback(u.Hostname()) {
		r.fail(key, "plain http is only allowed to loopback test servers")
	}
}

// IsLoopback reports whether host (no port) names the local machine only.
func IsLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// LogValue implements slog.LogValuer: the configuration as it may be logged, secrets masked.
func (c *Config) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("listen_addr", c.ListenAddr),
		slog.String("app_id", c.AppID),
		slog.String("tenant_id", c.TenantID),
		slog.String("credential", c.Credential),
		slog.String("client_secret", mask(c.ClientSecret)),
		slog.String("client_certificate_path", c.CertificatePath),
		slog.String("client_certificate_password", mask(c.CertificatePassword)),
		slog.String("managed_identity_client_id", c.ManagedIdentityClient),
		slog.String("cloud", c.Cloud.Name),
		slog.String("authority_host", c.AuthorityHost),
		slog.Bool("disable_instance_discovery", c.DisableInstanceDiscovery),
		slog.String("openid_metadata_url", c.OpenIDMetadataURL),
		slog.String("graph_base_url", c.GraphBaseURL),
		slog.String("database_url", MaskURL(c.DatabaseURL)),
		slog.String("redis_url", MaskURL(c.RedisURL)),
		slog.String("directory", c.Directory),
		slog.String("teams_catalog_app_id", c.TeamsCatalogAppID),
		slog.String("directory_file", c.DirectoryFile),
		slog.Duration("directory_sync_interval", c.DirectorySyncInterval),
		slog.String("tab_host", c.TabHost),
		slog.String("tab_app_id", c.TabAppID),
		slog.String("entra_metadata_url", c.EntraMetadataURL),
		slog.String("catalog_dir", c.CatalogDir),
		slog.String("organisations_file", c.OrganisationsFile),
		slog.String("log_level", c.LogLevel.String()),
		slog.String("log_format", c.LogFormat),
		slog.Int("teams_tenant_rps", c.TeamsTenantRPS),
		slog.String("teams_conversation_limits", FormatWindows(c.TeamsConversationLimits)),
		slog.Duration("teams_reply_wait", c.TeamsReplyWait),
		slog.Int64("max_body_bytes", c.MaxBodyBytes),
		slog.Bool("migrate", c.Migrate),
		slog.Duration("shutdown_timeout", c.ShutdownTimeout),
	)
}

func mask(s string) string {
	if s == "" {
		return ""
	}
	return "********"
}

// MaskURL hides the password of a connection URL and keeps the rest readable, for logs and error messages. A
// value that is not a URL is hidden whole.
func MaskURL(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return mask(s)
	}
	if _, has := u.User.Password(); u.User != nil && has {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	q := u.Query()
	if q.Has("password") {
		q.Set("password", "xxxxx")
		u.RawQuery = q.Encode()
	}
	return u.String()
}

type reader struct {
	getenv Getenv
	errs   []error
}

func (r *reader) fail(key, format string, args ...any) {
	r.errs = append(r.errs, fmt.Errorf("%s: %s", key, fmt.Sprintf(format, args...)))
}

func (r *reader) str(key, def string) string {
	if v, ok := r.getenv(key); ok && strings.TrimSpace(v) != "" {
		return strings.TrimSpace(v)
	}
	return def
}

// secret reads KEY, or the file named by KEY_FILE; setting both is an error, since one would silently win.
func (r *reader) secret(key string) string {
	v, hasV := r.getenv(key)
	path, hasF := r.getenv(key + "_FILE")
	hasV = hasV && v != ""
	hasF = hasF && path != ""
	switch {
	case hasV && hasF:
		r.fail(key, "set either %s or %s_FILE, not both", key, key)
		return ""
	case hasF:
		b, err := os.ReadFile(path)
		if err != nil {
			r.fail(key+"_FILE", "cannot read the secret file: %v", err)
			return ""
		}
		return strings.TrimSpace(string(b))
	default:
		return strings.TrimSpace(v)
	}
}

func (r *reader) int64(key string, def int64) int64 {
	return parsed(r, key, def, "an integer", func(v string) (int64, error) { return strconv.ParseInt(v, 10, 64) })
}

func (r *reader) bool(key string, def bool) bool {
	return parsed(r, key, def, "true or false", strconv.ParseBool)
}

func (r *reader) duration(key string, def time.Duration) time.Duration {
	return parsed(r, key, def, "a positive duration such as 20s", func(v string) (time.Duration, error) {
		d, err := time.ParseDuration(v)
		if err == nil && d <= 0 {
			err = errors.New("not positive")
		}
		return d, err
	})
}

func (r *reader) level(key string, def slog.Level) slog.Level {
	return parsed(r, key, def, "debug, info, warn or error", func(v string) (slog.Level, error) {
		var l slog.Level
		return l, l.UnmarshalText([]byte(v))
	})
}

// parsed reads key with parse: unset or blank gives def, and so does a value parse rejects, which is reported as
// "want <want>, got <value>".
func parsed[T any](r *reader, key string, def T, want string, parse func(string) (T, error)) T {
	v := r.str(key, "")
	if v == "" {
		return def
	}
	x, err := parse(v)
	if err != nil {
		r.fail(key, "want %s, got %q", want, v)
		return def
	}
	return x
}
