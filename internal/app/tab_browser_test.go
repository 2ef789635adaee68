package app_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/valtuusbotti/valtuusbotti/internal/app"
	"github.com/valtuusbotti/valtuusbotti/internal/catalog"
	"github.com/valtuusbotti/valtuusbotti/internal/domain"
	"github.com/valtuusbotti/valtuusbotti/internal/testfakes/fakeidp"
	"github.com/valtuusbotti/valtuusbotti/internal/workflow"
)

const (
	tabHost   = "valtuusbotti.porvoo.example"
	tiina     = "7c1e4a52-0000-4000-8000-000000000007"
	otherTid  = "0badbad0-0000-4000-8000-000000000000"
	entraV2   = "https://login.microsoftonline.com/"
	tabScope  = "access_as_user"
	nodeLimit = 3 * time.Minute
)

// tabTools finds Chromium, node and the driver's npm packages; without them the test skips, unless
// VALTUUS_REQUIRE_SERVICES is set (CI), where it fails.
func tabTools(t *testing.T) (node, chromium, dir string) {
	t.Helper()
	dir = filepath.Join("..", "..", "tools", "tabcheck")
	node, nerr := exec.LookPath("node")
	chromium, cerr := exec.LookPath("chromium")
	_, perr := os.Stat(filepath.Join(dir, "node_modules", "playwright-core"))
	_, aerr := os.Stat(filepath.Join(dir, "node_modules", "axe-core"))
	if nerr != nil || cerr != nil || perr != nil || aerr != nil {
		msg := fmt.Sprintf("node (%v), chromium (%v) or tools/tabcheck/node_modules (%v, %v) missing: apt-get install chromium; npm --prefix tools/tabcheck ci", nerr, cerr, perr, aerr)
		if os.Getenv("VALTUUS_REQUIRE_SERVICES") != "" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	return node, chromium, dir
}

// withTabSSO serves the tab with Teams SSO: Entra tokens signed by the fake identity provider's keys, for the tab
// host's resource.
func withTabSSO(env map[string]string, _ *app.Options) {
	env["VALTUUS_ENTRA_METADATA_URL"] = env["VALTUUS_OPENID_METADATA_URL"]
	env["VALTUUS_TAB_HOST"] = tabHost
}

// TestTabInChromium runs the dashboard tab of the real service in headless Chromium (tools/tabcheck/check.mjs):
// it loads, filters, pages, shows the chart, opens a person's page, passes axe-core, refuses a missing, expired,
// wrong-audience and other-tenant token and a person with no role, and a supervisor sees only their people.
func TestTabInChromium(t *testing.T) {
	node, chromium, dir := tabTools(t)
	h := newHarness(t, withTabSSO)
	ctx := t.Context()
	cat, err := catalog.Default()
	if err != nil {
		t.Fatal(err)
	}
	today := domain.Today(h.clock.Now()).Time()
	themes := cat.Themes
	db := h.app.DB

	// The register: Elina (Sami's report) with two mandates and a request waiting, Oskar, Tiina and Mikael with one
	// each, and 52 people from an imported list, two of them invalidated.
	type seed struct {
		id, name, dept string
		theme          int
		from, until    time.Time
		state          domain.MandateState
	}
	seeds := []seed{
		{elina, "Elina Lindholm", "Talous", 0, today.AddDate(0, -6, 0), today.AddDate(0, 2, 0), domain.MandateActive},
		{elina, "Elina Lindholm", "Talous", 1, today.AddDate(0, -6, 0), today.AddDate(1, 6, 0), domain.MandateActive},
		{oskar, "Oskar Berg", "Sivistys", 2, today.AddDate(0, -1, 0), today.AddDate(0, 5, 0), domain.MandateActive},
		{tiina, "Tiina Mäkelä", "Sosiaali- ja terveys", 0, today.AddDate(-1, 0, 0), today.AddDate(0, 0, 20), domain.MandateActive},
		{mikael, "Mikael Nordström", "Tietohallinto", 1, today.AddDate(-2, 0, 0), today.AddDate(0, 0, -10), domain.MandateActive},
	}
	for i := range 52 {
		s := seed{fmt.Sprintf("henkilo%02d@porvoo.example", i), fmt.Sprintf("Testi Henkilö %02d", i), "Tekninen", i % len(themes),
			today.AddDate(0, -i, 0), today.AddDate(0, i%14, 3), domain.MandateActive}
		if i%2 == 1 {
			s.dept = "Sivistys"
		}
		if i == 7 || i == 30 {
			s.state = domain.MandateRevoked
		}
		seeds = append(seeds, s)
	}
	active, talous, revoked := 0, 0, 0
	for _, s := range seeds {
		m := domain.Mandate{HolderID: s.id, HolderName: s.name, Department: s.dept, ThemeID: themes[s.theme].ID,
			ValidFrom: s.from, ValidUntil: s.until, State: s.state, GrantedBy: mikael}
		if err := db.Register.InTx(ctx, func(tx workflow.Tx) error { return tx.CreateMandate(ctx, &m) }); err != nil {
			t.Fatal(err)
		}
		switch {
		case s.state == domain.MandateRevoked:
			revoked++
		case !s.from.After(today) && !s.until.Before(today):
			active++
		}
		if s.dept == "Talous" {
			talous++
		}
	}
	req := domain.Request{RequesterID: elina, RequesterName: "Elina Lindholm", RequesterDepartment: "Talous",
		State: domain.RequestPending, ApproverID: sami, ApproverName: "Sami Virtanen",
		Items: []domain.RequestItem{{ThemeID: themes[3].ID, State: domain.ItemPending}}}
	if err := db.Register.InTx(ctx, func(tx workflow.Tx) error {
		if err := tx.CreateRequest(ctx, &req); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, domain.AuditEvent{ActorID: elina, Action: "request.submitted", RequestID: req.ID})
	}); err != nil {
		t.Fatal(err)
	}

	now := h.clock.Now()
	token := func(oid string, over map[string]any) string {
		claims := map[string]any{"tid": tenant, "scp": tabScope, "oid": oid, "ver": "2.0", "name": "Teams User"}
		for k, v := range over {
			claims[k] = v
		}
		return h.idp.Token(fakeidp.TokenOptions{Issuer: entraV2 + tenant + "/v2.0", AppID: fakeidp.DefaultAppID,
			OmitServiceURL: true, ExtraClaims: claims})
	}
	input := map[string]any{
		"base":      h.url,
		"chromium":  chromium,
		"axeReport": filepath.Join(t.TempDir(), "axe.json"),
		"tokens": map[string]string{
			"main":          token(mikael, map[string]any{"aud": "api://" + tabHost + "/botid-" + fakeidp.DefaultAppID}),
			"supervisor":    token(sami, nil),
			"norole":        token(oskar, nil),
			"expired":       token(mikael, map[string]any{"exp": now.Add(-time.Hour).Unix(), "nbf": now.Add(-2 * time.Hour).Unix()}),
			"wrongAudience": token(mikael, map[string]any{"aud": "api://" + tabHost + "/botid-11111111-2222-4333-8444-555555555555"}),
			"otherTenant":   token(mikael, map[string]any{"tid": otherTid, "iss": entraV2 + otherTid + "/v2.0"}),
		},
		"expect": map[string]any{
			"active": active, "total": len(seeds), "department": "Talous", "inDepartment": talous, "revoked": revoked,
			"search": "mäkelä", "searchName": "Tiina Mäkelä", "person": elina, "personName": "Elina Lindholm",
			"personMandates": 2, "supervisorSees": []string{"Elina Lindholm"}, "outsider": tiina,
		},
	}
	// VALTUUS_TAB_SCREENSHOTS=<folder> keeps pictures of the dashboard and a person's page (for the docs).
	if dir := os.Getenv("VALTUUS_TAB_SCREENSHOTS"); dir != "" {
		input["screenshots"] = dir
	}
	raw, err := json.Marshal(input)
	if err != nil {
		t.Fatal(err)
	}
	in := filepath.Join(t.TempDir(), "input.json")
	if err := os.WriteFile(in, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	rctx, cancel := context.WithTimeout(ctx, nodeLimit)
	defer cancel()
	out, err := exec.CommandContext(rctx, node, filepath.Join(dir, "check.mjs"), in).CombinedOutput()
	t.Logf("tools/tabcheck/check.mjs:\n%s", out)
	if err != nil {
		report, _ := os.ReadFile(input["axeReport"].(string))
		t.Fatalf("the tab failed in Chromium: %v\naxe: %s", err, report)
	}
}
