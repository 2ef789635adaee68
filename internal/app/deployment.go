package app

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"reflect"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/infracloudio/msbotbuilder-go/schema"

	"github.com/valtuusbotti/valtuusbotti/bot"
	"github.com/valtuusbotti/valtuusbotti/bot/flows"
	"github.com/valtuusbotti/valtuusbotti/internal/config"
	"github.com/valtuusbotti/valtuusbotti/internal/domain"
	"github.com/valtuusbotti/valtuusbotti/internal/i18n"
	"github.com/valtuusbotti/valtuusbotti/internal/state"
	"github.com/valtuusbotti/valtuusbotti/internal/tab"
	"github.com/valtuusbotti/valtuusbotti/internal/tenancy"
)

// CardOrgKey is the key under which a deployment of several organisations in one tenant stamps the organisation's
// business id into its cards' actions; the router sends the tap back to that organisation and takes the key off.
const CardOrgKey = "_org"

// choiceKey is the data key of the organisation-choice card's buttons.
const choiceKey = "valtuus_org_choice"

// Deployment serves the organisations of one deployment (tenancy.Set) behind one listener. Each organisation runs
// as its own App, a cell with its own catalog, database, view of the directory, outbox, scheduler and directory
// sync, so no read path of one organisation can reach another's register. The Deployment only routes:
//
//   - an activity goes to the tenant whose bot registration its token is for (audience) and whose tenant id it
//     carries; an activity for any other tenant is refused (403) before anything reads it further;
//   - within the tenant, a card tap goes back to the organisation that sent the card (CardOrgKey), a channel
//     message to the organisation whose digituki channel it is, and anything else to the organisation the person
//     belongs to by its rule on directory attributes; a person of several organisations chooses one (a card,
//     remembered in the ephemeral state until they type "vaihda organisaatiota"), a person of none is told so;
//   - the tab's API calls go to the caller's organisation (the token's tenant and object id, or ?org=).
//
// The organisations file is re-read when it changes (Watch): added organisations and tenants start, removed ones
// stop and changed ones restart, while the others go on undisturbed.
type Deployment struct {
	Log *slog.Logger

	// Getenv is where a reload reads the environment variables the organisations file names (secrets, database
	// URLs); default os.LookupEnv.
	Getenv config.Getenv

	base    *config.Config
	opt     Options
	choices state.Store // who of several organisations works for which
	slots   state.Slots // the Teams budget per tenant, shared by the tenant's organisations (and replicas)
	msgs    *i18n.Bundle

	mu    sync.RWMutex
	set   *tenancy.Set
	cells []*cell // in the set's order
	run   context.Context

	closeStores func()
}

// cell is one organisation's running service.
type cell struct {
	org  *tenancy.Org
	app  *App
	stop context.CancelFunc
	done chan struct{}
}

