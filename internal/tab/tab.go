// Package tab serves the dashboard tab: a personal Teams tab with the organisation's register of mandates for main
// users (and for a supervisor, their own people's): the register with filters, search and keyset pages, counts by
// state, the mandates ending per month as a chart, counts by department and agency, the open tasks with their age,
// and a person's page (mandates, requests, history from the audit trail). Everyone of the organisation who signs
// in may also read the organisation's management model (internal/handbook) on a page of its own.
//
// The page, its script, its style and the Teams JavaScript SDK are embedded and served from here (no CDN, no build
// step). The page signs in with Teams SSO (microsoftTeams.authentication.getAuthToken); every API call carries that
// Entra access token, which is checked here (RS256 from the tenant's keys, issuer, audience, tenant, scope, expiry)
// before the caller is authorised from the organisation's main users and the directory's direct reports. Without
// an app id (the bot's local anonymous mode) the page instead lets a person on this machine pick whom to act as.
package tab

import (
	"context"
	"embed"
	"encoding/json"
	"errors"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/valtuusbotti/valtuusbotti/internal/catalog"
	"github.com/valtuusbotti/valtuusbotti/internal/directory"
	"github.com/valtuusbotti/valtuusbotti/internal/domain"
	"github.com/valtuusbotti/valtuusbotti/internal/i18n"
	"github.com/valtuusbotti/valtuusbotti/internal/sqlstore"
)

//go:embed static
var static embed.FS

// Register is what the tab reads of the register (sqlstore.Register).
type Register interface {
	RegisterPage(ctx context.Context, q sqlstore.RegisterQuery) ([]domain.Mandate, sqlstore.RegisterCursor, error)
	CountsByState(ctx context.Context, scope sqlstore.ViewScope, today time.Time) (sqlstore.StateCounts, error)
	EndingByMonth(ctx context.Context, scope sqlstore.ViewScope, today time.Time, months int) ([]sqlstore.MonthCount, error)
	CountsByDepartment(ctx context.Context, scope sqlstore.ViewScope, today time.Time) ([]sqlstore.GroupCount, error)
	CountsByTheme(ctx context.Context, scope sqlstore.ViewScope, today time.Time) ([]sqlstore.GroupCount, error)
	DepartmentsInRegister(ctx context.Context, scope sqlstore.ViewScope) ([]string, error)
	OpenTasks(ctx context.Context, scope sqlstore.ViewScope, limit int) ([]sqlstore.OpenTask, error)
	PersonHistory(ctx context.Context, personID string, limit int) ([]domain.AuditEvent, error)
	MandatesByHolder(ctx context.Context, holderID string) ([]domain.Mandate, error)
	RequestsByRequester(ctx context.Context, requesterID string, limit int) ([]domain.Request, error)
}

// Languages gives the language a person chose in the bot, if any (sqlstore.People).
type Languages interface {
	Language(ctx context.Context, aadObjectID string) (domain.Lang, error)
}

// Config is what the tab needs. Keys, AppID and TenantID are required unless Local is set.
type Config struct {
	Register  Register
	Directory directory.Directory
	Catalog   *catalog.Catalog
	Languages Languages
	Messages  *i18n.Bundle
	Now       func() time.Time
	Logger    *slog.Logger

	// Local is the bot's local anonymous mode: no token, the page picks a person; loopback requests only.
	Local bool
	// Keys are the tenant's token signing keys; AppID the Entra app the tokens are for; TenantID the only tenant
	// accepted; Host the tab's public host (audiences api://<Host>/…).
	Keys     KeySource
	AppID    string
	TenantID string
	Host     string

	// CatalogDir is the folder the catalog was loaded from (VALTUUS_CATALOG_DIR), "" for the embedded catalog: the
	// handbook names it.
	CatalogDir string
}

// Handler serves the tab under /tab/.
type Handler struct {
	cfg    Config
	tokens *tokenChecker
	mux    *http.ServeMux
	page   *template.Template
	// handbookStyle is the CSP source of the handbook's inline style; policy the page's Content-Security-Policy.
	handbookStyle, policy string
}

