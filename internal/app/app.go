// Package app assembles the service from its parts: it turns a validated config.Config into a running HTTP server
// with the register, the ephemeral state, the directory, the catalog, inbound authentication and the Bot Connector
// client, and shuts it all down in order.
//
// cmd/valtuusbotti only parses flags and calls into here; tests boot the very same assembly on 127.0.0.1:0. The
// Microsoft Graph directory is passed in as a constructor so that only the binary links the Graph SDK.
package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"sync"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/cloud"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"

	"github.com/valtuusbotti/valtuusbotti/bot"
	"github.com/valtuusbotti/valtuusbotti/bot/flows"
	"github.com/valtuusbotti/valtuusbotti/internal/alerts"
	"github.com/valtuusbotti/valtuusbotti/internal/botauth"
	"github.com/valtuusbotti/valtuusbotti/internal/catalog"
	"github.com/valtuusbotti/valtuusbotti/internal/config"
	"github.com/valtuusbotti/valtuusbotti/internal/connector"
	"github.com/valtuusbotti/valtuusbotti/internal/delivery"
	"github.com/valtuusbotti/valtuusbotti/internal/directory"
	"github.com/valtuusbotti/valtuusbotti/internal/dirsync"
	"github.com/valtuusbotti/valtuusbotti/internal/domain"
	"github.com/valtuusbotti/valtuusbotti/internal/exporter"
	"github.com/valtuusbotti/valtuusbotti/internal/i18n"
	"github.com/valtuusbotti/valtuusbotti/internal/importer"
	"github.com/valtuusbotti/valtuusbotti/internal/language"
	"github.com/valtuusbotti/valtuusbotti/internal/metrics"
	"github.com/valtuusbotti/valtuusbotti/internal/outbox"
	"github.com/valtuusbotti/valtuusbotti/internal/scheduler"
	"github.com/valtuusbotti/valtuusbotti/internal/sqlstore"
	"github.com/valtuusbotti/valtuusbotti/internal/state"
	"github.com/valtuusbotti/valtuusbotti/internal/support"
	"github.com/valtuusbotti/valtuusbotti/internal/tab"
	"github.com/valtuusbotti/valtuusbotti/internal/teamsfiles"
	"github.com/valtuusbotti/valtuusbotti/internal/views"
	"github.com/valtuusbotti/valtuusbotti/internal/workflow"
)

// GraphFactory builds the Microsoft Graph directory; cmd passes graphdir's constructor. observe, when not nil, is
// told the status of every HTTP attempt to Graph (metrics).
type GraphFactory func(cred azcore.TokenCredential, baseURL string, observe func(status int)) (directory.Directory, error)

// Options are the parts a caller may replace. Zero values mean production defaults.
type Options struct {
	Logger     *slog.Logger
	Now        func() time.Time
	Graph      GraphFactory
	Credential azcore.TokenCredential // overrides the credential built from the config (tests)
	HTTPClient *http.Client           // for outbound calls (metadata, connector); default has timeouts
	// RateLimits overrides Teams' published limits in the connector client (benchmarks measure the bot, not the
	// limiter); the zero value means the defaults.
	RateLimits connector.RateLimits
	// Directory replaces the configured directory (tests that need an org chart the demo file cannot express).
	Directory directory.Directory
	// Installer replaces the Graph app installer (tests).
	Installer delivery.Installer
	// TurnsPerMinute overrides the per-person activity limit (benchmarks); zero means the bot's default.
	TurnsPerMinute int
	// Outbox tunes the outbox worker (tests use short backoffs); zero values mean the worker's defaults.
	Outbox OutboxTuning
	// Connector tunes the Bot Connector client's own retries; zero values mean its defaults.
	Connector ConnectorTuning
	// AlertInterval is how often the alert scheduler looks for due alerts; zero means the config's.
	AlertInterval time.Duration
	// FileHosts are "host:port" addresses the bot may download sent files from and upload files to besides
	// SharePoint's (tests: a fake drive on 127.0.0.1); production leaves it empty.
	FileHosts []string
	// TypingDelay makes the timer after which a slow turn shows the typing indicator (tests fire it themselves).
	TypingDelay func(d time.Duration, f func()) (stop func() bool)

	// The organisation this App serves when a Deployment runs several (zero values: one organisation, everyone in
	// the tenant). OrgID is its business id, which its catalog must name; Member says who belongs to it (its view
	// of the directory and the directory sync see only them); Slots is the Teams budget its tenant's
	// organisations share; CardOrg stamps its cards' actions so that taps come back to it.
	OrgID   string
	Member  func(domain.User) bool
	Slots   state.Slots
	CardOrg bool
}