// NewDeployment builds every organisation of set. Options apply to each (Logger gets the organisation's id).
func NewDeployment(ctx context.Context, base *config.Config, set *tenancy.Set, opt Options) (*Deployment, error) {
	if opt.Logger == nil {
		opt.Logger = slog.New(slog.DiscardHandler)
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	d := &Deployment{Log: opt.Logger, base: base, opt: opt, Getenv: os.LookupEnv, msgs: i18n.MustLoad(), set: set}
	if err := d.openShared(ctx); err != nil {
		return nil, err
	}
	for _, o := range set.Orgs {
		c, err := d.build(ctx, o, set)
		if err != nil {
			d.Close()
			return nil, err
		}
		d.cells = append(d.cells, c)
	}
	return d, nil
}

// openShared opens what the organisations share: the Teams budget and the choices of people of several.
func (d *Deployment) openShared(ctx context.Context) error {
	if d.base.RedisURL == "" {
		d.choices, d.slots = state.NewMemory(d.opt.Now), state.NewMemorySlots()
		d.closeStores = func() { _ = d.choices.Close() }
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, startTimeout)
	defer cancel()
	rs, err := state.OpenRedis(ctx, d.base.RedisURL, d.base.RedisPrefix)
	if err != nil {
		return fmt.Errorf("cannot reach Redis (VALTUUS_REDIS_URL %s): %w", config.MaskURL(d.base.RedisURL), err)
	}
	d.slots = rs.Slots()
	d.choices = &state.Fallback{Primary: rs, Secondary: state.NewMemory(d.opt.Now), Now: d.opt.Now, Logger: d.Log.With("component", "state")}
	d.closeStores = func() { _ = d.choices.Close() }
	return nil
}

// build assembles one organisation's cell.
func (d *Deployment) build(ctx context.Context, o *tenancy.Org, set *tenancy.Set) (*cell, error) {
	opt := d.opt
	opt.Slots = d.slots
	if set.FromFile {
		opt.OrgID, opt.Member = o.ID, o.Member
		opt.Logger = d.Log.With(slog.String("org", o.ID))
		opt.CardOrg = countTenant(set, o.Tenant) > 1
	}
	a, err := New(ctx, o.Config, opt)
	if err != nil {
		if o.ID != "" {
			return nil, fmt.Errorf("organisation %s: %w", o.ID, err)
		}
		return nil, err
	}
	if o.ID == "" { // Single: the catalog names the organisation
		o.ID = a.Catalog.Org.BusinessID
	}
	return &cell{org: o, app: a}, nil
}

func countTenant(set *tenancy.Set, tenant string) int {
	n := 0
	for _, o := range set.Orgs {
		if strings.EqualFold(o.Tenant, tenant) {
			n++
		}
	}
	return n
}

// Apps returns the organisations' services in the set's order.
func (d *Deployment) Apps() []*App {
	d.mu.RLock()
	defer d.mu.RUnlock()
	out := make([]*App, len(d.cells))
	for i, c := range d.cells {
		out[i] = c.app
	}
	return out
}

// App returns the service of the organisation with business id id, or nil.
func (d *Deployment) App(id string) *App {
	d.mu.RLock()
	defer d.mu.RUnlock()
	for _, c := range d.cells {
		if c.org.ID == id {
			return c.app
		}
	}
	return nil
}

// Close releases every organisation's stores and the shared ones.
func (d *Deployment) Close() {
	d.mu.Lock()
	cells := d.cells
	d.cells = nil
	d.mu.Unlock()
	for _, c := range cells {
		c.halt()
		c.app.Close()
	}
	if d.closeStores != nil {
		d.closeStores()
	}
}

// start runs the cell's background work under ctx.
func (c *cell) start(ctx context.Context) {
	ctx, c.stop = context.WithCancel(ctx)
	c.done = make(chan struct{})
	go func() {
		defer close(c.done)
		c.app.Run(ctx)
	}()
}

// halt stops the cell's background work and waits for it.
func (c *cell) halt() {
	if c.stop != nil {
		c.stop()
		<-c.done
		c.stop = nil
	}
}

// Serve answers HTTP on l until ctx ends, running every organisation's background work meanwhile, then shuts down
// gracefully within the configured timeout.
func (d *Deployment) Serve(ctx context.Context, l net.Listener) error {
	server := newServer(d.Handler(), d.Log)
	errc := make(chan error, 1)
	go func() { errc <- server.Serve(l) }()
	wctx, stopWorkers := context.WithCancel(context.WithoutCancel(ctx))
	d.mu.Lock()
	d.run = wctx
	for _, c := range d.cells {
		c.start(wctx)
	}
	d.mu.Unlock()
	defer func() {
		stopWorkers()
		d.mu.RLock()
		defer d.mu.RUnlock()
		for _, c := range d.cells {
			c.halt()
		}
	}()
	d.Log.Info("listening", slog.String("addr", l.Addr().String()), slog.String("endpoint", "/api/messages"),
		slog.Any("organisations", d.set.IDs()))
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	d.Log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), d.base.ShutdownTimeout)
	defer cancel()
	if err := server.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	return nil
}

