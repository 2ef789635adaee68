package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/valtuusbotti/valtuusbotti/internal/app"
	"github.com/valtuusbotti/valtuusbotti/internal/config"
	"github.com/valtuusbotti/valtuusbotti/internal/domain"
	"github.com/valtuusbotti/valtuusbotti/internal/importer"
	"github.com/valtuusbotti/valtuusbotti/internal/sqlstore"
	"github.com/valtuusbotti/valtuusbotti/internal/tenancy"
	"github.com/valtuusbotti/valtuusbotti/internal/testfakes/clock"
	"github.com/valtuusbotti/valtuusbotti/internal/testfakes/fakeconnector"
	"github.com/valtuusbotti/valtuusbotti/internal/testfakes/fakeidp"
	"github.com/valtuusbotti/valtuusbotti/internal/testfakes/testorgs"
)

// The deployment of the isolation tests: the City of Porvoo (A) and its water utility Porvoon Vesi (B) in one
// tenant, and the town of Loviisa (C) in a tenant of its own with its own bot registration.
const (
	orgA     = "1061512-1"
	orgB     = "2345678-0"
	orgC     = "1234567-1"
	tenant2  = "d3b0c0de-0000-4000-8000-0000000000c2"
	botApp2  = "5e1f0000-0000-4000-8000-0000000000c2"
	vesiMain = "7c1e4a52-0000-4000-8000-0000000000b1" // Ville Vesi, B's main user
	vesiEmp  = "7c1e4a52-0000-4000-8000-0000000000b2" // Veera Virta, B's employee
	both     = "7c1e4a52-0000-4000-8000-0000000000b3" // Kalle Kaksi: the city's, working in water supply (A and B)
	outsider = "7c1e4a52-0000-4000-8000-0000000000b4" // Olli Ulko: a contractor, in neither
	lovMain  = "7c1e4a52-0000-4000-8000-0000000000c1" // Liisa Loviisa, C's main user
	lovEmp   = "7c1e4a52-0000-4000-8000-0000000000c3" // Leo Loviisa, C's employee
)

// deployment is a running Deployment of several organisations on 127.0.0.1:0.
type deployment struct {
	t     *testing.T
	dir   string
	idp   *fakeidp.Server
	conn  *fakeconnector.Server
	d     *app.Deployment
	url   string
	clock *clock.Running
	seq   atomic.Int64
	file  string
	base  *config.Config
	logs  *syncBuffer
}