// New returns the tab's handler.
func New(cfg Config) (*Handler, error) {
	if cfg.Register == nil || cfg.Directory == nil || cfg.Catalog == nil || cfg.Messages == nil {
		return nil, errors.New("tab: Register, Directory, Catalog and Messages are required")
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	h := &Handler{cfg: cfg, mux: http.NewServeMux()}
	if !cfg.Local {
		if cfg.Keys == nil || cfg.AppID == "" || cfg.TenantID == "" {
			return nil, errors.New("tab: Keys, AppID and TenantID are required outside local mode")
		}
		h.tokens = newTokenChecker(cfg.Keys, cfg.AppID, cfg.TenantID, cfg.Host, cfg.Now)
	}
	var err error
	if h.page, err = template.ParseFS(static, "static/index.html"); err != nil {
		return nil, err
	}
	hb, err := h.handbookPage(cfg.Catalog.Org.DefaultLanguage, nil)
	if err != nil {
		return nil, err
	}
	if h.handbookStyle, err = styleHash(hb); err != nil {
		return nil, err
	}
	h.policy = pagePolicy(h.handbookStyle)
	assets, err := fs.Sub(static, "static")
	if err != nil {
		return nil, err
	}
	files := http.StripPrefix("/tab/static/", http.FileServerFS(assets))
	h.mux.HandleFunc("GET /tab/{$}", h.servePage)
	h.mux.Handle("GET /tab/static/", files)
	h.mux.HandleFunc("GET /tab/api/me", h.api(h.me))
	h.mux.HandleFunc("GET /tab/api/summary", h.api(h.summary))
	h.mux.HandleFunc("GET /tab/api/register", h.api(h.register))
	h.mux.HandleFunc("GET /tab/api/person/{id}", h.api(h.person))
	h.mux.HandleFunc("GET /tab/api/handbook", h.handbook)
	return h, nil
}

// ServeHTTP answers the tab's routes with the headers every response carries: nothing framed the page except
// Teams, nothing loaded from elsewhere (see pagePolicy).
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	hd := w.Header()
	hd.Set("Content-Security-Policy", h.policy)
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Referrer-Policy", "no-referrer")
	h.mux.ServeHTTP(w, r)
}

func (h *Handler) servePage(w http.ResponseWriter, r *http.Request) {
	mode := "teams"
	if h.cfg.Local {
		mode = "local"
	}
	lang := h.cfg.Catalog.Org.DefaultLanguage
	if l, ok := i18n.MatchLocale(r.URL.Query().Get("locale")); ok {
		lang = l
	}
	if !lang.Valid() {
		lang = domain.Finnish
	}
	p := h.cfg.Messages.Printer(lang)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	var people []localPerson
	if h.cfg.Local {
		people = h.localPeople(r.Context())
	}
	err := h.page.Execute(w, struct {
		Lang, Mode, Title, Loading, LocalLabel, LocalGo, Handbook, HandbookBack string
		People                                                                  []localPerson
	}{string(lang), mode, p.Get("tab.title"), p.Get("tab.loading"), p.Get("tab.local.as"), p.Get("tab.local.go"),
		p.Get("tab.handbook.link"), p.Get("tab.handbook.back"), people})
	if err != nil {
		h.cfg.Logger.WarnContext(r.Context(), "tab page", "error", err.Error())
	}
}

type localPerson struct{ ID, Name string }

// localPeople are the choices of the local mode's person selector: the main users, their managers and those
// managers' reports who manage people themselves, so that a trial can look as a main user and as a supervisor.
// Anyone else can be tried with ?as=<object id>.
func (h *Handler) localPeople(ctx context.Context) []localPerson {
	var out []localPerson
	seen := map[string]bool{}
	add := func(u domain.User) {
		if !seen[u.ID] {
			seen[u.ID] = true
			out = append(out, localPerson{u.ID, u.DisplayName})
		}
	}
	for _, id := range h.cfg.Catalog.Org.MainUsers {
		if u, err := h.cfg.Directory.User(ctx, id); err == nil {
			add(u)
		}
		boss, err := h.cfg.Directory.Manager(ctx, id)
		if err != nil {
			continue
		}
		add(boss)
		reports, _ := h.cfg.Directory.DirectReports(ctx, boss.ID)
		for _, r := range reports {
			if rr, _ := h.cfg.Directory.DirectReports(ctx, r.ID); len(rr) > 0 {
				add(r)
			}
		}
	}
	return out
}

// viewer is the authorised caller: who they are and what part of the register they see.
type viewer struct {
	user     domain.User
	mainUser bool
	scope    sqlstore.ViewScope
	lang     domain.Lang
	p        i18n.Printer
}

// sees reports whether the person id is within the viewer's scope.
func (v *viewer) sees(id string) bool {
	return v.scope.Holders == nil || slices.Contains(v.scope.Holders, id)
}