// Handler routes HTTP: one organisation's handler as it is when the deployment has one, else the router.
func (d *Deployment) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		d.mu.RLock()
		cells := d.cells
		fromFile := d.set.FromFile
		d.mu.RUnlock()
		switch {
		case len(cells) == 0:
			writeJSONError(w, http.StatusServiceUnavailable, "no organisation is running")
		case len(cells) == 1 && !fromFile:
			cells[0].app.Handler.ServeHTTP(w, r)
		case r.URL.Path == "/api/messages":
			d.messages(w, r, cells)
		case strings.HasPrefix(r.URL.Path, "/tab/api/"):
			d.tabAPI(w, r, cells)
		case r.URL.Path == "/metrics" && r.URL.Query().Get("org") != "":
			for _, c := range cells {
				if c.org.ID == r.URL.Query().Get("org") {
					c.app.Handler.ServeHTTP(w, r)
					return
				}
			}
			writeJSONError(w, http.StatusNotFound, "no such organisation")
		case r.URL.Path == "/readyz":
			d.ready(w, r, cells)
		default:
			// Health, metrics (the first organisation's; ?org= for another's) and the tab's static files are the
			// same for every organisation.
			cells[0].app.Handler.ServeHTTP(w, r)
		}
	})
}

// ready answers the readiness probe: ready when every organisation's database and state answer.
func (d *Deployment) ready(w http.ResponseWriter, r *http.Request, cells []*cell) {
	for _, c := range cells {
		rec := &statusRecorder{header: http.Header{}}
		c.app.Handler.ServeHTTP(rec, r)
		if rec.status != http.StatusOK {
			writeJSONError(w, http.StatusServiceUnavailable, "organisation "+c.org.ID+" is not ready")
			return
		}
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	_, _ = w.Write([]byte(`{"status":"ready"}`))
}

type statusRecorder struct {
	header http.Header
	status int
}

func (s *statusRecorder) Header() http.Header { return s.header }
func (s *statusRecorder) Write(b []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	return len(b), nil
}
func (s *statusRecorder) WriteHeader(code int) { s.status = code }

func writeJSONError(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	code := strings.ReplaceAll(http.StatusText(status), " ", "")
	_ = json.NewEncoder(w).Encode(map[string]any{"error": map[string]string{"code": code, "message": msg}})
}

// messages routes POST /api/messages.
func (d *Deployment) messages(w http.ResponseWriter, r *http.Request, cells []*cell) {
	if r.Method != http.MethodPost {
		cells[0].app.Handler.ServeHTTP(w, r) // HEAD probes and the 405 answer are the bot's
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, d.base.MaxBodyBytes))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			writeJSONError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("body over %d bytes", d.base.MaxBodyBytes))
			return
		}
		writeJSONError(w, http.StatusBadRequest, "cannot read body")
		return
	}
	var act schema.Activity
	if err := json.Unmarshal(body, &act); err != nil {
		writeJSONError(w, http.StatusBadRequest, "malformed activity JSON")
		return
	}
	header := r.Header.Get("Authorization")
	tenant := bot.TenantOf(act)
	aud := tokenClaim(header, "aud")
	var mine []*cell
	for _, c := range cells {
		if strings.EqualFold(c.org.Tenant, tenant) && (c.app.Config.Anonymous() || strings.EqualFold(c.app.Config.AppID, aud)) {
			mine = append(mine, c)
		}
	}
	if len(mine) == 0 {
		d.Log.WarnContext(r.Context(), "activity refused: no organisation of this deployment is in its tenant for its bot",
			slog.String("tenant", tenant), slog.String("audience", aud))
		writeJSONError(w, http.StatusForbidden, "unknown tenant")
		return
	}
	if err := mine[0].app.Bot.Authenticate(r.Context(), act, header); err != nil {
		d.Log.WarnContext(r.Context(), "activity refused", slog.String("tenant", tenant), slog.String("reason", err.Error()))
		writeJSONError(w, http.StatusForbidden, "authentication failed")
		return
	}
	target, body, answered := d.route(r.Context(), act, body, mine)
	if answered {
		w.WriteHeader(http.StatusOK)
		return
	}
	r2 := r.Clone(r.Context())
	r2.Body, r2.ContentLength = io.NopCloser(bytes.NewReader(body)), int64(len(body))
	target.app.Handler.ServeHTTP(w, r2)
}

