package tab

import (
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/valtuusbotti/valtuusbotti/internal/domain"
	"github.com/valtuusbotti/valtuusbotti/internal/sqlstore"
)

// textKeys are the messages the page shows, sent to it in the caller's language.
var textKeys = []string{
	"tab.title", "tab.loading", "tab.scope.all", "tab.scope.team", "tab.nav.dashboard", "tab.nav.register",
	"tab.counts.heading", "tab.state.active", "tab.state.upcoming", "tab.state.expired", "tab.state.revoked",
	"tab.state.ending90", "tab.chart.heading", "tab.chart.caption", "tab.chart.none", "tab.department.heading",
	"tab.agency.heading", "tab.tasks.heading", "tab.tasks.none", "tab.task.approval", "tab.task.grant",
	"tab.task.invalidation", "tab.tasks.age", "tab.register.heading", "tab.filter.department", "tab.filter.agency",
	"tab.filter.theme", "tab.filter.state", "tab.filter.ending_before", "tab.filter.name", "tab.filter.any",
	"tab.filter.apply", "tab.filter.clear", "tab.col.person", "tab.col.department", "tab.col.theme", "tab.col.agency",
	"tab.col.from", "tab.col.until", "tab.col.state", "tab.register.none", "tab.register.more", "tab.register.shown",
	"tab.person.heading", "tab.person.back", "tab.person.mandates", "tab.person.requests", "tab.person.history",
	"tab.person.none", "tab.col.request", "tab.col.filed", "tab.col.when", "tab.col.who", "tab.col.what",
	"tab.request.pending", "tab.request.approved", "tab.request.rejected", "tab.request.cancelled",
	"tab.request.completed", "tab.col.count", "tab.days", "tab.error.signin", "tab.error.no_role",
	"tab.error.forbidden", "tab.error.invalid", "tab.error.not_found", "tab.error.internal", "tab.open_ended",
	"tab.handbook.link", "tab.handbook.back", "tab.handbook.frame",
}

type option struct {
	Value string `json:"value"`
	Label string `json:"label"`
}

// me answers who the caller is, what they see, the texts in their language and the filters' choices.
func (h *Handler) me(_ http.ResponseWriter, r *http.Request, v *viewer) (any, error) {
	depts, err := h.cfg.Register.DepartmentsInRegister(r.Context(), v.scope)
	if err != nil {
		return nil, err
	}
	texts := make(map[string]string, len(textKeys))
	for _, k := range textKeys {
		texts[k] = v.p.Get(k)
	}
	var themes, agencies []option
	seen := map[string]bool{}
	for _, t := range h.cfg.Catalog.Themes {
		themes = append(themes, option{t.ID, t.Name.In(v.lang)})
		if t.Agency.FI != "" && !seen[t.Agency.FI] {
			seen[t.Agency.FI] = true
			agencies = append(agencies, option{t.Agency.FI, t.Agency.In(v.lang)})
		}
	}
	sort.Slice(themes, func(i, j int) bool { return themes[i].Label < themes[j].Label })
	sort.Slice(agencies, func(i, j int) bool { return agencies[i].Label < agencies[j].Label })
	role := "supervisor"
	if v.mainUser {
		role = "main_user"
	}
	return map[string]any{
		"person": map[string]string{"id": v.user.ID, "name": v.user.DisplayName}, "role": role, "lang": v.lang,
		"texts": texts, "departments": depts, "themes": themes, "agencies": agencies,
		"today": h.today().Format(time.DateOnly),
	}, nil
}

type taskJSON struct {
	sqlstore.OpenTask
	Theme   string `json:"theme,omitempty"`
	AgeDays int    `json:"age_days"`
}