// authorise authenticates the request and decides what the caller sees: main users everything, a supervisor their
// direct reports, anyone else nothing (errNoRole).
func (h *Handler) authorise(r *http.Request) (*viewer, error) {
	ctx := r.Context()
	var id string
	var err error
	if h.cfg.Local {
		id, err = localCaller(r)
	} else {
		id, err = h.tokens.check(ctx, r.Header.Get("Authorization"))
	}
	if err != nil {
		return nil, err
	}
	v := &viewer{user: domain.User{ID: id}}
	if u, err := h.cfg.Directory.User(ctx, id); err == nil {
		v.user = u
	} else if !domain.IsCode(err, domain.ENotFound) {
		return nil, err
	}
	var chosen domain.Lang
	if h.cfg.Languages != nil {
		chosen, _ = h.cfg.Languages.Language(ctx, id) // unknown: the locale decides
	}
	v.lang = i18n.Choose(chosen, r.URL.Query().Get("locale"), h.cfg.Catalog.Org.DefaultLanguage)
	v.p = h.cfg.Messages.Printer(v.lang)
	if h.cfg.Catalog.Org.IsMainUser(id) {
		v.mainUser = true
		return v, nil
	}
	reports, err := h.cfg.Directory.DirectReports(ctx, id)
	if err != nil && !domain.IsCode(err, domain.ENotFound) {
		return nil, err
	}
	if len(reports) == 0 {
		return v, errNoRole
	}
	v.scope.Holders = make([]string, 0, len(reports))
	for _, u := range reports {
		v.scope.Holders = append(v.scope.Holders, u.ID)
	}
	return v, nil
}

type apiFunc func(w http.ResponseWriter, r *http.Request, v *viewer) (any, error)

// api authorises the request, runs fn and writes its answer or its refusal as JSON. A refusal names its code and
// a message in the caller's language when known.
func (h *Handler) api(fn apiFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		v, err := h.authorise(r)
		if err == nil {
			var out any
			if out, err = fn(w, r, v); err == nil {
				writeJSON(w, http.StatusOK, out)
				return
			}
		}
		h.refuse(w, r, v, err)
	}
}

func (h *Handler) refuse(w http.ResponseWriter, r *http.Request, v *viewer, err error) {
	p := h.cfg.Messages.Printer(i18n.Choose("", r.URL.Query().Get("locale"), h.cfg.Catalog.Org.DefaultLanguage))
	if v != nil {
		p = v.p
	}
	var ae *authError
	switch {
	case errors.As(err, &ae):
	case domain.IsCode(err, domain.EInvalid):
		ae = &authError{http.StatusBadRequest, "invalid"}
	case domain.IsCode(err, domain.ENotFound):
		ae = &authError{http.StatusNotFound, "not_found"}
	default:
		ae = &authError{http.StatusInternalServerError, "internal"}
		h.cfg.Logger.ErrorContext(r.Context(), "tab request failed", "path", r.URL.Path, "error", err.Error())
	}
	if ae.status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
	}
	h.cfg.Logger.InfoContext(r.Context(), "tab request refused", "path", r.URL.Path, "code", ae.code, "status", ae.status)
	msgKey := "tab.error.signin"
	switch ae.status {
	case http.StatusForbidden:
		msgKey = "tab.error.forbidden"
		if ae.code == errNoRole.code {
			msgKey = "tab.error.no_role"
		}
	case http.StatusBadRequest:
		msgKey = "tab.error.invalid"
	case http.StatusNotFound:
		msgKey = "tab.error.not_found"
	case http.StatusInternalServerError:
		msgKey = "tab.error.internal"
	}
	writeJSON(w, ae.status, map[string]string{"error": ae.code, "message": p.Get(msgKey)})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// today is the organisation's civil date now.
func (h *Handler) today() time.Time { return domain.Today(h.cfg.Now()).Time() }

// themeName and agencyOf name a theme and its agency in lang; a theme the catalog does not know shows its id.
func (h *Handler) themeName(id string, lang domain.Lang) string {
	if t, ok := h.cfg.Catalog.Theme(id); ok {
		return t.Name.In(lang)
	}
	return id
}

func (h *Handler) agencyOf(id string) (domain.Text, bool) {
	t, ok := h.cfg.Catalog.Theme(id)
	if !ok || t.Agency.FI == "" {
		return domain.Text{}, false
	}
	return t.Agency, true
}

// agencyThemes returns the ids of the themes of the agency whose Finnish name is key.
func (h *Handler) agencyThemes(key string) []string {
	ids := []string{}
	for _, t := range h.cfg.Catalog.Themes {
		if strings.EqualFold(t.Agency.FI, key) {
			ids = append(ids, t.ID)
		}
	}
	return ids
}