// route picks the organisation of an authenticated activity among its tenant's (mine). It returns the body to
// hand on (the card stamp taken off), or answered when the router has answered the person itself.
func (d *Deployment) route(ctx context.Context, act schema.Activity, body []byte, mine []*cell) (*cell, []byte, bool) {
	if len(mine) == 1 {
		return mine[0], body, false
	}
	if id, stripped, ok := cardOrg(body); ok {
		for _, c := range mine {
			if c.org.ID == id {
				return c, stripped, false
			}
		}
	}
	if ct := act.Conversation.ConversationType; ct == "channel" || ct == "groupChat" {
		conv, _, _ := strings.Cut(act.Conversation.ID, ";messageid=")
		team := ""
		if t, ok := act.ChannelData["team"].(map[string]any); ok {
			team, _ = t["id"].(string)
		}
		for _, c := range mine {
			dg := c.app.Catalog.Org.Digituki
			if (dg.ChannelID != "" && dg.ChannelID == conv) || (dg.TeamID != "" && dg.TeamID == team) {
				return c, body, false
			}
		}
		return mine[0], body, false
	}
	aad := act.From.AadObjectID
	u, err := mine[0].app.Directory.User(ctx, aad)
	if err != nil {
		if !domain.IsCode(err, domain.ENotFound) {
			d.Log.WarnContext(ctx, "directory look-up failed while routing", slog.String("error", err.Error()))
		}
		u = domain.User{ID: aad}
	}
	var member []*cell
	for _, c := range mine {
		if c.org.Member(u) {
			member = append(member, c)
		}
	}
	lang := i18n.Choose("", act.Locale, mine[0].app.Catalog.Org.DefaultLanguage)
	switch len(member) {
	case 0:
		if act.Type == schema.Message {
			d.say(ctx, mine[0], act, textActivity(d.msgs.Printer(lang).Get("orgs.not_served")))
		}
		return nil, nil, true
	case 1:
		return member[0], body, false
	}
	// Every organisation of theirs can reach them, whichever one they talk to now.
	for _, c := range member {
		if err := c.app.Bot.Remember(ctx, act); err != nil {
			d.Log.WarnContext(ctx, "could not store the conversation reference", slog.String("org", c.org.ID),
				slog.String("error", err.Error()))
		}
	}
	key := "orgchoice:" + strings.ToLower(bot.TenantOf(act)) + ":" + aad
	if id, ok := choiceOf(act); ok {
		for _, c := range member {
			if c.org.ID == id {
				_ = d.choices.Set(ctx, key, []byte(id), 180*24*time.Hour)
				name := c.app.Catalog.Org.Name.In(lang)
				d.say(ctx, c, act, textActivity(d.msgs.Printer(lang).Format("orgs.chosen", "org", name)))
				return nil, nil, true
			}
		}
	}
	if act.Type == schema.Message && flows.IsSwitchOrganisation(act.Text) {
		_ = d.choices.Delete(ctx, key)
	} else if raw, err := d.choices.Get(ctx, key); err == nil {
		for _, c := range member {
			if c.org.ID == string(raw) {
				return c, body, false
			}
		}
	}
	if act.Type == schema.Message {
		d.say(ctx, member[0], act, d.choiceCard(lang, member))
	}
	return nil, nil, true
}

func (d *Deployment) say(ctx context.Context, c *cell, in schema.Activity, out schema.Activity) {
	if err := c.app.Bot.Reply(ctx, in, out); err != nil {
		d.Log.WarnContext(ctx, "could not answer", slog.String("error", err.Error()))
	}
}