// summary answers the dashboard: counts by state, the mandates ending per month for a year, the mandates in force
// by department and by agency, and the oldest open tasks with their age in days.
func (h *Handler) summary(_ http.ResponseWriter, r *http.Request, v *viewer) (any, error) {
	ctx, today := r.Context(), h.today()
	counts, err := h.cfg.Register.CountsByState(ctx, v.scope, today)
	if err != nil {
		return nil, err
	}
	months, err := h.cfg.Register.EndingByMonth(ctx, v.scope, today, 12)
	if err != nil {
		return nil, err
	}
	depts, err := h.cfg.Register.CountsByDepartment(ctx, v.scope, today)
	if err != nil {
		return nil, err
	}
	byTheme, err := h.cfg.Register.CountsByTheme(ctx, v.scope, today)
	if err != nil {
		return nil, err
	}
	agencyN := map[string]int{}
	agencyName := map[string]string{}
	for _, g := range byTheme {
		key, name := g.Key, h.themeName(g.Key, v.lang)
		if a, ok := h.agencyOf(g.Key); ok {
			key, name = a.FI, a.In(v.lang)
		}
		agencyN[key] += g.N
		agencyName[key] = name
	}
	agencies := []map[string]any{}
	for k, n := range agencyN {
		agencies = append(agencies, map[string]any{"key": k, "label": agencyName[k], "n": n})
	}
	sort.Slice(agencies, func(i, j int) bool {
		ni, nj := agencies[i]["n"].(int), agencies[j]["n"].(int)
		return ni > nj || ni == nj && agencies[i]["label"].(string) < agencies[j]["label"].(string)
	})
	open, err := h.cfg.Register.OpenTasks(ctx, v.scope, 20)
	if err != nil {
		return nil, err
	}
	tasks := make([]taskJSON, 0, len(open))
	now := h.cfg.Now()
	for _, t := range open {
		tj := taskJSON{OpenTask: t, AgeDays: int(now.Sub(t.Since).Hours() / 24)}
		if t.ThemeID != "" {
			tj.Theme = h.themeName(t.ThemeID, v.lang)
		}
		tasks = append(tasks, tj)
	}
	if depts == nil {
		depts = []sqlstore.GroupCount{}
	}
	return map[string]any{"counts": counts, "months": months, "departments": depts, "agencies": agencies,
		"tasks": tasks}, nil
}

type mandateJSON struct {
	ID         int64  `json:"id"`
	HolderID   string `json:"holder_id"`
	HolderName string `json:"holder_name"`
	Department string `json:"department"`
	ThemeID    string `json:"theme_id"`
	Theme      string `json:"theme"`
	Agency     string `json:"agency"`
	ValidFrom  string `json:"valid_from"`
	ValidUntil string `json:"valid_until"`
	OpenEnded  bool   `json:"open_ended"`
	State      string `json:"state"`
}

func (h *Handler) mandateJSON(m domain.Mandate, lang domain.Lang, today time.Time) mandateJSON {
	state := string(sqlstore.MandatesActive)
	switch {
	case m.State == domain.MandateRevoked:
		state = string(sqlstore.MandatesRevoked)
	case m.ValidUntil.Before(today):
		state = string(sqlstore.MandatesExpired)
	case m.ValidFrom.After(today):
		state = string(sqlstore.MandatesUpcoming)
	}
	out := mandateJSON{ID: m.ID, HolderID: m.HolderID, HolderName: m.HolderName, Department: m.Department,
		ThemeID: m.ThemeID, Theme: h.themeName(m.ThemeID, lang), ValidFrom: m.ValidFrom.Format(time.DateOnly),
		ValidUntil: m.ValidUntil.Format(time.DateOnly), OpenEnded: m.OpenEnded, State: state}
	if a, ok := h.agencyOf(m.ThemeID); ok {
		out.Agency = a.In(lang)
	}
	return out
}