// newDeployment starts the deployment with the organisations file orgs (a template: {dir} is the test's folder).
func newDeployment(t *testing.T, orgs string) *deployment {
	t.Helper()
	dp := &deployment{t: t, dir: t.TempDir(), idp: fakeidp.New(t), conn: fakeconnector.New(t), clock: clock.NewRunning(time.Time{}), logs: &syncBuffer{}}
	dp.idp.Now = dp.clock.Now
	write := func(name, body string) {
		if err := os.WriteFile(filepath.Join(dp.dir, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("tenant1.yaml", testorgs.Tenant1Directory)
	write("tenant2.yaml", testorgs.Tenant2Directory)
	write("secret", "not-used-the-test-injects-a-credential")
	testorgs.Catalog(t, filepath.Join(dp.dir, "vesi"), "Porvoon Vesi", orgB, vesiMain, "19:vesi-digituki@thread.tacv2")
	testorgs.Catalog(t, filepath.Join(dp.dir, "loviisa"), "Loviisan kaupunki", orgC, lovMain, "19:loviisa-digituki@thread.tacv2")
	dp.file = filepath.Join(dp.dir, "organisations.yaml")
	dp.writeOrgs(orgs)
	env := map[string]string{
		"VALTUUS_OPENID_METADATA_URL":  dp.idp.MetadataURL,
		"VALTUUS_ENTRA_METADATA_URL":   dp.idp.MetadataURL,
		"VALTUUS_TAB_HOST":             tabHost,
		"VALTUUS_ORGANISATIONS_CONFIG": dp.file,
		"VALTUUS_REDIS_PREFIX":         "valtuusbotti-test-" + fmt.Sprint(time.Now().UnixNano()) + ":",
	}
	if url := os.Getenv("VALTUUS_TEST_REDIS_URL"); url != "" {
		env["VALTUUS_REDIS_URL"] = url // the Teams budget and the choices in the real Redis when there is one
	}
	getenv := func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	base, err := config.FromEnv(getenv)
	if err != nil {
		t.Fatal(err)
	}
	dp.base = base
	set, err := tenancy.Load(dp.file, getenv)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	d, err := app.NewDeployment(ctx, base, set, app.Options{Credential: &staticCredential{}, Now: dp.clock.Now,
		Logger:    slog.New(slog.NewJSONHandler(dp.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Outbox:    app.OutboxTuning{PollInterval: 20 * time.Millisecond, BaseBackoff: 10 * time.Millisecond, MaxBackoff: 50 * time.Millisecond},
		Connector: app.ConnectorTuning{BaseBackoff: time.Millisecond, MaxBackoff: 10 * time.Millisecond}})
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	d.Getenv = getenv
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- d.Serve(ctx, l) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil && !errors.Is(err, http.ErrServerClosed) {
			t.Errorf("serve: %v", err)
		}
		d.Close()
	})
	dp.d, dp.url = d, "http://"+l.Addr().String()
	return dp
}

func (dp *deployment) writeOrgs(orgs string) {
	dp.t.Helper()
	if err := os.WriteFile(dp.file, []byte(strings.ReplaceAll(orgs, "{dir}", dp.dir)), 0o600); err != nil {
		dp.t.Fatal(err)
	}
}

// twoTenants is the organisations file of the isolation tests.
const twoTenants = `
tenants:
  - id: ` + tenant + `
    bot_app_id: ` + fakeidp.DefaultAppID + `
    client_secret_file: {dir}/secret
    directory: demo
    directory_file: {dir}/tenant1.yaml
  - id: ` + tenant2 + `
    bot_app_id: ` + botApp2 + `
    client_secret_file: {dir}/secret
    directory: demo
    directory_file: {dir}/tenant2.yaml
organisations:
  - id: ` + orgA + `
    tenant: ` + tenant + `
    database_url: sqlite:{dir}/porvoo.db
    members: {company_names: [Porvoon kaupunki]}
  - id: ` + orgB + `
    tenant: ` + tenant + `
    catalog_dir: {dir}/vesi
    database_url: sqlite:{dir}/vesi.db
    members: {departments: [Vesihuolto]}
  - id: ` + orgC + `
    tenant: ` + tenant2 + `
    catalog_dir: {dir}/loviisa
    database_url: sqlite:{dir}/loviisa.db
`

// activity is a personal-chat activity from user in tenant tid.
func (dp *deployment) activity(typ, user, tid, text string) map[string]any {
	n := dp.seq.Add(1)
	return map[string]any{
		"type": typ, "id": fmt.Sprintf("dep%d-%06d", time.Now().UnixNano(), n), "timestamp": "2026-11-25T08:00:00.000Z",
		"serviceUrl": dp.conn.URL, "channelId": "msteams",
		"from":         map[string]any{"id": "29:" + user, "name": "Teams User", "aadObjectId": user},
		"conversation": map[string]any{"id": "a:personal-" + user, "conversationType": "personal", "tenantId": tid},
		"recipient":    map[string]any{"id": botName, "name": "Valtuusbotti"},
		"locale":       "fi-FI", "text": text,
		"channelData": map[string]any{"tenant": map[string]any{"id": tid}},
	}
}

// post sends act with a token for the bot app appID; it returns the status and body.
func (dp *deployment) post(act map[string]any, appID string) (int, []byte) {
	dp.t.Helper()
	body, err := json.Marshal(act)
	if err != nil {
		dp.t.Fatal(err)
	}
	req, err := http.NewRequest(http.MethodPost, dp.url+"/api/messages", bytes.NewReader(body))
	if err != nil {
		dp.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", dp.idp.AuthHeader(fakeidp.TokenOptions{AppID: appID, ServiceURL: dp.conn.URL}))
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		dp.t.Fatal(err)
	}
	defer res.Body.Close()
	out, _ := io.ReadAll(res.Body)
	return res.StatusCode, out
}

// say sends text from user (tenant 1's bot unless the user is Loviisa's) and returns what the bot sent them.
func (dp *deployment) say(user, text string) string {
	dp.t.Helper()
	tid, appID := tenant, fakeidp.DefaultAppID
	if strings.HasSuffix(user, "c1") || strings.HasSuffix(user, "c3") {
		tid, appID = tenant2, botApp2
	}
	before := len(sentTo(dp.conn.Sent(), user))
	if status, body := dp.post(dp.activity("message", user, tid, text), appID); status != http.StatusOK {
		dp.t.Fatalf("%s says %q: status %d: %s", user, text, status, body)
	}
	sent := sentTo(dp.conn.Sent(), user)
	var b strings.Builder
	for _, c := range sent[before:] {
		b.Write(c.Raw)
	}
	return b.String()
}

// seed imports a list into an organisation's register, through its own view of the directory.
func (dp *deployment) seed(org, csv string) *importer.Result {
	dp.t.Helper()
	a := dp.d.App(org)
	people, ok := a.Directory.(importer.People)
	if !ok {
		dp.t.Fatalf("%s: the directory cannot find people", org)
	}
	imp := &importer.Importer{Store: a.DB.Register, Catalog: a.Catalog, People: people, Now: dp.clock.Now, Logger: slog.New(slog.DiscardHandler)}
	res, err := imp.Run(dp.t.Context(), "lista.csv", []byte(csv), importer.Options{})
	if err != nil {
		dp.t.Fatal(err)
	}
	return res
}

func holders(t *testing.T, a *app.App) []string {
	t.Helper()
	var out []string
	if err := a.DB.Register.EachMandate(t.Context(), sqlstore.MandateFilter{}, func(m domain.Mandate) error {
		out = append(out, m.HolderName)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

// Two organisations in one tenant and a third in another tenant, in one deployment: each organisation's data is
// reachable only through it. The chat commands, the tab's API, the import (people matched only among the
// organisation's own) and the alerts see only the caller's organisation; a person of two organisations chooses
// which one they work for; a person of neither, and any activity for a tenant the deployment does not serve, is
// refused.
func TestOrganisationsAreIsolated(t *testing.T) {
	dp := newDeployment(t, twoTenants)
	a, b, c := dp.d.App(orgA), dp.d.App(orgB), dp.d.App(orgC)
	if a == nil || b == nil || c == nil {
		t.Fatal("an organisation is not running")
	}
	// Each register is seeded through its organisation's own directory view: A's list naming B's employee
	// imports her as "not found in the directory", never as B's person.
	until := domain.Today(dp.clock.Now()).AddDays(20).String()
	resA := dp.seed(orgA, "Nimi;Sähköposti;Valtuusasia;Voimassa asti\nElina Lindholm;elina.lindholm@porvoo.example;Tulorekisteri / palkkatiedot;"+until+"\n"+
		"Veera Virta;veera.virta@porvoonvesi.example;Veroasiat;"+until+"\n")
	dp.seed(orgB, "Nimi;Sähköposti;Valtuusasia;Voimassa asti\nVeera Virta;veera.virta@porvoonvesi.example;Tulorekisteri / palkkatiedot;"+until+"\n"+
		"Kalle Kaksi;kalle.kaksi@porvoo.example;Tulorekisteri / palkkatiedot;"+until+"\n")
	dp.seed(orgC, "Nimi;Sähköposti;Valtuusasia;Voimassa asti\nLeo Loviisa;leo@loviisa.example;Veroasiat;"+until+"\n")
	_ = resA
	for _, m := range registerOfApp(t, a) {
		if m.HolderID == vesiEmp {
			t.Errorf("A's import matched B's employee: %+v", m)
		}
	}
	if hs := fmt.Sprint(holders(t, b)); strings.Contains(hs, "Elina") || strings.Contains(hs, "Leo") {
		t.Errorf("B's register holds others' mandates: %s", hs)
	}

	// Chat: each main user's mandate list shows their own organisation's mandates only.
	listA, listB, listC := dp.say(mikael, "valtuusluettelo"), dp.say(vesiMain, "valtuusluettelo"), dp.say(lovMain, "valtuusluettelo")
	if !strings.Contains(listA, "Elina Lindholm") || strings.Contains(listA, "Leo Loviisa") {
		t.Errorf("A's mandate list: %s", listA)
	}
	if !strings.Contains(listB, "Veera Virta") || contains2(listB, "Elina Lindholm", "Leo Loviisa") {
		t.Errorf("B's mandate list: %s", listB)
	}
	if !strings.Contains(listC, "Leo Loviisa") || contains2(listC, "Elina Lindholm", "Veera Virta") {
		t.Errorf("C's mandate list: %s", listC)
	}
	// Employees see their own organisation's mandates; B's supervisor sees B's team only.
	if mine := dp.say(vesiEmp, "omat valtuuteni"); !strings.Contains(mine, "Palkkatietojen ilmoittaminen") || strings.Contains(mine, "Veroasiat") {
		t.Errorf("Veera's own mandates in B: %s", mine)
	}
	if team := dp.say(vesiMain, "tiimini"); contains2(team, "Elina", "Leo") {
		t.Errorf("B's team view: %s", team)
	}

	// The tab's API: each main user gets their own organisation's register.
	regA, regB := dp.tabGet(t, tenant, mikael, "/tab/api/register", http.StatusOK), dp.tabGet(t, tenant, vesiMain, "/tab/api/register", http.StatusOK)
	if !strings.Contains(regA, "Elina Lindholm") || strings.Contains(regA, "Leo Loviisa") {
		t.Errorf("A's tab register: %s", regA)
	}
	if !strings.Contains(regB, "Veera Virta") || strings.Contains(regB, "Elina Lindholm") {
		t.Errorf("B's tab register: %s", regB)
	}
	if reg := dp.tabGet(t, tenant, vesiMain, "/tab/api/register?org="+orgA, http.StatusOK); strings.Contains(reg, "Elina Lindholm") {
		t.Errorf("B's main user reached A's register with ?org=: %s", reg)
	}
	// The handbook page of the tab is the caller's organisation's management model.
	if hb := dp.tabGet(t, tenant, vesiEmp, "/tab/api/handbook", http.StatusOK); !strings.Contains(hb, "Porvoon Vesi") || strings.Contains(hb, orgA) {
		t.Errorf("B's handbook in the tab names another organisation: %.300s", hb)
	}
	if hb := dp.tabGet(t, tenant, elina, "/tab/api/handbook", http.StatusOK); !strings.Contains(hb, orgA) || strings.Contains(hb, "Porvoon Vesi") {
		t.Errorf("A's handbook in the tab: %.300s", hb)
	}
	dp.tabGet(t, tenant, outsider, "/tab/api/me", http.StatusForbidden)
	dp.tabGet(t, "d3b0c0de-0000-4000-8000-0000000000ff", mikael, "/tab/api/me", http.StatusUnauthorized)

	// Alerts: each organisation's scheduler notifies its own people only.
	before := len(dp.conn.Sent())
	if _, err := b.Scheduler.RunOnce(t.Context()); err != nil {
		t.Fatal(err)
	}
	waitOutboxOf(t, b)
	for _, call := range dp.conn.Sent()[before:] {
		for _, other := range []string{elina, mikael, helena, lovMain, lovEmp} {
			if call.ConversationID == "a:personal-"+other {
				t.Errorf("B's alerts reached %s: %s", other, call.Raw)
			}
		}
	}

	// Kalle belongs to A and B: he chooses, and his choice routes what he says.
	if card := dp.say(both, "omat valtuuteni"); !contains(card, "Porvoon kaupunki", "Porvoon Vesi", "valtuus_org_choice") {
		t.Fatalf("no choice for a person of two organisations: %s", card)
	}
	choose := dp.activity("message", both, tenant, "")
	choose["value"] = map[string]any{"valtuus_org_choice": orgB}
	if status, body := dp.post(choose, fakeidp.DefaultAppID); status != http.StatusOK {
		t.Fatalf("choice: %d %s", status, body)
	}
	if mine := dp.say(both, "omat valtuuteni"); !strings.Contains(mine, "Palkkatietojen ilmoittaminen") {
		t.Errorf("Kalle's own mandates after choosing B: %s", mine)
	}
	if card := dp.say(both, "vaihda organisaatiota"); !strings.Contains(card, "valtuus_org_choice") {
		t.Errorf("switching organisation: %s", card)
	}
	choose["id"], choose["value"] = choose["id"].(string)+"-a", map[string]any{"valtuus_org_choice": orgA}
	if status, body := dp.post(choose, fakeidp.DefaultAppID); status != http.StatusOK {
		t.Fatalf("choice: %d %s", status, body)
	}
	if mine := dp.say(both, "omat valtuuteni"); strings.Contains(mine, "Palkkatietojen ilmoittaminen") {
		t.Errorf("Kalle's own mandates after choosing A show B's: %s", mine)
	}
	// Both organisations can reach him: A's reminders and approvals do not wait until he chooses A.
	if _, err := a.DB.People.ConversationRef(t.Context(), both); err != nil {
		t.Errorf("A cannot reach Kalle: %v", err)
	}

	// A person of neither organisation is told so; nothing is stored anywhere.
	if msg := dp.say(outsider, "hei"); !strings.Contains(msg, "ei palvele organisaatiotasi") {
		t.Errorf("the outsider was told: %s", msg)
	}
	for _, x := range []*app.App{a, b, c} {
		if _, err := x.DB.People.ConversationRef(t.Context(), outsider); err == nil {
			t.Errorf("the outsider's turn reached %s", x.Catalog.Org.BusinessID)
		}
	}

	// Unknown tenants and bots are refused; a token for one tenant's bot is no good for the other tenant.
	if status, _ := dp.post(dp.activity("message", mikael, "d3b0c0de-0000-4000-8000-0000000000ff", "hei"), fakeidp.DefaultAppID); status != http.StatusForbidden {
		t.Errorf("unknown tenant: %d, want 403", status)
	}
	if status, _ := dp.post(dp.activity("message", lovEmp, tenant2, "hei"), fakeidp.DefaultAppID); status != http.StatusForbidden {
		t.Errorf("tenant 1's bot token for tenant 2: %d, want 403", status)
	}
	if status, _ := dp.post(dp.activity("message", mikael, tenant, "hei"), botApp2); status != http.StatusForbidden {
		t.Errorf("tenant 2's bot token for tenant 1: %d, want 403", status)
	}
}

func contains2(s string, subs ...string) bool {
	for _, x := range subs {
		if strings.Contains(s, x) {
			return true
		}
	}
	return false
}

func registerOfApp(t *testing.T, a *app.App) []domain.Mandate {
	t.Helper()
	var ms []domain.Mandate
	if err := a.DB.Register.EachMandate(t.Context(), sqlstore.MandateFilter{}, func(m domain.Mandate) error {
		ms = append(ms, m)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return ms
}

func waitOutboxOf(t *testing.T, a *app.App) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		n, err := a.DB.Outbox.PendingOutbox(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d outbox messages pending", n)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// tabGet calls the tab's API as user of tenant tid (a Teams SSO token for the tab) and requires status want.
func (dp *deployment) tabGet(t *testing.T, tid, user, path string, want int) string {
	t.Helper()
	tok := dp.idp.Token(fakeidp.TokenOptions{Issuer: entraV2 + tid + "/v2.0", AppID: fakeidp.DefaultAppID,
		OmitServiceURL: true, ExtraClaims: map[string]any{"tid": tid, "scp": tabScope, "oid": user, "ver": "2.0",
			"aud": "api://" + tabHost + "/botid-" + fakeidp.DefaultAppID}})
	req, err := http.NewRequest(http.MethodGet, dp.url+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+tok)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	if res.StatusCode != want {
		t.Errorf("GET %s as %s: %d, want %d: %s", path, user, res.StatusCode, want, body)
	}
	return string(body)
}

// A tenant added to the organisations file starts serving on Reload, while the organisations already running go on
// in the same cells (no restart); removing it stops it again.
func TestTenantAddedWithoutRestart(t *testing.T) {
	oneTenant := twoTenants[:strings.Index(twoTenants, "  - id: "+tenant2)] + twoTenants[strings.Index(twoTenants, "organisations:"):strings.Index(twoTenants, "  - id: "+orgC)]
	dp := newDeployment(t, oneTenant)
	a := dp.d.App(orgA)
	dp.say(mikael, "hei")
	if status, _ := dp.post(dp.activity("message", lovEmp, tenant2, "hei"), botApp2); status != http.StatusForbidden {
		t.Fatalf("tenant 2 before it is added: %d, want 403", status)
	}
	dp.writeOrgs(twoTenants)
	if err := dp.d.Reload(t.Context()); err != nil {
		t.Fatal(err)
	}
	if dp.d.App(orgA) != a {
		t.Error("adding a tenant restarted an organisation of another tenant")
	}
	if dp.d.App(orgC) == nil {
		t.Fatal("the added organisation is not running")
	}
	if msg := dp.say(lovEmp, "hei"); msg == "" {
		t.Error("the added tenant's person got no answer")
	}
	dp.say(mikael, "hei")
	// A broken file changes nothing.
	dp.writeOrgs(twoTenants + "\n  - id: 9999999-9\n")
	if err := dp.d.Reload(t.Context()); err == nil {
		t.Error("a broken organisations file was applied")
	}
	if dp.d.App(orgC) == nil || dp.d.App(orgA) != a {
		t.Error("a broken file changed the running organisations")
	}
	dp.writeOrgs(oneTenant)
	if err := dp.d.Reload(t.Context()); err != nil {
		t.Fatal(err)
	}
	if dp.d.App(orgC) != nil {
		t.Error("the removed organisation still runs")
	}
	if status, _ := dp.post(dp.activity("message", lovEmp, tenant2, "hei"), botApp2); status != http.StatusForbidden {
		t.Errorf("tenant 2 after it was removed: %d, want 403", status)
	}
}

// A database is one organisation's register: pointing another organisation, or the same one in another tenant, at
// it stops the start with a clear error, and the register is untouched.
func TestDatabaseOfAnotherOrganisationIsRefused(t *testing.T) {
	dp := newDeployment(t, twoTenants)
	vesiDB := filepath.Join(dp.dir, "vesi.db")
	swapped := strings.Replace(twoTenants, "sqlite:{dir}/loviisa.db", "sqlite:"+vesiDB, 1)
	swapped = strings.Replace(swapped, "sqlite:{dir}/vesi.db", "sqlite:{dir}/vesi2.db", 1)
	dp.writeOrgs(swapped)
	err := dp.d.Reload(t.Context())
	if err == nil || !strings.Contains(err.Error(), "register of organisation "+orgB) {
		t.Fatalf("Loviisa on Porvoon Vesi's database: %v", err)
	}
	if dp.d.App(orgC) == nil || dp.d.App(orgB) == nil {
		t.Error("the refused file changed the running organisations")
	}
	id, tid, err := dp.d.App(orgB).DB.Organisation(t.Context())
	if err != nil || id != orgB || tid != tenant {
		t.Errorf("B's database records %q %q %v", id, tid, err)
	}
}

// In a deployment of one organisation "vaihda organisaatiota" is understood and answered: there is nothing to switch.
func TestSwitchOrganisationWithOne(t *testing.T) {
	h := newHarness(t)
	h.say(elina, "vaihda organisaatiota")
	sent := sentTo(h.conn.Sent(), elina)
	if len(sent) != 1 || !strings.Contains(string(sent[0].Raw), "vain yhden organisaation") {
		t.Fatalf("answer: %v", sent)
	}
}