func textActivity(text string) schema.Activity {
	return schema.Activity{Type: schema.Message, Text: text, TextFormat: "plain"}
}

// choiceCard asks a person of several organisations which one they are working for.
func (d *Deployment) choiceCard(lang domain.Lang, member []*cell) schema.Activity {
	p := d.msgs.Printer(lang)
	actions := make([]any, 0, len(member))
	for _, c := range member {
		actions = append(actions, map[string]any{"type": "Action.Submit", "title": c.app.Catalog.Org.Name.In(lang),
			"data": map[string]any{choiceKey: c.org.ID}})
	}
	card := map[string]any{"type": "AdaptiveCard", "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
		"version": "1.5", "body": []any{
			map[string]any{"type": "TextBlock", "text": p.Get("orgs.choose.title"), "weight": "Bolder", "wrap": true, "style": "heading"},
			map[string]any{"type": "TextBlock", "text": p.Get("orgs.choose.body"), "wrap": true},
		}, "actions": actions}
	return schema.Activity{Type: schema.Message, Attachments: []schema.Attachment{{ContentType: "application/vnd.microsoft.card.adaptive", Content: card}}}
}

// choiceOf reads the organisation-choice card's answer.
func choiceOf(act schema.Activity) (string, bool) {
	id, ok := act.Value[choiceKey].(string)
	return id, ok
}

// cardOrg reads CardOrgKey from a card tap (a Submit's value, or an Action.Execute invoke's value.action.data) and
// returns the body without it.
func cardOrg(body []byte) (string, []byte, bool) {
	if !bytes.Contains(body, []byte(`"`+CardOrgKey+`"`)) {
		return "", body, false
	}
	var top map[string]json.RawMessage
	if json.Unmarshal(body, &top) != nil {
		return "", body, false
	}
	var value map[string]any
	if json.Unmarshal(top["value"], &value) != nil || value == nil {
		return "", body, false
	}
	data := value
	if action, ok := value["action"].(map[string]any); ok {
		if dd, ok := action["data"].(map[string]any); ok {
			data = dd
		}
	}
	id, ok := data[CardOrgKey].(string)
	if !ok {
		return "", body, false
	}
	delete(data, CardOrgKey)
	raw, err := json.Marshal(value)
	if err != nil {
		return "", body, false
	}
	top["value"] = raw
	out, err := json.Marshal(top)
	if err != nil {
		return "", body, false
	}
	return id, out, true
}

// tokenClaim reads one string claim of a bearer token WITHOUT checking it: only to choose which organisation's
// validator then checks the token in full.
func tokenClaim(header, claim string) string {
	scheme, tok, ok := strings.Cut(strings.TrimSpace(header), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return ""
	}
	parts := strings.Split(strings.TrimSpace(tok), ".")
	if len(parts) != 3 || len(parts[1]) > 16<<10 {
		return ""
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return ""
	}
	var claims map[string]any
	if json.Unmarshal(raw, &claims) != nil {
		return ""
	}
	switch v := claims[claim].(type) {
	case string:
		return v
	case []any: // an audience may be a list
		if len(v) > 0 {
			s, _ := v[0].(string)
			return s
		}
	}
	return ""
}