// register answers a page of the register. Query parameters: department, agency (its Finnish name), theme,
// state (active, upcoming, expired, revoked), ending_before (YYYY-MM-DD), q (part of a name), after_name and
// after_id (the cursor the previous page returned), limit.
func (h *Handler) register(_ http.ResponseWriter, r *http.Request, v *viewer) (any, error) {
	qs := r.URL.Query()
	today := h.today()
	q := sqlstore.RegisterQuery{Scope: v.scope, Department: qs.Get("department"), Name: qs.Get("q"),
		State: sqlstore.MandateState(qs.Get("state")), Today: today}
	if a := qs.Get("agency"); a != "" {
		q.ThemeIDs = h.agencyThemes(a)
	}
	if t := qs.Get("theme"); t != "" {
		if q.ThemeIDs != nil && !slices.Contains(q.ThemeIDs, t) {
			q.ThemeIDs = []string{}
		} else {
			q.ThemeIDs = []string{t}
		}
	}
	if s := qs.Get("ending_before"); s != "" {
		d, err := time.Parse(time.DateOnly, s)
		if err != nil {
			return nil, domain.Errorf(domain.EInvalid, "ending_before is not a date")
		}
		q.EndingBefore = d
	}
	if s := qs.Get("after_id"); s != "" {
		id, err := strconv.ParseInt(s, 10, 64)
		if err != nil || id <= 0 {
			return nil, domain.Errorf(domain.EInvalid, "after_id is not an id")
		}
		q.After = sqlstore.RegisterCursor{Name: qs.Get("after_name"), ID: id}
	}
	if s := qs.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n <= 0 {
			return nil, domain.Errorf(domain.EInvalid, "limit is not a positive number")
		}
		q.Limit = n
	}
	ms, next, err := h.cfg.Register.RegisterPage(r.Context(), q)
	if err != nil {
		return nil, err
	}
	items := make([]mandateJSON, 0, len(ms))
	for _, m := range ms {
		items = append(items, h.mandateJSON(m, v.lang, today))
	}
	out := map[string]any{"items": items}
	if !next.IsZero() {
		out["next"] = next
	}
	return out, nil
}

// person answers one person's page: who they are, their mandates, their requests and the history of both from the
// audit trail. A supervisor sees only their own people.
func (h *Handler) person(_ http.ResponseWriter, r *http.Request, v *viewer) (any, error) {
	ctx, id := r.Context(), r.PathValue("id")
	if !v.sees(id) {
		return nil, errNotYours
	}
	ms, err := h.cfg.Register.MandatesByHolder(ctx, id)
	if err != nil {
		return nil, err
	}
	rs, err := h.cfg.Register.RequestsByRequester(ctx, id, 50)
	if err != nil {
		return nil, err
	}
	hist, err := h.cfg.Register.PersonHistory(ctx, id, 100)
	if err != nil {
		return nil, err
	}
	person := map[string]string{"id": id}
	if u, err := h.cfg.Directory.User(ctx, id); err == nil {
		person["name"], person["department"], person["job_title"] = u.DisplayName, u.Department, u.JobTitle
	} else if len(ms) > 0 {
		person["name"], person["department"] = ms[0].HolderName, ms[0].Department
	} else if !domain.IsCode(err, domain.ENotFound) && !domain.IsCode(err, domain.EInvalid) {
		return nil, err
	}
	today := h.today()
	mandates := make([]mandateJSON, 0, len(ms))
	for _, m := range ms {
		mandates = append(mandates, h.mandateJSON(m, v.lang, today))
	}
	requests := make([]map[string]any, 0, len(rs))
	for _, rq := range rs {
		var themes []string
		for _, it := range rq.Items {
			themes = append(themes, h.themeName(it.ThemeID, v.lang))
		}
		requests = append(requests, map[string]any{"id": rq.ID, "ref": rq.Reference(), "state": rq.State, "themes": themes,
			"filed": rq.CreatedAt.In(domain.OrgLocation).Format(time.DateOnly)})
	}
	history := make([]map[string]any, 0, len(hist))
	for _, e := range hist {
		who := e.ActorID
		if u, err := h.cfg.Directory.User(ctx, e.ActorID); err == nil {
			who = u.DisplayName
		}
		what := e.Action // an action this page has no words for shows as recorded
		if key := "tab.action." + strings.ReplaceAll(e.Action, ".", "_"); v.p.Get(key) != key {
			what = v.p.Get(key)
		}
		history = append(history, map[string]any{"at": e.At.In(domain.OrgLocation).Format("2006-01-02 15:04"),
			"who": who, "action": e.Action, "what": what, "request_id": e.RequestID, "mandate_id": e.MandateID})
	}
	return map[string]any{"person": person, "mandates": mandates, "requests": requests, "history": history}, nil
}