// ConnectorTuning are the connector client's retry settings.
type ConnectorTuning struct {
	MaxAttempts             int
	BaseBackoff, MaxBackoff time.Duration
	// Now is the clock of the connector's rate limits (tests hold it still to offer a burst in one instant).
	Now func() time.Time
}

// OutboxTuning are the outbox worker's timings.
type OutboxTuning struct {
	PollInterval, BaseBackoff, MaxBackoff time.Duration
	// Paused keeps the worker from running at all (tests: a process that dies before delivering).
	Paused bool
}

// App is the assembled service.
type App struct {
	Config   *config.Config
	Log      *slog.Logger
	DB       *sqlstore.DB
	State    state.Store
	Bot      *bot.Bot
	Workflow *workflow.Service
	Outbox   *outbox.Worker
	Metrics  *metrics.Metrics // served on GET /metrics
	Alerts   *alerts.Service
	// Scheduler runs the due alerts (herätteet), claimed with a lease, so each goes out once across replicas.
	Scheduler *scheduler.Runner
	// Support answers questions from the FAQ and runs the hand-offs to the digituki channel.
	Support *support.Service
	// DirSync raises joiner, mover and leaver jobs from the directory's changes; nil for a directory without them.
	DirSync *dirsync.Syncer
	Handler http.Handler
	// Catalog is the organisation's catalog; Directory its view of the directory (only its members when a
	// Deployment runs several organisations).
	Catalog   *catalog.Catalog
	Directory directory.Directory

	server       *http.Server
	outboxPaused bool
	slots        state.Slots // Teams' send slots shared by the replicas (Redis); nil: this process only
}