// tabAPI routes the tab's API calls to the caller's organisation: the token's tenant and object id (in the local
// mode the caller header), the organisation ?org= names among theirs, else the first they belong to. The chosen
// organisation's tab then checks the token in full; a caller who belongs to none gets 403.
func (d *Deployment) tabAPI(w http.ResponseWriter, r *http.Request, cells []*cell) {
	header := r.Header.Get("Authorization")
	tenant, oid := tokenClaim(header, "tid"), tokenClaim(header, "oid")
	if cells[0].app.Config.Anonymous() {
		tenant, oid = cells[0].org.Tenant, strings.TrimSpace(r.Header.Get(tab.LocalHeader))
	}
	var mine []*cell
	for _, c := range cells {
		if strings.EqualFold(c.org.Tenant, tenant) {
			mine = append(mine, c)
		}
	}
	if len(mine) == 0 {
		writeJSONError(w, http.StatusUnauthorized, "unknown tenant")
		return
	}
	u, err := mine[0].app.Directory.User(r.Context(), oid)
	if err != nil {
		u = domain.User{ID: oid}
	}
	want := r.URL.Query().Get("org")
	var first *cell
	for _, c := range mine {
		if !c.org.Member(u) {
			continue
		}
		if first == nil {
			first = c
		}
		if c.org.ID == want {
			first = c
			break
		}
	}
	if first == nil {
		writeJSONError(w, http.StatusForbidden, "not a member of any organisation served here")
		return
	}
	first.app.Handler.ServeHTTP(w, r)
}

// Watch re-reads the organisations file every interval until ctx ends and applies a change (Reload). Nothing to do
// without an organisations file.
func (d *Deployment) Watch(ctx context.Context, interval time.Duration) {
	if d.base.OrganisationsFile == "" {
		return
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if err := d.Reload(ctx); err != nil {
			d.Log.Error("the organisations file was not applied; the organisations run as before",
				slog.String("error", err.Error()))
		}
	}
}

// Reload reads the organisations file again. When it changed, organisations that are new start, those no longer
// listed stop, and those whose settings changed restart on the new ones; the others are not touched. A file with
// a problem, or an organisation that cannot start, changes nothing.
func (d *Deployment) Reload(ctx context.Context) error {
	raw, err := os.ReadFile(d.base.OrganisationsFile)
	if err != nil {
		return fmt.Errorf("VALTUUS_ORGANISATIONS_CONFIG: %w", err)
	}
	d.mu.RLock()
	same := d.set.Sum == sha256Sum(raw)
	d.mu.RUnlock()
	if same {
		return nil
	}
	set, err := tenancy.Parse(raw, d.Getenv)
	if err != nil {
		return err
	}
	d.mu.RLock()
	old := slices.Clone(d.cells)
	oldSet := d.set
	d.mu.RUnlock()
	var next, started []*cell
	kept := map[*cell]bool{}
	for _, o := range set.Orgs {
		if c := unchanged(old, oldSet, o, set); c != nil {
			next, kept[c] = append(next, c), true
			continue
		}
		c, err := d.build(ctx, o, set)
		if err != nil {
			for _, s := range started {
				s.app.Close()
			}
			return err
		}
		next, started = append(next, c), append(started, c)
	}
	d.mu.Lock()
	d.set, d.cells = set, next
	if d.run != nil {
		for _, c := range started {
			c.start(d.run)
		}
	}
	d.mu.Unlock()
	var stopped []string
	for _, c := range old {
		if !kept[c] {
			c.halt()
			c.app.Close()
			stopped = append(stopped, c.org.ID)
		}
	}
	ids := make([]string, len(started))
	for i, c := range started {
		ids[i] = c.org.ID
	}
	d.Log.Info("organisations file applied", slog.Any("started", ids), slog.Any("stopped", stopped),
		slog.Any("organisations", set.IDs()))
	return nil
}

// unchanged returns the running cell of o when nothing it runs on changed.
func unchanged(old []*cell, oldSet *tenancy.Set, o *tenancy.Org, set *tenancy.Set) *cell {
	for _, c := range old {
		if c.org.ID != o.ID {
			continue
		}
		if c.org.Tenant == o.Tenant && reflect.DeepEqual(c.org.Members, o.Members) &&
			reflect.DeepEqual(*c.org.Config, *o.Config) &&
			(countTenant(oldSet, o.Tenant) > 1) == (countTenant(set, o.Tenant) > 1) {
			return c
		}
		return nil
	}
	return nil
}

func sha256Sum(b []byte) [32]byte { return sha256.Sum256(b) }