// New builds the service: opens and migrates the database, connects to Redis, loads the catalog and directory.
// Close releases what New opened; when New fails it has already released it.
func New(ctx context.Context, cfg *config.Config, opt Options) (*App, error) {
	if opt.Logger == nil {
		opt.Logger = slog.New(slog.DiscardHandler)
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if off := cfg.ClockOffset; off > 0 { // a local trial of what happens days later (config allows it nowhere else)
		base := opt.Now
		opt.Now = func() time.Time { return base().Add(off) }
		opt.Logger.Warn("the clock runs ahead for a local trial", slog.Duration("offset", off))
	}
	if opt.HTTPClient == nil {
		opt.HTTPClient = &http.Client{Timeout: 30 * time.Second}
	}
	a := &App{Config: cfg, Log: opt.Logger, Metrics: metrics.New()}
	if cfg.Anonymous() {
		a.Log.Warn("LOCAL ANONYMOUS MODE: no bot app id is configured, so incoming activities are NOT authenticated. " +
			"This is only for the Agents Playground on this machine; the listener is restricted to loopback.")
	}
	if err := a.openStores(ctx, opt); err != nil {
		a.Close()
		return nil, err
	}
	if err := a.assemble(cfg, opt); err != nil {
		a.Close()
		return nil, err
	}
	// The database is this organisation's register alone: one that another organisation or tenant has claimed is
	// refused before anything reads it.
	if err := a.DB.ClaimOrganisation(ctx, a.Catalog.Org.BusinessID, cfg.TenantID); err != nil {
		a.Close()
		return nil, fmt.Errorf("VALTUUS_DATABASE_URL %s: %w", config.MaskURL(cfg.DatabaseURL), err)
	}
	return a, nil
}

// startTimeout bounds reaching the database and Redis at start-up: an operator should see the cause in seconds,
// not a service that hangs.
const startTimeout = 15 * time.Second

// openStores opens and migrates the database and connects to the ephemeral state.
func (a *App) openStores(ctx context.Context, opt Options) error {
	cfg := a.Config
	ctx, cancel := context.WithTimeout(ctx, startTimeout)
	defer cancel()
	var err error
	if a.DB, err = sqlstore.Open(ctx, cfg.DatabaseURL, sqlstore.WithNow(opt.Now)); err != nil {
		return fmt.Errorf("cannot open the database (VALTUUS_DATABASE_URL %s): %w", config.MaskURL(cfg.DatabaseURL), err)
	}
	if !cfg.Migrate {
		// The service runs with a data-only role; the schema owner migrates (valtuusbotti migrate) before it starts.
		if err = a.DB.CheckSchema(ctx); err != nil {
			return fmt.Errorf("%w; run \"valtuusbotti migrate\" as the schema owner, then start the service again", err)
		}
	} else if err = a.DB.Migrate(ctx); err != nil {
		return fmt.Errorf("database migration failed (%w); the database role must be allowed to create tables, "+
			"or run \"valtuusbotti migrate\" as the schema owner and set VALTUUS_MIGRATE=false", err)
	}
	if opt.Slots != nil {
		a.slots = opt.Slots // the tenant's budget, shared with its other organisations (Deployment)
	}
	if cfg.RedisURL == "" {
		a.State = state.NewMemory(opt.Now)
		a.Log.Info("ephemeral state in memory (no VALTUUS_REDIS_URL); fine for one instance")
		return nil
	}
	rs, err := state.OpenRedis(ctx, cfg.RedisURL, cfg.RedisPrefix)
	if err != nil {
		return fmt.Errorf("cannot reach Redis (VALTUUS_REDIS_URL %s): %w", config.MaskURL(cfg.RedisURL), err)
	}
	// Redis holds only what may be lost: while it is unreachable, turns go on with this process's memory.
	if a.slots == nil {
		a.slots = rs.Slots()
	}
	a.State = &state.Fallback{Primary: rs, Secondary: state.NewMemory(opt.Now), Now: opt.Now, Logger: a.Log.With("component", "state")}
	return nil
}

// parts are the adapters the service is assembled from.
type parts struct {
	cat       *catalog.Catalog
	dir       directory.Directory
	delta     directory.DeltaSource // the directory's changes, for the directory sync
	installer delivery.Installer
	sender    *connector.Client
	validator *botauth.Validator
}

// adapters builds the catalog, the directory and the Microsoft clients the configuration names.
func (a *App) adapters(cfg *config.Config, opt Options) (p parts, err error) {
	if p.cat, err = LoadCatalog(cfg); err != nil {
		return p, err
	}
	if opt.OrgID != "" && p.cat.Org.BusinessID != opt.OrgID {
		return p, fmt.Errorf("organisation %s: its catalog (VALTUUS_CATALOG_DIR %q) is for business id %s", opt.OrgID,
			cfg.CatalogDir, p.cat.Org.BusinessID)
	}
	cred := opt.Credential
	if cred == nil && !cfg.Anonymous() {
		if cred, err = Credential(cfg); err != nil {
			return p, err
		}
	}
	p.dir, p.installer = opt.Directory, opt.Installer
	if p.dir == nil {
		var graphInstaller delivery.Installer
		if p.dir, graphInstaller, p.delta, err = buildDirectory(cfg, cred, opt.Graph, opt.Now, a.Metrics.GraphCall); err != nil {
			return p, err
		}
		if p.installer == nil {
			p.installer = graphInstaller
		}
	}
	if opt.Member != nil {
		p.dir = directory.Only(p.dir, opt.Member)
	}
	var stamp map[string]string
	if opt.CardOrg {
		stamp = map[string]string{CardOrgKey: p.cat.Org.BusinessID}
	}
	p.sender = connector.New(connector.Config{Credential: cred, HTTPClient: opt.HTTPClient, Limits: a.teamsLimits(opt.RateLimits),
		MaxAttempts: opt.Connector.MaxAttempts, BaseBackoff: opt.Connector.BaseBackoff, MaxBackoff: opt.Connector.MaxBackoff,
		Logger: a.Log.With("component", "connector"), Observe: a.Metrics.ConnectorCall, Retried: a.Metrics.ConnectorRetry,
		Tenant: cfg.TenantID, Now: opt.Connector.Now, Scope: cfg.Cloud.BotScope, CardData: stamp})
	if !cfg.Anonymous() {
		p.validator, err = botauth.New(botauth.Config{AppID: cfg.AppID, MetadataURL: cfg.OpenIDMetadataURL, Issuer: cfg.Cloud.BotIssuer,
			HTTPClient: opt.HTTPClient, Now: opt.Now, Logger: a.Log.With("component", "botauth")})
	}
	return p, err
}

// assemble wires the flow: workflow → outbox → delivery, and the Teams edge with its conversation flows.
func (a *App) assemble(cfg *config.Config, opt Options) error {
	p, err := a.adapters(cfg, opt)
	if err != nil {
		return err
	}
	log, now := a.Log, opt.Now
	a.Catalog, a.Directory = p.cat, p.dir
	a.outboxPaused = opt.Outbox.Paused
	a.Outbox = &outbox.Worker{Store: a.DB.Outbox, Logger: log.With("component", "outbox"), Now: now,
		PollInterval: opt.Outbox.PollInterval, BaseBackoff: opt.Outbox.BaseBackoff, MaxBackoff: opt.Outbox.MaxBackoff}
	a.Outbox.Init()
	a.Alerts = &alerts.Service{Store: a.DB.Register, Catalog: p.cat, Directory: p.dir, Now: now,
		Logger: log.With("component", "alerts"), Committed: a.Outbox.Notify}
	interval := opt.AlertInterval
	if interval <= 0 {
		interval = cfg.AlertInterval
	}
	a.Scheduler = &scheduler.Runner{Store: a.DB.Jobs, Handlers: a.Alerts.Handlers(), Now: now, Interval: interval,
		Logger: log.With("component", "scheduler")}
	a.Workflow = &workflow.Service{Store: a.DB.Register, Directory: p.dir, Catalog: p.cat, Now: now,
		Logger: log.With("component", "workflow"), Committed: a.Outbox.Notify, Alerts: a.Alerts}
	msgs := i18n.MustLoad().WithSupport(p.cat.Org.Support) // "ask digital support" names the organisation's contact
	lang := &language.Resolver{Hints: a.State, Default: p.cat.Org.DefaultLanguage, Logger: log}
	vw := &views.Views{Catalog: p.cat, Directory: p.dir, Refs: a.DB.People, Now: now, Grants: a.DB.Register}
	a.Support = &support.Service{Store: a.DB.Support(), Catalog: p.cat, Directory: p.dir, Alerts: a.Alerts, Now: now,
		Logger: log.With("component", "support"), Committed: a.Outbox.Notify}
	if p.delta != nil {
		a.DirSync = &dirsync.Syncer{Store: a.DB.DirSync(), Source: p.delta, Org: p.cat.Org.BusinessID, Now: now,
			Logger: log.With("component", "dirsync"), Interval: cfg.DirectorySyncInterval, Member: opt.Member}
		if w, ok := p.delta.(*directory.FileWatch); ok {
			a.DirSync.Watch = w.Reload
		}
	}
	fl := flows.New(flows.Deps{Workflow: a.Workflow, Catalog: p.cat, Directory: p.dir, Register: a.DB.People, Views: vw,
		Alerts: a.Alerts, Jobs: a.DB.Jobs, Support: a.Support,
		Language: lang, Messages: msgs, State: a.State, Logger: log, Now: now,
		Delegations: &workflow.Delegations{Workflow: a.Workflow, Alerts: a.Alerts},
		Mandates:    &workflow.Mandates{Flow: a.Workflow, Store: a.DB.Register},
		Reviews: &workflow.Reviews{Mandates: &workflow.Mandates{Flow: a.Workflow, Store: a.DB.Register},
			Store: a.DB.Register, Campaigns: a.Alerts},
		Effects: a.DB.Register,
		Exports: &exporter.Exporter{Store: a.DB.Register, Catalog: p.cat, Now: now, Reviews: a.DB.Register},
		Imports: importerFor(a.DB.Register, p, now, log),
		Files:   &teamsfiles.Client{ExtraHosts: opt.FileHosts}})
	bcfg := bot.Config{
		AppID: cfg.AppID, TenantID: cfg.TenantID, Register: a.DB.People, State: a.State, Sender: p.sender, Flows: fl,
		Language: lang, Messages: msgs, Logger: log, Now: now, MaxBodyBytes: cfg.MaxBodyBytes, TurnsPerMinute: opt.TurnsPerMinute,
		Reachable: a.releaseWaiting, Observe: a.Metrics.Turn, Refused: a.Metrics.Refused, Channels: a.DB.Support(),
		Queue: replyQueue{a}, ReplyWait: cfg.TeamsReplyWait, Throttled: a.Metrics.RepliesQueued, Delay: opt.TypingDelay,
		Unavailable: a.Metrics.TurnUnavailable,
	}
	if p.validator != nil {
		bcfg.Validator = p.validator
	}
	if a.Bot, err = bot.New(bcfg); err != nil {
		return err
	}
	a.Outbox.Deliverer = &delivery.Deliverer{Requests: a.DB.Register, Refs: a.DB.People, Connector: p.sender, Installer: p.installer,
		State: a.State, Views: vw, Language: lang, Messages: msgs, Logger: log.With("component", "delivery"),
		Mandates: a.DB.Register, Support: a.DB.Support(), Reviews: a.DB.Register}
	a.gauges(now)
	tabHandler, err := a.tab(cfg, opt, p, msgs)
	if err != nil {
		return err
	}
	a.Metrics.Gauge("valtuusbotti_teams_limit_fallbacks", "Bot Connector send slots booked in this process because Redis failed.",
		func() float64 { return float64(p.sender.Fallbacks()) })
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", a.Metrics.Handler())
	mux.Handle("/tab/", tabHandler)
	mux.Handle("/", bot.Routes(a.Bot,
		bot.Check{Name: "database", Ping: a.DB.Ping},
		bot.Check{Name: "state", Ping: a.State.Ping},
	))
	a.Handler = mux
	return nil
}

// tab builds the dashboard tab: Teams SSO tokens checked against the tenant's keys, or the local mode when the bot
// runs anonymously.
func (a *App) tab(cfg *config.Config, opt Options, p parts, msgs *i18n.Bundle) (*tab.Handler, error) {
	tc := tab.Config{Register: a.DB.Register, Directory: p.dir, Catalog: p.cat, Languages: a.DB.People, Messages: msgs,
		CatalogDir: cfg.CatalogDir,
		Now:        opt.Now, Logger: a.Log.With("component", "tab"), Local: cfg.Anonymous()}
	if !cfg.Anonymous() {
		keys, err := botauth.New(botauth.Config{AppID: cfg.AppID, MetadataURL: cfg.EntraMetadataURL,
			HTTPClient: opt.HTTPClient, Now: opt.Now, Logger: a.Log.With("component", "tab")})
		if err != nil {
			return nil, err
		}
		tc.Keys, tc.AppID, tc.TenantID, tc.Host = keys, cfg.AppID, cfg.TenantID, cfg.TabHost
		if cfg.TabAppID != "" { // the tab's own app registration: its tokens are for that app
			tc.AppID = cfg.TabAppID
		}
	}
	return tab.New(tc)
}

// importerFor is the import of lists main users send in Teams, or nil when the directory cannot find people.
func importerFor(store importer.Store, p parts, now func() time.Time, log *slog.Logger) *importer.Importer {
	people, ok := p.dir.(importer.People)
	if !ok {
		return nil
	}
	return &importer.Importer{Store: store, Catalog: p.cat, People: people, Now: now, Logger: log.With("component", "import")}
}

// gauges adds the metrics read when scraped: the outbox backlog and its oldest message's age, the scheduler's lag
// and the Redis fallbacks. A read that fails reports -1.
func (a *App) gauges(now func() time.Time) {
	read := func(fn func(ctx context.Context) (float64, error)) func() float64 {
		return func() float64 {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			defer cancel()
			v, err := fn(ctx)
			if err != nil {
				return -1
			}
			return v
		}
	}
	age := func(t time.Time, err error) (float64, error) {
		if err != nil || t.IsZero() {
			return 0, err
		}
		return now().Sub(t).Seconds(), nil
	}
	a.Metrics.Gauge("valtuusbotti_outbox_pending", "Outbox messages neither delivered nor abandoned.",
		read(func(ctx context.Context) (float64, error) {
			n, err := a.DB.Outbox.PendingOutbox(ctx)
			return float64(n), err
		}))
	a.Metrics.Gauge("valtuusbotti_outbox_oldest_seconds", "Age of the oldest outbox message waiting.",
		read(func(ctx context.Context) (float64, error) { return age(a.DB.Outbox.OldestPending(ctx)) }))
	a.Metrics.Gauge("valtuusbotti_scheduler_lag_seconds", "How long the oldest due alert job has waited to run.",
		read(func(ctx context.Context) (float64, error) { return age(a.DB.Jobs.OldestDue(ctx, now())) }))
	a.Metrics.Counters("valtuusbotti_database_errors_total", "Errors the database drivers returned in this process, by kind.",
		"kind", sqlstore.DriverErrors)
	if f, ok := a.State.(*state.Fallback); ok {
		a.Metrics.Gauge("valtuusbotti_state_fallbacks", "Times Redis was unreachable and the memory fallback served.",
			func() float64 { return float64(f.Fallbacks()) })
	}
}

// teamsLimits are the connector's limits: Teams' as configured, shared through Redis when it is configured, unless
// the caller overrides them (tests).
func (a *App) teamsLimits(override connector.RateLimits) connector.RateLimits {
	if override.Disabled || override.PerConversation != nil || override.PerTenant != nil {
		return override
	}
	cfg := a.Config
	if cfg.TeamsTenantRPS == 0 {
		a.Log.Warn("VALTUUS_TEAMS_TENANT_RPS=0: no client-side limit on Bot Connector calls; Teams will throttle with " +
			"429s instead. Only for a test rig.")
		return connector.RateLimits{Disabled: true}
	}
	l := connector.RateLimits{PerTenant: connector.TenantBudget(cfg.TeamsTenantRPS), Slots: a.slots}
	for _, w := range cfg.TeamsConversationLimits {
		l.PerConversation = append(l.PerConversation, connector.Window{Limit: w.Limit, Per: w.Per})
	}
	return l
}

// replyQueue writes a turn's held-back replies to the outbox in one transaction and wakes the worker.
type replyQueue struct{ a *App }

func (q replyQueue) QueueReplies(ctx context.Context, msgs []domain.OutboxMessage) error {
	err := q.a.DB.Register.InTx(ctx, func(tx domain.Tx) error {
		for _, m := range msgs {
			if err := tx.Enqueue(ctx, m); err != nil {
				return err
			}
		}
		return nil
	})
	if err == nil {
		q.a.Outbox.Notify()
	}
	return err
}

// releaseWaiting lets the messages waiting for a person go out now that the bot has heard from them.
func (a *App) releaseWaiting(ctx context.Context, aad string) {
	if waiting, err := a.DB.People.HasWaiting(ctx, aad); err == nil && !waiting {
		return // nothing waits: no write (a failed read falls through to the release itself)
	}
	n, err := a.DB.Outbox.ReleaseWaiting(ctx, aad, a.Outbox.Now())
	if err != nil {
		a.Log.WarnContext(ctx, "could not release waiting messages", "error", err.Error())
		return
	}
	if n > 0 {
		a.Outbox.Notify()
	}
}

// LoadCatalog loads the catalog the configuration names: the folder VALTUUS_CATALOG_DIR, or the embedded one.
func LoadCatalog(cfg *config.Config) (*catalog.Catalog, error) {
	if cfg.CatalogDir == "" {
		return catalog.Default()
	}
	c, err := catalog.LoadDir(cfg.CatalogDir)
	if err != nil {
		return nil, fmt.Errorf("VALTUUS_CATALOG_DIR: %w", err)
	}
	return c, nil
}

// Directory builds the org chart the configuration names, as New does, for a command that only reads it (the
// handbook names main users and department heads from it).
func Directory(cfg *config.Config, opt Options) (directory.Directory, error) {
	cred := opt.Credential
	if cred == nil && !cfg.Anonymous() && cfg.Directory == config.DirectoryGraph {
		var err error
		if cred, err = Credential(cfg); err != nil {
			return nil, err
		}
	}
	d, _, _, err := buildDirectory(cfg, cred, opt.Graph, opt.Now, nil)
	if err == nil && opt.Member != nil {
		d = directory.Only(d, opt.Member) // one organisation's people only
	}
	return d, err
}

// appInstaller is what the Graph directory offers for installing the Teams app for a person.
type appInstaller interface {
	InstallApp(ctx context.Context, userID, catalogAppID string) error
}

// catalogInstaller installs one app, the bot's own.
type catalogInstaller struct {
	g     appInstaller
	appID string
}

func (c catalogInstaller) InstallFor(ctx context.Context, userID string) error {
	return c.g.InstallApp(ctx, userID, c.appID)
}

func buildDirectory(cfg *config.Config, cred azcore.TokenCredential, graph GraphFactory, now func() time.Time, observe func(int)) (directory.Directory, delivery.Installer, directory.DeltaSource, error) {
	var installer delivery.Installer
	switch {
	case cfg.Directory == config.DirectoryGraph:
		if graph == nil {
			return nil, nil, nil, errors.New("VALTUUS_DIRECTORY: graph is not available in this build")
		}
		g, err := graph(cred, cfg.GraphBaseURL, observe)
		if err != nil {
			return nil, nil, nil, fmt.Errorf("VALTUUS_DIRECTORY: %w", err)
		}
		if gi, ok := g.(appInstaller); ok && cfg.TeamsCatalogAppID != "" {
			installer = catalogInstaller{g: gi, appID: cfg.TeamsCatalogAppID}
		}
		delta, _ := g.(directory.DeltaSource)
		// Manager chains change rarely; a few minutes of staleness saves a Graph round trip on most turns.
		return directory.NewCached(g, 5*time.Minute, now), installer, delta, nil
	case cfg.DirectoryFile != "":
		// Re-read when it changes (the directory sync polls it), and not cached: edits show at once.
		f, err := directory.WatchFile(cfg.DirectoryFile)
		if err != nil {
			return nil, nil, nil, fmt.Errorf("VALTUUS_DIRECTORY_FILE: %w", err)
		}
		return f, nil, f, nil
	default:
		f, err := directory.WatchDemo()
		return f, nil, f, err
	}
}

// Credential builds the outbound credential (Bot Connector and Graph tokens) the configuration names.
func Credential(cfg *config.Config) (azcore.TokenCredential, error) {
	// The cloud's Entra ID authority (or AZURE_AUTHORITY_HOST's); instance discovery off for a private authority.
	client := azcore.ClientOptions{Cloud: cloud.Configuration{ActiveDirectoryAuthorityHost: cfg.AuthorityHost}}
	noDiscovery := cfg.DisableInstanceDiscovery
	switch cfg.Credential {
	case config.CredentialSecret:
		return azidentity.NewClientSecretCredential(cfg.TenantID, cfg.AppID, cfg.ClientSecret,
			&azidentity.ClientSecretCredentialOptions{ClientOptions: client, DisableInstanceDiscovery: noDiscovery})
	case config.CredentialCertificate:
		raw, err := os.ReadFile(cfg.CertificatePath)
		if err != nil {
			return nil, fmt.Errorf("VALTUUS_CLIENT_CERTIFICATE_PATH: %w", err)
		}
		var pw []byte
		if cfg.CertificatePassword != "" {
			pw = []byte(cfg.CertificatePassword)
		}
		certs, key, err := azidentity.ParseCertificates(raw, pw)
		if err != nil {
			return nil, fmt.Errorf("VALTUUS_CLIENT_CERTIFICATE_PATH: %w", err)
		}
		return azidentity.NewClientCertificateCredential(cfg.TenantID, cfg.AppID, certs, key,
			&azidentity.ClientCertificateCredentialOptions{ClientOptions: client, DisableInstanceDiscovery: noDiscovery})
	case config.CredentialManagedIdentity:
		opts := &azidentity.ManagedIdentityCredentialOptions{}
		if cfg.ManagedIdentityClient != "" {
			opts.ID = azidentity.ClientID(cfg.ManagedIdentityClient)
		}
		return azidentity.NewManagedIdentityCredential(opts)
	case config.CredentialWorkloadIdentity:
		return azidentity.NewWorkloadIdentityCredential(&azidentity.WorkloadIdentityCredentialOptions{
			TenantID: cfg.TenantID, ClientID: cfg.AppID, ClientOptions: client, DisableInstanceDiscovery: noDiscovery})
	default:
		return nil, fmt.Errorf("VALTUUS_CREDENTIAL: no outbound credential for %q", cfg.Credential)
	}
}

// Serve answers HTTP on l until ctx ends, then shuts down gracefully within the configured timeout.
func (a *App) Serve(ctx context.Context, l net.Listener) error {
	a.server = newServer(a.Handler, a.Log)
	errc := make(chan error, 1)
	go func() { errc <- a.server.Serve(l) }()
	wctx, stopWorkers := context.WithCancel(context.WithoutCancel(ctx))
	workersDone := make(chan struct{})
	go func() {
		defer close(workersDone)
		a.Run(wctx)
	}()
	defer func() { stopWorkers(); <-workersDone }()
	a.Log.Info("listening", slog.String("addr", l.Addr().String()), slog.String("endpoint", "/api/messages"))
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	a.Log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), a.Config.ShutdownTimeout)
	defer cancel()
	if err := a.server.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	return nil
}

// newServer is the HTTP server of the service: bounded header, body and idle times.
func newServer(h http.Handler, log *slog.Logger) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
}

// Run does the service's background work until ctx ends: the outbox worker, the scheduler of due alerts and the
// directory sync (none of them when the outbox is paused: a test's process that dies before delivering).
func (a *App) Run(ctx context.Context) {
	if a.outboxPaused {
		return
	}
	var wg sync.WaitGroup
	wg.Go(func() { a.Outbox.Run(ctx) })
	wg.Go(func() {
		if err := a.Alerts.Start(ctx, a.DB.Jobs); err != nil {
			a.Log.Error("could not schedule the weekly digests", slog.String("error", err.Error()))
		}
		a.Scheduler.Run(ctx) // a pass at start, then every interval
	})
	if a.DirSync != nil {
		wg.Go(func() { a.DirSync.Loop(ctx) }) // a sync at start, then every interval and on a change of the demo file
	}
	wg.Wait()
}

// Close releases the database and state connections.
func (a *App) Close() {
	if a.State != nil {
		_ = a.State.Close()
	}
	if a.DB != nil {
		_ = a.DB.Close()
	}
}
